import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { EngineInfo } from "../../server/src/engine/inference.js";
import { cacheKey, parseCacheEntry, ThreadCache, withCacheEntry } from "../../server/src/engine/threadCache.js";
import type { SpeedMeter, ThreadCounts, ThreadSpeed } from "../../server/src/engine/threads.js";
import { type CalibratableEngine, describeSpeeds, ThreadTuner } from "../../server/src/engine/threadTuning.js";
import { Logger } from "../../server/src/log/logger.js";
import { CODE_LLAMA_7B_INSTRUCT } from "../fixtures/modelRoles.js";

const machine = { cpuModel: "AMD EPYC", cpus: 2, device: "auto/-1" };
const model = { path: "/m/model.gguf", size: 1000, mtimeMs: 12.4 };
const entry = { choice: { prompt: 2, generation: 1 }, speeds: [], measuredAt: "2026-12-01T00:00:00.000Z" };

describe("thread cache file", () => {
    it("one key per machine and model file", () => {
        assert.equal(cacheKey(machine, model), '["AMD EPYC",2,"auto/-1","/m/model.gguf",1000,12]');
        assert.notEqual(cacheKey({ ...machine, cpus: 4 }, model), cacheKey(machine, model));
        assert.notEqual(cacheKey(machine, { ...model, mtimeMs: 99 }), cacheKey(machine, model));
    });

    it("an entry written is read back; missing, damaged or foreign files read as empty", () => {
        const text = withCacheEntry(undefined, "k", entry);
        assert.deepEqual(parseCacheEntry(text, "k"), entry);
        assert.equal(parseCacheEntry(text, "other"), undefined);
        assert.equal(parseCacheEntry(undefined, "k"), undefined);
        assert.equal(parseCacheEntry("{not json", "k"), undefined);
        assert.equal(parseCacheEntry('{"version":2,"entries":{}}', "k"), undefined);
        assert.equal(
            parseCacheEntry(withCacheEntry(undefined, "k", { ...entry, choice: { prompt: 0, generation: 1 } }), "k"),
            undefined,
            "a count below 1 is not ours",
        );
        const speeds = [{ threads: 1, promptTokensPerSecond: 850, generationTokensPerSecond: 134 }];
        assert.deepEqual(parseCacheEntry(withCacheEntry(undefined, "k", { ...entry, speeds }), "k")?.speeds, speeds);
        for (const bad of [{ threads: 0, promptTokensPerSecond: 850, generationTokensPerSecond: 134 }, { threads: 1, promptTokensPerSecond: 850 }, null]) {
            const text = withCacheEntry(undefined, "k", { ...entry, speeds: [bad as never] });
            assert.equal(parseCacheEntry(text, "k"), undefined, `a damaged speed is not ours: ${JSON.stringify(bad)}`);
        }
    });

    it("keeps the 64 most recently written entries", () => {
        let text: string | undefined;
        for (let index = 0; index < 66; index++) text = withCacheEntry(text, `k${index}`, entry);
        text = withCacheEntry(text, "k2", entry);
        const keys = Object.keys((JSON.parse(text!) as { entries: object }).entries);
        assert.equal(keys.length, 64);
        assert.deepEqual(keys.slice(0, 2), ["k3", "k4"]);
        assert.equal(keys.at(-1), "k2");
    });
});

interface FakeEngine extends CalibratableEngine {
    threads: ThreadCounts[];
    measured: ({ prompt: ThreadSpeed; generation: ThreadSpeed } | undefined)[];
    closed: number;
}

/** An engine whose meter measures 2 threads: 2000 / 62.5 tokens/s, 1 thread: 1000 / 200. */
function fakeEngine(info: Partial<EngineInfo> = {}, meterFails = false): FakeEngine {
    let threads = 1;
    const meter: SpeedMeter = {
        begin: async (count) => {
            threads = count;
        },
        prompt: async (tokens) => {
            if (meterFails) throw new Error("out of memory");
            return tokens * (threads === 2 ? 0.5 : 1);
        },
        generate: async () => (threads === 2 ? 16 : 5),
    };
    const engine: FakeEngine = {
        info: {
            modelPath: "/m.gguf",
            modelName: "m",
            roles: CODE_LLAMA_7B_INSTRUCT,
            device: "cpu",
            gpuLayers: 0,
            totalLayers: 33,
            contextSize: 4096,
            loadMs: 0,
            ...info,
        },
        threads: [],
        measured: [],
        closed: 0,
        setThreads: (counts, measured) => {
            engine.threads.push(counts);
            engine.measured.push(measured);
        },
        openSpeedMeter: async () => ({ ...meter, close: async () => void engine.closed++ }),
    };
    return engine;
}

