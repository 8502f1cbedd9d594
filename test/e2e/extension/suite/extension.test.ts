/// <reference types="mocha" />
// In-host suite: runs inside a real VS Code extension host next to the Code Llama extension. Its
// before() writes the settings the wrapper passed (test/e2e/extension.test.ts, vsix.test.ts: the
// tiny scripted model, one thread) to the user settings; every fill-in-the-middle prompt makes that
// model answer FIM_ANSWER.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import type { CodeLlamaApi } from "../../../../client/src/extension.js";
import { FIM_ANSWER } from "../../../../tools/tinyCodellama/model.js";
import {
    acceptInlineSuggestion,
    activateExtension,
    applyTestSettings,
    EXTENSION_ID,
    nextInlineCompletion,
    openEditor,
    serverPids,
    setSetting,
    type,
    waitFor,
    waitForState,
} from "../helpers.js";

const workspace = (): string => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, "no workspace folder open");
    return folder;
};
const SOURCE = "function add(a, b) {\n\n}\n";
const CURSOR = new vscode.Position(1, 0);
const INDENT = "    ";

/** Types the indentation of the function body and returns the inline completion the editor got for it. */
async function typeInBody(api: CodeLlamaApi, file: string): Promise<{ editor: vscode.TextEditor; items: string[]; enabled: boolean }> {
    const editor = await openEditor(api, path.join(workspace(), file), SOURCE, CURSOR);
    const answer = nextInlineCompletion(api, editor.document, new vscode.Position(CURSOR.line, INDENT.length));
    // One keystroke, as Tab inserts it: with the psm-line layout a suggestion after one space is the
    // scripted model's answer to a prompt ending in "▁", which a slow accept could pick up.
    await vscode.commands.executeCommand("type", { text: INDENT });
    const { items, enabled } = await answer;
    return { editor, items, enabled };
}

