/**
 * The context size of a load (pure, on injected memory figures and node-llama-cpp's estimates):
 * a number set wins; automatic is 16,384 tokens (what Code Llama was trained on; at most what the
 * model was trained on, 4,096 for Llama 2) when the memory holds its KV cache beside the model(s),
 * else the largest size from 2,048 up that fits.
 */

/** The automatic context's target: Code Llama's training length. */
export const AUTO_CONTEXT_SIZE = 16_384;
/** The smallest automatic context: room for a prompt and an answer. */
export const MIN_AUTO_CONTEXT_SIZE = 2_048;
/** llama.cpp allocates contexts in steps of this many tokens. */
const CONTEXT_STEP = 256;

/** Bytes a context needs, on the GPU and in RAM (node-llama-cpp's estimate for the loaded model and its GPU layers). */
export interface ContextNeed {
    gpuVram: number;
    cpuRam: number;
}

/** Bytes free for the context, once the model(s) have theirs. */
export interface FreeMemory {
    /** Free GPU memory after the model's layers went there; 0 without a GPU. */
    gpuVram: number;
    /** RAM available, less what the model(s) still to be read into memory take. */
    cpuRam: number;
}

export interface ContextChoice {
    contextSize: number;
    /** Why: the setting, the automatic target that fits, a smaller one that fits, or the smallest, which may not. */
    source: "setting" | "auto" | "auto-reduced" | "auto-minimum";
}

/**
 * `setting` > 0 is taken as it is. Otherwise the automatic target (capped by `trainedContextSize`)
 * when it fits `free`; else the largest multiple of 256 from 2,048 up that fits (`need` grows with the
 * size); else the smallest, for the load to try.
 */
export function chooseContextSize(
    setting: number,
    trainedContextSize: number | undefined,
    free: FreeMemory,
    need: (contextSize: number) => ContextNeed,
): ContextChoice {
    if (setting > 0) return { contextSize: setting, source: "setting" };
    const target = Math.min(AUTO_CONTEXT_SIZE, trainedContextSize && trainedContextSize > 0 ? trainedContextSize : AUTO_CONTEXT_SIZE);
    const fits = (contextSize: number): boolean => {
        const needed = need(contextSize);
        return needed.gpuVram <= free.gpuVram && needed.cpuRam <= free.cpuRam;
    };
    if (fits(target)) return { contextSize: target, source: "auto" };
    const smallest = Math.min(MIN_AUTO_CONTEXT_SIZE, target);
    if (!fits(smallest)) return { contextSize: smallest, source: "auto-minimum" };
    // Binary search over the steps between the smallest (fits) and the target (does not).
    let low = Math.ceil(smallest / CONTEXT_STEP);
    let high = Math.floor(target / CONTEXT_STEP) - 1;
    while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (fits(middle * CONTEXT_STEP)) low = middle;
        else high = middle - 1;
    }
    return { contextSize: Math.max(smallest, low * CONTEXT_STEP), source: "auto-reduced" };
}
