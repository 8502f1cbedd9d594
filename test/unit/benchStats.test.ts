import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { round, summarize } from "../../bench/stats.js";

describe("bench summaries", () => {
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
