/**
 * Tells the server where the cursor came to rest (codellama/warmCache), so it can read the code
 * around it into the model's cache before the first keystroke there asks for a suggestion. Only
 * cursor moves and editor switches count: an edit already asks for a suggestion (its own cursor
 * move comes right after it and is ignored). The server ignores the notification while a completion
 * runs or when `codellama.completion.warmCache` is off.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { CURSOR_REST_MS, warmCacheNotification } from "../../shared/src/protocol.js";
import { completionsEnabled } from "./config.js";

/** A selection change this soon after an edit of the document is the edit's own cursor move. */
const EDIT_ECHO_MS = 150;

/** Where a warm-up was asked for (for the extension's API and its tests). */
export interface WarmCacheEvent {
    uri: string;
    position: vscode.Position;
}

export function watchRestingCursor(client: LanguageClient, onSent: (event: WarmCacheEvent) => void): vscode.Disposable {
    let timer: NodeJS.Timeout | undefined;
    let lastEdit = { document: undefined as vscode.TextDocument | undefined, at: 0 };
    const cancel = (): void => {
        clearTimeout(timer);
        timer = undefined;
    };
    const schedule = (editor: vscode.TextEditor | undefined): void => {
        cancel();
        if (!editor || !["file", "untitled"].includes(editor.document.uri.scheme)) return;
        const { document, selection } = editor;
        const version = document.version;
        timer = setTimeout(() => {
            timer = undefined;
            const current = vscode.window.activeTextEditor;
            if (
                current?.document !== document ||
                document.version !== version ||
                !current.selection.isEmpty ||
                !current.selection.active.isEqual(selection.active)
            )
                return;
            if (!client.isRunning() || !completionsEnabled(document)) return;
            client
                .sendNotification(warmCacheNotification, {
                    textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
                    position: client.code2ProtocolConverter.asPosition(selection.active),
                })
                .then(
                    () => onSent({ uri: document.uri.toString(), position: selection.active }),
                    () => undefined,
                );
        }, CURSOR_REST_MS);
    };
    return vscode.Disposable.from(
        vscode.window.onDidChangeTextEditorSelection((event) => {
            if (event.textEditor !== vscode.window.activeTextEditor) return;
            const editEcho = event.textEditor.document === lastEdit.document && Date.now() - lastEdit.at < EDIT_ECHO_MS;
            if (!editEcho) schedule(event.textEditor);
        }),
        vscode.window.onDidChangeActiveTextEditor(schedule),
        vscode.workspace.onDidChangeTextDocument((event) => {
            if (event.contentChanges.length === 0) return;
            lastEdit = { document: event.document, at: Date.now() };
            if (event.document === vscode.window.activeTextEditor?.document) cancel();
        }),
        { dispose: cancel },
    );
}
