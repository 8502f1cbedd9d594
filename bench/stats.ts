/** Summaries of measured values (pure), with the statistics' one percentile. */
import { percentile } from "../server/src/completion/stats.js";

export interface Summary {
    n: number;
    p50: number;
    p95: number;
    mean: number;
    min: number;
    max: number;
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
