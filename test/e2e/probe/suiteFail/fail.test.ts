/// <reference types="mocha" />
// Deliberately failing in-host suite: proves that a failing test makes the rig's run fail.
import assert from "node:assert/strict";
import * as vscode from "vscode";

describe("test rig probe (must fail)", () => {
    it("fails on purpose", () => {
        assert.equal(vscode.version, "0.0.0-not-this-version");
    });
});
