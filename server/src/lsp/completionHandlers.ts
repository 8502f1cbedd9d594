import {
    type CancellationToken,
    type CompletionItem,
    CompletionItemKind,
    ErrorCodes,
    type InlineCompletionList,
    type InlineCompletionParams,
    InsertTextFormat,
    ResponseError,
    type TextDocumentPositionParams,
} from "vscode-languageserver/node";
import { SERVER_COMMANDS } from "../../../shared/src/commands.js";
import { statsRequest, warmCacheNotification } from "../../../shared/src/protocol.js";
import type { SnippetRing } from "../completion/extraContext.js";
import { CompletionService, type Suggestion } from "../completion/service.js";
import { errorMessage } from "../log/logger.js";
import { requestCancelled, withAbortSignal } from "./cancellation.js";
import type { ServerContext } from "./serverContext.js";
import { positionParamsProblem } from "./validate.js";

/**
 * textDocument/inlineCompletion (ghost text) and, for clients without it, textDocument/completion
 * items carrying the same suggestion; codellama/warmCache, codellama/stats and the acceptance
 * commands. Translation only: the completion service does the work.
 */
export class CompletionHandlers {
    readonly service: CompletionService;

    constructor(
        private readonly ctx: ServerContext,
        snippets: SnippetRing,
    ) {
        this.service = new CompletionService({
            models: ctx.models,
            document: (uri) => ctx.documents.get(uri),
            settings: () => ctx.config().completion,
            snippets,
            pathOf: ctx.pathOf,
            excluded: ctx.excluded,
            logger: ctx.logger,
        });
    }

    register(options: { asCompletionItems: boolean }): void {
        const { connection } = this.ctx;
        connection.languages.inlineCompletion.on((params, token) => this.inlineCompletion(params, token));
        if (options.asCompletionItems) connection.onCompletion((params, token) => this.completionItems(params, token));
        connection.onRequest(statsRequest, () => this.service.snapshot());
        connection.onNotification(warmCacheNotification, (params) => {
            const document = positionParamsProblem(params) ? undefined : this.ctx.documents.get(params.textDocument.uri);
            if (document) this.service.cursorRested(document, params.position);
        });
    }

    /** workspace/executeCommand for the acceptance commands; false for other commands. */
    handleCommand(command: string): boolean {
        if (command === SERVER_COMMANDS.completionAccepted) this.service.event("accepted");
        else if (command === SERVER_COMMANDS.completionPartiallyAccepted) this.service.event("partiallyAccepted");
        else return false;
        return true;
    }

    async inlineCompletion(params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionList> {
        const suggestion = await this.suggest(params, token, "textDocument/inlineCompletion");
        if (!suggestion?.text) return { items: [] };
        const range = { start: suggestion.position, end: suggestion.position };
        return {
            items: [{ insertText: suggestion.text, range, command: { title: "Code Llama: suggestion accepted", command: SERVER_COMMANDS.completionAccepted } }],
        };
    }

    private async completionItems(params: TextDocumentPositionParams, token: CancellationToken): Promise<CompletionItem[]> {
        const suggestion = await this.suggest(params, token, "textDocument/completion");
        if (!suggestion?.text) return [];
        // Clients filter items by the word before the cursor and replace from its start: include that word.
        const document = this.ctx.documents.get(params.textDocument.uri)!;
        const linePrefix = document.getText({ start: { line: suggestion.position.line, character: 0 }, end: suggestion.position });
        const word = /[\p{L}\p{N}_$]*$/u.exec(linePrefix)![0];
        const newText = word + suggestion.text;
        const firstLine = newText
            .split(/\r?\n/)
            .find((line) => line.trim() !== "")!
            .trim();
        const range = { start: { line: suggestion.position.line, character: suggestion.position.character - word.length }, end: suggestion.position };
        return [
            {
                label: firstLine.length > 60 ? `${firstLine.slice(0, 57)}...` : firstLine,
                kind: CompletionItemKind.Text,
                detail: "Code Llama",
                documentation: { kind: "markdown", value: "```\n" + newText + "\n```" },
                insertTextFormat: InsertTextFormat.PlainText,
                textEdit: { range, newText },
                // Sorted first, and never filtered away by the word before the cursor.
                sortText: "0",
                filterText: firstLine,
                command: { title: "Code Llama: suggestion accepted", command: SERVER_COMMANDS.completionAccepted },
            },
        ];
    }

    /** The suggestion for a position request; undefined when there is none to show. */
    private async suggest(params: TextDocumentPositionParams, token: CancellationToken, method: string): Promise<Suggestion | undefined> {
        const { documents, logger } = this.ctx;
        const problem = positionParamsProblem(params);
        if (problem) throw new ResponseError(ErrorCodes.InvalidParams, `${method}: ${problem}`);
        const document = documents.get(params.textDocument.uri);
        if (!document) throw new ResponseError(ErrorCodes.InvalidParams, `Document not open: ${params.textDocument.uri}`);
        let result;
        try {
            result = await withAbortSignal(token, (signal) => this.service.complete(document, params.position, signal));
        } catch (error) {
            logger.error(`Completion failed: ${errorMessage(error)}`);
            throw new ResponseError(ErrorCodes.InternalError, `Completion failed: ${errorMessage(error)}`);
        }
        if (result.status === "cancelled") throw requestCancelled("Completion");
        return result.status === "suggested" ? result.suggestion : undefined;
    }
}
