/**
 * "Code Llama: Show Statistics" as a Markdown preview: what the user did with the suggestions
 * (counted by the extension, kept across restarts) and what the server measured since it started.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { COMMANDS } from "../../shared/src/commands.js";
import { statsRequest } from "../../shared/src/protocol.js";
import { statisticsMarkdown } from "./statisticsMarkdown.js";
import type { SuggestionStatistics } from "./suggestionStatistics.js";

const SCHEME = "codellama-stats";

export function registerStatistics(client: LanguageClient, suggestions: SuggestionStatistics): vscode.Disposable[] {
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
            content = statisticsMarkdown(await client.sendRequest(statsRequest), suggestions.counts);
            changed.fire(uri);
            await vscode.commands.executeCommand("markdown.showPreview", uri);
        }),
    ];
}
