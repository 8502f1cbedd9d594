/** Percentiles and summaries of measured values (pure). */

export interface Summary {
    n: number;
    p50: number;
    p95: number;
    mean: number;
    min: number;
    max: number;
}

/**
 * The p-th percentile (0..100) of `values` by linear interpolation between the closest ranks
 * (numpy's default, "type 7"): p50 of [1, 2, 3, 4] is 2.5. NaN for no values.
 */
export function percentile(values: readonly number[], p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
    const finite = values.filter((value) => Number.isFinite(value));
    if (finite.length === 0) return Number.NaN;
    const sorted = [...finite].sort((a, b) => a - b);
    const rank = (p / 100) * (sorted.length - 1);
    const low = Math.floor(rank);
    const high = Math.ceil(rank);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

export function median(values: readonly number[]): number {
    return percentile(values, 50);
}

/** n, p50, p95, mean, min and max of the finite values; NaN statistics when there are none. */
export function summarize(values: readonly number[]): Summary {
    const finite = values.filter((value) => Number.isFinite(value));
    if (finite.length === 0) return { n: 0, p50: Number.NaN, p95: Number.NaN, mean: Number.NaN, min: Number.NaN, max: Number.NaN };
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const value of finite) {
        sum += value;
        if (value < min) min = value;
        if (value > max) max = value;
    }
    return { n: finite.length, p50: percentile(finite, 50), p95: percentile(finite, 95), mean: sum / finite.length, min, max };
}

/** Rounds for reports: integers stay integers, others keep `digits` decimals; NaN becomes null (JSON has no NaN). */
export function round(value: number, digits = 1): number | null {
    if (!Number.isFinite(value)) return null;
    const factor = 10 ** digits;
    return Math.round(value * factor) / factor;
}
