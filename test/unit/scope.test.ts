import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectIndentation, reindent } from "../../server/src/completion/indentation.js";
import { completionScope, completionTimeLimitMs, cutAtTimeLimit, cutToScope, indentWidth } from "../../server/src/completion/scope.js";

describe("completionScope", () => {
    it("one line when code follows the cursor on its line", () => {
        assert.deepEqual(completionScope("const x = ", "compute();"), { kind: "line" });
    });
    it("closing brackets the editor inserted after the cursor make it a one-liner too", () => {
        assert.deepEqual(completionScope("foo(", ")"), { kind: "line" });
    });
    it("a block after an opener at the end of the line", () => {
        assert.deepEqual(completionScope("    if (x) {", ""), { kind: "block", indent: 4 });
        assert.deepEqual(completionScope("def f(x):", ""), { kind: "block", indent: 0 });
        assert.deepEqual(completionScope("  const f = () =>", ""), { kind: "block", indent: 2 });
    });
    it("on an indented empty line: lines at least that deep", () => {
        assert.deepEqual(completionScope("        ", ""), { kind: "block", indent: 7 });
    });
});

describe("cutToScope", () => {
    it("line scope cuts at the first break", () => {
        assert.deepEqual(cutToScope("a + b;\nnext", { kind: "line" }), { text: "a + b;", complete: true });
        assert.deepEqual(cutToScope("a + b", { kind: "line" }), { text: "a + b", complete: false });
    });
    it("block scope stops before the first finished line that dedents", () => {
        assert.deepEqual(cutToScope("\n    a();\n\n    b();\n}\nx", { kind: "block", indent: 0 }), { text: "\n    a();\n\n    b();", complete: true });
        assert.deepEqual(cutToScope("\n    a();\n}", { kind: "block", indent: 0 }), { text: "\n    a();\n}", complete: false }, "an unfinished line is not judged yet");
    });
    it("indentWidth expands tabs to the tab size", () => {
        assert.equal(indentWidth("\t  x", 4), 6);
        assert.equal(indentWidth("  \tx", 4), 4);
    });
});

describe("indentation", () => {
    it("detects tabs and space widths", () => {
        assert.deepEqual(detectIndentation("a\n\tb\n\t\tc\n"), { useTabs: true, size: 4 });
        assert.deepEqual(detectIndentation("a\n  b\n    c\n  d\n"), { useTabs: false, size: 2 });
        assert.equal(detectIndentation("no indentation"), undefined);
    });
    it("reindent keeps the first line and the nesting depth", () => {
        assert.equal(reindent("x\n  y\n    z", { useTabs: false, size: 2 }, { useTabs: true, size: 4 }), "x\n\ty\n\t\tz");
        assert.equal(reindent("x\n\ty", { useTabs: true, size: 4 }, { useTabs: true, size: 4 }), "x\n\ty");
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
