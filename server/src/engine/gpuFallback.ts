/**
 * Running out of GPU memory (for the weights or the context) is retried with fewer layers, then on
 * the CPU, rather than failing the load.
 */

/**
 * The next number of GPU layers to try after a load with `current` layers failed: half as many,
 * then none (CPU); undefined when there is nothing left to try.
 */
export function fewerGpuLayers(current: number | undefined): number | undefined {
    if (current === undefined) return undefined;
    if (current <= 1) return current === 1 ? 0 : undefined;
    return Math.floor(current / 2);
}

export interface FallbackAttempt<T> {
    /** Loads with `gpuLayers` (undefined: as configured). */
    load(gpuLayers: number | undefined): Promise<T>;
    /** The layers the failed attempt had, when it got that far. */
    layersTried(error: unknown, gpuLayers: number | undefined): number | undefined;
    /** Whether `error` is one fewer layers may cure (out of memory), and retrying is allowed at all. */
    retryable(error: unknown): boolean;
    onRetry(error: unknown, nextGpuLayers: number): void;
}

/** Loads, halving the GPU layers after each failure that fewer layers may cure; resolves with the result and the last failure, if any. */
export async function loadWithGpuFallback<T>(attempt: FallbackAttempt<T>): Promise<{ result: T; lastError?: unknown }> {
    let lastError: unknown;
    let gpuLayers: number | undefined;
    for (;;) {
        try {
            return { result: await attempt.load(gpuLayers), ...(lastError === undefined ? {} : { lastError }) };
        } catch (error) {
            const next = attempt.retryable(error) ? fewerGpuLayers(attempt.layersTried(error, gpuLayers)) : undefined;
            if (next === undefined) throw error;
            attempt.onRetry(error, next);
            lastError = error;
            gpuLayers = next;
        }
    }
}
