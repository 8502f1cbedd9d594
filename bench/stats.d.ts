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
export declare function percentile(values: readonly number[], p: number): number;
export declare function median(values: readonly number[]): number;
/** n, p50, p95, mean, min and max of the finite values; NaN statistics when there are none. */
export declare function summarize(values: readonly number[]): Summary;
/** Rounds for reports: integers stay integers, others keep `digits` decimals; NaN becomes null (JSON has no NaN). */
export declare function round(value: number, digits?: number): number | null;
