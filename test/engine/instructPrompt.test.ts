// The Instruct chat prompt as the real engine tokenizes it, against token lists derived by hand from the vocab.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { answerChat } from "../../server/src/chat/chatService.js";
import { buildInstructPrompt } from "../../server/src/chat/instructPrompt.js";
import { Engine } from "../../server/src/engine/engine.js";
import { Logger } from "../../server/src/log/logger.js";
import { ensureTinyModel, INSTRUCT_CHAT_ANSWER } from "../fixtures/tiny-codellama/index.js";
import { ids } from "./vocabIds.js";


describe("Instruct prompt tokens with the real tokenizer", () => {
    let engine: Engine;
    before(async () => {
        engine = await Engine.load({ modelPath: await ensureTinyModel(), gpu: "off", gpuLayers: 0, threads: { prompt: 1, generation: 1 }, contextSize: 1024, logger: new Logger(() => undefined, "error") });
    });
    after(() => engine.dispose());

    it("<s>[INST] {user} [/INST] {assistant} </s><s>[INST] {user} [/INST], BOS and EOS as token ids", async () => {
        const special = { bos: engine.tokenizer.bos!, eos: engine.tokenizer.eos! };
        const tokens = await buildInstructPrompt(
            [
                { role: "user", content: "hello" },
                { role: "assistant", content: "Hi!" },
                { role: "user", content: "bye" },
            ],
            engine.tokenizer.encode,
            special,
        );
        assert.deepEqual(tokens, ids(
            "<s>", "▁[", "INST", "]", "▁hello", "▁[", "/", "INST", "]", "▁H", "i", "!", "▁", "</s>",
            "<s>", "▁[", "INST", "]", "▁b", "y", "e", "▁[", "/", "INST", "]",
        ));
    });

    it("answers with the scripted Instruct answer, without the leading space", async () => {
        const deltas: string[] = [];
        const answer = await answerChat(engine, [{ role: "user", content: "hello" }], { maxTokens: 64, onDelta: (delta) => deltas.push(delta) });
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
        assert.equal(deltas.join(""), answer.content);
        assert.ok(deltas.length > 3, "streamed in pieces");
        assert.equal(answer.stopReason, "end-of-generation");
    });
});