describe("Code Llama extension in VS Code", () => {
    let api: CodeLlamaApi;

    before(async () => {
        api = await activateExtension();
        await applyTestSettings();
    });

    afterEach(async function () {
        // Now, not at the end: a hung or crashed host would swallow mocha's summary.
        if (this.currentTest?.state === "failed") console.error(`FAILED: ${this.currentTest.fullTitle()}\n${this.currentTest.err?.stack ?? ""}`);
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    it("activates and the server reaches ready (model name, CPU) in the status bar", async () => {
        await waitForState(api, "ready");
        const status = api.serverStatus!;
        assert.equal(status.health, "ok");
        assert.equal(status.device, "cpu");
        assert.ok(status.model, "no model name");
        await waitFor("status bar ready", () => api.statusBar.kind === "ready");
        assert.equal(api.statusBar.text, `$(check) Code Llama: ${status.model} (CPU)`);
        assert.equal(api.statusBar.command, "codellama.showMenu");
        // The engine runs the one thread the test settings give it, and says so.
        assert.equal(status.threads?.source, "setting");
        assert.match(api.statusBar.tooltip, /\nThreads: 1 \(as set in codellama\.engine\.threads; \d+ CPUs? usable\)/);
        // The packaging test runs this suite on the extension installed from the .vsix.
        const expectedPath = process.env.CODELLAMA_E2E_EXTENSION_PATH;
        if (expectedPath) {
            assert.equal(vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath, expectedPath);
            const [pid] = serverPids();
            assert.ok(pid, "no language server process");
            assert.ok(
                fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(path.join(expectedPath, "dist", "server.js")),
                "the server does not run from the installed extension",
            );
        }
        const commands = await vscode.commands.getCommands(true);
        for (const id of ["toggleCompletions", "triggerCompletion", "selectModelFile", "downloadModel", "showLogs", "restartServer"]) {
            assert.ok(commands.includes(`codellama.${id}`), `codellama.${id} not registered`);
        }
    });

    it("a workspace's .vscode/settings.json cannot point the extension at a model file or another engine", async () => {
        await waitForState(api, "ready");
        const settings = JSON.parse(fs.readFileSync(path.join(workspace(), ".vscode", "settings.json"), "utf8")) as Record<string, string>;
        const planted = settings["codellama.model.path"]!;
        assert.ok(planted, "the test workspace plants a model path");
        const config = vscode.workspace.getConfiguration("codellama");
        assert.notEqual(config.get("model.path"), planted);
        assert.equal(config.inspect("model.path")?.workspaceValue, undefined, "machine-scoped: not taken from the workspace");
        assert.equal(config.get("engine.backend"), "embedded");
        // The server runs the user's model, not the planted one.
        assert.equal(api.serverStatus?.state, "ready");
        assert.equal(api.serverStatus?.device, "cpu");
    });

    it("typing shows the model's completion as an inline suggestion", async () => {
        const { editor, items, enabled } = await typeInBody(api, "add.js");
        assert.equal(enabled, true);
        assert.deepEqual(items, [FIM_ANSWER]);
        // Typing did not insert anything but the keystrokes: the suggestion is only shown.
        assert.equal(editor.document.getText(), "function add(a, b) {\n    \n}\n");
    });

    it("accepting the suggestion inserts exactly its text", async () => {
        const { editor, items } = await typeInBody(api, "accept.js");
        assert.deepEqual(items, [FIM_ANSWER]);
        const expected = `function add(a, b) {\n${INDENT}${FIM_ANSWER}\n}\n`;
        assert.equal(await acceptInlineSuggestion(editor), true, "no suggestion to accept");
        assert.equal(editor.document.getText(), expected);
        assert.deepEqual(editor.selection.active, new vscode.Position(1, INDENT.length + FIM_ANSWER.length));
    });

    it("counts what the user did with suggestions, and the counts survive a server restart", async () => {
        const before = api.suggestionCounts;
        const { editor, items } = await typeInBody(api, "counted.js");
        assert.deepEqual(items, [FIM_ANSWER]);
        await waitFor(
            "the suggestion counted as shown",
            () => api.suggestionCounts.shown > before.shown,
            5_000,
            () => api.suggestionCounts,
        );
        assert.equal(await acceptInlineSuggestion(editor), true, "no suggestion to accept");
        await waitFor(
            "the suggestion counted as accepted",
            () => api.suggestionCounts.accepted === before.accepted + 1,
            5_000,
            () => api.suggestionCounts,
        );
        const counted = api.suggestionCounts;
        assert.equal(counted.since, before.since);

        // The extension keeps them (global state), not the server: a new server, or a new model in it, starts from them.
        await vscode.commands.executeCommand("codellama.restartServer");
        await waitForState(api, "ready");
        assert.deepEqual(api.suggestionCounts, counted);
    });

    it("the trigger command asks for a completion explicitly", async () => {
        const editor = await openEditor(
            api,
            path.join(workspace(), "trigger.js"),
            `function add(a, b) {\n${INDENT}\n}\n`,
            new vscode.Position(1, INDENT.length),
        );
        const answer = nextInlineCompletion(api, editor.document);
        await vscode.commands.executeCommand("codellama.triggerCompletion");
        assert.deepEqual((await answer).items, [FIM_ANSWER]);
    });

    it("a cursor that comes to rest asks the server to warm the cache there; typing does not", async () => {
        const editor = await openEditor(api, path.join(workspace(), "warm.js"), `function add(a, b) {\n${INDENT}\n}\n`, new vscode.Position(1, INDENT.length));
        // Opening the editor is a rest of its own: let that warm-up go out first.
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const asked: { uri: string; position: vscode.Position }[] = [];
        const subscription = api.onDidAskToWarmCache((event) => asked.push(event));
        try {
            await type("x");
            await new Promise((resolve) => setTimeout(resolve, 1_000));
            assert.equal(asked.length, 0, "an edit already asks for a suggestion");
            await vscode.commands.executeCommand("cursorUp");
            const event = await waitFor("a warm-up request", () => asked[0], 5_000);
            assert.equal(event.uri, editor.document.uri.toString());
            assert.deepEqual(event.position, editor.selection.active);
            assert.equal(event.position.line, 0);
        } finally {
            subscription.dispose();
        }
    });

    it("copying from an editor reports the copied range to the server", async () => {
        const editor = await openEditor(api, path.join(workspace(), "copy.js"), `function add(a, b) {\n${INDENT}return a + b;\n}\n`, new vscode.Position(1, 0));
        const reported = new Promise<{ uri: string; range: vscode.Range }>((resolve) => {
            const subscription = api.onDidReportCopy((event) => {
                subscription.dispose();
                resolve(event);
            });
        });
        editor.selection = new vscode.Selection(new vscode.Position(0, 0), new vscode.Position(2, 1));
        await vscode.commands.executeCommand("editor.action.clipboardCopyAction");
        const event = await Promise.race([reported, new Promise<undefined>((resolve) => setTimeout(resolve, 10_000))]);
        assert.ok(event, "no codellama/didCopy within 10 s of the copy");
        assert.equal(event.uri, editor.document.uri.toString());
        assert.deepEqual([event.range.start.line, event.range.end.line, event.range.end.character], [0, 2, 1]);
    });

    it("a secret file (completion.exclude) gets no suggestion, and the status bar says why", async () => {
        const editor = await openEditor(api, path.join(workspace(), ".env.local"), "API_KEY=\n", new vscode.Position(0, 8));
        const answer = nextInlineCompletion(api, editor.document);
        await type("x");
        assert.deepEqual((await answer).items, []);
        await waitFor(
            "status bar excluded",
            () => api.statusBar.text === "$(lock) Code Llama: excluded",
            10_000,
            () => api.statusBar,
        );
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
        await waitFor(
            "status bar ready again",
            () => api.statusBar.kind === "ready",
            10_000,
            () => api.statusBar,
        );
    });

    describe("toggling completions", () => {
        afterEach(async () => {
            await setSetting("completion.enabled", undefined);
            await setSetting("completion.enabled", undefined, "javascript");
        });

        it("off everywhere: no suggestions, status bar says disabled; on again: suggestions", async () => {
            assert.equal(await vscode.commands.executeCommand("codellama.toggleCompletions"), false);
            assert.equal(vscode.workspace.getConfiguration("codellama").inspect("completion.enabled")?.globalValue, false);
            const off = await typeInBody(api, "off.js");
            assert.deepEqual(off, { editor: off.editor, items: [], enabled: false });
            await waitFor("status bar disabled", () => api.statusBar.kind === "disabled");
            assert.equal(api.statusBar.text, "$(circle-slash) Code Llama: disabled");
            assert.equal(await acceptInlineSuggestion(off.editor, 1_000), false, "accepted a suggestion while completions are off");
            assert.equal(off.editor.document.getText(), `function add(a, b) {\n${INDENT}\n}\n`);

            assert.equal(await vscode.commands.executeCommand("codellama.toggleCompletions"), true);
            await vscode.commands.executeCommand("workbench.action.closeAllEditors");
            const on = await typeInBody(api, "on.js");
            assert.deepEqual(on.items, [FIM_ANSWER]);
            assert.equal(api.statusBar.kind, "ready");
        });

        it("off for one language only", async () => {
            assert.equal(await vscode.commands.executeCommand("codellama.toggleCompletionsForLanguage", "javascript"), false);
            assert.equal(vscode.workspace.getConfiguration("codellama", { languageId: "javascript" }).get("completion.enabled"), false);
            const js = await typeInBody(api, "lang.js");
            assert.equal(js.enabled, false);
            assert.deepEqual(js.items, []);
            await waitFor("status bar disabled for javascript", () => api.statusBar.kind === "disabled");
            const python = await typeInBody(api, "lang.py");
            assert.equal(python.enabled, true);
            assert.deepEqual(python.items, [FIM_ANSWER]);
            await waitFor("status bar ready for python", () => api.statusBar.kind === "ready");
        });
    });

    describe("a missing model file", () => {
        let modelPath: string;
        before(() => {
            modelPath = vscode.workspace.getConfiguration("codellama").get<string>("model.path", "");
            assert.ok(modelPath, "the test model is not configured");
        });
        after(async () => {
            await setSetting("model.path", modelPath);
            await waitForState(api, "ready");
        });

        it("shows the error state, and the editor keeps working", async () => {
            const missing = path.join(workspace(), "no-such-model.gguf");
            await setSetting("model.path", missing);
            await waitFor(
                "error status",
                () => api.serverStatus?.state === "error" && api.serverStatus,
                60_000,
                () => api.serverStatus,
            );
            assert.equal(api.serverStatus?.error, "model-not-found");
            assert.match(api.serverStatus?.message ?? "", /no-such-model\.gguf/);
            await waitFor("status bar error", () => api.statusBar.kind === "error");
            assert.equal(api.statusBar.text, "$(error) Code Llama: error");
            assert.equal(api.statusBar.command, "codellama.showMenu");
            assert.equal(api.statusBar.severity, "error");

            // The editor still edits, and asking for completions answers nothing instead of failing.
            const { editor, items } = await typeInBody(api, "broken.js");
            assert.deepEqual(items, []);
            await type("return 1;");
            assert.equal(editor.document.getText(), `function add(a, b) {\n${INDENT}return 1;\n}\n`);
            await vscode.commands.executeCommand("codellama.showLogs");

            // Fixing the setting brings completions back.
            await setSetting("model.path", modelPath);
            await waitForState(api, "ready");
        });
    });

    describe("server restarts", () => {
        it("comes back after it is killed, and completes again", async () => {
            await waitForState(api, "ready");
            const [pid, ...others] = serverPids();
            assert.ok(pid, "no language server process found");
            assert.deepEqual(others, []);
            process.kill(pid, "SIGKILL");
            await waitFor("the server to go", () => api.serverStatus?.state !== "ready", 10_000);
            await waitForState(api, "ready");
            const restarted = serverPids();
            assert.equal(restarted.length, 1);
            assert.notEqual(restarted[0], pid);
            const { items } = await typeInBody(api, "restarted.js");
            assert.deepEqual(items, [FIM_ANSWER]);
        });

        it("the restart command starts a new server", async () => {
            const [pid] = serverPids();
            await vscode.commands.executeCommand("codellama.restartServer");
            await waitForState(api, "ready");
            const [restarted] = serverPids();
            assert.ok(restarted && restarted !== pid, `pid ${pid} -> ${restarted}`);
        });
    });
});
