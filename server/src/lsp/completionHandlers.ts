import {
    CancellationToken,
    type CompletionItem,
    CompletionItemKind,
    ErrorCodes,
    InsertTextFormat,
    type InlineCompletionList,
    type InlineCompletionParams,
    LSPErrorCodes,
    ResponseError,
    type Position,
    type TextDocumentPositionParams,
} from "vscode-languageserver/node";
import { CompletionCancelled, CompletionService } from "../completion/service.js";
import { errorMessage } from "../log/logger.js";
import type { CodeLlamaConfig } from "../config/schema.js";
import { ACCEPTED_COMMAND, PARTIALLY_ACCEPTED_COMMAND, statsRequest, warmCacheNotification } from "../protocol.js";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { ServerContext } from "./context.js";
import { LatestOnly } from "./latestOnly.js";
import { positionParamsProblem } from "./validate.js";


/**
 * After a suggestion from a prompt cut short for a cold cache, this long without another request
 * means the user is reading, not typing: the full context is read into the cache then. Each time the
 * next keystroke stops that warm-up before it is done (and the cut prompt is read again), the pause
 * it waits for doubles, up to FULL_CONTEXT_MAX_IDLE_MS, so that short pauses stop costing anything.
 */
export const FULL_CONTEXT_AFTER_IDLE_MS = 1000;
const FULL_CONTEXT_MAX_IDLE_MS = 16_000;

/**
 * textDocument/inlineCompletion (ghost text) and, for clients without it, textDocument/completion
 * items carrying the same suggestion. One completion generates at a time: a newer request
 * supersedes an older one.
 */
export class CompletionHandlers {
    readonly service: CompletionService;
    private readonly latest = new LatestOnly();
    private fullContextTimer: NodeJS.Timeout | undefined;
    /** The document whose full-context warm-up a keystroke stopped, and the pause the next one waits for. */
    private fullContextBackoff: { uri: string; idleMs: number } | undefined;

    constructor(private readonly ctx: ServerContext) {
        this.service = new CompletionService({ engine: () => ctx.models.engine });
    }

    register(options: { asCompletionItems: boolean }): void {
        const { connection } = this.ctx;
        connection.languages.inlineCompletion.on((params, token) => this.inlineCompletion(params, token));
        if (options.asCompletionItems) connection.onCompletion((params, token) => this.completionItems(params, token));
        connection.onRequest(statsRequest, () => this.service.snapshot());
        connection.onNotification(warmCacheNotification, (params) => this.warmCache(params));
    }

    /** workspace/executeCommand for the acceptance commands; false for other commands. */
    handleCommand(command: string): boolean {
        if (command === ACCEPTED_COMMAND) this.service.event("accepted");
        else if (command === PARTIALLY_ACCEPTED_COMMAND) this.service.event("partiallyAccepted");
        else return false;
        return true;
    }

