import type { Connection, TextDocuments } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { SnippetRing } from "../completion/extraContext.js";
import type { CodeLlamaConfig } from "../config/schema.js";
import type { ModelManager } from "../engine/modelManager.js";
import type { Logger } from "../log/logger.js";

/** What the request handlers share: the connection, the open documents, the model and the settings. */
export interface ServerContext {
    connection: Connection;
    logger: Logger;
    documents: TextDocuments<TextDocument>;
    snippets: SnippetRing;
    models: ModelManager;
    config(): CodeLlamaConfig;
    /** A file's path relative to its workspace folder, for prompts. */
    pathOf(uri: string): string;
    /** The document is one of `completion.exclude`'s: no completions, no warm-ups, no snippets. */
    excluded(uri: string): boolean;
}

/** Runs `work` with an AbortSignal that follows the request's cancellation token. */
export async function withAbortSignal<T>(token: { onCancellationRequested(listener: () => void): { dispose(): void }; isCancellationRequested: boolean }, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    try {
        return await work(controller.signal);
    } finally {
        subscription.dispose();
    }
}
