/** Prompt tokens evaluated between two checks for cancellation: about this long's worth. */
const CHUNK_MS = 250;
const MIN_CHUNK_TOKENS = 32;
/** Larger chunks gain nothing even on a GPU, and keep a cancellation waiting. */
const MAX_CHUNK_TOKENS = 256;
/** Before the speed is known: small enough for a big model on a CPU, large enough to measure. */
const UNMEASURED_CHUNK_TOKENS = 64;

/**
 * How fast an engine reads prompt tokens, as an exponentially weighted moving average of measured
 * evaluations. Short evaluations are left out: a few tokens cost mostly per-call overhead and would
 * make a long prompt look cheaper or dearer than it is.
 */
export class PromptSpeed {
    private average: number | undefined;

    constructor(private readonly minTokens = MIN_CHUNK_TOKENS, private readonly weight = 0.3) {}

    /** `tokens` prompt tokens took `ms` to evaluate. */
    record(tokens: number, ms: number): void {
        if (tokens < this.minTokens || !(ms > 0)) return;
        const sample = (tokens * 1000) / ms;
        this.average = this.average === undefined ? sample : this.average + this.weight * (sample - this.average);
    }

    /** Tokens per second; undefined until an evaluation long enough to tell was measured. */
    get tokensPerSecond(): number | undefined {
        return this.average;
    }

    /**
     * How many prompt tokens to evaluate between two checks for cancellation, so that the next
     * keystroke stops a long evaluation within about CHUNK_MS whatever the model and machine.
     */
    chunkTokens(): number {
        if (this.average === undefined) return UNMEASURED_CHUNK_TOKENS;
        return Math.min(MAX_CHUNK_TOKENS, Math.max(MIN_CHUNK_TOKENS, Math.round((this.average * CHUNK_MS) / 1000)));
    }
}
