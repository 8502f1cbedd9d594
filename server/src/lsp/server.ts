import {
    type Connection,
    DidChangeConfigurationNotification,
    ErrorCodes,
    type InitializeParams,
    type InitializeResult,
    MessageType,
    ResponseError,
    ShowMessageNotification,
    TextDocumentSyncKind,
    TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { changedKeys, resolveConfig } from "../config/resolve.js";
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import { SERVER_COMMANDS } from "../../../shared/src/commands.js";
import {
    type ClientExperimentalCapabilities,
    didCopyNotification,
    downloadModelRequest,
    reloadModelRequest,
    type ServerStatus,
    statusNotification,
    statusRequest,
} from "../../../shared/src/protocol.js";
import { copiedLines, firstLines, linesAround, SnippetRing } from "../completion/extraContext.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { ModelManager, type ProgressSink } from "../model/modelManager.js";
import { ChatHandlers } from "./chatHandlers.js";
import { CompletionHandlers } from "./completionHandlers.js";
import type { ServerContext } from "./serverContext.js";
import { progressView, serverStatus } from "./status.js";
import { rangeParamsProblem } from "./validate.js";

export const SERVER_NAME = "codellama";
const DOWNLOAD_ACTION = "Download";

/**
 * Wires the LSP connection to the core: configuration, the model manager and the inline completion
 * handler. Handlers only translate between the protocol and core calls.
 */
export function startServer(connection: Connection, logger: Logger): void {
    const snippets = new SnippetRing();
    // Wrapping the update records where each edit happened: the lines around it become a snippet for other files.
    const documents = new TextDocuments<TextDocument>({
        create: TextDocument.create,
        update: (document, changes, version) => {
            const updated = TextDocument.update(document, changes, version);
            const change = changes[0];
            const line = change && "range" in change ? change.range.start.line : 0;
            snippets.add({ uri: updated.uri, text: linesAround(updated, line) });
            return updated;
        },
    });
    documents.onDidOpen(({ document }) => snippets.add({ uri: document.uri, text: firstLines(document) }));
    // A closed file is no longer what the user works on: its snippets leave the prompts.
    documents.onDidClose(({ document }) => snippets.forget(document.uri));
    connection.onNotification(didCopyNotification, (params) => {
        const document = rangeParamsProblem(params) ? undefined : documents.get(params.textDocument.uri);
        if (document) snippets.add({ uri: document.uri, text: copiedLines(document, params.range) });
    });
    let workspaceFolders: string[] = [];
    let initializationOptions: unknown;
    let config: CodeLlamaConfig = resolveConfig().config;
    let pullConfiguration = false;
    let registerConfiguration = false;
    let workDoneProgress = false;
    let clientShowsStatus = false;
    let inlineCompletionClient = false;

    const progress: ProgressSink = {
        async begin(state, onCancel) {
            if (!workDoneProgress) return { report: () => undefined, done: () => undefined };
            const reporter = await connection.window.createWorkDoneProgress();
            reporter.begin(progressView(state).title, 0, undefined, true);
            reporter.token.onCancellationRequested(onCancel);
            let open = true;
            return {
                report: (next) => {
                    const { fraction, message } = progressView(next);
                    if (open) reporter.report(Math.floor(fraction * 100), message);
                },
                done: () => {
                    if (open) reporter.done();
                    open = false;
                },
            };
        },
    };
    const models = new ModelManager({
        logger,
        progress,
        onState: (state) => {
            const status = serverStatus(state);
            void connection.sendNotification(statusNotification, status);
            if (!clientShowsStatus) void tellUser(status);
        },
    });

    /** For clients without their own status display: standard LSP messages, and a standard question for the download. */
    async function tellUser(status: ServerStatus): Promise<void> {
        if (status.error === "model-not-downloaded") {
            const choice = await connection.window.showWarningMessage(`Code Llama: ${status.message}`, { title: DOWNLOAD_ACTION });
            if (choice?.title === DOWNLOAD_ACTION) await models.reload({ allowDownload: true });
        } else if (status.health === "error") {
            void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Error, message: `Code Llama: ${status.message}` });
        }
    }

    connection.onInitialize((params: InitializeParams): InitializeResult => {
        initializationOptions = params.initializationOptions;
        workspaceFolders = (params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : [])).map((uri) => uri.replace(/\/?$/, "/"));
        pullConfiguration = params.capabilities.workspace?.configuration === true;
        registerConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
        workDoneProgress = params.capabilities.window?.workDoneProgress === true;
        clientShowsStatus = (params.capabilities.experimental as ClientExperimentalCapabilities | undefined)?.codellamaStatus === true;
        // Clients that show ghost text get it; the others get the suggestion as a completion item.
        inlineCompletionClient = params.capabilities.textDocument?.inlineCompletion !== undefined;
        completions.register({ asCompletionItems: !inlineCompletionClient });
        applyConfig(undefined);
        return {
            capabilities: {
                textDocumentSync: TextDocumentSyncKind.Incremental,
                inlineCompletionProvider: true,
                ...(inlineCompletionClient ? {} : { completionProvider: { resolveProvider: false } }),
                executeCommandProvider: { commands: Object.values(SERVER_COMMANDS) },
            },
            serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
        };
    });

    connection.onInitialized(async () => {
        if (pullConfiguration) {
            // Dynamic registration makes clients (VS Code) send the notification at all; others send it anyway.
            if (registerConfiguration) void connection.client.register(DidChangeConfigurationNotification.type, { section: "codellama" }).catch(() => undefined);
            applyConfig(await fetchWorkspaceConfig());
        }
        void models.configure(config);
    });

    connection.onDidChangeConfiguration(async (params) => {
        const pushed = (params.settings as { codellama?: unknown } | null)?.codellama;
        applyConfig(pullConfiguration ? await fetchWorkspaceConfig() : pushed);
        void models.configure(config);
    });

    const ctx: ServerContext = { connection, logger, documents, models, config: () => config, pathOf };
    const completions = new CompletionHandlers(ctx, snippets);
    const chat = new ChatHandlers(ctx);
    chat.register();

    connection.onRequest(statusRequest, () => serverStatus(models.state));
    connection.onExecuteCommand(async (params, token) => {
        if (completions.handleCommand(params.command)) return null;
        const answer = chat.handleCommand(params.command, params.arguments ?? [], token);
        if (answer) return answer;
        throw new ResponseError(ErrorCodes.InvalidParams, `Unknown command: ${params.command}`);
    });
    connection.onRequest(reloadModelRequest, async () => {
        await models.reload();
        return serverStatus(models.state);
    });
    connection.onRequest(downloadModelRequest, async () => {
        await models.reload({ allowDownload: true });
        return serverStatus(models.state);
    });

    /** A file's path relative to its workspace folder, for snippet headers. */
    function pathOf(uri: string): string {
        const folder = workspaceFolders.find((candidate) => uri.startsWith(candidate));
        return decodeURIComponent(folder ? uri.slice(folder.length) : uri.slice(uri.lastIndexOf("/") + 1));
    }

    async function fetchWorkspaceConfig(): Promise<unknown> {
        try {
            return await connection.workspace.getConfiguration("codellama");
        } catch (error) {
            logger.warn(`Could not read the client's configuration: ${errorMessage(error)}`);
            return undefined;
        }
    }

    function applyConfig(workspaceConfig: unknown): void {
        const resolved = resolveConfig(initializationOptions, workspaceConfig);
        for (const warning of resolved.warnings) logger.warn(warning);
        const changed = changedKeys(config, resolved.config);
        config = resolved.config;
        logger.setLevel(config.log.level);
        if (changed.length > 0) {
            logger.info(`Configuration changed: ${changed.join(", ")}`);
            completions.service.reset();
        }
    }

    connection.onShutdown(async () => {
        await models.dispose();
    });

    documents.listen(connection);
    connection.listen();
}

declare const __VERSION__: string;
export const SERVER_VERSION = typeof __VERSION__ === "string" ? __VERSION__ : "dev";
