import type { Connection, TextDocuments } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { ServerStatus } from "../../../shared/src/protocol.js";
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import type { Logger } from "../log/logger.js";
import type { ModelManager } from "../model/modelManager.js";

/** What the request handlers share: the connection, the open documents, the model and the settings. */
export interface ServerContext {
    connection: Connection;
    logger: Logger;
    documents: TextDocuments<TextDocument>;
    models: ModelManager;
    /** The model's state now as `codellama/status`, in the words of this client. */
    status(): ServerStatus;
    config(): CodeLlamaConfig;
    /** A file's path relative to its workspace folder, for prompts. */
    pathOf(uri: string): string;
    /** The document is one of `completion.exclude`'s: no completions, no warm-ups, no snippets. */
    excluded(uri: string): boolean;
}
