/// <reference types="mocha" />
// In-host suite of the chat (runs inside a real VS Code extension host, see test/e2e/chat.test.ts):
// the panel, streaming, Explain and Debug on real editors, the quick fix and the fix preview,
// prompt files, Stop, and a server killed in the middle of an answer. The tiny scripted model
// answers every chat with INSTRUCT_CHAT_ANSWER; a random-weights model talks until stopped.
import assert from "node:assert/strict";
import path from "node:path";
import * as vscode from "vscode";
import type { ChatTurn } from "../../../../client/src/chat/conversation.js";
import type { CodeLlamaApi } from "../../../../client/src/extension.js";
import { INSTRUCT_CHAT_ANSWER } from "../../../../tools/tinyCodellama/model.js";
import { activateExtension, applyTestSettings, serverPids, setSetting, waitFor, waitForState } from "../../extension/helpers.js";

const workspace = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const randomModel = (): string => {
    const model = process.env.CODELLAMA_E2E_RANDOM_MODEL;
    assert.ok(model, "CODELLAMA_E2E_RANDOM_MODEL is not set");
    return model;
};

async function openFile(name: string, selection?: vscode.Range): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(path.join(workspace(), name));
    const editor = await vscode.window.showTextDocument(document);
    if (selection) editor.selection = new vscode.Selection(selection.start, selection.end);
    return editor;
}

const lastQuestion = (api: CodeLlamaApi): string => api.chat.current.turns.filter((turn) => turn.role === "user").at(-1)!.content;

