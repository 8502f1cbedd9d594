import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CliSettingRuns, cliTimingRows, cliTimingTarget } from "../../bench/cliTiming.js";

const run = (wallMs: number, threads = "2") => ({ wallMs, threads, promptTokensPerSecond: 1500.4, generationTokensPerSecond: 99.95, generatedTokens: 16 });

describe("codellama complete timing (bench --cli-complete)", () => {
    const results: CliSettingRuns[] = [
        { setting: "default", runs: [run(7900, "2"), run(3800, "1"), run(3600, "1"), run(4000, "1")] },
        { setting: 1, runs: [run(4100, "1"), run(3500, "1"), run(3300, "1")] },
        { setting: 2, runs: [run(9000), run(8000), { wallMs: 100, error: "exit 1: boom" }] },
    ];

    it("a row per setting: the first run apart, the median of the later ones, the last run's threads and speeds", () => {
        assert.deepEqual(cliTimingRows(results), [
            ["default", "1", "7900", "3800", "1500", "100.0", "16"],
            ["1", "1", "4100", "3400", "1500", "100.0", "16"],
            ["2", "2", "9000", "8000", "1500", "100.0", "16"],
        ]);
        assert.deepEqual(cliTimingRows([{ setting: 4, runs: [{ wallMs: 5, error: "exit 1" }] }]), [["4", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]]);
    });

    it("the target: the default within 1.3× of the best fixed count", () => {
        assert.deepEqual(cliTimingTarget(results), {
            name: "codellama complete at default threads",
            target: "≤ 1.3× the best fixed thread count",
            measured: "3800 ms vs 3400 ms at --threads 1 = 1.12×",
            met: true,
        });
        const slow = [{ setting: "default" as const, runs: [run(1), run(5000)] }, results[1]!];
        assert.equal(cliTimingTarget(slow).met, false);
        assert.equal(cliTimingTarget([results[1]!]).met, undefined);
        assert.equal(cliTimingTarget([{ setting: "default", runs: [run(1)] }, results[1]!]).met, undefined, "one run of the default is its calibration");
    });
});
