// Completion and chat share one model, or two models one scheduler: what the engine tells about a
// prompt's cost, and a chat answer pausing while a completion generates.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import type { GenerateOptions, Generation } from "../../server/src/engine/inference.js";
import { chatPieces } from "../../server/src/engine/promptFormat.js";
import { TypingFirstScheduler } from "../../server/src/engine/scheduler.js";
import { Logger } from "../../server/src/log/logger.js";
import { copyingModel, ensureRandomModel, ensureTinyModel, NO_COPY_QUESTION, REWRITE_QUESTION } from "../../tools/tinyCodellama/index.js";
import { loadTestEngine } from "./testEngine.js";

const promptOf = (length: number, offset: number): number[] => Array.from({ length }, (_, index) => 300 + ((index + offset) % 500));

/** A long chat answer and a completion, on random weights. */
const randomAnswer = (engine: EmbeddedEngine) => (options: GenerateOptions) => engine.generate("chat", promptOf(40, 1), { ...options, maxTokens: 400 });
const randomCompletion = (engine: EmbeddedEngine) => () => engine.generate("completion", promptOf(300, 2), { maxTokens: 40 });

/**
 * Streams a long chat answer (`answer`, at background priority) and starts a completion at its
 * fifth token; asserts that the answer paused while the completion ran (the decode under way when it
 * started may still land inside: one token, or up to `perDecode` from a checked batch of guesses) and
 * went on after it.
 */
async function assertChatPausesForCompletion(
    answer: (options: GenerateOptions) => Promise<Generation>,
    complete: () => Promise<Generation>,
    perDecode = 1,
): Promise<void> {
    const chatTokenTimes: number[] = [];
    let completionRun: Promise<{ startedAt: number; endedAt: number }> | undefined;
    await answer({
        maxTokens: 400,
        priority: "background",
        onText: () => {
            chatTokenTimes.push(performance.timeOrigin + performance.now());
            if (chatTokenTimes.length === 5) {
                completionRun = complete().then((generation) => ({ startedAt: generation.startedAt!, endedAt: generation.startedAt! + generation.totalMs }));
            }
        },
    });
    assert.ok(completionRun, "the chat answered at least 5 tokens");
    const run = await completionRun;
    const during = chatTokenTimes.filter((time) => time > run.startedAt && time < run.endedAt).length;
    assert.ok(during <= perDecode, `${during} chat tokens while the completion ran`);
    assert.ok(
        chatTokenTimes.some((time) => time >= run.endedAt),
        "the chat answer went on after the completion",
    );
}

/** Engine options for two models on one scheduler (each load adds its model and sequences). */
const twoModelOptions = () => ({
    gpu: "off" as const,
    gpuLayers: 0,
    threads: { prompt: 1, generation: 1 },
    contextSize: 2048,
    scheduler: new TypingFirstScheduler(),
    logger: new Logger(() => undefined, "error"),
});

describe("one model for completion and chat", () => {
    let engine: EmbeddedEngine;
    before(async () => {
        const model = await ensureRandomModel();
        engine = await loadTestEngine(model, { contextSize: 2048 });
    });
    after(() => engine.dispose());

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
        await assertChatPausesForCompletion(randomAnswer(engine), randomCompletion(engine));
    });
});

describe("two models, one scheduler: completion on one, chat on the other", () => {
    let completion: EmbeddedEngine;
    let chat: EmbeddedEngine;
    before(async () => {
        const options = twoModelOptions();
        completion = await EmbeddedEngine.load({ ...options, modelPath: await ensureRandomModel(), sequences: ["completion"] });
        chat = await EmbeddedEngine.load({
            ...options,
            modelPath: await ensureTinyModel({ name: "random-chat", weights: "random", nEmbd: 128, nLayer: 4, nHead: 4, nHeadKv: 4, nFf: 256, seed: 7 }),
            sequences: ["chat"],
        });
    });
    after(() => Promise.all([completion?.dispose(), chat?.dispose()]));

    it("each engine serves only its own sequence", () => {
        assert.throws(() => completion.sequenceCost("chat", [1]), /serves completion, not chat/);
        assert.throws(() => chat.sequenceCost("completion", [1]), /serves chat, not completion/);
    });

    it("the chat model's streaming answer pauses while the completion model generates, and goes on after it", async () => {
        await assertChatPausesForCompletion(randomAnswer(chat), randomCompletion(completion));
    });
});

describe("two models, one scheduler: the completion model drafting for the chat model", () => {
    let completion: EmbeddedEngine;
    let chat: EmbeddedEngine;
    before(async () => {
        const options = twoModelOptions();
        completion = await EmbeddedEngine.load({
            ...options,
            modelPath: await ensureTinyModel({ name: "copying-draft", ...copyingModel({ nEmbd: 256, nHead: 4, nFf: 256, nLayer: 1 }) }),
            sequences: ["completion"],
            tokenPrediction: false,
        });
        chat = await EmbeddedEngine.load({
            ...options,
            modelPath: await ensureTinyModel({ name: "copying", ...copyingModel({ nEmbd: 256, nHead: 4, nFf: 512 }) }),
            sequences: ["chat"],
            tokenPrediction: false,
        });
        await chat.useDraft(completion);
    });
    after(async () => {
        await chat?.dispose();
        await completion?.dispose();
    });

    // The draft's own decodes are steps of the chat's turn (test/unit/tokenPrediction.test.ts shows each one).
    it("a completion during a drafted chat answer comes first: the answer waits, and goes on after it", async () => {
        await assertChatPausesForCompletion(
            (options) => chat.chat(NO_COPY_QUESTION, options),
            // A long completion (the 180-token rewrite, one token at a time): an answer that did not wait would run on through it.
            () => completion.generate("completion", completion.encode(chatPieces(REWRITE_QUESTION)), { maxTokens: 400 }),
            // A batch of at most 16 guesses and the token after them.
            17,
        );
        assert.ok(chat.tokenPredictions().chat.validated > 0, "the draft guessed");
    });
});
