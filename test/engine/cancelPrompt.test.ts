// A cancelled request stops during a long prompt evaluation, not only between generated tokens.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import { ensureRandomModel } from "../../tools/tinyCodellama/index.js";
import { loadTestEngine } from "./testEngine.js";

describe("cancelling a long prompt evaluation", () => {
    let engine: EmbeddedEngine;
    before(async () => {
        const model = await ensureRandomModel();
        engine = await loadTestEngine(model, { contextSize: 4096 });
    });
    after(() => engine.dispose());

    it("stops between prompt chunks and says how much was evaluated", async () => {
        const prompt = Array.from({ length: 3000 }, (_, index) => 300 + (index % 500));
        const controller = new AbortController();
        // Abort as soon as the first chunk is under way.
        setImmediate(() => controller.abort());
        const generation = await engine.generate("completion", prompt, { maxTokens: 8, signal: controller.signal });
        assert.equal(generation.stopReason, "cancelled");
        assert.ok(generation.evaluatedTokens < prompt.length, `evaluated ${generation.evaluatedTokens} of ${prompt.length} prompt tokens`);
        assert.equal(generation.generatedTokens, 0);
        // The next request reuses what was evaluated and finishes the rest.
        const next = await engine.generate("completion", prompt, { maxTokens: 1 });
        assert.equal(next.reusedTokens, generation.evaluatedTokens);
        assert.equal(next.reusedTokens + next.evaluatedTokens, prompt.length);
    });
});
