// Completion and chat share one model: what the engine tells about a prompt's cost, and a chat
// answer pausing while a completion generates.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import { Logger } from "../../server/src/log/logger.js";
import { ensureRandomModel } from "../../tools/tinyCodellama/index.js";

describe("one model for completion and chat", () => {
    let engine: EmbeddedEngine;
    before(async () => {
        const model = await ensureRandomModel();
        engine = await EmbeddedEngine.load({ modelPath: model, gpu: "off", gpuLayers: 0, threads: { prompt: 1, generation: 1 }, contextSize: 2048, logger: new Logger(() => undefined, "error") });
    });
    after(() => engine.dispose());

    const promptOf = (length: number, offset: number): number[] => Array.from({ length }, (_, index) => 300 + ((index + offset) % 500));

    it("tells what a prompt would cost: the tokens its cache lacks and the measured speed", async () => {
        const prompt = promptOf(600, 0);
        assert.deepEqual(engine.sequenceCost("completion", prompt).uncachedTokens, prompt.length);
        await engine.generate("completion", prompt, { maxTokens: 1 });
        const cost = engine.sequenceCost("completion", [...prompt, 7, 8]);
        assert.equal(cost.uncachedTokens, 2);
        assert.ok(cost.tokensPerSecond !== undefined && cost.tokensPerSecond > 0, `speed ${cost.tokensPerSecond}`);
        // The other sequence's cache is its own.
        assert.equal(engine.sequenceCost("chat", prompt).uncachedTokens, prompt.length);
    });

    it("a streaming chat answer pauses while a completion generates, and goes on after it", async () => {
        const chatTokenTimes: number[] = [];
        let completionStarted: Promise<{ startedAt: number; endedAt: number }> | undefined;
        const chat = engine.generate("chat", promptOf(40, 1), {
            maxTokens: 400,
            priority: "background",
            onText: () => {
                chatTokenTimes.push(performance.timeOrigin + performance.now());
                if (chatTokenTimes.length === 5) {
                    completionStarted = engine.generate("completion", promptOf(300, 2), { maxTokens: 40 }).then((generation) => ({ startedAt: generation.startedAt!, endedAt: generation.startedAt! + generation.totalMs }));
                }
            },
        });
        await chat;
        assert.ok(completionStarted, "the chat answered at least 5 tokens");
        const completion = await completionStarted;
        const during = chatTokenTimes.filter((time) => time > completion.startedAt && time < completion.endedAt).length;
        const afterwards = chatTokenTimes.filter((time) => time >= completion.endedAt).length;
        // The chat token being decoded when the completion started may still land inside.
        assert.ok(during <= 1, `${during} chat tokens while the completion ran`);
        assert.ok(afterwards > 0, "the chat answer went on after the completion");
    });
});
