import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectIndentation, reindent, tabWidth } from "../../server/src/completion/indentation.js";
import { bracketDepth, completionScope, completionTimeLimitMs, cutAtTimeLimit, cutToScope, indentWidth } from "../../server/src/completion/scope.js";

const at = (linePrefix: string, lineSuffix = "", nextLines: string[] = []) => ({ linePrefix, lineSuffix, nextLines });

describe("completionScope", () => {
    it("the rest of the line when code follows the cursor on its line", () => {
        assert.deepEqual(completionScope(at("const x = ", "compute();")), { kind: "line" });
    });
    it("the rest of the line before a closing bracket the editor inserted", () => {
        assert.deepEqual(completionScope(at("foo(", ")")), { kind: "line", closer: ")" });
        assert.deepEqual(completionScope(at("x = [", " ];")), { kind: "line", closer: "]" });
    });
    it("a block after an opener at the end of the line, with its closing line when the file has none", () => {
        assert.deepEqual(completionScope(at("    if (x) {", "", ["    }"])), {
            kind: "lines",
            linePrefix: "    if (x) {",
            opener: { indent: 4, closer: undefined },
            nextIndent: 4,
        });
        assert.deepEqual(completionScope(at("    if (x) {", "", ["", "y();"])), {
            kind: "lines",
            linePrefix: "    if (x) {",
            opener: { indent: 4, closer: "}" },
            nextIndent: 0,
        });
        assert.deepEqual(completionScope(at("def f(x):")), {
            kind: "lines",
            linePrefix: "def f(x):",
            opener: { indent: 0, closer: undefined },
            nextIndent: undefined,
        });
        assert.deepEqual(completionScope(at("  const f = () =>")).kind === "lines" && completionScope(at("  const f = () =>")), {
            kind: "lines",
            linePrefix: "  const f = () =>",
            opener: { indent: 2, closer: undefined },
            nextIndent: undefined,
        });
    });
    it("shell keywords open blocks closed by fi and done", () => {
        assert.deepEqual(completionScope(at('  if [ -n "$x" ]; then', "", ["  fi"])), {
            kind: "lines",
            linePrefix: '  if [ -n "$x" ]; then',
            opener: { indent: 2, closer: undefined },
            nextIndent: 2,
        });
        assert.deepEqual(completionScope(at("for f in *; do")), {
            kind: "lines",
            linePrefix: "for f in *; do",
            opener: { indent: 0, closer: "done" },
            nextIndent: undefined,
        });
        assert.equal(
            completionScope(at("  redo")).kind === "lines" && (completionScope(at("  redo")) as { opener?: unknown }).opener,
            undefined,
            "a word ending in do is no opener",
        );
    });
    it("elsewhere: lines judged against the next line's indentation", () => {
        assert.deepEqual(completionScope(at("        ", "", ["", "        next();"])), { kind: "lines", linePrefix: "        ", nextIndent: 8 });
    });
});

