// Helpers of the in-host suites (they run inside the VS Code extension host, next to the extension).
import fs from "node:fs";
import * as vscode from "vscode";
import type { InlineCompletionEvent } from "../../../client/src/client.js";
import type { CodeLlamaApi } from "../../../client/src/extension.js";

export const EXTENSION_ID = "codellama.codellama-vscode";

export async function activateExtension(): Promise<CodeLlamaApi> {
    const extension = vscode.extensions.getExtension<CodeLlamaApi>(EXTENSION_ID);
    if (!extension) throw new Error(`${EXTENSION_ID} is not installed`);
    return extension.activate();
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns something truthy; fails with `what` and the last state after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000, describe?: () => unknown): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = check();
        if (value) return value;
        if (Date.now() > deadline)
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `; last: ${JSON.stringify(describe())}` : ""}`);
        await sleep(50);
    }
}

export function waitForState(api: CodeLlamaApi, state: string, timeoutMs = 60_000): Promise<true> {
    return waitFor(
        `server state "${state}"`,
        () => api.serverStatus?.state === state,
        timeoutMs,
        () => ({ server: api.serverStatus, statusBar: api.statusBar }),
    );
}

/**
 * Resolves with the next inline completion answer the editor gets for `document` (at `position`,
 * if given), or that the extension refused because completions are off.
 */
export function nextInlineCompletion(
    api: CodeLlamaApi,
    document: vscode.TextDocument,
    position?: vscode.Position,
    timeoutMs = 30_000,
): Promise<InlineCompletionEvent> {
    return new Promise((resolve, reject) => {
        const seen: string[] = [];
        const timer = setTimeout(() => {
            subscription.dispose();
            reject(
                new Error(
                    `no inline completion request for ${document.uri}${position ? ` at ${position.line}:${position.character}` : ""} within ${timeoutMs} ms (seen: ${seen.join(", ") || "none"})`,
                ),
            );
        }, timeoutMs);
        const subscription = api.onDidProvideInlineCompletions((event) => {
            if (event.uri !== document.uri.toString()) return;
            seen.push(`${event.position.line}:${event.position.character}`);
            if (position && !event.position.isEqual(position)) return;
            clearTimeout(timer);
            subscription.dispose();
            resolve(event);
        });
    });
}

/**
 * Opens `file` (replacing its text with `text`) in an editor, cursor at `cursor`, ready for typing.
 *
 * VS Code creates an editor's inline suggestion controller lazily ("eventually", when idle), and
 * keystrokes typed before it exists trigger nothing. A person never types that fast; a test does.
 * Asking for a suggestion once (and hiding it) creates the controller now.
 */
export async function openEditor(api: CodeLlamaApi, file: string, text: string, cursor: vscode.Position): Promise<vscode.TextEditor> {
    fs.writeFileSync(file, text);
    const document = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(document);
    if (document.getText() !== text) {
        // Open from an earlier test: load the new text from disk.
        await vscode.commands.executeCommand("workbench.action.files.revert");
    }
    editor.selection = new vscode.Selection(cursor, cursor);
    const first = nextInlineCompletion(api, document, cursor);
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    await first;
    await vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
    return editor;
}

/**
 * Types `text` at the cursor of the active editor key by key, like a person (each keystroke
 * auto-triggers inline completions; a freshly opened editor may miss the very first one).
 */
export async function type(text: string, delayMs = 60): Promise<void> {
    for (const char of text) {
        await vscode.commands.executeCommand("type", { text: char });
        await sleep(delayMs);
    }
}

/**
 * Accepts the inline suggestion shown in the active editor (the command Tab runs while one is
 * shown). The suggestion appears a moment after the provider answered: tries until the text changed.
 */
export async function acceptInlineSuggestion(editor: vscode.TextEditor, timeoutMs = 5_000): Promise<boolean> {
    const before = editor.document.getText();
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
        if (editor.document.getText() !== before) return true;
        await sleep(100);
    }
    return false;
}

/** Pids of the language servers the extension host (this process) started. */
export function serverPids(): number[] {
    const pids: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            if (parent !== process.pid) continue;
            const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
            if (cmdline.some((arg) => arg.endsWith("dist/server.js"))) pids.push(Number(entry));
        } catch {
            // exited meanwhile
        }
    }
    return pids;
}

/**
 * Applies the settings the node:test wrapper passed in CODELLAMA_E2E_SETTINGS to the user settings,
 * through the configuration API like "Select Model File…" does. (code-server is a remote window:
 * machine-scoped settings such as `codellama.model.path` live in its remote user settings, which
 * the rig's `userSettings`, written to the local user settings, cannot set.)
 */
export async function applyTestSettings(): Promise<Record<string, unknown>> {
    const settings = JSON.parse(process.env.CODELLAMA_E2E_SETTINGS ?? "{}") as Record<string, unknown>;
    for (const [key, value] of Object.entries(settings)) {
        if (!key.startsWith("codellama.")) throw new Error(`not a Code Llama setting: ${key}`);
        await setSetting(key.slice("codellama.".length), value);
    }
    return settings;
}

export async function setSetting(key: string, value: unknown, languageId?: string): Promise<void> {
    await vscode.workspace
        .getConfiguration("codellama", languageId ? { languageId } : undefined)
        .update(key, value, vscode.ConfigurationTarget.Global, languageId !== undefined);
}
