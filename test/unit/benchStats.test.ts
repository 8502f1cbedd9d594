import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { median, percentile, round, summarize } from "../../bench/stats.js";

describe("bench percentiles", () => {
    it("interpolates between the closest ranks", () => {
        assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
        assert.equal(percentile([4, 1, 3, 2], 0), 1);
        assert.equal(percentile([4, 1, 3, 2], 100), 4);
        assert.equal(percentile([10, 20], 95), 19.5);
        assert.equal(median([5]), 5);
        assert.ok(Math.abs(percentile(Array.from({ length: 101 }, (_, i) => i), 95) - 95) < 1e-9);
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
    it("summarizes n, p50, p95, mean, min and max", () => {
        const summary = summarize([3, 1, 2, Number.NaN]);
        assert.deepEqual(summary, { n: 3, p50: 2, p95: 2.9, mean: 2, min: 1, max: 3 });
        assert.equal(summarize([]).n, 0);
        assert.ok(Number.isNaN(summarize([]).p50));
    });
    it("rounds for reports and turns NaN into null", () => {
        assert.equal(round(1.26, 1), 1.3);
        assert.equal(round(12, 2), 12);
        assert.equal(round(Number.NaN), null);
    });
});