describe("cutToScope", () => {
    const lines = (linePrefix: string, nextIndent?: number, opener?: { indent: number; closer?: string }) => ({
        kind: "lines" as const,
        linePrefix,
        nextIndent,
        opener,
    });
    it("line scope cuts at the first break", () => {
        assert.deepEqual(cutToScope("a + b;\nnext", { kind: "line" }), { text: "a + b;", complete: true });
        assert.deepEqual(cutToScope("a + b", { kind: "line" }), { text: "a + b", complete: false });
    });
    it("line scope ends before the model closes the bracket the editor closed, not before its own", () => {
        assert.deepEqual(cutToScope("a, f(b));", { kind: "line", closer: ")" }), { text: "a, f(b)", complete: true });
        assert.deepEqual(cutToScope('a, ")", b', { kind: "line", closer: ")" }), { text: 'a, ")", b', complete: false }, "brackets in strings do not count");
    });
    it("after an opener: the body, until a line dedents to the opener", () => {
        assert.deepEqual(cutToScope("\n    a();\n\n    b();\n}\nx", lines("if (x) {", 0, { indent: 0 })), { text: "\n    a();\n\n    b();", complete: true });
        assert.deepEqual(
            cutToScope("\n    a();\n}", lines("if (x) {", 0, { indent: 0 })),
            { text: "\n    a();\n}", complete: false },
            "an unfinished line is not judged yet",
        );
        assert.deepEqual(
            cutToScope("\n    a();\n}", lines("if (x) {", 0, { indent: 0 }), 4, true),
            { text: "\n    a();", complete: true },
            "the finished answer's last line is",
        );
    });
    it("after an opener the file does not close: the closing line too", () => {
        assert.deepEqual(cutToScope("\n    a();\n}\nnext();", lines("if (x) {", 0, { indent: 0, closer: "}" })), { text: "\n    a();\n}", complete: true });
        assert.deepEqual(
            cutToScope("\n    a();\n} else {\n", lines("if (x) {", 0, { indent: 0, closer: "}" })),
            { text: "\n    a();", complete: true },
            "only a line that just closes",
        );
        assert.deepEqual(cutToScope("\n  x\nfi\n", lines("if a; then", undefined, { indent: 0, closer: "fi" })), { text: "\n  x\nfi", complete: true });
    });
    it("an opener followed by more on the same line is no opener", () => {
        assert.deepEqual(cutToScope("i >= 0) {\n    a();\n} else {\n    b();\n}\nnext();\n", lines("if (", 0, { indent: 0 })), {
            text: "i >= 0) {\n    a();\n} else {\n    b();\n}",
            complete: true,
        });
    });
    it("between existing lines: one statement", () => {
        assert.deepEqual(cutToScope("x = 1;\n    y = 2;\n", lines("    ", 4)), { text: "x = 1;", complete: true });
        assert.deepEqual(
            cutToScope("    x = 1;\n    y = 2;\n", lines("", 4)),
            { text: "    x = 1;", complete: true },
            "from column 0, the answer's own indentation",
        );
        assert.deepEqual(
            cutToScope("f(a,\n      b);\n    g();\n", lines("    ", 4)),
            { text: "f(a,\n      b);", complete: true },
            "continuation lines are deeper",
        );
        assert.deepEqual(
            cutToScope("foo(\n    a,\n)\nbar()\n", lines("x = ", 0)),
            { text: "foo(\n    a,\n)", complete: true },
            "a closing bracket at the statement's indentation goes on with it",
        );
        assert.deepEqual(
            cutToScope("if x:\n    a\nelse:\n    b\nc\n", lines("", 0)),
            { text: "if x:\n    a\nelse:\n    b", complete: true },
            "else goes on with the statement",
        );
        assert.deepEqual(cutToScope("x = a +\nb\nc\n", lines("", 0)), { text: "x = a +\nb", complete: true }, "so does the line after an operator");
        assert.deepEqual(
            cutToScope("@cache\ndef f():\n    return 1\ng()\n", lines("", 0)),
            { text: "@cache\ndef f():\n    return 1", complete: true },
            "and the line after a decorator",
        );
        assert.deepEqual(
            cutToScope("x = 1;  /* one */\ny = 2;\n", lines("", 0)),
            { text: "x = 1;  /* one */", complete: true },
            "a comment's */ is no operator",
        );
        assert.deepEqual(cutToScope("i++\nj++\n", lines("", 0)), { text: "i++", complete: true }, "nor is ++");
    });
    it("between lines, an answer that starts with a break: the statement on the next line", () => {
        assert.deepEqual(cutToScope("\n    y = 2;\n    z = 3;\n", lines("    x = 1;", 4)), { text: "\n    y = 2;", complete: true });
    });
    it("at the end of a block: lines as deep as the statement", () => {
        assert.deepEqual(cutToScope("x = 1;\n    y = 2;\n}\n", lines("    ", 0)), { text: "x = 1;\n    y = 2;", complete: true });
        assert.deepEqual(cutToScope("x = 1;\n    y = 2;\n", lines("    ", undefined)), { text: "x = 1;\n    y = 2;\n", complete: false });
    });
    it("indentWidth expands tabs to the tab size", () => {
        assert.equal(indentWidth("\t  x", 4), 6);
        assert.equal(indentWidth("  \tx", 4), 4);
    });
    it("bracketDepth skips strings", () => {
        assert.equal(bracketDepth("f(a, '(', [b"), 2);
        assert.equal(bracketDepth('}) + ")"'), -2);
    });
});

