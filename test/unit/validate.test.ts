import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { positionParamsProblem, rangeParamsProblem } from "../../server/src/lsp/validate.js";

const textDocument = { uri: "file:///a.ts" };

describe("LSP params validation", () => {
    it("accepts a position and names what is wrong with a bad one", () => {
        assert.equal(positionParamsProblem({ textDocument, position: { line: 0, character: 3 } }), undefined);
        assert.match(positionParamsProblem({ textDocument: { uri: 1 }, position: { line: 0, character: 0 } })!, /uri/);
        assert.match(positionParamsProblem({ textDocument, position: { line: -1, character: 0 } })!, /non-negative integers/);
        assert.match(positionParamsProblem(null)!, /object/);
    });
    it("accepts a range and names what is wrong with a bad one", () => {
        assert.equal(rangeParamsProblem({ textDocument, range: { start: { line: 1, character: 0 }, end: { line: 2, character: 5 } } }), undefined);
        assert.match(rangeParamsProblem({ textDocument, range: null })!, /range/);
        assert.match(
            rangeParamsProblem({ textDocument, range: { start: { line: 1, character: 0 }, end: { line: 1.5, character: 0 } } })!,
            /non-negative integers/,
        );
        assert.match(rangeParamsProblem("x")!, /object/);
    });
});
