// Models of each kind on the real engine: Code Llama 70B's turn format token for token, its stop at
// <step>, a Llama 2 vocabulary (32,000 tokens, no infill tokens) read as what it is, and the
// automatic context size.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { answerChat } from "../../server/src/chat/chatService.js";
import type { EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import { chatPieces } from "../../server/src/engine/promptFormat.js";
import { buildVocab, CODELLAMA_70B_STEP_ID, ensureTinyModel, LLAMA2_VOCAB_SIZE, SPACE, STEP_PIECE, spmTokenize } from "../../tools/tinyCodellama/index.js";
import { loadTestEngine } from "./testEngine.js";

const load = async (modelPath: string, contextSize = 1024): Promise<EmbeddedEngine> => loadTestEngine(modelPath, { contextSize });

describe("Code Llama 70B Instruct: the turn format", () => {
    const vocab = buildVocab({ kind: "code-llama-70b", codellamaVocab: true });
    /** Meta's tokenizer.encode(text, bos=False, eos=False): SentencePiece with its space prefix, here the generator's port of llama.cpp's. */
    const encode = (text: string): number[] => spmTokenize(vocab, text, { addSpacePrefix: true });
    let engine: EmbeddedEngine;
    before(async () => {
        // Answers only a prompt that ends as the 70B's reply header does ("\n\n " ends with a lone space); "Q" would follow <step>.
        engine = await load(
            await ensureTinyModel({
                name: "codellama-70b-instruct",
                vocab: "code-llama-70b",
                codellamaVocab: true,
                identity: { name: "codellama_codellama-70b-instruct-hf" },
                scripts: [
                    { name: "turn", after: SPACE, answer: "XYZ.", end: "step" },
                    { name: "after-step", after: STEP_PIECE, answer: "Q", end: "eos" },
                ],
            }),
        );
    });
    after(() => engine?.dispose());

    it("reads the roles: the turn format, no fill in the middle, instruct", () => {
        assert.deepEqual(engine.info.roles, {
            family: "code-llama",
            size: "70B",
            variant: "instruct",
            fim: false,
            chatFormat: "codellama-70b",
            instruct: true,
            infillTokens: true,
            stepToken: true,
        });
        assert.equal(engine.tokenizer.special.step, CODELLAMA_70B_STEP_ID);
    });

    it("encodes the prompt as Meta's dialog_prompt_tokens does, token for token", () => {
        const tokens = engine.encode(
            chatPieces({
                format: "codellama-70b",
                messages: [
                    { role: "user", content: "hi" },
                    { role: "assistant", content: "ok" },
                    { role: "user", content: "bye" },
                ],
            }),
        );
        const step = CODELLAMA_70B_STEP_ID;
        assert.deepEqual(tokens, [
            1,
            ...encode(" Source: system"),
            step,
            ...encode(" Source: user"),
            ...encode("\n\n hi"),
            step,
            ...encode(" Source: assistant"),
            ...encode("\n\n ok"),
            step,
            ...encode(" Source: user"),
            ...encode("\n\n bye"),
            step,
            ...encode(" Source: assistant\nDestination: user"),
            ...encode("\n\n "),
        ]);
        // Each header and body is encoded on its own (its own space prefix), never the text joined.
        assert.deepEqual(encode(" Source: system").slice(0, 2), [vocab.ids.get(SPACE)!, vocab.ids.get(`${SPACE}S`)!]);
    });

    it("answers in its format and stops at <step>", async () => {
        const answer = await answerChat(engine, [{ role: "user", content: "hi" }], { maxTokens: 32, format: "auto" });
        assert.equal(answer.content, "XYZ.");
        assert.equal(answer.stopReason, "end-of-generation");
    });

    it("Llama 2's format, forced on it, is a prompt it was not scripted for: no answer", async () => {
        const answer = await answerChat(engine, [{ role: "user", content: "hi" }], { maxTokens: 32, format: "llama2" });
        assert.equal(answer.content, "");
    });
});

describe("Llama 2 Chat: 32,000 tokens without infill tokens", () => {
    let engine: EmbeddedEngine;
    before(async () => {
        engine = await load(
            await ensureTinyModel({
                name: "llama-2-7b-chat",
                vocab: "llama-2",
                codellamaVocab: true,
                identity: { name: "LLaMA v2", sizeLabel: "7B", finetune: "Chat" },
            }),
        );
    });
    after(() => engine?.dispose());

    it("reads the roles: continues the code, Llama 2's chat format", () => {
        assert.equal(buildVocab({ kind: "llama-2", codellamaVocab: true }).pieces.length, LLAMA2_VOCAB_SIZE);
        assert.deepEqual(engine.info.roles, {
            family: "llama-2",
            size: "7B",
            variant: "chat",
            fim: false,
            chatFormat: "llama2",
            instruct: true,
            infillTokens: false,
            stepToken: false,
        });
        assert.equal(engine.tokenizer.special.prefix, undefined);
    });
});

describe("the automatic context size on the real engine", () => {
    it("0 picks the model's trained length when the memory holds it (the tiny model: 4,096); a number wins", async () => {
        const modelPath = await ensureTinyModel();
        const auto = await load(modelPath, 0);
        try {
            assert.deepEqual([auto.info.contextSize, auto.info.contextSizeAuto], [4096, "auto"]);
        } finally {
            await auto.dispose();
        }
        const set = await load(modelPath, 512);
        try {
            assert.deepEqual([set.info.contextSize, set.info.contextSizeAuto], [512, undefined]);
        } finally {
            await set.dispose();
        }
    });
    it("a model trained on 16,384 tokens gets 16,384", async () => {
        const engine = await load(await ensureTinyModel({ name: "ctx-16k", contextLength: 16_384 }), 0);
        try {
            assert.deepEqual([engine.info.contextSize, engine.info.contextSizeAuto], [16_384, "auto"]);
        } finally {
            await engine.dispose();
        }
    });
});
