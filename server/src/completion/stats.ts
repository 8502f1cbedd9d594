import type { CompletionRecord, CompletionStats } from "../../../shared/src/protocol.js";

const RECENT = 1000;

/** Local-only counters of what completion did; nothing leaves the machine. */
export class StatsCollector {
    private records: CompletionRecord[] = [];
    private counts = { requests: 0, answered: 0, cancelled: 0, shown: 0, accepted: 0, partiallyAccepted: 0, prepared: 0 };

    record(record: CompletionRecord): void {
        this.counts.requests++;
        if (record.outcome === "answered") this.counts.answered++;
        if (record.source === "prepared" && record.outcome !== "cancelled") this.counts.prepared++;
        if (record.outcome === "cancelled") this.counts.cancelled++;
        this.records.push(record);
        if (this.records.length > RECENT) this.records.shift();
    }

    /** Requests answered with a prepared suggestion so far. */
    get prepared(): number {
        return this.counts.prepared;
    }

    event(kind: "shown" | "accepted" | "partiallyAccepted"): void {
        this.counts[kind]++;
    }

    snapshot(): CompletionStats {
        const latencies = this.records.filter((record) => record.outcome === "answered" || record.outcome === "empty").map((record) => record.latencyMs);
        const model = this.records.filter((record) => record.source === "model" && record.outcome !== "cancelled");
        const orZero = (value: number): number => (Number.isNaN(value) ? 0 : value);
        return {
            ...this.counts,
            latencyMs: { p50: orZero(percentile(latencies, 50)), p95: orZero(percentile(latencies, 95)) },
            promptTokens: {
                requests: model.length,
                evaluatedP50: orZero(median(model.map((record) => record.evaluatedTokens))),
                reusedP50: orZero(median(model.map((record) => record.reusedTokens))),
            },
            recent: [...this.records],
        };
    }
}

/**
 * The p-th percentile (0..100) of `values` by linear interpolation between the closest ranks
 * (numpy's default, "type 7"): p50 of [1, 2, 3, 4] is 2.5. Non-finite values are left out; NaN for
 * none. The one percentile of the statistics, the benchmark and `codellama eval`.
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
