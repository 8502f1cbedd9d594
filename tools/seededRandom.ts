/**
 * The one seeded random number generator of tests, the benchmark and the model generator:
 * mulberry32, small and fast, so the same seed gives the same sequence (a failing fuzz case can be
 * replayed, the benchmark picks the same functions, a generated model has the same weights).
 * Numbers in [0, 1).
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
