import { type CancellationToken, ErrorCodes, LSPErrorCodes, type ProgressToken, ResponseError } from "vscode-languageserver/node";
import { SERVER_COMMANDS } from "../../../shared/src/commands.js";
import { builtinTemplates } from "../../../shared/src/prompts/builtin.js";
import { type ChatMessage, renderPrompt } from "../../../shared/src/prompts/template.js";
import { type ChatAnswer, chatDeltaProgress, chatRequest } from "../../../shared/src/protocol.js";
import { answerWhenReady } from "../chat/chatService.js";
import { conversationProblem } from "../chat/instructPrompt.js";
import { errorMessage } from "../log/logger.js";
import { ModelNotReady } from "../model/modelManager.js";
import { withAbortSignal } from "./cancellation.js";
import type { ServerContext } from "./serverContext.js";
import { baseModelNote } from "./status.js";

/**
 * codellama/chat, and chat / explain as workspace/executeCommand commands. A cancelled chat answers
 * with what was generated (`stopReason: "cancelled"`), LSP's partial result.
 */
export class ChatHandlers {
    /** Model files whose chat on a base model was warned about: once each. */
    private readonly warnedBaseModels = new Set<string>();

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
        if (command === SERVER_COMMANDS.chat) {
            const [question] = args;
            if (typeof question !== "string" || !question.trim())
                throw new ResponseError(ErrorCodes.InvalidParams, `${SERVER_COMMANDS.chat} takes the question as its argument`);
            return this.answer([{ role: "user", content: question }], token);
        }
        if (command === SERVER_COMMANDS.explain) return this.answer(this.explainMessages(args[0]), token);
        return undefined;
    }

    /** The built-in Explain prompt for `{ uri, range }` of an open document (the whole document without a range). */
    private explainMessages(target: unknown): ChatMessage[] {
        const { uri, range } = (target ?? {}) as {
            uri?: unknown;
            range?: { start: { line: number; character: number }; end: { line: number; character: number } };
        };
        const document = typeof uri === "string" ? this.ctx.documents.get(uri) : undefined;
        if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `${SERVER_COMMANDS.explain} takes { uri, range? } of an open document`);
        const explain = builtinTemplates().find((template) => template.name === "Explain")!;
        return renderPrompt(explain, { selection: document.getText(range), language: document.languageId, file: this.ctx.pathOf(document.uri) });
    }

    /** Chat on a base model works but rambles: warned once per model file, in the log and as a message. */
    private warnOfBaseModel(): void {
        const info = this.ctx.models.chat?.info;
        const note = info ? baseModelNote(info) : undefined;
        if (!info || !note || this.warnedBaseModels.has(info.modelPath)) return;
        this.warnedBaseModels.add(info.modelPath);
        this.ctx.logger.warn(note);
        void this.ctx.connection.window.showWarningMessage(`Code Llama: ${note}`);
    }

    private async answer(messages: ChatMessage[], token: CancellationToken, maxTokens?: number, partialResultToken?: ProgressToken): Promise<ChatAnswer> {
        const { models, connection, logger } = this.ctx;
        // A question asked while the model loads (or downloads) waits for it, the progress showing meanwhile in the status.
        if (!models.chat) logger.info(`chat: waiting for the model (${this.ctx.status().message})`);
        try {
            const answer = await withAbortSignal(token, (signal) =>
                answerWhenReady(models, messages, {
                    maxTokens: maxTokens ?? this.ctx.config().chat.maxTokens,
                    format: this.ctx.config().chat.format,
                    signal,
                    onDelta:
                        partialResultToken === undefined
                            ? undefined
                            : (delta) => void connection.sendProgress(chatDeltaProgress, partialResultToken, { delta }),
                }),
            );
            this.warnOfBaseModel();
            logger.info(
                `chat: ${answer.usage.promptTokens} prompt tokens, ${answer.usage.completionTokens} generated, ${answer.stopReason}${answer.usage.droppedMessages ? `, ${answer.usage.droppedMessages} old messages left out` : ""}`,
            );
            return answer;
        } catch (error) {
            if (error instanceof ModelNotReady) throw new ResponseError(LSPErrorCodes.RequestFailed, `The model is not ready: ${this.ctx.status().message}`);
            logger.error(`Chat failed: ${errorMessage(error)}`);
            throw new ResponseError(ErrorCodes.InternalError, `Chat failed: ${errorMessage(error)}`);
        }
    }
}
