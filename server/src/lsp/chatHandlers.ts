import { type CancellationToken, ErrorCodes, LSPErrorCodes, type ProgressToken, ResponseError } from "vscode-languageserver/node";
import { answerChat, type ChatAnswer } from "../chat/chatService.js";
import { type ChatMessage, conversationProblem } from "../chat/instructPrompt.js";
import type { InferenceEngine } from "../engine/inference.js";
import { errorMessage } from "../log/logger.js";
import { builtinTemplates } from "../prompts/builtin.js";
import { renderPrompt } from "../prompts/template.js";
import { chatDeltaProgress, chatRequest } from "../protocol.js";
import { type ServerContext, withAbortSignal } from "./context.js";

/** Commands for LSP clients without a chat UI of their own (workspace/executeCommand); they return a ChatAnswer. */
export const CHAT_COMMAND = "codellama.lsp.chat";
export const EXPLAIN_COMMAND = "codellama.lsp.explain";

/** codellama/chat, and chat / explain as workspace/executeCommand commands. */
export class ChatHandlers {
    constructor(private readonly ctx: ServerContext) {}

    register(): void {
        this.ctx.connection.onRequest(chatRequest, (params, token) => {
            const problem = conversationProblem(params?.messages);
            if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `codellama/chat: ${problem}`);
            if (params.maxTokens !== undefined && !(Number.isInteger(params.maxTokens) && params.maxTokens > 0)) {
                throw new ResponseError(ErrorCodes.InvalidParams, "codellama/chat: maxTokens must be a positive integer");
            }
            return this.answer(params.messages, token, params.maxTokens, params.partialResultToken);
        });
    }

    /** workspace/executeCommand for the chat commands; undefined for other commands. */
    handleCommand(command: string, args: unknown[], token: CancellationToken): Promise<ChatAnswer> | undefined {
        if (command === CHAT_COMMAND) {
            const [question] = args;
            if (typeof question !== "string" || !question.trim()) throw new ResponseError(ErrorCodes.InvalidParams, `${CHAT_COMMAND} takes the question as its argument`);
            return this.answer([{ role: "user", content: question }], token);
        }
        if (command === EXPLAIN_COMMAND) return this.answer(this.explainMessages(args[0]), token);
        return undefined;
    }

    /** The built-in Explain prompt for `{ uri, range }` of an open document (the whole document without a range). */
    private explainMessages(target: unknown): ChatMessage[] {
        const { uri, range } = (target ?? {}) as { uri?: unknown; range?: { start: { line: number; character: number }; end: { line: number; character: number } } };
        const document = typeof uri === "string" ? this.ctx.documents.get(uri) : undefined;
        if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `${EXPLAIN_COMMAND} takes { uri, range? } of an open document`);
        const explain = builtinTemplates().find((template) => template.name === "Explain")!;
        return renderPrompt(explain, { selection: document.getText(range), language: document.languageId, file: this.ctx.pathOf(document.uri) });
    }

    private async answer(messages: ChatMessage[], token: CancellationToken, maxTokens?: number, partialResultToken?: ProgressToken): Promise<ChatAnswer> {
        const { connection, logger } = this.ctx;
        try {
            const answer = await withAbortSignal(token, async (signal) =>
                answerChat(await this.readyEngine(signal), messages, {
                    maxTokens: maxTokens ?? this.ctx.config().chat.maxTokens,
                    signal,
                    onDelta: partialResultToken === undefined ? undefined : (delta) => void connection.sendProgress(chatDeltaProgress, partialResultToken, { delta }),
                }),
            );
            logger.info(`chat: ${answer.usage.promptTokens} prompt tokens, ${answer.usage.completionTokens} generated, ${answer.stopReason}${answer.usage.droppedMessages ? `, ${answer.usage.droppedMessages} old messages left out` : ""}`);
            return answer;
        } catch (error) {
            if (error instanceof ResponseError) throw error;
            logger.error(`Chat failed: ${errorMessage(error)}`);
            throw new ResponseError(ErrorCodes.InternalError, `Chat failed: ${errorMessage(error)}`);
        }
    }

    /**
     * The engine; a question asked while the model loads (or downloads) waits for it, the progress
     * showing meanwhile in the status. Refused with the reason when the load failed or a download
     * waits for the user's consent.
     */
    private async readyEngine(signal: AbortSignal): Promise<InferenceEngine> {
        const { models, logger } = this.ctx;
        if (models.engine) return models.engine;
        logger.info(`chat: waiting for the model (${models.status.message})`);
        try {
            return await models.whenReady(signal);
        } catch (error) {
            if (signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, "Chat cancelled while the model was loading");
            throw new ResponseError(LSPErrorCodes.RequestFailed, `The model is not ready: ${errorMessage(error)}`);
        }
    }
}
