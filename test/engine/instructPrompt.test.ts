// The Instruct chat prompt as the real engine tokenizes it, against token lists derived by hand from the vocab.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { answerChat } from "../../server/src/chat/chatService.js";
import type { EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import { instructPieces } from "../../server/src/engine/promptFormat.js";
import { ensureTinyModel, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";
import { loadTestEngine } from "./testEngine.js";
import { ids } from "./vocabIds.js";

describe("Instruct prompt tokens with the real tokenizer", () => {
    let engine: EmbeddedEngine;
    before(async () => {
        engine = await loadTestEngine(await ensureTinyModel());
    });
    after(() => engine.dispose());

    it("<s>[INST] {user} [/INST] {assistant} </s><s>[INST] {user} [/INST], BOS and EOS as token ids", async () => {
        const tokens = engine.encode(
            instructPieces([
                { role: "user", content: "hello" },
                { role: "assistant", content: "Hi!" },
                { role: "user", content: "bye" },
            ]),
        );
        assert.deepEqual(
            tokens,
            ids(
                "<s>",
                "▁[",
                "INST",
                "]",
                "▁hello",
                "▁[",
                "/",
                "INST",
                "]",
                "▁H",
                "i",
                "!",
                "▁",
                "</s>",
                "<s>",
                "▁[",
                "INST",
                "]",
                "▁b",
                "y",
                "e",
                "▁[",
                "/",
                "INST",
                "]",
            ),
        );
    });

    it("answers with the scripted Instruct answer, without the leading space", async () => {
        const deltas: string[] = [];
        const answer = await answerChat(engine, [{ role: "user", content: "hello" }], {
            maxTokens: 64,
            format: "auto",
            onDelta: (delta) => deltas.push(delta),
        });
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
        assert.equal(deltas.join(""), answer.content);
        assert.ok(deltas.length > 3, "streamed in pieces");
        assert.equal(answer.stopReason, "end-of-generation");
    });
});
