import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { cursorContext, lineBreakAt } from "../../server/src/completion/cursorContext.js";

const doc = (text: string): TextDocument => TextDocument.create("file:///t.ts", "typescript", 1, text);
const at = (text: string, line: number, character: number, max = 1000) => cursorContext(doc(text), { line, character }, max, max);

describe("cursorContext", () => {
    it("splits at a UTF-16 position after emoji (astral characters count as two units)", () => {
        const text = "const s = '😀😀';\nx";
        // "const s = '" is 11 units, each emoji 2: character 15 is right after the second emoji.
        const context = at(text, 0, 15);
        assert.equal(context.prefix, "const s = '😀😀");
        assert.equal(context.suffix, "';\nx");
        assert.deepEqual(context.position, { line: 0, character: 15 });
    });
    it("moves a position inside a surrogate pair before the pair", () => {
        const context = at("a😀b", 0, 2);
        assert.equal(context.prefix, "a");
        assert.equal(context.suffix, "😀b");
        assert.deepEqual(context.position, { line: 0, character: 1 });
    });
    it("normalises CRLF for the model and remembers it for the answer", () => {
        const context = at("function f() {\r\n    \r\n}\r\n", 1, 4);
        assert.equal(context.prefix, "function f() {\n    ");
        assert.equal(context.suffix, "\n}\n");
        assert.equal(context.eol, "\r\n");
    });
    it("counts a tab as one character", () => {
        const context = at("if (x) {\n\t\treturn\n}", 1, 2);
        assert.equal(context.prefix, "if (x) {\n\t\t");
        assert.equal(context.suffix, "return\n}");
    });
    it("clamps positions past the end of a line or the document", () => {
        assert.deepEqual(at("ab\ncd", 0, 99).position, { line: 0, character: 2 });
        const end = at("ab\ncd", 42, 0);
        assert.equal(end.prefix, "ab\ncd");
        assert.equal(end.suffix, "");
        assert.deepEqual(end.position, { line: 1, character: 2 });
    });
    it("handles an empty document", () => {
        assert.deepEqual(at("", 0, 0), { prefix: "", suffix: "", position: { line: 0, character: 0 }, eol: "\n", prefixStartLine: 0 });
    });
    it("starts the prefix at a given line above the cursor when it is within the window", () => {
        const text = "one\ntwo\nthree\nfour";
        assert.deepEqual([at(text, 3, 2).prefix, at(text, 3, 2).prefixStartLine], ["one\ntwo\nthree\nfo", 0]);
        const anchored = cursorContext(doc(text), { line: 3, character: 2 }, 1000, 1000, 1);
        assert.deepEqual([anchored.prefix, anchored.prefixStartLine], ["two\nthree\nfo", 1]);
        // A line outside the window, or below the cursor, is ignored.
        const outside = cursorContext(doc(text), { line: 3, character: 2 }, 6, 1000, 1);
        assert.deepEqual([outside.prefix, outside.prefixStartLine], ["ree\nfo", undefined]);
        assert.equal(cursorContext(doc(text), { line: 1, character: 0 }, 1000, 1000, 3).prefixStartLine, 0);
    });
    it("copies only windows of the requested size around the cursor", () => {
        const text = "a".repeat(1000) + "|" + "b".repeat(1000);
        const context = at(text, 0, 1000, 10);
        assert.equal(context.prefix, "a".repeat(10));
        assert.equal(context.suffix, "|" + "b".repeat(9));
    });
});

describe("lineBreakAt", () => {
    it("uses the cursor line's break in a mixed file", () => {
        const text = "a\r\nb\nc\r\nd";
        assert.equal(lineBreakAt(text, 0), "\r\n");
        assert.equal(lineBreakAt(text, 3), "\n");
        assert.equal(lineBreakAt(text, text.length), "\r\n");
    });
});
