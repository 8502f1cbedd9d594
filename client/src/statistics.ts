/** "Code Llama: Show Statistics": the server's local completion statistics as a Markdown preview. */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { statsRequest } from "../../shared/src/protocol.js";
import { statisticsMarkdown } from "./statisticsMarkdown.js";
import { COMMANDS } from "../../shared/src/commands.js";

const SCHEME = "codellama-stats";

export function registerStatistics(client: LanguageClient): vscode.Disposable[] {
    let content = "";
    const changed = new vscode.EventEmitter<vscode.Uri>();
    const uri = vscode.Uri.parse(`${SCHEME}:/Code Llama statistics.md`);
    return [
        changed,
        vscode.workspace.registerTextDocumentContentProvider(SCHEME, { onDidChange: changed.event, provideTextDocumentContent: () => content }),
        vscode.commands.registerCommand(COMMANDS.showStatistics, async () => {
            if (!client.isRunning()) {
                void vscode.window.showWarningMessage("Code Llama: the language server is not running.");
                return;
            }
            content = statisticsMarkdown(await client.sendRequest(statsRequest));
            changed.fire(uri);
            await vscode.commands.executeCommand("markdown.showPreview", uri);
        }),
    ];
}
