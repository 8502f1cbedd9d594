// Test-only wrapper around the Code Llama extension for the workbench UI test (test/e2e/chatUi.test.ts;
// the web workbench loads one development extension, so the test builds a copy of the extension
// whose main is this file). It activates the real extension (dist/extension.cjs) and adds a command
// doing what a person cannot quickly: answer one question with each generated XSS model, switching
// models through the settings. Results go to $CODELLAMA_E2E_DRIVER_OUT.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import * as vscode from "vscode";
import type { CodeLlamaApi } from "../../../../client/src/extension.js";

interface XssModelEntry {
    path: string;
    answer: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sets `codellama.model.path` and resolves once the server has loaded it (or after 10 s). */
async function switchModel(api: CodeLlamaApi, model: string): Promise<void> {
    let sawLoad = false;
    let subscription: vscode.Disposable | undefined;
    const loaded = new Promise<void>((resolve) => {
        subscription = api.onDidChangeStatus(() => {
            const state = api.serverStatus?.state;
            if (state && state !== "ready") sawLoad = true;
            if (sawLoad && state === "ready") resolve();
        });
    });
    await vscode.workspace.getConfiguration("codellama").update("model.path", model, vscode.ConfigurationTarget.Global);
    await Promise.race([loaded, sleep(10_000)]);
    subscription?.dispose();
}

/** Applies $CODELLAMA_E2E_SETTINGS (machine-scoped ones live in code-server's remote user settings). */
async function applySettings(): Promise<void> {
    const settings = JSON.parse(process.env.CODELLAMA_E2E_SETTINGS ?? "{}") as Record<string, unknown>;
    for (const [key, value] of Object.entries(settings)) {
        await vscode.workspace.getConfiguration("codellama").update(key.replace(/^codellama\./, ""), value, vscode.ConfigurationTarget.Global);
    }
}

interface CodeLlamaModule {
    activate(context: vscode.ExtensionContext): CodeLlamaApi;
    deactivate(): Promise<void>;
}
let codeLlama: CodeLlamaModule | undefined;

export function activate(context: vscode.ExtensionContext): CodeLlamaApi {
    codeLlama = createRequire(path.join(context.extensionPath, "package.json"))("./dist/extension.cjs") as CodeLlamaModule;
    const api = codeLlama.activate(context);
    void applySettings();
    context.subscriptions.push(
        vscode.commands.registerCommand("codellamaTest.askXssModels", async () => {
            const models = JSON.parse(process.env.CODELLAMA_E2E_XSS ?? "[]") as XssModelEntry[];
            const results: { model: string; ok: boolean; got: string; tries: number }[] = [];
            const original = vscode.workspace.getConfiguration("codellama").get<string>("model.path", "");
            api.chat.newChat();
            for (const [index, model] of models.entries()) {
                await switchModel(api, model.path);
                let got = "";
                let tries = 0;
                // A question sent while the model still loads gets an error answer: ask again.
                while (tries++ < 5) {
                    got = (await api.chat.ask(`Show me payload ${index + 1}`)).content;
                    if (got === model.answer) break;
                    await sleep(300);
                }
                results.push({ model: model.path, ok: got === model.answer, got, tries });
            }
            await switchModel(api, original);
            await api.chat.flush();
            const out = process.env.CODELLAMA_E2E_DRIVER_OUT;
            if (out) fs.writeFileSync(out, JSON.stringify(results, null, 2));
            void vscode.window.showInformationMessage(`XSS models asked: ${results.filter((r) => r.ok).length} of ${results.length} answered`);
        }),
    );
    return api;
}

export function deactivate(): Promise<void> | undefined {
    return codeLlama?.deactivate();
}
