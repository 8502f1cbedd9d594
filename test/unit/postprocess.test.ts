import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { cutAtSpecialTokenText, postprocessCompletion } from "../../server/src/completion/postprocess.js";

describe("postprocessCompletion", () => {
    const lf = { eol: "\n" as const };
    it("keeps ordinary code as it is", () => {
        assert.equal(postprocessCompletion("return a + b;", lf), "return a + b;");
    });
    it("never shows special-token text", () => {
        for (const marker of ["<EOT>", "▁<EOT>", "<PRE>", "<SUF>", "<MID>", "</s>", "<s>", "[INST]", "[/INST]", "<<SYS>>"]) {
            assert.equal(postprocessCompletion(`x = 1;${marker} junk`, lf), "x = 1;", marker);
        }
    });
    it("drops completions that are only whitespace", () => {
        assert.equal(postprocessCompletion(" \n\t\n", lf), "");
        assert.equal(postprocessCompletion("<EOT>", lf), "");
    });
    it("trims trailing blank lines", () => {
        assert.equal(postprocessCompletion("a();\n\n  \n", lf), "a();");
    });
    it("writes the document's CRLF line breaks", () => {
        assert.equal(postprocessCompletion("\n  return a + b;\n}", { eol: "\r\n" }), "\r\n  return a + b;\r\n}");
    });
});

describe("cutAtSpecialTokenText", () => {
    it("leaves lookalikes in code alone", () => {
        assert.equal(cutAtSpecialTokenText("a <PREFIX> b < s >"), "a <PREFIX> b < s >");
    });
});
