import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    cutAtSpecialTokenText,
    dropRepeatedSuffixLines,
    type PostprocessOptions,
    postprocessCompletion,
    repeatsLineAbove,
    surroundings,
    trimSuffixOverlap,
} from "../../server/src/completion/postprocess.js";
import { completionScope } from "../../server/src/completion/scope.js";

const spaces4 = { useTabs: false, size: 4 };
/** Options for a cursor between `prefix` and `suffix`, as the prompt layout builds them. */
function at(prefix: string, suffix: string, eol: "\n" | "\r\n" = "\n", documentIndent = spaces4): PostprocessOptions {
    const around = surroundings(prefix, suffix, documentIndent);
    return { ...around, eol, scope: completionScope(around, documentIndent.size) };
}

describe("postprocessCompletion", () => {
    const body = at("function add(a, b) {\n    ", "\n}\n");
    it("keeps ordinary code as it is", () => {
        assert.equal(postprocessCompletion("return a + b;", body), "return a + b;");
    });
    it("never shows special-token text", () => {
        for (const marker of ["<EOT>", "▁<EOT>", "<PRE>", "<SUF>", "<MID>", "</s>", "<s>", "[INST]", "[/INST]", "<<SYS>>"]) {
            assert.equal(postprocessCompletion(`x = 1;${marker} junk`, body), "x = 1;", marker);
        }
    });
    it("drops completions that are only whitespace", () => {
        assert.equal(postprocessCompletion(" \n\t\n", body), "");
        assert.equal(postprocessCompletion("<EOT>", body), "");
    });
    it("trims trailing blank lines", () => {
        assert.equal(postprocessCompletion("a();\n\n  \n", body), "a();");
    });
    it("writes the document's CRLF line breaks", () => {
        assert.equal(postprocessCompletion("\n    return a + b;", at("function add(a, b) {", "\n}\n", "\r\n")), "\r\n    return a + b;");
    });
    it("leaves indentation alone when the document has none to follow", () => {
        assert.equal(postprocessCompletion("\n  return a + b;", { ...at("function add(a, b) {", "\n}\n"), documentIndent: undefined }), "\n  return a + b;");
    });
    it("mid-line: one line only", () => {
        assert.equal(postprocessCompletion("a, b);\nconsole.log(1);", at("const x = add(", ");\n")), "a, b");
    });
    it("after a block opener: the block's body, not what follows the block", () => {
        const closed = at("if (x) {", "\n}\n");
        assert.equal(postprocessCompletion("\n    y();\n    z();\n}\nafter();", closed), "\n    y();\n    z();");
    });
    it("after a block opener the file does not close yet: the body and the closing line", () => {
        assert.equal(postprocessCompletion("\n    y();\n    z();\n}\nafter();", at("if (x) {", "\nafter();\n")), "\n    y();\n    z();\n}");
    });
    it("does not repeat the closing bracket the editor auto-closed", () => {
        assert.equal(postprocessCompletion("a, b)", at("add(", ")")), "a, b");
        assert.equal(postprocessCompletion("a, b);", at("add(", ")")), "a, b", "nor what the model wrote after it");
        assert.equal(postprocessCompletion('hello"', at('const s = "', '";')), "hello");
    });
    it("keeps brackets and quotes the answer opens itself", () => {
        assert.equal(postprocessCompletion("sizeof(*key)", at("f(&ctx, ", ")")), "sizeof(*key)");
        assert.equal(postprocessCompletion("x.items()", at("f(", ")")), "x.items()");
        assert.equal(postprocessCompletion("'a'", at("f(", ")")), "'a'");
    });
    it("keeps the spaces of an answer before code on the cursor's line", () => {
        assert.equal(postprocessCompletion(" a ", at("f(", ")")), " a ");
    });
    it("does not repeat the lines after the cursor", () => {
        assert.equal(postprocessCompletion("\n    return a + b;\n}", at("function add(a, b) {", "\n}\n")), "\n    return a + b;");
    });
    it("drops a completion that only repeats the line above", () => {
        assert.equal(postprocessCompletion("x += 1;", at("    x += 1;\n    ", "\n")), "");
    });
    it("keeps the file's indentation style: tabs", () => {
        const tabs = { useTabs: true, size: 4 };
        assert.equal(postprocessCompletion("\n    if (y) {\n        z();\n    }", at("function f() {", "\n", "\n", tabs)), "\n\tif (y) {\n\t\tz();\n\t}");
    });
    it("keeps the file's indentation style: spaces for the model's tabs", () => {
        assert.equal(postprocessCompletion("\n\tif (y) {\n\t\tz();\n\t}", at("function f() {", "\n}\n")), "\n    if (y) {\n        z();\n    }");
    });
    it("leaves a different step width alone: guessed from a few lines, it is as often alignment", () => {
        const two = { useTabs: false, size: 2 };
        assert.equal(
            postprocessCompletion("\n    if (y) {\n        z();\n    }", at("function f() {", "\n}\n", "\n", two)),
            "\n    if (y) {\n        z();\n    }",
        );
    });
    it("leaves indentation alone in a document that mixes tabs and spaces", () => {
        const gnu = { useTabs: false, size: 2, mixed: true as const };
        assert.equal(postprocessCompletion("\n      f (a,\n\t b);", at("  {", "\n  }\n", "\n", gnu)), "\n      f (a,\n\t b);");
    });
});