describe("Code Llama chat in VS Code", () => {
    let api: CodeLlamaApi;
    let tinyModel: string;

    before(async () => {
        api = await activateExtension();
        const settings = await applyTestSettings();
        tinyModel = settings["codellama.model.path"] as string;
        await waitForState(api, "ready", 90_000);
    });

    afterEach(async function () {
        if (this.currentTest?.state === "failed") console.error(`FAILED: ${this.currentTest.fullTitle()}\n${this.currentTest.err?.stack ?? ""}`);
        await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    });

    it("opens the panel; a question streams the scripted answer into the chat, which is stored", async () => {
        await vscode.commands.executeCommand("codellama.openChat");
        await waitFor("the chat panel", () => api.chat.viewVisible, 15_000);
        api.chat.newChat();
        const streamed: ChatTurn[] = [];
        const subscription = api.chat.onDidChange((change) => {
            if (change.kind === "turn") streamed.push(change.turn);
        });
        const answer = await api.chat.ask("Hello, who are you?");
        subscription.dispose();
        assert.equal(answer.status, "done");
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
        assert.ok(streamed.length >= 1, "no streamed update");
        for (const update of streamed) {
            assert.equal(update.status, "streaming");
            assert.ok(INSTRUCT_CHAT_ANSWER.startsWith(update.content) && update.content.length > 0, `streamed ${JSON.stringify(update.content)}`);
        }
        // What the panel is given to show, and what the history keeps.
        const state = api.chat.viewState();
        assert.deepEqual(
            state.chat.turns.map((turn) => [turn.role, turn.content]),
            [
                ["user", "Hello, who are you?"],
                ["assistant", INSTRUCT_CHAT_ANSWER],
            ],
        );
        assert.equal(state.busy, false);
        await api.chat.flush();
        const [latest] = api.chat.list();
        assert.equal(latest?.id, api.chat.current.id);
        assert.equal(latest?.title, "Hello, who are you?");
        // A follow-up sends the whole conversation.
        const second = await api.chat.ask("And then?");
        assert.equal(second.status, "done");
        assert.equal(api.chat.current.turns.length, 4);
    });

    it("Explain on a selection: the file's language and name and the code in the prompt, answered in a new chat", async () => {
        const before = api.chat.current.id;
        await openFile("explain.js", new vscode.Range(0, 0, 2, 1));
        const answer = (await vscode.commands.executeCommand<ChatTurn>("codellama.explain"))!;
        assert.equal(answer.status, "done");
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
        assert.notEqual(api.chat.current.id, before);
        assert.equal(api.chat.current.title, "Explain: explain.js");
        assert.match(api.chat.current.system ?? "", /You are Code Llama/);
        const question = lastQuestion(api);
        assert.match(question, /this javascript code from explain\.js/);
        assert.ok(question.includes("```javascript\nfunction add(a, b) {\n    return a + b;\n}\n```"), question);
        assert.equal(answer.fixTarget, undefined, "Explain answers are not fixes");
    });

    it("Explain with no selection takes the enclosing function", async () => {
        const editor = await openFile("explain.js");
        editor.selection = new vscode.Selection(1, 6, 1, 6);
        const answer = (await vscode.commands.executeCommand<ChatTurn>("codellama.explain"))!;
        assert.equal(answer.status, "done");
        const question = lastQuestion(api);
        assert.ok(question.includes("function add(a, b) {\n    return a + b;\n}"), question);
        assert.ok(!question.includes("const unused"), question);
    });

    it("Debug: overlapping diagnostics in the prompt, offered as a quick fix; the fix previews as a diff and applies", async () => {
        const file = path.join(workspace(), "debug.js");
        const uri = vscode.Uri.file(file);
        const diagnostics = vscode.languages.createDiagnosticCollection("codellama-test");
        try {
            diagnostics.set(uri, [
                new vscode.Diagnostic(new vscode.Range(1, 15, 1, 16), "Cannot find name 'c'.", vscode.DiagnosticSeverity.Error),
                new vscode.Diagnostic(new vscode.Range(5, 0, 5, 5), "Unreachable code.", vscode.DiagnosticSeverity.Warning),
            ]);
            const editor = await openFile("debug.js");
            const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
                "vscode.executeCodeActionProvider",
                uri,
                new vscode.Range(1, 15, 1, 16),
                vscode.CodeActionKind.QuickFix.value,
            );
            const ask = actions.find((action) => action.title === "Ask Code Llama to fix");
            assert.ok(ask?.command, `no "Ask Code Llama to fix" among ${actions.map((action) => action.title).join(", ")}`);
            assert.equal(ask.kind?.value, vscode.CodeActionKind.QuickFix.value);

            const answer = (await vscode.commands.executeCommand<ChatTurn>(ask.command.command, ...(ask.command.arguments ?? [])))!;
            assert.equal(answer.status, "done");
            const question = lastQuestion(api);
            assert.match(question, /Find the cause of the problem in this javascript code from debug\.js/);
            assert.match(question, /- line 2: error: Cannot find name 'c'\./);
            assert.doesNotMatch(question, /Unreachable/, "a problem outside the function is not part of the question");
            assert.ok(question.includes("function add(a, b) {\n    return a + c;\n}"), question);
            assert.deepEqual(answer.fixTarget?.range, [0, 0, 2, 1]);

            // The answer's code block (the scripted model has none, so the command is given one).
            const original = editor.document.getText();
            assert.equal(await vscode.commands.executeCommand("codellama.previewFix", "function add(a, b) {\n    return a + b;\n}"), true);
            const diffTab = (): vscode.Tab | undefined =>
                vscode.window.tabGroups.all
                    .flatMap((group) => group.tabs)
                    .find((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === "codellama-fix");
            await waitFor("the diff preview", () => diffTab(), 10_000);
            const proposed = await vscode.workspace.openTextDocument((diffTab()!.input as vscode.TabInputTextDiff).modified);
            assert.equal(proposed.getText(), original.replace("a + c", "a + b"));
            assert.equal(editor.document.getText(), original, "previewing changes nothing");

            assert.equal(await vscode.commands.executeCommand("codellama.acceptFix"), true);
            const document = await vscode.workspace.openTextDocument(uri);
            assert.equal(document.getText(), original.replace("a + c", "a + b"));
            await waitFor("the preview to close", () => !diffTab(), 10_000);
            assert.equal(await vscode.commands.executeCommand("codellama.acceptFix"), false, "nothing left to apply");
            await document.save();
        } finally {
            diagnostics.dispose();
        }
    });

    it("Run Prompt: a workspace prompt file and a user prompt file run like Explain; a broken one is left out", async () => {
        await openFile("explain.js", new vscode.Range(0, 0, 2, 1));
        const review = (await vscode.commands.executeCommand<ChatTurn>("codellama.runPrompt", "Review"))!;
        assert.equal(review.status, "done");
        assert.equal(api.chat.current.title, "Review: explain.js");
        assert.match(lastQuestion(api), /^Review this javascript code from explain\.js for bugs:\n```javascript\nfunction add/);
        assert.equal(api.chat.current.system, "You review javascript code.");

        const shout = (await vscode.commands.executeCommand<ChatTurn>("codellama.runPrompt", "Shout"))!;
        assert.equal(shout.status, "done");
        assert.match(lastQuestion(api), /^SAY WHAT explain\.js DOES/);

        await assert.rejects(Promise.resolve(vscode.commands.executeCommand("codellama.runPrompt", "Broken")), /no prompt template named Broken/);
    });

    describe("with a model that talks until stopped", () => {
        before(async () => {
            await setSetting("engine.contextSize", 4096);
            await setSetting("chat.maxTokens", 2000);
            await setSetting("model.path", randomModel());
            await waitFor(
                "the random model",
                () => api.serverStatus?.state === "ready" && api.serverStatus.model?.includes("random"),
                60_000,
                () => api.serverStatus,
            );
        });
        after(async () => {
            await setSetting("model.path", tinyModel);
            await setSetting("chat.maxTokens", undefined);
            await setSetting("engine.contextSize", 1024);
            await waitFor(
                "the tiny model",
                () => api.serverStatus?.state === "ready" && !api.serverStatus.model?.includes("random"),
                60_000,
                () => api.serverStatus,
            );
        });

        it("Stop ends the answer and keeps what was produced", async () => {
            api.chat.newChat();
            const answer = api.chat.ask("Tell me a long story");
            await waitFor("some of the answer", () => (api.chat.current.turns.at(-1)?.content.length ?? 0) > 20, 30_000);
            assert.equal(api.chat.busy, true);
            await api.chat.stop();
            const turn = await answer;
            assert.equal(turn.status, "stopped");
            assert.ok(turn.content.length > 20, turn.content);
            assert.equal(api.chat.busy, false);
        });

        it("the server killed mid-answer: the chat keeps its history and says the answer was interrupted", async () => {
            api.chat.newChat();
            const chatId = api.chat.current.id;
            const answer = api.chat.ask("Another long story, please");
            await waitFor("some of the answer", () => (api.chat.current.turns.at(-1)?.content.length ?? 0) > 20, 30_000);
            const [pid] = serverPids();
            assert.ok(pid, "no language server process");
            process.kill(pid, "SIGKILL");
            const turn = await answer;
            assert.equal(turn.status, "interrupted");
            assert.match(turn.error ?? "", /server stopped/);
            assert.ok(turn.content.length > 20, "the partial answer is kept");
            await api.chat.flush();
            assert.equal(api.chat.list()[0]?.id, chatId);
            const stored = api.chat.open(chatId)!;
            assert.deepEqual(
                stored.turns.map((t) => [t.role, t.status]),
                [
                    ["user", undefined],
                    ["assistant", "interrupted"],
                ],
            );
            // The client restarts the server; the chat goes on.
            await waitFor(
                "the restarted server",
                () => serverPids().length === 1 && serverPids()[0] !== pid && api.serverStatus?.state === "ready",
                60_000,
                () => api.serverStatus,
            );
            const next = api.chat.ask("Still there?");
            await waitFor("the next answer", () => (api.chat.current.turns.at(-1)?.content.length ?? 0) > 5, 30_000);
            await api.chat.stop();
            assert.equal((await next).status, "stopped");
        });
    });
});
