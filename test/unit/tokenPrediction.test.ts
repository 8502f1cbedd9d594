import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LlamaContextSequence } from "node-llama-cpp";
import type { Token } from "../../server/src/engine/tokenizer.js";
import { type PredictionCounts, PredictionLength, Speculation, vocabularyMismatch } from "../../server/src/engine/tokenPrediction.js";

describe("how many tokens input lookup proposes", () => {
    it("starts at the initial length, doubles after a proposal that held, and stays within the maximum", () => {
        const length = new PredictionLength(2, 16, 4);
        assert.equal(length.tokens, 4);
        length.settle(4, 4, false);
        assert.equal(length.tokens, 8);
        length.settle(8, 8, false);
        length.settle(16, 16, false);
        assert.equal(length.tokens, 16);
    });

    it("keeps the length after a proposal that held at least half way, or that the answer's end cut short", () => {
        const length = new PredictionLength(2, 16, 8);
        length.settle(8, 4, false);
        assert.equal(length.tokens, 8);
        length.settle(8, 0, true);
        assert.equal(length.tokens, 8, "a copy right up to the answer's end");
    });

    it("halves after a proposal that broke off early, not below the minimum", () => {
        const length = new PredictionLength(2, 16, 8);
        length.settle(8, 3, false);
        assert.equal(length.tokens, 4);
        length.settle(4, 0, false);
        length.settle(2, 0, false);
        assert.equal(length.tokens, 2);
    });

    it("ignores steps without a proposal", () => {
        const length = new PredictionLength(2, 16, 8);
        length.settle(0, 0, false);
        assert.equal(length.tokens, 8);
    });
});

describe("a draft model's vocabulary", () => {
    const llama = { kind: "llama", tokens: ["<unk>", "<s>", "</s>", "▁a"] };

    it("fits when the tokenizer and every token are the same", () => {
        assert.equal(vocabularyMismatch(llama, { kind: "llama", tokens: [...llama.tokens] }), undefined);
    });

    it("says what differs: the tokenizer, the size, or the first token that differs", () => {
        assert.equal(vocabularyMismatch(llama, { ...llama, kind: "gpt2" }), "its tokenizer is gpt2, the model's llama");
        assert.equal(vocabularyMismatch(llama, { ...llama, tokens: llama.tokens.slice(0, 3) }), "it has 3 tokens, the model 4");
        assert.equal(vocabularyMismatch(llama, { ...llama, tokens: ["<unk>", "<s>", "</s>", "▁b"] }), 'token 3 is "▁b" in it, "▁a" in the model');
    });
});

/**
 * A sequence of a scripted model (each token's successor is fixed; 17 ends the answer) that logs
 * every decode, so that the order of decodes and thread choices can be read exactly.
 */
class ScriptedSequence {
    readonly contextTokens: Token[] = [];
    readonly contextSize = 1024;
    readonly model = { isEogToken: (token: Token): boolean => token === END };
    constructor(private readonly log: string[]) {}

    get nextTokenIndex(): number {
        return this.contextTokens.length;
    }

    async *evaluate(tokens: readonly Token[]): AsyncGenerator<Token, void, undefined> {
        for (let input = tokens; ; ) {
            this.log.push(`evaluate ${input.join(",")}`);
            this.contextTokens.push(...input);
            const next = successor(input.at(-1)!);
            yield next;
            input = [next];
        }
    }

    async controlledEvaluate(items: readonly (Token | [Token, { generateNext?: { token?: boolean } }])[]): Promise<({ next: { token: Token } } | undefined)[]> {
        const tokens = items.map((item) => (Array.isArray(item) ? item[0] : item));
        this.log.push(`batch ${tokens.join(",")}`);
        this.contextTokens.push(...tokens);
        return items.map((item) => (Array.isArray(item) && item[1].generateNext?.token ? { next: { token: successor(item[0]) } } : undefined));
    }

    async eraseContextTokenRanges(ranges: readonly { start: number; end: number }[]): Promise<void> {
        for (const { start, end } of ranges) {
            this.log.push(`erase ${start}-${end}`);
            this.contextTokens.splice(start, end - start);
        }
    }
}

const END = 2;
/** 10 → 11 → … → 17 → END: the prompt below goes on with 10 after 17, so a guess that copies it breaks there. */
const successor = (token: Token): Token => (token >= 10 && token < 17 ? token + 1 : END);
const PROMPT: readonly Token[] = [10, 11, 12, 13, 14, 15, 16, 17, 10, 11];

async function decodeAll(lookup: boolean): Promise<{ tokens: Token[]; log: string[]; predictions: PredictionCounts }> {
    const log: string[] = [];
    const speculation = new Speculation(lookup);
    const sequence = new ScriptedSequence(log) as unknown as LlamaContextSequence;
    const tokens: Token[] = [];
    try {
        for await (const token of speculation.decode(sequence, PROMPT, {
            prompt: PROMPT,
            maxTokens: 20,
            evaluationPriority: 5,
            beforeDecode: (work) => log.push(`threads ${work}`),
        })) {
            tokens.push(token);
            if (token === END) break;
        }
        return { tokens, log, predictions: speculation.predictions };
    } finally {
        speculation.dispose();
    }
}

describe("the decode loop", () => {
    it("names each decode's work before it: the prompt with the first token, then each generated token", async () => {
        const { tokens, log, predictions } = await decodeAll(false);
        assert.deepEqual(tokens, [12, 13, 14, 15, 16, 17, END]);
        assert.deepEqual(log, [
            "threads prompt",
            "evaluate 10,11,12,13,14,15,16,17,10,11",
            ...[12, 13, 14, 15, 16, 17].flatMap((token) => ["threads generation", `evaluate ${token}`]),
        ]);
        assert.deepEqual(predictions, { validated: 0, refuted: 0 });
    });

    it("with input lookup: the same tokens, the checked batch at the generation count, the refuted guesses erased", async () => {
        const { tokens, log, predictions } = await decodeAll(true);
        assert.deepEqual(tokens, [12, 13, 14, 15, 16, 17, END]);
        assert.deepEqual(log, [
            "threads prompt",
            "threads prompt",
            "evaluate 10,11,12,13,14,15,16,17,10,11",
            "threads generation",
            "threads generation",
            "batch 12,13,14,15,16,17,10,11",
            "erase 16-18",
            "threads generation",
        ]);
        assert.deepEqual(predictions, { validated: 5, refuted: 2 });
    });
});
