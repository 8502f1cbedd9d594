/**
 * How fast an engine reads prompt tokens, as an exponentially weighted moving average of measured
 * evaluations. Short evaluations are left out: a few tokens cost mostly per-call overhead and would
 * make a long prompt look cheaper or dearer than it is.
 */
export class PromptSpeed {
    private average: number | undefined;

    constructor(private readonly minTokens = 64, private readonly weight = 0.3) {}

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
}