describe("ThreadTuner", () => {
    let dir: string;
    let modelPath: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-threads-"));
        modelPath = path.join(dir, "model.gguf");
        fs.writeFileSync(modelPath, "GGUF");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const tuner = (name: string, cpus = 2) => {
        const lines: string[] = [];
        const logger = new Logger((level, message) => lines.push(`${level}: ${message}`), "info");
        const cache = new ThreadCache(path.join(dir, name, "threads.json"));
        return {
            lines,
            cache,
            tuner: new ThreadTuner({ logger, cache, probe: { availableParallelism: () => cpus, readFile: () => undefined }, now: () => 0 }),
        };
    };

    it("the setting wins; above the CPU count it is honoured and warned about once", () => {
        const { tuner: threads, lines } = tuner("setting");
        assert.deepEqual(threads.plan(1, modelPath, "off/-1"), {
            threads: { prompt: 1, generation: 1 },
            maxThreads: 1,
            inUse: { prompt: 1, generation: 1, source: "setting", cpus: 2 },
        });
        assert.deepEqual(lines, []);
        assert.deepEqual(threads.plan(4, modelPath, "off/-1").threads, { prompt: 4, generation: 4 });
        threads.plan(4, modelPath, "off/-1");
        assert.deepEqual(lines, [
            "warn: codellama.engine.threads is 4, more than the 2 CPUs this process may use: threads that wait for a CPU slow every token down. 0 picks the fastest count for this machine.",
        ]);
    });

    it("without a setting or a cached choice: every usable CPU, then the calibration sets the fastest and caches it", async () => {
        const { tuner: threads, cache, lines } = tuner("calibrate");
        const plan = threads.plan(0, modelPath, "auto/-1");
        assert.deepEqual(plan.threads, { prompt: 2, generation: 2 });
        assert.deepEqual(plan.inUse, { prompt: 2, generation: 2, source: "calibrating", cpus: 2 });
        const engine = fakeEngine();
        const inUse = await threads.calibrate(engine, plan, new AbortController().signal);
        assert.deepEqual(inUse, { prompt: 2, generation: 1, source: "calibrated", cpus: 2 });
        assert.deepEqual(engine.threads, [{ prompt: 2, generation: 1 }]);
        assert.deepEqual(engine.measured[0]!.prompt.promptTokensPerSecond, 2000);
        assert.deepEqual(engine.measured[0]!.generation.generationTokensPerSecond, 200);
        assert.equal(engine.closed, 1);
        assert.match(
            lines.at(-1)!,
            /^info: Threads: 2 threads for prompts, 1 for generation, calibrated in 0 ms \(\d+ ms measuring\): 2 threads: 2000 prompt \/ 63 generation tokens\/s; 1 thread: 1000 \/ 200$/,
        );
        assert.deepEqual(cache.get(plan.cacheKey!)!.choice, { prompt: 2, generation: 1 });

        // The next load of the same model on the same machine starts with it.
        const again = threads.plan(0, modelPath, "auto/-1");
        assert.deepEqual(again.threads, { prompt: 2, generation: 1 });
        assert.equal(again.inUse.source, "cached");
        assert.equal(again.cacheKey, undefined);
        // Another device setting is another machine.
        assert.equal(threads.plan(0, modelPath, "off/-1").inUse.source, "calibrating");
    });

    it("a kept calibration is chosen again from its speeds under today's rule", () => {
        const { tuner: threads, cache } = tuner("rechoose");
        const key = threads.plan(0, modelPath, "auto/-1").cacheKey!;
        const speeds = [
            { threads: 2, promptTokensPerSecond: 1129, generationTokensPerSecond: 90 },
            { threads: 1, promptTokensPerSecond: 850, generationTokensPerSecond: 134 },
        ];
        cache.set(key, { choice: { prompt: 2, generation: 1 }, speeds, measuredAt: "2026-11-30T00:00:00.000Z" });
        const plan = threads.plan(0, modelPath, "auto/-1");
        assert.deepEqual(plan.threads, { prompt: 1, generation: 1 });
        assert.deepEqual(plan.inUse, { prompt: 1, generation: 1, source: "cached", cpus: 2 });
    });

    it("a failed calibration falls back to every usable CPU and says so", async () => {
        const { tuner: threads, cache, lines } = tuner("fails");
        const plan = threads.plan(0, modelPath, "auto/-1");
        const engine = fakeEngine({}, true);
        assert.deepEqual(await threads.calibrate(engine, plan, new AbortController().signal), { prompt: 2, generation: 2, source: "cpus", cpus: 2 });
        assert.deepEqual(engine.threads, [{ prompt: 2, generation: 2 }]);
        assert.equal(engine.closed, 1);
        assert.deepEqual(lines.slice(-1), ["warn: Could not calibrate the thread count (out of memory); using 2 threads, one per usable CPU."]);
        assert.equal(cache.get(plan.cacheKey!), undefined);
    });

    it("a model entirely on the GPU is not calibrated; a stopped calibration is quiet", async () => {
        const { tuner: threads, lines } = tuner("gpu");
        const plan = threads.plan(0, modelPath, "auto/-1");
        const onGpu = fakeEngine({ device: "cuda", gpuLayers: 33 });
        assert.deepEqual(await threads.calibrate(onGpu, plan, new AbortController().signal), { prompt: 2, generation: 2, source: "cpus", cpus: 2 });
        assert.deepEqual(onGpu.threads, []);
        assert.deepEqual(lines, ["info: Threads: 2 threads (the model runs on the GPU: nothing to calibrate)"]);

        const controller = new AbortController();
        controller.abort();
        const stopped = fakeEngine({ device: "cuda", gpuLayers: 20 });
        assert.equal((await threads.calibrate(stopped, plan, controller.signal)).source, "cpus");
        assert.deepEqual(stopped.threads, []);
        assert.equal(lines.length, 1);
    });

    it("a model file that cannot be read is loaded with every usable CPU and not cached", () => {
        const { tuner: threads, lines } = tuner("missing");
        const plan = threads.plan(0, path.join(dir, "missing.gguf"), "auto/-1");
        assert.deepEqual(plan.threads, { prompt: 2, generation: 2 });
        assert.equal(plan.cacheKey, undefined);
        assert.match(lines[0]!, /^warn: Cannot identify the model file for the thread calibration cache \(ENOENT/);
    });
});

describe("describeSpeeds", () => {
    it("each count's prompt and generation speed, units once", () => {
        assert.equal(
            describeSpeeds([
                { threads: 2, promptTokensPerSecond: 2037.4, generationTokensPerSecond: 58.2 },
                { threads: 1, promptTokensPerSecond: 1119, generationTokensPerSecond: 199.7 },
            ]),
            "2 threads: 2037 prompt / 58 generation tokens/s; 1 thread: 1119 / 200",
        );
    });
});
