import os from "node:os";
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
import { SERVER_COMMANDS } from "../../../shared/src/commands.js";
import { ExcludeMatcher } from "../../../shared/src/exclude.js";
import {
    type ClientExperimentalCapabilities,
    cancelLoadNotification,
    didCopyNotification,
    downloadModelRequest,
    modelsRequest,
    reloadModelRequest,
    type ServerStatus,
    statusNotification,
    statusRequest,
} from "../../../shared/src/protocol.js";
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import { copiedLines, firstLines, linesAround, type Snippet, SnippetRing } from "../completion/extraContext.js";
import { changedKeys, resolveConfig } from "../config/resolve.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { modelChoices } from "../model/catalogue.js";
import { localModels } from "../model/localModels.js";
import { ModelManager, type ModelState, type ProgressSink } from "../model/modelManager.js";
import { defaultModelsDirectory } from "../model/paths.js";
import { ChatHandlers } from "./chatHandlers.js";
import { CompletionHandlers } from "./completionHandlers.js";
import { type Audience, lspAudience, problemLogger } from "./problemText.js";
import type { ServerContext } from "./serverContext.js";
import { type ModelUseSettings, progressView, serverStatus } from "./status.js";
import { rangeParamsProblem } from "./validate.js";

export const SERVER_NAME = "codellama";
const DOWNLOAD_ACTION = "Download";

/**
 * Wires the LSP connection to the core: configuration, the model manager and the inline completion
 * handler. Handlers only translate between the protocol and core calls.
 */
