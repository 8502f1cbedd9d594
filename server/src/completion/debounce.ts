/**
 * Decides how long a completion request waits before it starts generating. When the model keeps up
 * with typing there is no wait; when a generation takes longer than the time between keystrokes,
 * the request waits about one keystroke interval, so a generation is not started only to be
 * cancelled by the next keystroke. Estimates are exponentially weighted moving averages.
 */
export class AdaptiveDebounce {
    private lastArrival: number | undefined;
    private interval: number | undefined;
    private latency: number | undefined;

    constructor(private readonly maxDelayMs = 150, private readonly weight = 0.3) {}

    /** Call when a request arrives; returns the delay in ms before generating. */
    arrive(now: number): number {
        if (this.lastArrival !== undefined) {
            const gap = now - this.lastArrival;
            // Pauses longer than a second are not typing rhythm.
            if (gap < 1000) this.interval = this.average(this.interval, gap);
        }
        this.lastArrival = now;
        if (this.interval === undefined || this.latency === undefined || this.latency <= this.interval) return 0;
        return Math.min(this.maxDelayMs, Math.round(this.interval * 1.2));
    }

    /** Call with the time a generation took. */
    measured(latencyMs: number): void {
        this.latency = this.average(this.latency, latencyMs);
    }

    private average(current: number | undefined, sample: number): number {
        return current === undefined ? sample : current + this.weight * (sample - current);
    }
}
