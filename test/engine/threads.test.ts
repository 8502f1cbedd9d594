// Calibrating the thread count on the real engine: its meter, what it leaves alone, and a completion
// asked meanwhile. No timing is asserted: only that the speeds are measured and the work is done.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import { calibrateThreads, type SpeedMeter } from "../../server/src/engine/threads.js";
import { ensureRandomModel } from "../../tools/tinyCodellama/index.js";
import { loadTestEngine } from "./testEngine.js";

describe("thread calibration on the engine", () => {
    let engine: EmbeddedEngine;
    before(async () => {
        engine = await loadTestEngine(await ensureRandomModel(), { maxThreads: 2 });
    });
    after(() => engine.dispose());

    const prompt = Array.from({ length: 300 }, (_, index) => 300 + (index % 400));

    it("measures both counts on a context of its own and sets the choice; the sequences' caches stay", async () => {
        await engine.generate("completion", prompt, { maxTokens: 1 });
        const meter = await engine.openSpeedMeter();
        try {
            const result = await calibrateThreads([2, 1], meter);
            assert.ok(result.speeds.length >= 1);
            for (const speed of result.speeds) assert.ok(speed.promptTokensPerSecond > 0 && speed.generationTokensPerSecond > 0, JSON.stringify(speed));
            const at = (threads: number) => result.speeds.find((speed) => speed.threads === threads)!;
            engine.setThreads(result.choice, { prompt: at(result.choice.prompt), generation: at(result.choice.generation) });
            const speed = engine.speed();
            assert.deepEqual(speed.threads, result.choice);
            assert.equal(speed.promptTokensPerSecond, at(result.choice.prompt).promptTokensPerSecond);
            assert.equal(engine.sequenceCost("completion", [...prompt, 5]).uncachedTokens, 1, "the completion cache was not touched");
        } finally {
            await meter.close();
        }
        engine.setThreads({ prompt: 9, generation: 0 });
        assert.deepEqual(engine.speed().threads, { prompt: 2, generation: 1 }, "at most maxThreads, at least one");
    });

    it("a completion asked during the calibration is answered; the unit it overlapped is measured again", async () => {
        const inner = await engine.openSpeedMeter();
        let interrupted = 0;
        let prompts = 0;
        let completion: ReturnType<EmbeddedEngine["generate"]> | undefined;
        const meter: SpeedMeter = {
            begin: (threads) => inner.begin(threads),
            prompt: (tokens) => {
                const unit = inner.prompt(tokens);
                // The first measured unit (after the warm-up's) is under way: a keystroke asks for a completion.
                if (++prompts === 2) completion = engine.generate("completion", prompt.slice(0, 200), { maxTokens: 16, reuseCache: false });
                return unit.then((ms) => {
                    if (ms === undefined) interrupted++;
                    return ms;
                });
            },
            generate: () => inner.generate(),
        };
        try {
            const result = await calibrateThreads([2, 1], meter);
            assert.ok(result.speeds.length >= 1);
        } finally {
            await inner.close();
        }
        assert.ok(completion, "the completion was asked");
        const generation = await completion;
        assert.equal(generation.generatedTokens, 16);
        assert.equal(generation.stopReason, "max-tokens");
        assert.ok(interrupted >= 1, "the overlapped unit was not counted");
    });

    it("a meter still open when the engine goes is closed with it", async () => {
        const other = await loadTestEngine(await ensureRandomModel(), { contextSize: 512 });
        const meter = await other.openSpeedMeter();
        await meter.begin(1);
        await other.dispose();
        await assert.rejects(meter.prompt(16));
    });
});