export function startServer(connection: Connection, logger: Logger): void {
    const snippets = new SnippetRing();
    // Excluded files (secrets) never become snippets: their text stays out of every other file's prompt.
    const addSnippet = (snippet: Snippet): void => {
        if (!excluded(snippet.uri)) snippets.add(snippet);
    };
    // Wrapping the update records where each edit happened: the lines around it become a snippet for other files.
    const documents = new TextDocuments<TextDocument>({
        create: TextDocument.create,
        update: (document, changes, version) => {
            const updated = TextDocument.update(document, changes, version);
            const change = changes[0];
            const line = change && "range" in change ? change.range.start.line : 0;
            addSnippet({ uri: updated.uri, text: linesAround(updated, line) });
            return updated;
        },
    });
    documents.onDidOpen(({ document }) => addSnippet({ uri: document.uri, text: firstLines(document) }));
    // A closed file is no longer what the user works on: its snippets leave the prompts.
    documents.onDidClose(({ document }) => snippets.forget((uri) => uri === document.uri));
    connection.onNotification(didCopyNotification, (params) => {
        const document = rangeParamsProblem(params) ? undefined : documents.get(params.textDocument.uri);
        if (document) addSnippet({ uri: document.uri, text: copiedLines(document, params.range) });
    });
    let workspaceFolders: string[] = [];
    let initializationOptions: unknown;
    let config: CodeLlamaConfig = resolveConfig().config;
    let exclude = new ExcludeMatcher(config.completion.exclude);
    let pullConfiguration = false;
    let registerConfiguration = false;
    let workDoneProgress = false;
    let clientShowsStatus = false;
    let audience: Audience = "lsp";
    let inlineCompletionClient = false;

    const progress: ProgressSink = {
        async begin(state, onCancel) {
            // A client that shows the status shows the progress from it too: one progress display, not two.
            if (!workDoneProgress || clientShowsStatus) return { report: () => undefined, done: () => undefined };
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
    const logProblem = problemLogger(logger, () => audience);
    const models = new ModelManager({
        logger,
        progress,
        onState: (state) => {
            logProblem(state);
            const status = statusOf(state);
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
        workspaceFolders = (params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : [])).map((uri) =>
            uri.replace(/\/?$/, "/"),
        );
        pullConfiguration = params.capabilities.workspace?.configuration === true;
        registerConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
        workDoneProgress = params.capabilities.window?.workDoneProgress === true;
        const experimental = params.capabilities.experimental as ClientExperimentalCapabilities | undefined;
        clientShowsStatus = experimental?.codellamaStatus === true;
        audience = lspAudience(experimental);
        logger.info(
            `Client: ${params.clientInfo ? `${params.clientInfo.name} ${params.clientInfo.version ?? ""}`.trim() : "unnamed"}${clientShowsStatus ? " (the Code Llama extension)" : ""}`,
        );
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
            if (registerConfiguration)
                void connection.client.register(DidChangeConfigurationNotification.type, { section: "codellama" }).catch(() => undefined);
            applyConfig(await fetchWorkspaceConfig());
        }
        void models.configure(config);
    });

    connection.onDidChangeConfiguration(async (params) => {
        const pushed = (params.settings as { codellama?: unknown } | null)?.codellama;
        applyConfig(pullConfiguration ? await fetchWorkspaceConfig() : pushed);
        void models.configure(config);
    });

    const modelUses = (): ModelUseSettings => ({ completionMode: config.completion.mode, chatFormat: config.chat.format });
    const currentStatus = (): ServerStatus => statusOf(models.state);
    const ctx: ServerContext = { connection, logger, documents, models, status: currentStatus, config: () => config, pathOf, excluded };
    const completions = new CompletionHandlers(ctx, snippets);
    const chat = new ChatHandlers(ctx);
    chat.register();

    connection.onRequest(statusRequest, currentStatus);
    connection.onRequest(modelsRequest, async () => modelChoices(await localModels(config.model.directory || defaultModelsDirectory()), os.totalmem()));
    connection.onExecuteCommand(async (params, token) => {
        if (completions.handleCommand(params.command)) return null;
        const answer = chat.handleCommand(params.command, params.arguments ?? [], token);
        if (answer) return answer;
        throw new ResponseError(ErrorCodes.InvalidParams, `Unknown command: ${params.command}`);
    });
    connection.onRequest(reloadModelRequest, async () => {
        await models.reload();
        return currentStatus();
    });
    connection.onNotification(cancelLoadNotification, () => models.cancel());
    connection.onRequest(downloadModelRequest, async () => {
        await models.reload({ allowDownload: true });
        return currentStatus();
    });

    /** The status for this client: the model's state, and what completion prepared and guessed. */
    function statusOf(state: ModelState): ServerStatus {
        return serverStatus(state, audience, modelUses(), completions.service.speculation());
    }

    /** A file's path relative to its workspace folder, for snippet headers. */
    function pathOf(uri: string): string {
        return workspacePath(uri) ?? decoded(uri.slice(uri.lastIndexOf("/") + 1));
    }

    /** A file's path relative to its workspace folder; undefined outside every folder. */
    function workspacePath(uri: string): string | undefined {
        const folder = workspaceFolders.find((candidate) => uri.startsWith(candidate));
        return folder ? decoded(uri.slice(folder.length)) : undefined;
    }

    /**
     * Whether a document is one of `completion.exclude`'s (a secret: no completions, no snippets).
     * Path patterns match the path in the workspace folder, or the whole path outside every folder.
     */
    function excluded(uri: string): boolean {
        return exclude.matches(uri, workspacePath(uri) ?? decoded(uri.replace(/^[a-z][\w+.-]*:(\/\/[^/]*)?/i, "")));
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
        // The status's notes say how the model is used.
        if ((changed.includes("completion.mode") || changed.includes("chat.format")) && models.state.phase === "ready")
            void connection.sendNotification(statusNotification, currentStatus());
        if (changed.includes("completion.exclude")) {
            exclude = new ExcludeMatcher(config.completion.exclude);
            snippets.forget(excluded);
        }
    }

    connection.onShutdown(async () => {
        await models.dispose();
    });

    documents.listen(connection);
    connection.listen();
}

/** A URI's percent-encoded text decoded, or as it is when it is not valid percent-encoding. */
function decoded(text: string): string {
    try {
        return decodeURIComponent(text);
    } catch {
        return text;
    }
}

declare const __VERSION__: string;
export const SERVER_VERSION = typeof __VERSION__ === "string" ? __VERSION__ : "dev";
