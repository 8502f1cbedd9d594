/// <reference types="mocha" />
// In-host suite of the rig probe: runs inside the real VS Code extension host (see probe.test.ts).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as vscode from "vscode";

const EXTENSION_ID = "codellama.codellama-rig-probe";

describe("test rig probe (real VS Code extension host)", () => {
    it("runs VS Code 1.100.x", () => {
        assert.ok(vscode.version.startsWith("1.100"), `vscode.version is ${vscode.version}`);
        console.log(`vscode.version=${vscode.version} appName=${vscode.env.appName} uiKind=${vscode.env.uiKind} node=${process.version}`);
    });

    it("loads the development extension and activates it", async () => {
        const ext = vscode.extensions.getExtension(EXTENSION_ID);
        assert.ok(ext, `${EXTENSION_ID} not found`);
        await ext.activate();
        assert.equal(ext.isActive, true);
    });

    it("runs the contributed command, which reads the user settings the rig wrote", async () => {
        const all = await vscode.commands.getCommands(true);
        assert.ok(all.includes("codellamaProbe.hello"));
        const result = await vscode.commands.executeCommand<string>("codellamaProbe.hello");
        assert.equal(result, "Hi from the Code Llama probe");
    });

    it("sees the environment runVSCodeTests forwarded", () => {
        assert.equal(process.env.CODELLAMA_PROBE_ENV, "forwarded");
    });

    it("opened the requested workspace and edits a document in a real editor", async () => {
        const expected = process.env.CODELLAMA_PROBE_WORKSPACE;
        assert.ok(expected);
        assert.equal(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, expected);
        const file = path.join(expected, "sample.txt");
        const doc = await vscode.workspace.openTextDocument(file);
        const editor = await vscode.window.showTextDocument(doc);
        await editor.edit((b) => b.insert(new vscode.Position(0, 0), "edited: "));
        await doc.save();
        assert.equal(fs.readFileSync(file, "utf8"), "edited: sample\n");
    });
});
