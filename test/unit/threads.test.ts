import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    CALIBRATION,
    CalibrationFailed,
    type CpuProbe,
    calibrateThreads,
    cgroupCpuQuota,
    chooseThreads,
    describeThreads,
    promptDecodeThreads,
    type SpeedMeter,
    threadCandidates,
    usableCpus,
} from "../../server/src/engine/threads.js";

/** A machine with `cpus` CPUs in its affinity mask and these files. */
function probe(cpus: number, files: Record<string, string> = {}): CpuProbe {
    return { availableParallelism: () => cpus, readFile: (file) => files[file] };
}

describe("usableCpus", () => {
    it("is the affinity's count without a cgroup quota", () => {
        assert.deepEqual(usableCpus(probe(8)), { count: 8, detail: "8 CPUs" });
        assert.deepEqual(usableCpus(probe(1)), { count: 1, detail: "1 CPU" });
        assert.deepEqual(usableCpus(probe(2, { "/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "max 100000\n" })), { count: 2, detail: "2 CPUs" });
    });

    it("cgroup v2: a quota below the affinity's count limits it, rounded down, at least 1", () => {
        const files = { "/proc/self/cgroup": "0::/\n", "/sys/fs/cgroup/cpu.max": "250000 100000\n" };
        assert.deepEqual(usableCpus(probe(16, files)), { count: 2, detail: "2 CPUs (cgroup CPU quota 2.5 of 16 CPUs)" });
        assert.equal(usableCpus(probe(16, { ...files, "/sys/fs/cgroup/cpu.max": "50000 100000" })).count, 1);
        assert.equal(usableCpus(probe(2, { ...files, "/sys/fs/cgroup/cpu.max": "400000 100000" })).count, 2, "a quota above the affinity changes nothing");
    });

    it("cgroup v2: the tightest quota of the cgroup and its ancestors", () => {
        const files = {
            "/proc/self/cgroup": "0::/user.slice/app.scope\n",
            "/sys/fs/cgroup/user.slice/app.scope/cpu.max": "max 100000",
            "/sys/fs/cgroup/user.slice/cpu.max": "300000 100000",
        };
        assert.equal(cgroupCpuQuota(probe(8, files)), 3);
    });

    it("cgroup v1: cfs_quota_us over cfs_period_us under the cpu controller, -1 is no quota", () => {
        const v1 = (quota: string) => ({
            "/proc/self/cgroup": "4:memory:/x\n2:cpu,cpuacct:/docker/abc\n1:name=systemd:/\n",
            "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us": quota,
            "/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us": "100000\n",
        });
        assert.equal(usableCpus(probe(8, v1("150000\n"))).count, 1);
        assert.equal(usableCpus(probe(8, v1("-1\n"))).count, 8);
        // In a container the host's path is not under the mount; the container's cgroup is its root.
        const container = {
            "/proc/self/cgroup": "3:cpu:/docker/abc\n",
            "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "400000",
            "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000",
        };
        assert.equal(cgroupCpuQuota(probe(8, container)), 4);
    });

    it("unreadable or odd files count as no quota", () => {
        assert.equal(cgroupCpuQuota(probe(4)), undefined);
        assert.equal(cgroupCpuQuota(probe(4, { "/proc/self/cgroup": "garbage", "/sys/fs/cgroup/cpu.max": "1 2" })), undefined);
        assert.equal(cgroupCpuQuota(probe(4, { "/proc/self/cgroup": "0::/", "/sys/fs/cgroup/cpu.max": "0 100000" })), undefined);
        assert.equal(usableCpus(probe(0)).count, 1, "never below one");
    });
});

describe("threadCandidates", () => {
    it("every CPU, half of them, one; most first, no repeats", () => {
        assert.deepEqual(threadCandidates(16), [16, 8, 1]);
        assert.deepEqual(threadCandidates(3), [3, 2, 1]);
        assert.deepEqual(threadCandidates(2), [2, 1]);
        assert.deepEqual(threadCandidates(1), [1]);
    });
});

describe("chooseThreads", () => {
    it("the fastest count for each kind of work", () => {
        const speeds = [
            { threads: 2, promptTokensPerSecond: 2000, generationTokensPerSecond: 58 },
            { threads: 1, promptTokensPerSecond: 1100, generationTokensPerSecond: 200 },
        ];
        assert.deepEqual(chooseThreads(speeds), { prompt: 2, generation: 1 });
    });
    it("the fewest threads among counts within 5% of the fastest", () => {
        const speeds = [
            { threads: 8, promptTokensPerSecond: 1000, generationTokensPerSecond: 20 },
            { threads: 4, promptTokensPerSecond: 960, generationTokensPerSecond: 19.5 },
            { threads: 1, promptTokensPerSecond: 200, generationTokensPerSecond: 10 },
        ];
        assert.deepEqual(chooseThreads(speeds), { prompt: 4, generation: 4 });
    });
    it("prompts keep generation's count unless another reads them 1.5x faster (switching counts slows generation)", () => {
        const speeds = (twoThreadPrompt: number) => [
            { threads: 2, promptTokensPerSecond: twoThreadPrompt, generationTokensPerSecond: 90 },
            { threads: 1, promptTokensPerSecond: 850, generationTokensPerSecond: 134 },
        ];
        assert.deepEqual(chooseThreads(speeds(1129)), { prompt: 1, generation: 1 });
        assert.deepEqual(chooseThreads(speeds(1274)), { prompt: 1, generation: 1 });
        assert.deepEqual(chooseThreads(speeds(1275)), { prompt: 2, generation: 1 });
    });
});

describe("promptDecodeThreads", () => {
    it("a short prompt decode (a keystroke's few tokens) runs at the generation count, a longer one at the prompt count", () => {
        const counts = { prompt: 2, generation: 1 };
        assert.equal(promptDecodeThreads(counts, 1), 1);
        assert.equal(promptDecodeThreads(counts, 15), 1);
        assert.equal(promptDecodeThreads(counts, 16), 2);
        assert.equal(promptDecodeThreads(counts, 256), 2);
    });
});

describe("describeThreads", () => {
    it("one count, or one for each kind of work", () => {
        assert.equal(describeThreads({ prompt: 1, generation: 1 }), "1 thread");
        assert.equal(describeThreads({ prompt: 4, generation: 4 }), "4 threads");
        assert.equal(describeThreads({ prompt: 4, generation: 2 }), "4 threads for prompts, 2 for generation");
    });
});

interface FakeSpeed {
    /** ms per prompt token and per generated token at this thread count. */
    promptMs: number;
    generationMs: number;
}

/** A meter with fixed costs per token for each thread count; records every unit; interrupts the units listed. */
function fakeMeter(costs: Record<number, FakeSpeed>, interruptUnits: number[] = []) {
    const units: string[] = [];
    let threads = 0;
    let count = 0;
    const meter: SpeedMeter = {
        begin: async (count_) => {
            threads = count_;
            units.push(`begin ${count_}`);
        },
        prompt: async (tokens) => {
            units.push(`prompt ${threads}x${tokens}`);
            return interruptUnits.includes(count++) ? undefined : tokens * costs[threads]!.promptMs;
        },
        generate: async () => {
            units.push(`generate ${threads}`);
            return interruptUnits.includes(count++) ? undefined : costs[threads]!.generationMs;
        },
    };
    return { meter, units };
}

describe("calibrateThreads", () => {
    it("measures every candidate and chooses for prompts and generation separately", async () => {
        // 2 threads: prompts 0.5 ms/token (2000/s), generation 16 ms/token; 1 thread: 1 ms, 5 ms.
        const { meter, units } = fakeMeter({ 2: { promptMs: 0.5, generationMs: 16 }, 1: { promptMs: 1, generationMs: 5 } });
        const result = await calibrateThreads([2, 1], meter);
        assert.deepEqual(result.choice, { prompt: 2, generation: 1 });
        assert.deepEqual(result.speeds, [
            { threads: 2, promptTokensPerSecond: 2000, generationTokensPerSecond: 62.5 },
            { threads: 1, promptTokensPerSecond: 1000, generationTokensPerSecond: 200 },
        ]);
        // Warm-up 4 tokens in 2 ms: units of 2000 tokens/s × 250 ms, at most 128 tokens.
        assert.deepEqual(units.slice(0, 6), ["begin 2", "prompt 2x4", "generate 2", "begin 2", "prompt 2x128", "prompt 2x128"]);
        assert.equal(units.filter((unit) => unit === "generate 2").length, 1 + CALIBRATION.generatedTokens);
        // Warm-up 2 + 16 ms, 2 threads (256 × 0.5 + 8 × 16), 1 thread (one unit of 128 × 1: at half the best
        // prompt speed it is clearly slower, and stops; then 8 × 5).
        assert.equal(result.measuredMs, 18 + 128 + 128 + 128 + 40);
    });

    it("stops a phase early when it is clearly slower than the best so far", async () => {
        // On 16 CPUs one thread is 16× slower: its prompt stops after one unit, its generation after one token.
        const { meter, units } = fakeMeter({
            16: { promptMs: 0.1, generationMs: 5 },
            8: { promptMs: 0.15, generationMs: 4 },
            1: { promptMs: 1.6, generationMs: 80 },
        });
        const result = await calibrateThreads([16, 8, 1], meter);
        assert.deepEqual(result.choice, { prompt: 16, generation: 8 });
        assert.deepEqual(
            units.filter((unit) => unit.startsWith("prompt 1x") || unit === "generate 1"),
            ["prompt 1x128", "generate 1"],
        );
    });

    it("stops trying fewer threads once a count is faster in neither phase", async () => {
        const { meter, units } = fakeMeter({
            16: { promptMs: 0.1, generationMs: 5 },
            8: { promptMs: 0.12, generationMs: 5.5 },
            1: { promptMs: 0.01, generationMs: 1 },
        });
        const result = await calibrateThreads([16, 8, 1], meter);
        assert.deepEqual(
            result.speeds.map((speed) => speed.threads),
            [16, 8],
        );
        assert.ok(!units.includes("begin 1"));
    });

    it("a phase stops when its budget is spent (a big model on a small CPU)", async () => {
        // 100 ms per prompt token: units are the smallest, 4 tokens (0.4 s): four pass the 1.5 s budget;
        // then four tokens of 0.4 s.
        const { meter, units } = fakeMeter({ 1: { promptMs: 100, generationMs: 400 } });
        const result = await calibrateThreads([1], meter);
        assert.deepEqual(result.speeds, [{ threads: 1, promptTokensPerSecond: 10, generationTokensPerSecond: 2.5 }]);
        assert.deepEqual(
            units.filter((unit) => unit.startsWith("prompt")),
            ["prompt 1x4", "prompt 1x4", "prompt 1x4", "prompt 1x4", "prompt 1x4"],
        );
        assert.equal(result.measuredMs, 800 + 1600 + 1600);
    });

    it("no count after the first once the total budget is spent", async () => {
        // Each step takes 3.2 s; fewer threads are a little faster at generating, so only the budget stops it.
        const { meter } = fakeMeter({
            4: { promptMs: 100, generationMs: 400 },
            2: { promptMs: 100, generationMs: 390 },
            1: { promptMs: 100, generationMs: 380 },
        });
        const result = await calibrateThreads([4, 2, 1], meter, undefined, { ...CALIBRATION, totalBudgetMs: 5000 });
        assert.deepEqual(
            result.speeds.map((speed) => speed.threads),
            [4, 2],
        );
    });

    it("measures a step again when other work interrupted it", async () => {
        const { meter, units } = fakeMeter({ 2: { promptMs: 0.5, generationMs: 10 }, 1: { promptMs: 1, generationMs: 5 } }, [2]);
        const result = await calibrateThreads([2, 1], meter);
        assert.deepEqual(result.choice, { prompt: 2, generation: 1 });
        assert.deepEqual(units.slice(0, 7), ["begin 2", "prompt 2x4", "generate 2", "begin 2", "prompt 2x128", "begin 2", "prompt 2x128"]);
    });

    it("gives up when interrupted too often, and when cancelled", async () => {
        const { meter } = fakeMeter({ 1: { promptMs: 1, generationMs: 5 } }, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        await assert.rejects(
            calibrateThreads([1], meter),
            (error: Error) => error instanceof CalibrationFailed && /interrupted it 5 times/.test(error.message),
        );
        const controller = new AbortController();
        controller.abort();
        await assert.rejects(calibrateThreads([1], fakeMeter({ 1: { promptMs: 1, generationMs: 5 } }).meter, controller.signal), CalibrationFailed);
    });
});
