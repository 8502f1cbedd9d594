/**
 * The one seeded random number generator, and a shuffle driven by it: mulberry32, small and fast,
 * so the same seed gives the same sequence (the eval and the benchmark pick the same holes and
 * functions, a generated model has the same weights, a failing fuzz case can be replayed). It lives
 * with the eval, its shipped user (`codellama eval`); tests, the benchmark and the model generator
 * import it from here. Numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
        state = (state + 0x6d2b79f5) >>> 0;
        let t = state;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** A copy of `items` in the order `random` decides (Fisher–Yates). */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
    const result = [...items];
    for (let index = result.length - 1; index > 0; index--) {
        const other = Math.floor(random() * (index + 1));
        [result[index], result[other]] = [result[other]!, result[index]!];
    }
    return result;
}