    async inlineCompletion(params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionList> {
        const suggestion = await this.suggest(params, token, "textDocument/inlineCompletion");
        if (!suggestion?.text) return { items: [] };
        const range = { start: suggestion.position, end: suggestion.position };
        return { items: [{ insertText: suggestion.text, range, command: { title: "Code Llama: suggestion accepted", command: ACCEPTED_COMMAND } }] };
    }

    private async completionItems(params: TextDocumentPositionParams, token: CancellationToken): Promise<CompletionItem[]> {
        const suggestion = await this.suggest(params, token, "textDocument/completion");
        if (!suggestion?.text) return [];
        // Clients filter items by the word before the cursor and replace from its start: include that word.
        const document = this.ctx.documents.get(params.textDocument.uri)!;
        const linePrefix = document.getText({ start: { line: suggestion.position.line, character: 0 }, end: suggestion.position });
        const word = /[\p{L}\p{N}_$]*$/u.exec(linePrefix)![0];
        const newText = word + suggestion.text;
        const firstLine = newText.split(/\r?\n/).find((line) => line.trim() !== "")!.trim();
        const range = { start: { line: suggestion.position.line, character: suggestion.position.character - word.length }, end: suggestion.position };
        return [{
            label: firstLine.length > 60 ? `${firstLine.slice(0, 57)}...` : firstLine,
            kind: CompletionItemKind.Text,
            detail: "Code Llama",
            documentation: { kind: "markdown", value: "```\n" + newText + "\n```" },
            insertTextFormat: InsertTextFormat.PlainText,
            textEdit: { range, newText },
            // Sorted first, and never filtered away by the word before the cursor.
            sortText: "0",
            filterText: firstLine,
            command: { title: "Code Llama: suggestion accepted", command: ACCEPTED_COMMAND },
        }];
    }

    private async suggest(params: TextDocumentPositionParams, token: CancellationToken, method: string) {
        const { documents, models, logger } = this.ctx;
        const problem = positionParamsProblem(params);
        if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${problem}`);
        const document = documents.get(params.textDocument.uri);
        if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `Document not open: ${params.textDocument.uri}`);
        const config = this.ctx.config();
        clearTimeout(this.fullContextTimer);
        if (!config.completion.enabled || !models.engine) return undefined;
        if (this.ctx.excluded(document.uri)) {
            logger.debug(() => `completion ${document.uri}: excluded (completion.exclude)`);
            return undefined;
        }
        return this.generate(token, async (signal) => {
            try {
                const suggestion = await this.service.complete(document, params.position, config.completion, signal, this.extraContext(document.uri, config));
                logger.debug(() => `completion ${document.uri}:${params.position.line + 1}:${params.position.character + 1} -> ${JSON.stringify(suggestion?.text)} stats ${JSON.stringify(this.service.snapshot().recent.at(-1))}`);
                if (suggestion?.coldCut) this.warmWhenIdle(document, params.position);
                return suggestion;
            } catch (error) {
                if (error instanceof CompletionCancelled) throw new ResponseError(LSPErrorCodes.RequestCancelled, "Completion cancelled");
                if (error instanceof ResponseError) throw error;
                logger.error(`Completion failed: ${errorMessage(error)}`);
                throw new ResponseError(ErrorCodes.InternalError, `Completion failed: ${errorMessage(error)}`);
            }
        });
    }

    /** Completion-sequence work, one at a time (a newer call aborts the older), counted as a generation by the model manager. */
    private generate<T>(token: CancellationToken, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
        return this.latest.run(token, async (signal) => {
            const done = this.ctx.models.beginGeneration();
            try {
                return await work(signal);
            } finally {
                done();
            }
        });
    }

    /** codellama/warmCache: the cursor came to rest (see warm). */
    private warmCache(params: TextDocumentPositionParams): void {
        const document = positionParamsProblem(params) ? undefined : this.ctx.documents.get(params.textDocument.uri);
        clearTimeout(this.fullContextTimer);
        if (document) void this.warm(document, params.position);
    }

    /** Brings back the full context of a cold-cut prompt once nothing has been asked for a while (see FULL_CONTEXT_AFTER_IDLE_MS). */
    private warmWhenIdle(document: TextDocument, position: Position): void {
        const { uri, version } = document;
        const idleMs = this.fullContextBackoff?.uri === uri ? this.fullContextBackoff.idleMs : FULL_CONTEXT_AFTER_IDLE_MS;
        clearTimeout(this.fullContextTimer);
        this.fullContextTimer = setTimeout(() => {
            if (this.ctx.documents.get(uri)?.version !== version) return;
            void this.warm(document, position).then((warmed) => {
                if (warmed) this.fullContextBackoff = undefined;
                else if (warmed === false) this.fullContextBackoff = { uri, idleMs: Math.min(idleMs * 2, FULL_CONTEXT_MAX_IDLE_MS) };
            });
        }, idleMs);
        this.fullContextTimer.unref();
    }

    /**
     * Evaluates the prompt at `position` into the cache; only when idle, so it never delays or
     * interrupts a completion. Resolves whether it finished (undefined: not started); errors are logged, never answered.
     */
    private async warm(document: TextDocument, position: Position): Promise<boolean | undefined> {
        const { models, logger } = this.ctx;
        const config = this.ctx.config();
        if (!config.completion.enabled || !config.completion.warmCache || !models.engine || this.latest.busy || this.ctx.excluded(document.uri)) return undefined;
        try {
            return await this.generate(CancellationToken.None, async (signal) => {
                const warmed = await this.service.warm(document, position, config.completion, signal, this.extraContext(document.uri, config));
                logger.debug(() => `warm cache ${document.uri}:${position.line + 1}:${position.character + 1} ${warmed ? "done" : "stopped"}`);
                return warmed;
            });
        } catch (error) {
            if (!(error instanceof ResponseError)) logger.warn(`Warming the cache failed: ${errorMessage(error)}`);
            return false;
        }
    }

    private extraContext(uri: string, config: CodeLlamaConfig) {
        const { snippets, pathOf } = this.ctx;
        return config.completion.extraContextShare > 0 ? { snippets: snippets.others(uri), pathOf } : undefined;
    }
}
