// The typing-replay benchmark (issue #5) is not written yet; say so instead of printing numbers.
console.log("npm run bench: the benchmark is not written yet (planned: typing replay against the real server, JSON + table).");
