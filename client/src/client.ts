/**
 * The language client: where the server is, how it starts, which documents it serves. Inline
 * completions are vscode-languageclient's LSP 3.18 feature; the only middleware is the per-language
 * on/off switch (UI gating, no completion logic).
 */
import type * as vscode from "vscode";
import {
    type ClientCapabilities,
    type FeatureState,
    LanguageClient,
    type LanguageClientOptions,
    RevealOutputChannelOn,
    type ServerOptions,
    type StaticFeature,
    TransportKind,
} from "vscode-languageclient/node";
import { SERVER_COMMANDS } from "../../shared/src/commands.js";
import type { ClientExperimentalCapabilities } from "../../shared/src/protocol.js";
import { completionsEnabled } from "./config.js";

export const CLIENT_ID = "codellama";
export const CLIENT_NAME = "Code Llama";

/** What the client got back for one inline completion request (for the extension API and tests). */
export interface InlineCompletionEvent {
    uri: string;
    position: vscode.Position;
    /** False when the request was not sent because completions are off for the document's language. */
    enabled: boolean;
    items: string[];
}

/** Tells the server that this client shows `codellama/status` itself (status bar, own prompts). */
class StatusCapabilityFeature implements StaticFeature {
    fillClientCapabilities(capabilities: ClientCapabilities): void {
        const experimental: ClientExperimentalCapabilities = { codellamaStatus: true };
        capabilities.experimental = { ...(capabilities.experimental as object | undefined), ...experimental };
    }
    initialize(): void {}
    getState(): FeatureState {
        return { kind: "static" };
    }
    clear(): void {}
}

/** What the client tells the rest of the extension about suggestions. */
export interface SuggestionHooks {
    /** Each inline completion answer (for the extension API and the tests). */
    answered(event: InlineCompletionEvent): void;
    /** A suggestion reached the editor (the request was not cancelled meanwhile): `text` at `position`. */
    delivered(document: vscode.TextDocument, position: vscode.Position, text: string): void;
    /** VS Code ran a suggestion's accept command. */
    accepted(): void;
}

/**
 * `serverEnv` is the server process's environment, read at every (re)start: the API key of a shared
 * inference server travels there, never through settings.
 */
export function createLanguageClient(
    context: vscode.ExtensionContext,
    outputChannel: vscode.LogOutputChannel,
    serverEnv: NodeJS.ProcessEnv,
    hooks: SuggestionHooks,
): LanguageClient {
    const module = context.asAbsolutePath("dist/server.js");
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc, options: { env: serverEnv } },
        debug: { module, transport: TransportKind.ipc, options: { env: serverEnv, execArgv: ["--nolazy", "--inspect=6009"] } },
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
        outputChannel,
        // A crash is reported in the log and the status bar, not in a notification each time.
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        middleware: {
            async provideInlineCompletionItems(document, position, inlineContext, token, next) {
                if (!completionsEnabled(document)) {
                    hooks.answered({ uri: document.uri.toString(), position, enabled: false, items: [] });
                    return [];
                }
                const result = await next(document, position, inlineContext, token);
                const items = Array.isArray(result) ? result : (result?.items ?? []);
                const texts = items.map((item) => (typeof item.insertText === "string" ? item.insertText : item.insertText.value));
                hooks.answered({ uri: document.uri.toString(), position, enabled: true, items: texts });
                if (items[0] && texts[0] && !token.isCancellationRequested) hooks.delivered(document, items[0].range?.start ?? position, texts[0]);
                return result;
            },
            executeCommand(command, args, next) {
                if (command === SERVER_COMMANDS.completionAccepted) hooks.accepted();
                return next(command, args);
            },
        },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    client.registerFeature(new StatusCapabilityFeature());
    return client;
}
