import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdaptiveDebounce } from "../../server/src/completion/debounce.js";
import { median, percentile, StatsCollector } from "../../server/src/completion/stats.js";
import type { CompletionRecord } from "../../shared/src/protocol.js";

const record = (latencyMs: number, outcome: CompletionRecord["outcome"] = "answered"): CompletionRecord => ({
    receivedAt: 0,
    latencyMs,
    source: "model",
    outcome,
    promptTokens: 10,
    reusedTokens: 5,
    evaluatedTokens: 5,
    generatedTokens: 3,
    engineMs: latencyMs,
    queuedMs: 0,
    heldMs: 0,
    engineStartedAt: 0,
});

// The one percentile of Show Statistics and the benchmark (until #14 the statistics used the nearest rank).
describe("percentile", () => {
    it("interpolates between the closest ranks", () => {
        assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
        assert.equal(percentile([4, 1, 3, 2], 0), 1);
        assert.equal(percentile([4, 1, 3, 2], 100), 4);
        assert.equal(percentile([10, 20], 95), 19.5);
        assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
        assert.equal(percentile([7], 95), 7);
        assert.equal(median([5]), 5);
        assert.ok(
            Math.abs(
                percentile(
                    Array.from({ length: 101 }, (_, i) => i),
                    95,
                ) - 95,
            ) < 1e-9,
        );
    });
    it("ignores non-finite values and gives NaN for none", () => {
        assert.equal(median([1, Number.NaN, 3, Infinity]), 2);
        assert.ok(Number.isNaN(median([])));
        assert.ok(Number.isNaN(median([Number.NaN])));
    });
    it("rejects a percentile outside 0..100", () => {
        assert.throws(() => percentile([1], 101), RangeError);
        assert.throws(() => percentile([1], -1), RangeError);
    });
});

describe("StatsCollector", () => {
    it("counts outcomes and events, and reports latency of answered requests only", () => {
        const stats = new StatsCollector();
        stats.record(record(10));
        stats.record(record(30));
        stats.record(record(1000, "cancelled"));
        stats.record(record(20, "empty"));
        stats.event("shown");
        stats.event("accepted");
        const snapshot = stats.snapshot();
        assert.equal(snapshot.requests, 4);
        assert.equal(snapshot.answered, 2);
        assert.equal(snapshot.cancelled, 1);
        assert.equal(snapshot.shown, 1);
        assert.equal(snapshot.accepted, 1);
        assert.equal(snapshot.partiallyAccepted, 0);
        assert.deepEqual(snapshot.latencyMs, { p50: 20, p95: 29 });
        assert.deepEqual(snapshot.promptTokens, { requests: 3, evaluatedP50: 5, reusedP50: 5 });
        assert.equal(snapshot.recent.length, 4);
    });
    it("reports the median prompt tokens of the model's answers, cancelled and model-free ones left out", () => {
        const stats = new StatsCollector();
        const of = (
            source: CompletionRecord["source"],
            outcome: CompletionRecord["outcome"],
            evaluatedTokens: number,
            reusedTokens: number,
        ): CompletionRecord => ({ ...record(10, outcome), source, evaluatedTokens, reusedTokens });
        stats.record(of("model", "answered", 2, 900));
        stats.record(of("model", "answered", 3, 901));
        stats.record(of("model", "empty", 500, 0));
        stats.record(of("model", "cancelled", 9999, 9999));
        stats.record(of("typed-through", "answered", 0, 0));
        assert.deepEqual(stats.snapshot().promptTokens, { requests: 3, evaluatedP50: 3, reusedP50: 900 });
    });
    it("keeps the last 1,000 records", () => {
        const stats = new StatsCollector();
        for (let index = 0; index < 1005; index++) stats.record(record(index));
        const { recent, requests } = stats.snapshot();
        assert.equal(requests, 1005);
        assert.equal(recent.length, 1000);
        assert.equal(recent[0]!.latencyMs, 5);
    });
});

describe("AdaptiveDebounce", () => {
    it("does not wait while the model keeps up with typing", () => {
        const debounce = new AdaptiveDebounce();
        assert.equal(debounce.arrive(0), 0);
        debounce.measured(50, 5);
        assert.equal(debounce.arrive(200), 0);
        assert.equal(debounce.arrive(400), 0);
    });
    it("starts at once when the model is slower than typing but stops within a keystroke", () => {
        const debounce = new AdaptiveDebounce();
        debounce.arrive(0);
        debounce.measured(3500, 55);
        assert.equal(debounce.arrive(125), 0);
        assert.equal(debounce.arrive(250), 0);
    });
    it("waits about one keystroke interval when generations are slower than typing and slow to stop", () => {
        const debounce = new AdaptiveDebounce();
        debounce.arrive(0);
        debounce.measured(5000, 400);
        assert.equal(debounce.arrive(100), 120);
        assert.equal(debounce.arrive(200), 120);
    });
    it("does not wait before it knows what stopping costs", () => {
        const debounce = new AdaptiveDebounce();
        debounce.arrive(0);
        debounce.measured(5000);
        assert.equal(debounce.arrive(100), 0);
    });
    it("caps the wait and ignores long pauses", () => {
        const debounce = new AdaptiveDebounce(150);
        debounce.arrive(0);
        debounce.measured(5000, 1000);
        assert.equal(debounce.arrive(900), 150);
        assert.equal(debounce.arrive(60_000), 150, "a pause does not change the typing interval");
    });
});
