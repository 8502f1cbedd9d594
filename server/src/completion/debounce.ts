/**
 * Decides how long a completion request waits before it starts generating, from measured typing
 * rhythm and engine speed (exponentially weighted moving averages).
 *
 * Starting at once is right whenever the engine can be stopped quickly: a newer keystroke aborts
 * the running generation between two tokens, so a superseded start costs the next request at most
 * one token's time, and the prompt tokens it evaluated stay in the cache for the next prompt. A
 * wait only pays off when the model is slower than the typing *and* stopping it takes longer than
 * the wait would (a big model on a CPU, seconds per token): then the request waits about one
 * keystroke interval, so a generation is not started only to be cancelled by the next keystroke.
 */
export class AdaptiveDebounce {
    private lastArrival: number | undefined;
    private interval: number | undefined;
    private latency: number | undefined;
    private stopCost: number | undefined;

    constructor(
        private readonly maxDelayMs = 150,
        private readonly weight = 0.3,
    ) {}

    /** Call when a request arrives; returns the delay in ms before generating. */
    arrive(now: number): number {
        if (this.lastArrival !== undefined) {
            const gap = now - this.lastArrival;
            // Pauses longer than a second are not typing rhythm.
            if (gap < 1000) this.interval = this.average(this.interval, gap);
        }
        this.lastArrival = now;
        if (this.interval === undefined || this.latency === undefined || this.latency <= this.interval) return 0;
        const wait = Math.min(this.maxDelayMs, Math.round(this.interval * 1.2));
        return this.stopCost !== undefined && this.stopCost > wait ? wait : 0;
    }

    /** Call after a generation: its total time, and how long one generated token took (what stopping it costs). */
    measured(latencyMs: number, msPerToken?: number): void {
        this.latency = this.average(this.latency, latencyMs);
        if (msPerToken !== undefined && Number.isFinite(msPerToken)) this.stopCost = this.average(this.stopCost, msPerToken);
    }

    private average(current: number | undefined, sample: number): number {
        return current === undefined ? sample : current + this.weight * (sample - current);
    }
}
