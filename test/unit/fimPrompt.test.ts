import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodePiecesSync, infillPieces } from "../../server/src/engine/promptFormat.js";
import { encodeInfilling, INFILL_SENTINEL } from "../../server/src/engine/tokenizer.js";
import type { FimFormat } from "../../shared/src/settings.js";

const special = { bos: 1, prefix: 32007, suffix: 32008, middle: 32009 };
/** One token per character (its code), and 99 for SentencePiece's leading space where a text gets it. */
const codes = (text: string): number[] => [...text].map((ch) => ch.charCodeAt(0));
const tokenizer = { encode: (text: string) => (text ? [99, ...codes(text)] : []), encodeInfilling: codes };
const buildFimPrompt = (format: FimFormat, prefix: string, suffix: string, more: { context?: string; middle?: string } = {}): number[] =>
    encodePiecesSync(infillPieces({ format, prefix, suffix, context: more.context ?? "", middle: more.middle ?? "" }), tokenizer, special);
const P = "\u000a\u000b"; // tokens 10, 11
const S = "\u0014\u0015\u0016"; // tokens 20, 21, 22

describe("infill layout", () => {
    it("lays out prefix-suffix-middle as Meta's reference", () => {
        assert.deepEqual(buildFimPrompt("psm", P, S), [1, 32007, 99, 10, 11, 32008, 20, 21, 22, 32009]);
    });
    it("lays out suffix-prefix-middle as Meta's reference", () => {
        assert.deepEqual(buildFimPrompt("spm", P, S), [1, 32007, 32008, 20, 21, 22, 32009, 99, 10, 11]);
    });
    it("keeps the control tokens when prefix and suffix are empty", () => {
        assert.deepEqual(buildFimPrompt("psm", "", ""), [1, 32007, 32008, 32009]);
    });
    it("psm-line puts the typed middle after the middle token, without the leading space", () => {
        assert.deepEqual(buildFimPrompt("psm-line", P, S, { middle: "\u001e" }), [1, 32007, 99, 10, 11, 32008, 20, 21, 22, 32009, 30]);
    });
    it("gives snippets of other files the leading space, and the prefix after them none", () => {
        assert.deepEqual(buildFimPrompt("psm", P, S, { context: "\u0005" }), [1, 32007, 99, 5, 10, 11, 32008, 20, 21, 22, 32009]);
    });
    it("continue: BOS and the prefix only (Meta's text_completion), no infill tokens needed", () => {
        const continued = (more: { context?: string }) =>
            encodePiecesSync(infillPieces({ format: "continue", prefix: P, suffix: "", context: more.context ?? "", middle: "" }), tokenizer, { bos: 1 });
        assert.deepEqual(continued({}), [1, 99, 10, 11]);
        assert.deepEqual(continued({ context: "\u0005" }), [1, 99, 5, 10, 11]);
    });
    it("names what a model without infill tokens lacks", () => {
        assert.throws(
            () => encodePiecesSync(infillPieces({ format: "psm", prefix: "a", suffix: "", context: "", middle: "" }), tokenizer, { bos: 1 }),
            /no fill-in-the-middle tokens/,
        );
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
