/**
 * Code Llama for VS Code: starts the language server bundled with the extension (dist/server.js)
 * and wires its status to the UI. Completions are the server's, shown through the LSP inline
 * completion support of vscode-languageclient.
 */
import * as vscode from "vscode";
import { type LanguageClient, State } from "vscode-languageclient/node";
import { COMMANDS } from "../../shared/src/commands.js";
import { cancelLoadNotification, type ServerStatus, statusNotification } from "../../shared/src/protocol.js";
import { activateChat, type ChatApi } from "./chat/chatFeature.js";
import { createLanguageClient, type InlineCompletionEvent } from "./client.js";
import { showClosableNotification } from "./closableNotification.js";
import { registerCommands } from "./commands.js";
import { watchCopies } from "./copyWatcher.js";
import { errorMessage } from "./errorMessage.js";
import { LoadProgress } from "./loadProgress.js";
import { ModelSetup } from "./modelSetup.js";
import { readServerKey, registerServerKeyCommand } from "./serverKey.js";
import { registerStatistics } from "./statistics.js";
import { StatusBar } from "./statusBar.js";
import type { ConnectionState, StatusPresentation } from "./statusDisplay.js";
import { type SuggestionCounts, SuggestionStatistics } from "./suggestionStatistics.js";
import { SuggestionTracker } from "./suggestionTracker.js";
import { watchSuggestions } from "./suggestionWatcher.js";
import { type WarmCacheEvent, watchRestingCursor } from "./warmCache.js";

/** What activate() returns: read-only state for other extensions and the tests. */
export interface CodeLlamaApi {
    /** The last status pushed by the server (undefined while it starts). */
    readonly serverStatus: ServerStatus | undefined;
    /** What the status bar item shows. */
    readonly statusBar: StatusPresentation;
    readonly onDidChangeStatus: vscode.Event<StatusPresentation>;
    /** Each inline completion answer the editor got (or was refused because completions are off). */
    readonly onDidProvideInlineCompletions: vscode.Event<InlineCompletionEvent>;
    /** Each codellama/warmCache sent because the cursor came to rest. */
    readonly onDidAskToWarmCache: vscode.Event<WarmCacheEvent>;
    /** Each copy from an editor reported to the server (codellama/didCopy). */
    readonly onDidReportCopy: vscode.Event<{ uri: string; range: vscode.Range }>;
    /** The chat panel's session (see client/src/chat/). */
    readonly chat: ChatApi;
    /** What the user did with the suggestions, kept across restarts (client/src/suggestionStatistics.ts). */
    readonly suggestionCounts: SuggestionCounts;
}

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): CodeLlamaApi {
    const output = vscode.window.createOutputChannel("Code Llama", { log: true });
    const inlineCompletions = new vscode.EventEmitter<InlineCompletionEvent>();
    const warmCacheRequests = new vscode.EventEmitter<WarmCacheEvent>();
    const copies = new vscode.EventEmitter<{ uri: string; range: vscode.Range }>();
    const serverEnv: NodeJS.ProcessEnv = { ...process.env };
    const suggestionStatistics = new SuggestionStatistics(context.globalState);
    const tracker = new SuggestionTracker((outcome) => void suggestionStatistics.count(outcome));
    const languageClient = createLanguageClient(context, output, serverEnv, {
        answered: (event) => inlineCompletions.fire(event),
        delivered: (document, position, text) => tracker.delivered(document.uri.toString(), document.offsetAt(position), text),
        accepted: () => tracker.acceptCommand(),
    });
    client = languageClient;
    const statusBar = new StatusBar();
    const modelSetup = new ModelSetup(languageClient, output);
    const loadProgress = new LoadProgress(() => void languageClient.sendNotification(cancelLoadNotification).catch(() => undefined), showClosableNotification);

    context.subscriptions.push(
        output,
        inlineCompletions,
        warmCacheRequests,
        copies,
        statusBar,
        loadProgress,
        languageClient.onNotification(statusNotification, (status) => {
            statusBar.setServerStatus(status);
            modelSetup.onStatus(status);
            loadProgress.update(status);
        }),
        // "Stopped" also shows for a moment while the client restarts a crashed server: look again once it settled.
        languageClient.onDidChangeState(() =>
            setTimeout(() => {
                statusBar.setConnection(connectionState(languageClient.state));
                if (languageClient.state !== State.Running) loadProgress.update(undefined);
            }, 0),
        ),
        ...registerCommands({ client: languageClient, output, statusBar, modelSetup }),
        ...registerStatistics(languageClient, suggestionStatistics),
        watchSuggestions(tracker),
        watchRestingCursor(languageClient, (event) => warmCacheRequests.fire(event)),
        watchCopies(languageClient, (event) => copies.fire(event)),
        registerServerKeyCommand(context, async () => {
            serverEnv.CODELLAMA_API_KEY = (await readServerKey(context)) ?? "";
            await vscode.commands.executeCommand(COMMANDS.restartServer);
        }),
        // VS Code's own word accept, under the extension's name in the palette (the tracker counts it like Ctrl+Right).
        vscode.commands.registerCommand(COMMANDS.acceptNextWord, () => vscode.commands.executeCommand("editor.action.inlineSuggest.acceptNextWord")),
    );
    const chat = activateChat(context, languageClient, output, statusBar);
    void Promise.resolve(readServerKey(context))
        .then(async (key) => {
            if (key) serverEnv.CODELLAMA_API_KEY = key;
            await languageClient.start();
        })
        .catch((error: unknown) => {
            output.error(`Could not start the Code Llama server: ${errorMessage(error)}`);
            statusBar.setConnection("stopped");
        });

    return {
        get serverStatus() {
            return statusBar.serverStatus;
        },
        get statusBar() {
            return statusBar.presentation;
        },
        onDidChangeStatus: statusBar.onDidChange,
        onDidProvideInlineCompletions: inlineCompletions.event,
        onDidAskToWarmCache: warmCacheRequests.event,
        onDidReportCopy: copies.event,
        chat,
        get suggestionCounts() {
            return suggestionStatistics.counts;
        },
    };
}

export async function deactivate(): Promise<void> {
    await client?.stop();
    client = undefined;
}

function connectionState(state: State): ConnectionState {
    return state === State.Running ? "running" : state === State.Starting ? "starting" : "stopped";
}
