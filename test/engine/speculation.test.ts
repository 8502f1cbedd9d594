// Speculative decoding (tokenPrediction.ts) with the real engine: the same greedy answers as one
// token at a time, guesses confirmed where the answer copies its prompt, and a draft model of
// another vocabulary refused.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DraftModelError, type EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import type { Generation } from "../../server/src/engine/inference.js";
import {
    COPIED_BLOCK,
    COPIED_LINE,
    copyingModel,
    ensureRandomModel,
    ensureTinyModel,
    NO_COPY_QUESTION,
    REPEAT_LINE_INFILL,
    REWRITE_QUESTION,
} from "../../tools/tinyCodellama/index.js";
import { loadTestEngine } from "./testEngine.js";

const load = (modelPath: string, tokenPrediction: boolean): Promise<EmbeddedEngine> => loadTestEngine(modelPath, { contextSize: 2048, tokenPrediction });
/** What a user sees of a generation (timings aside). */
const seen = ({ text, generatedTokens, stopReason }: Generation): Pick<Generation, "text" | "generatedTokens" | "stopReason"> => ({
    text,
    generatedTokens,
    stopReason,
});

describe("speculative decoding", () => {
    let copying: string;
    let plain: EmbeddedEngine;
    let speculative: EmbeddedEngine;
    before(async () => {
        copying = await ensureTinyModel({ name: "copying", ...copyingModel({ nEmbd: 256, nHead: 4, nFf: 512 }) });
        plain = await load(copying, false);
        speculative = await load(copying, true);
    });
    after(async () => {
        await plain.dispose();
        await speculative.dispose();
    });

    it("answers exactly as one token at a time, and confirms the guesses where the answer copies its prompt", async () => {
        const rewrite = await speculative.chat(REWRITE_QUESTION, { maxTokens: 400 });
        assert.deepEqual(seen(rewrite), seen(await plain.chat(REWRITE_QUESTION, { maxTokens: 400 })));
        assert.equal(rewrite.text, COPIED_BLOCK, "the scripted answer rewrites the block");
        const chat = speculative.tokenPredictions().chat;
        assert.ok(chat.validated >= 150, `most of the 180 tokens came from confirmed guesses: ${JSON.stringify(chat)}`);

        const line = await speculative.infill(REPEAT_LINE_INFILL, { maxTokens: 64 });
        assert.deepEqual(seen(line), seen(await plain.infill(REPEAT_LINE_INFILL, { maxTokens: 64 })));
        assert.equal(line.text, COPIED_LINE);
        assert.ok(speculative.tokenPredictions().completion.validated > 0);
        assert.deepEqual(
            plain.tokenPredictions(),
            { completion: { validated: 0, refuted: 0 }, chat: { validated: 0, refuted: 0 } },
            "nothing proposed with tokenPrediction off",
        );
    });

    it("measures the generation speed as generated tokens per wall time, guessed ones included", async () => {
        const fresh = await load(copying, true);
        try {
            const answer = await fresh.chat(REWRITE_QUESTION, { maxTokens: 400 });
            assert.ok(fresh.tokenPredictions().chat.validated >= 150, "most tokens came in checked batches");
            // The answer's own times, not a timing target: counting batches instead of tokens would be about 5x off.
            const fromAnswer = ((answer.generatedTokens - 1) * 1000) / (answer.totalMs - answer.promptMs);
            const measured = fresh.speed().generationTokensPerSecond!;
            assert.ok(Math.abs(measured / fromAnswer - 1) < 0.25, `${measured} tokens/s measured, ${fromAnswer} from the answer's times`);
        } finally {
            await fresh.dispose();
        }
    });

    it("guesses nothing when the answer copies nothing", async () => {
        const before = speculative.tokenPredictions().chat;
        const answer = await speculative.chat(NO_COPY_QUESTION, { maxTokens: 400 });
        assert.deepEqual(seen(answer), seen(await plain.chat(NO_COPY_QUESTION, { maxTokens: 400 })));
        assert.deepEqual(speculative.tokenPredictions().chat, before);
    });

    it("stops where asked inside a confirmed run: max tokens, a stop from onText, a cancellation", async () => {
        assert.deepEqual(seen(await speculative.chat(REWRITE_QUESTION, { maxTokens: 50 })), seen(await plain.chat(REWRITE_QUESTION, { maxTokens: 50 })));
        const stopAtLine = (text: string): boolean => text.split("\n").length > 21;
        const stopped = await speculative.chat(REWRITE_QUESTION, { maxTokens: 400, onText: stopAtLine });
        assert.deepEqual(seen(stopped), seen(await plain.chat(REWRITE_QUESTION, { maxTokens: 400, onText: stopAtLine })));
        assert.equal(stopped.stopReason, "stopped");
        const controller = new AbortController();
        const cancelled = await speculative.chat(REWRITE_QUESTION, {
            maxTokens: 400,
            signal: controller.signal,
            onText: (text) => void (text.length > 100 && controller.abort()),
        });
        assert.equal(cancelled.stopReason, "cancelled");
        // The cache keeps only what was confirmed: the next answer is still the right one.
        assert.deepEqual(seen(await speculative.chat(REWRITE_QUESTION, { maxTokens: 400 })), seen(await plain.chat(REWRITE_QUESTION, { maxTokens: 400 })));
    });

    it("answers exactly as one token at a time on random weights, where most guesses fail", async () => {
        const random = await ensureRandomModel();
        const [off, on] = [await load(random, false), await load(random, true)];
        try {
            // The prompt ends with the model's own greedy continuation of its start: small random models
            // fall into loops, so what it generates next is found in the prompt and proposed.
            const start = Array.from({ length: 60 }, (_, index) => 300 + ((index * 37) % 500));
            const continuation = off.tokenizer.encode((await off.generate("completion", start, { maxTokens: 64 })).text);
            const prompt = [...start, ...continuation];
            for (const sequence of ["completion", "chat"] as const) {
                assert.deepEqual(
                    seen(await on.generate(sequence, prompt, { maxTokens: 48 })),
                    seen(await off.generate(sequence, prompt, { maxTokens: 48 })),
                    sequence,
                );
            }
            const { completion } = on.tokenPredictions();
            assert.ok(completion.validated + completion.refuted > 0, "tokens were proposed");
        } finally {
            await off.dispose();
            await on.dispose();
        }
    });

    describe("with a draft model", () => {
        let draft: EmbeddedEngine;
        before(async () => {
            draft = await load(await ensureTinyModel({ name: "copying-draft", ...copyingModel({ nEmbd: 256, nHead: 4, nFf: 256, nLayer: 1 }) }), false);
        });
        after(async () => {
            await plain.useDraft(undefined);
            await draft.dispose();
        });

        it("answers chat exactly as without it, the draft's guesses confirmed", async () => {
            await plain.useDraft(draft);
            assert.deepEqual(seen(await plain.chat(NO_COPY_QUESTION, { maxTokens: 400 })), seen(await speculative.chat(NO_COPY_QUESTION, { maxTokens: 400 })));
            assert.ok(
                plain.tokenPredictions().chat.validated >= 150,
                `most of the 180 tokens came from confirmed guesses: ${JSON.stringify(plain.tokenPredictions().chat)}`,
            );
            await plain.useDraft(undefined);
        });

        it("refuses a draft of another vocabulary with a clear message, and chat goes on without one", async () => {
            const other = await load(await ensureTinyModel(), false);
            await plain.useDraft(undefined);
            try {
                await assert.rejects(
                    plain.useDraft(other),
                    (error: Error) =>
                        error instanceof DraftModelError &&
                        /cannot be the draft model of .*: it has \d+ tokens, the model \d+\. A draft model must share the vocabulary/.test(error.message),
                );
                const before = plain.tokenPredictions().chat;
                assert.equal((await plain.chat(REWRITE_QUESTION, { maxTokens: 400 })).text, COPIED_BLOCK);
                assert.deepEqual(plain.tokenPredictions().chat, before, "no draft proposes tokens");
            } finally {
                await other.dispose();
            }
        });
    });
});
