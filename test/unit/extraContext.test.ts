import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { copiedLines, firstLines, lineComment, linesAround, renderSnippets, SnippetRing } from "../../server/src/completion/extraContext.js";

describe("SnippetRing", () => {
    it("keeps recent snippets of other files, oldest first, bounded", () => {
        const ring = new SnippetRing(2);
        ring.add({ uri: "a", text: "alpha()" });
        ring.add({ uri: "b", text: "beta()" });
        ring.add({ uri: "c", text: "gamma()" });
        assert.deepEqual(
            ring.others("x").map((s) => s.uri),
            ["b", "c"],
        );
        assert.deepEqual(
            ring.others("c").map((s) => s.uri),
            ["b"],
        );
    });
    it("keeps at most two snippets per file, so edits all over one file do not push out the others", () => {
        const ring = new SnippetRing(4);
        ring.add({ uri: "other", text: "helper()" });
        for (let edit = 0; edit < 6; edit++) ring.add({ uri: "typing", text: `edit${edit}()` });
        assert.deepEqual(
            ring.others("x").map((s) => s.text),
            ["helper()", "edit4()", "edit5()"],
        );
        assert.deepEqual(
            ring.others("typing").map((s) => s.uri),
            ["other"],
        );
    });
    it("replaces a similar snippet instead of keeping both", () => {
        const ring = new SnippetRing();
        ring.add({ uri: "a", text: "one\ntwo\nthree\nfour" });
        ring.add({ uri: "a", text: "one\ntwo\nthree\nfive" });
        assert.equal(ring.others("x").length, 1);
        assert.equal(ring.others("x")[0]!.text, "one\ntwo\nthree\nfive");
        ring.add({ uri: "a", text: "one\ntwo\nthree\nfive" });
        assert.equal(ring.others("x").length, 1, "re-adding the newest snippet changes nothing");
        ring.add({ uri: "b", text: "   " });
        assert.equal(ring.others("x").length, 1, "blank snippets are ignored");
        ring.add({ uri: "c", text: "seven\neight" });
        ring.forget((uri) => uri === "a");
        assert.deepEqual(
            ring.others("x").map((snippet) => snippet.uri),
            ["c"],
        );
    });
});

describe("snippet text", () => {
    const document = TextDocument.create("file:///d.ts", "typescript", 1, Array.from({ length: 40 }, (_, index) => `line ${index}`).join("\r\n"));
    it("takes lines around an edit and the top of an opened file", () => {
        assert.equal(linesAround(document, 20, 2), "line 18\nline 19\nline 20\nline 21\nline 22");
        assert.equal(linesAround(document, 0, 1), "line 0\nline 1");
        assert.equal(linesAround(document, 39, 1), "line 38\nline 39");
        assert.equal(firstLines(document, 2), "line 0\nline 1");
    });
    it("takes the whole lines a copy touched, at most a maximum", () => {
        const range = (startLine: number, startCharacter: number, endLine: number, endCharacter: number) => ({
            start: { line: startLine, character: startCharacter },
            end: { line: endLine, character: endCharacter },
        });
        assert.equal(copiedLines(document, range(5, 3, 7, 2)), "line 5\nline 6\nline 7");
        assert.equal(copiedLines(document, range(5, 0, 7, 0)), "line 5\nline 6", "a selection ending at a line start does not take that line");
        assert.equal(copiedLines(document, range(5, 2, 5, 4)), "line 5");
        assert.equal(copiedLines(document, range(0, 0, 39, 7), 3), "line 0\nline 1\nline 2");
    });
    it("renders snippets as comments of the current language with their paths", () => {
        const rendered = renderSnippets([{ uri: "file:///p/util.py", text: "def helper():\n\n    return 1" }], lineComment("python"), (uri) =>
            uri.replace("file:///p/", ""),
        );
        assert.equal(rendered, "# Path: util.py\n# def helper():\n#\n#     return 1\n");
        assert.equal(lineComment("typescript"), "//");
        assert.equal(lineComment("lua"), "--");
    });
});