describe("rules one by one", () => {
    it("cutAtSpecialTokenText leaves lookalikes in code alone", () => {
        assert.equal(cutAtSpecialTokenText("a <PREFIX> b < s >"), "a <PREFIX> b < s >");
    });
    it("cutAtSpecialTokenText cuts a spelled token, but not Llama's token texts where code uses them", () => {
        assert.equal(cutAtSpecialTokenText("return a;\n <EOT> more"), "return a;\n");
        assert.equal(cutAtSpecialTokenText("x = 1;</s>"), "x = 1;");
        assert.equal(cutAtSpecialTokenText("total</s>"), "total");
        assert.equal(cutAtSpecialTokenText("List<s> items"), "List<s> items", "a generic's type parameter");
        assert.equal(cutAtSpecialTokenText("<s>old</s> new"), "", "an answer that starts with <s> starts a new text");
        assert.equal(cutAtSpecialTokenText("a <s>old</s> b"), "a ", "the opening tag, not the code's");
        assert.equal(cutAtSpecialTokenText("done [/INST] Sure"), "done ");
        assert.equal(cutAtSpecialTokenText('r"(?P<h>\\d)(?P<s>\\d)"'), 'r"(?P<h>\\d)(?P<s>\\d)"', "a regex's group name");
        assert.equal(cutAtSpecialTokenText("<s>old</s> new", "<p><s>price</s></p>"), "<s>old</s> new", "the document strikes text through itself");
        assert.equal(cutAtSpecialTokenText("<s>old</s> <EOT>", "<s>a</s>"), "<s>old</s>", "an infill token is cut wherever it stands");
    });
    it("trimSuffixOverlap removes only closers or real repeats", () => {
        assert.equal(trimSuffixOverlap("foo)", ")"), "foo");
        assert.equal(trimSuffixOverlap("f(x)", ")"), "f(x)", "the answer's own bracket");
        assert.equal(trimSuffixOverlap("a(b))", "))"), "a(b)", "only the brackets that close what was open before the cursor");
        assert.equal(trimSuffixOverlap("x = 1; // sum", " // sum"), "x = 1;");
        assert.equal(trimSuffixOverlap("foo", "o"), "foo", "a single letter is no repeat");
        assert.equal(trimSuffixOverlap("foo", ""), "foo");
    });
    it("dropRepeatedSuffixLines compares lines with their indentation", () => {
        assert.equal(dropRepeatedSuffixLines("a\n  b\n}", ["}", "c"]), "a\n  b");
        assert.equal(dropRepeatedSuffixLines("a\n  b\n  }", ["}", "c"]), "a\n  b\n  }", "an inner block's brace is not the outer one's");
        assert.equal(dropRepeatedSuffixLines("a\nb", ["c"]), "a\nb");
    });
    it("repeatsLineAbove", () => {
        assert.equal(repeatsLineAbove("  return x;", "return x;"), true);
        assert.equal(repeatsLineAbove("return y;", "return x;"), false);
    });
    it("surroundings splits the cursor's neighbourhood", () => {
        assert.deepEqual(surroundings("a\nb\n  c", "d\ne\nf", spaces4), {
            linePrefix: "  c",
            lineSuffix: "d",
            previousLine: "b",
            nextLines: ["e", "f"],
            documentIndent: spaces4,
        });
        assert.deepEqual(surroundings("", "", spaces4), { linePrefix: "", lineSuffix: "", previousLine: "", nextLines: [], documentIndent: spaces4 });
    });
});
