function add(a, b) {
    
}

console.log(add(2, 3));
