import {
    type CancellationToken,
    type Connection,
    DidChangeConfigurationNotification,
    ErrorCodes,
    type InitializeParams,
    type InitializeResult,
    type InlineCompletionList,
    type InlineCompletionParams,
    LSPErrorCodes,
    MessageType,
    ResponseError,
    ShowMessageNotification,
    TextDocumentSyncKind,
    TextDocuments,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import { changedKeys, resolveConfig } from "../config/resolve.js";
import type { CodeLlamaConfig } from "../config/schema.js";
import { firstLines, linesAround, SnippetRing } from "../completion/extraContext.js";
import { CompletionCancelled, CompletionService } from "../completion/service.js";
import { ModelManager, type ProgressSink } from "../engine/modelManager.js";
import { errorMessage, Logger } from "../log/logger.js";
import { answerChat } from "../chat/chatService.js";
import { conversationProblem } from "../chat/instructPrompt.js";
import {
    type ChatParams,
    chatDeltaProgress,
    chatRequest,
    type ClientExperimentalCapabilities,
    downloadModelRequest,
    reloadModelRequest,
    type ServerStatus,
    statsRequest,
    statusNotification,
    statusRequest,
} from "../protocol.js";
import { LatestOnly } from "./latestOnly.js";
import { positionParamsProblem } from "./validate.js";

export const SERVER_NAME = "codellama";
/** Commands the client runs when the user takes a suggestion (acceptance statistics, local only). */
export const ACCEPTED_COMMAND = "codellama.completionAccepted";
export const PARTIALLY_ACCEPTED_COMMAND = "codellama.completionPartiallyAccepted";
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
    let workspaceFolders: string[] = [];
    let initializationOptions: unknown;
    let config: CodeLlamaConfig = resolveConfig().config;
    let pullConfiguration = false;
    let workDoneProgress = false;
    let clientShowsStatus = false;
    const latestCompletion = new LatestOnly();

    const progress: ProgressSink = {
        async begin(title, onCancel) {
            if (!workDoneProgress) return { report: () => undefined, done: () => undefined };
            const reporter = await connection.window.createWorkDoneProgress();
            reporter.begin(title, 0, undefined, true);
            reporter.token.onCancellationRequested(onCancel);
            let open = true;
            return {
                report: (fraction, message) => open && reporter.report(Math.floor(fraction * 100), message),
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
        onStatus: (status) => {
            void connection.sendNotification(statusNotification, status);
            if (!clientShowsStatus) void tellUser(status);
        },
    });

    const completions = new CompletionService({ engine: () => models.engine });

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
        workDoneProgress = params.capabilities.window?.workDoneProgress === true;
        clientShowsStatus = (params.capabilities.experimental as ClientExperimentalCapabilities | undefined)?.codellamaStatus === true;
        applyConfig(undefined);
        return {
            capabilities: {
                textDocumentSync: TextDocumentSyncKind.Incremental,
                inlineCompletionProvider: true,
                executeCommandProvider: { commands: [ACCEPTED_COMMAND, PARTIALLY_ACCEPTED_COMMAND] },
            },
            serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
        };
    });

    connection.onInitialized(async () => {
        if (pullConfiguration) {
            // Dynamic registration makes clients (VS Code) send the notification at all.
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

    connection.onRequest(statusRequest, () => models.status);
    connection.onRequest(statsRequest, () => completions.snapshot());
    connection.onExecuteCommand((params) => {
        if (params.command === ACCEPTED_COMMAND) completions.event("accepted");
        else if (params.command === PARTIALLY_ACCEPTED_COMMAND) completions.event("partiallyAccepted");
        else throw new ResponseError(ErrorCodes.InvalidParams, `Unknown command: ${params.command}`);
    });
    connection.onRequest(reloadModelRequest, async () => {
        await models.reload();
        return models.status;
    });
    connection.onRequest(downloadModelRequest, async () => {
        await models.reload({ allowDownload: true });
        return models.status;
    });

    connection.languages.inlineCompletion.on(async (params, token) => inlineCompletion(params, token));
    connection.onRequest(chatRequest, async (params, token) => chat(params, token));

    async function chat(params: ChatParams, token: CancellationToken) {
        const problem = conversationProblem(params?.messages);
        if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `codellama/chat: ${problem}`);
        if (params.maxTokens !== undefined && !(Number.isInteger(params.maxTokens) && params.maxTokens > 0)) {
            throw new ResponseError(ErrorCodes.InvalidParams, "codellama/chat: maxTokens must be a positive integer");
        }
        const engine = models.engine;
        if (!engine) throw new ResponseError(LSPErrorCodes.RequestFailed, `The model is not ready: ${models.status.message}`);
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        const done = models.beginGeneration();
        try {
            const partialResultToken = params.partialResultToken;
            const answer = await answerChat(engine, params.messages, {
                maxTokens: params.maxTokens ?? config.chat.maxTokens,
                signal: controller.signal,
                onDelta: partialResultToken === undefined ? undefined : (delta) => void connection.sendProgress(chatDeltaProgress, partialResultToken, { delta }),
            });
            logger.info(`chat: ${answer.usage.promptTokens} prompt tokens, ${answer.usage.completionTokens} generated, ${answer.stopReason}${answer.usage.droppedMessages ? `, ${answer.usage.droppedMessages} old messages left out` : ""}`);
            return answer;
        } catch (error) {
            logger.error(`Chat failed: ${errorMessage(error)}`);
            throw new ResponseError(ErrorCodes.InternalError, `Chat failed: ${errorMessage(error)}`);
        } finally {
            subscription.dispose();
            done();
        }
    }

    async function inlineCompletion(params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionList> {
        const problem = positionParamsProblem(params);
        if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `textDocument/inlineCompletion: ${problem}`);
        const document = documents.get(params.textDocument.uri);
        if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `Document not open: ${params.textDocument.uri}`);
        if (!config.completion.enabled || !models.engine) return { items: [] };
        return latestCompletion.run(token, async (signal) => {
            const done = models.beginGeneration();
            try {
                const extra = config.completion.extraContextShare > 0 ? { snippets: snippets.others(document.uri), pathOf } : undefined;
                const suggestion = await completions.complete(document, params.position, config.completion, signal, extra);
                logger.debug(() => `completion ${document.uri}:${params.position.line + 1}:${params.position.character + 1} -> ${JSON.stringify(suggestion?.text)} stats ${JSON.stringify(completions.snapshot().recent.at(-1))}`);
                if (!suggestion?.text) return { items: [] };
                const range = { start: suggestion.position, end: suggestion.position };
                return { items: [{ insertText: suggestion.text, range, command: { title: "Code Llama: suggestion accepted", command: ACCEPTED_COMMAND } }] };
            } catch (error) {
                if (error instanceof CompletionCancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, "Completion cancelled");
                if (error instanceof ResponseError) throw error;
                logger.error(`Completion failed: ${errorMessage(error)}`);
                throw new ResponseError(ErrorCodes.InternalError, `Completion failed: ${errorMessage(error)}`);
            } finally {
                done();
            }
        });
    }

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
            completions.reset();
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
