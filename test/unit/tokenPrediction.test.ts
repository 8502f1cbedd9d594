import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PredictionLength, vocabularyMismatch } from "../../server/src/engine/tokenPrediction.js";

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
