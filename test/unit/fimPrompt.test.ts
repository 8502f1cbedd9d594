import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildFimPrompt, encodeInfilling, INFILL_SENTINEL } from "../../server/src/engine/promptFormat.js";

const special = { bos: 1, prefix: 32007, suffix: 32008, middle: 32009 };

describe("buildFimPrompt", () => {
    it("lays out prefix-suffix-middle as Meta's reference", () => {
        assert.deepEqual(buildFimPrompt("psm", special, [10, 11], [20, 21, 22]), [1, 32007, 10, 11, 32008, 20, 21, 22, 32009]);
    });
    it("lays out suffix-prefix-middle as Meta's reference", () => {
        assert.deepEqual(buildFimPrompt("spm", special, [10, 11], [20, 21, 22]), [1, 32007, 32008, 20, 21, 22, 32009, 10, 11]);
    });
    it("keeps the control tokens when prefix and suffix are empty", () => {
        assert.deepEqual(buildFimPrompt("psm", special, [], []), [1, 32007, 32008, 32009]);
    });
});

describe("encodeInfilling", () => {
    // A SentencePiece-like toy: a leading "▁" token (id 99) for the implicit space, then one token per character.
    const tokenize = (text: string): number[] => [99, ...[...text].map((ch) => (ch === " " ? 32 : ch.codePointAt(0)!))];

    it("drops the implicit leading space, like Meta's encode('☺' + s)[2:]", () => {
        assert.deepEqual(encodeInfilling(tokenize, "\n}"), [10, 125]);
        assert.deepEqual(encodeInfilling(tokenize, " x"), [32, 120]);
    });
    it("encodes empty text as no tokens", () => {
        assert.deepEqual(encodeInfilling(tokenize, ""), []);
    });
    it("falls back to plain encoding when the sentinel merges with the text", () => {
        const merging = (text: string): number[] => (text.startsWith(INFILL_SENTINEL + "a") ? [7, 8] : tokenize(text));
        assert.deepEqual(encodeInfilling(merging, "ab"), [99, 97, 98]);
    });
});
