/** Prompt tokens evaluated between two checks for cancellation: about this long's worth. */
const CHUNK_MS = 250;
const MIN_CHUNK_TOKENS = 32;
/** Larger chunks gain nothing even on a GPU, and keep a cancellation waiting. */
const MAX_CHUNK_TOKENS = 256;
/** Before the speed is known: small enough for a big model on a CPU, large enough to measure. */
const UNMEASURED_CHUNK_TOKENS = 64;

/**
 * How fast an engine works through tokens, as an exponentially weighted moving average of measured
 * runs. Short runs are left out: a few tokens cost mostly per-call overhead and would make a long
 * run look cheaper or dearer than it is.
 */
export class TokenRate {
    private average: number | undefined;

    constructor(
        private readonly minTokens: number,
        private readonly weight = 0.3,
    ) {}

    /** `tokens` tokens took `ms`. */
    record(tokens: number, ms: number): void {
        if (tokens < this.minTokens || !(ms > 0)) return;
        const sample = (tokens * 1000) / ms;
        this.average = this.average === undefined ? sample : this.average + this.weight * (sample - this.average);
    }

    /** Starts again from `tokensPerSecond` (measured elsewhere, e.g. at other settings). */
    reset(tokensPerSecond: number | undefined): void {
        this.average = tokensPerSecond;
    }

    /** Tokens per second; undefined until a run long enough to tell was measured. */
    get tokensPerSecond(): number | undefined {
        return this.average;
    }
}

/** How fast an engine reads prompt tokens (see TokenRate), and the chunks a long prompt is read in. */
export class PromptSpeed extends TokenRate {
    constructor(minTokens = MIN_CHUNK_TOKENS, weight = 0.3) {
        super(minTokens, weight);
    }

    /**
     * How many prompt tokens to evaluate between two checks for cancellation, so that the next
     * keystroke stops a long evaluation within about CHUNK_MS whatever the model and machine.
     */
    chunkTokens(): number {
        const speed = this.tokensPerSecond;
        if (speed === undefined) return UNMEASURED_CHUNK_TOKENS;
        return Math.min(MAX_CHUNK_TOKENS, Math.max(MIN_CHUNK_TOKENS, Math.round((speed * CHUNK_MS) / 1000)));
    }
}
