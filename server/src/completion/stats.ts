import type { CompletionRecord, CompletionStats } from "../../../shared/src/protocol.js";

const RECENT = 1000;

/** Local-only counters of what completion did; nothing leaves the machine. */
export class StatsCollector {
    private records: CompletionRecord[] = [];
    private counts = { requests: 0, answered: 0, cancelled: 0, shown: 0, accepted: 0, partiallyAccepted: 0 };

    record(record: CompletionRecord): void {
        this.counts.requests++;
        if (record.outcome === "answered") this.counts.answered++;
        if (record.outcome === "cancelled") this.counts.cancelled++;
        this.records.push(record);
        if (this.records.length > RECENT) this.records.shift();
    }

    event(kind: "shown" | "accepted" | "partiallyAccepted"): void {
        this.counts[kind]++;
    }

    snapshot(): CompletionStats {
        const latencies = this.records.filter((record) => record.outcome === "answered" || record.outcome === "empty").map((record) => record.latencyMs);
        return { ...this.counts, latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) }, recent: [...this.records] };
    }
}

/** Nearest-rank percentile; 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
    if (values.length === 0) return 0;
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