describe("indentation", () => {
    it("detects tabs and space widths", () => {
        assert.deepEqual(detectIndentation("a\n\tb\n\t\tc\n"), { useTabs: true, size: 4 });
        assert.deepEqual(detectIndentation("a\n  b\n    c\n  d\n"), { useTabs: false, size: 2 });
        assert.equal(detectIndentation("no indentation"), undefined);
    });
    it("tells a document that mixes tabs and spaces, block comments' ' * ' lines aside", () => {
        assert.deepEqual(detectIndentation("a\n\tb\n/*\n * c\n */\n"), { useTabs: true, size: 4 });
        assert.deepEqual(detectIndentation("a\n  b\n    c\n\t  d\n"), { useTabs: false, size: 2, mixed: true });
        assert.equal(tabWidth({ useTabs: false, size: 2, mixed: true }), 8);
        assert.equal(tabWidth({ useTabs: true, size: 4 }), 4);
        assert.equal(tabWidth(undefined), 4);
    });
    it("reindent swaps spaces and tabs of the document's width, keeping the first line", () => {
        assert.equal(reindent("x\n    y\n        z\n      w", { useTabs: false, size: 4 }, { useTabs: true, size: 4 }), "x\n\ty\n\t\tz\n\t  w");
        assert.equal(reindent("x\n\ty\n\t\tz", { useTabs: true, size: 4 }, { useTabs: false, size: 2 }), "x\n  y\n    z");
        assert.equal(reindent("x\n\ty", { useTabs: true, size: 4 }, { useTabs: true, size: 4 }), "x\n\ty");
        assert.equal(reindent("x\n  y", { useTabs: false, size: 2 }, { useTabs: false, size: 4 }), "x\n  y", "a different step is left alone");
        assert.equal(reindent("x\n\ty", { useTabs: true, size: 4 }, { useTabs: false, size: 2, mixed: true }), "x\n\ty", "so is a mixed document");
    });
});

describe("cutAtTimeLimit", () => {
    it("goes on before the limit, or with no limit", () => {
        assert.equal(cutAtTimeLimit("a\nb", 99, 100), undefined);
        assert.equal(cutAtTimeLimit("a\nb", 10_000, 0), undefined);
    });
    it("after the limit, ends with the last finished line, never before the first one", () => {
        assert.equal(cutAtTimeLimit("return a", 150, 100), undefined, "the first line is not finished yet");
        assert.equal(cutAtTimeLimit("\n    ", 150, 100), undefined, "an empty first line is not an answer");
        assert.equal(cutAtTimeLimit("return a\n    b", 150, 100), "return a");
        assert.equal(cutAtTimeLimit("\n    x = 1;\n    y", 150, 100), "\n    x = 1;");
    });
});

describe("completionTimeLimitMs", () => {
    it("a setting of 0 or more is the limit (0: none)", () => {
        assert.equal(completionTimeLimitMs(0, 5), 0);
        assert.equal(completionTimeLimitMs(750, 5), 750);
    });
    it("-1: the time for 32 tokens at the measured generation speed, between 1 and 2 seconds", () => {
        assert.equal(completionTimeLimitMs(-1, 20), 1600);
        assert.equal(completionTimeLimitMs(-1, 200), 1000, "a fast machine gets a second");
        assert.equal(completionTimeLimitMs(-1, 3), 2000, "a slow one shows what it has after two");
        assert.equal(completionTimeLimitMs(-1, undefined), 2000, "not measured yet");
        assert.equal(completionTimeLimitMs(-1, 0), 2000);
    });
});
