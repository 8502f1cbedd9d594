import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeLlamaConfig } from "../config/schema.js";
import type { EngineTokenizer, Generation, InferenceEngine } from "../engine/inference.js";
import { cursorContext, type Position } from "./cursorContext.js";
import { buildFimPrompt, FIM_OVERHEAD_TOKENS, type Token } from "./fimPrompt.js";
import { detectIndentation } from "./indentation.js";
import { cutAtSpecialTokenText, type CursorSurroundings, postprocessCompletion, surroundings } from "./postprocess.js";
import { completionScope, cutToScope } from "./scope.js";
import { lineComment, renderSnippets, type Snippet } from "./extraContext.js";
import { type BudgetedText, type Encoder, fimBudgets, fitToBudget, MAX_CHARS_PER_TOKEN } from "./tokenBudget.js";

export interface Completion {
    /** What to insert at `position`; "" when there is nothing worth showing. */
    text: string;
    /** The (validated) cursor position the text is inserted at. */
    position: Position;
    prompt: Pick<CompletionPrompt, "prefixTokens" | "suffixTokens" | "prefixStartLine"> & { tokens: number };
    generation: Omit<Generation, "tokens" | "text"> & { generatedTokens: number };
}

export type CompletionSettings = Pick<CodeLlamaConfig["completion"], "maxTokens" | "fimFormat" | "prefixShare" | "suffixShare" | "reuseCache" | "extraContextShare">;

/** Snippets of other files for the prompt, and how to name their files. */
export interface ExtraContext {
    snippets: readonly Snippet[];
    pathOf(uri: string): string;
}

/** What the previous request of the same document leaves for this one. */
export interface PromptHints {
    extra?: ExtraContext;
    /** Where the previous prompt's prefix started (CompletionPrompt.prefixStartLine): kept while it fits. */
    prefixFromLine?: number;
}

export interface CompletionPrompt {
    tokens: Token[];
    prefixTokens: number;
    suffixTokens: number;
    /** The document line the prefix starts at, when it starts at a line start. */
    prefixStartLine: number | undefined;
    /** The (validated) cursor position. */
    position: Position;
    eol: "\n" | "\r\n";
    /** The text around the cursor the post-processing rules look at. */
    surroundings: CursorSurroundings;
}

/** Enough lines above the cursor to tell the file's indentation style. */
const INDENT_SAMPLE_CHARS = 8000;

/**
 * When the text above the cursor outgrows its budget, the prefix is cut to this share of it, so that
 * the next few hundred tokens of typing fit below the same top line before it has to move again.
 */
export const PREFIX_REFILL_SHARE = 0.75;

/**
 * Builds the FIM prompt for the cursor in `document`, each side cut to its share of the context.
 * The prefix keeps its top line from one keystroke to the next while it fits (`hints.prefixFromLine`):
 * a top that slid with the cursor would change every token after it and void the model's cache.
 */
export async function buildCompletionPrompt(tokenizer: EngineTokenizer, contextSize: number, document: TextDocument, position: Position, settings: CompletionSettings, hints: PromptHints = {}): Promise<CompletionPrompt> {
    const fim = tokenizer.fim;
    if (!fim) throw new Error("This model has no fill-in-the-middle tokens (<PRE> <SUF> <MID>); use a Code Llama base or Instruct model.");
    const { extra } = hints;
    const budgets = fimBudgets({ contextSize, maxTokens: settings.maxTokens, prefixShare: settings.prefixShare, suffixShare: settings.suffixShare, extraShare: settings.extraContextShare, overhead: FIM_OVERHEAD_TOKENS });
    // Snippets come first in the prefix: the start of the text gets SentencePiece's leading space, the code after them none.
    const extraTokens = extra ? await fitSnippets(extra, lineComment(document.languageId), budgets.extra, tokenizer.encode) : [];
    const encodePrefix = extraTokens.length > 0 ? tokenizer.encodeInfilling : tokenizer.encode;
    const context = cursorContext(document, position, budgets.prefix * MAX_CHARS_PER_TOKEN, budgets.suffix * MAX_CHARS_PER_TOKEN, hints.prefixFromLine);
    const suffix = await fitToBudget(context.suffix, budgets.suffix, "start", tokenizer.encodeInfilling);
    const around = surroundings(context.prefix, context.suffix, detectIndentation(context.prefix.slice(-INDENT_SAMPLE_CHARS)));
    const lineStart = context.prefix.lastIndexOf("\n") + 1;
    // psm-line: the typed part of the cursor's line goes after <MID>, the lines above before <SUF>.
    const typed = settings.fimFormat === "psm-line" ? await fitToBudget(context.prefix.slice(lineStart), budgets.prefix, "end", tokenizer.encodeInfilling) : undefined;
    const above = typed ? context.prefix.slice(0, lineStart) : context.prefix;
    const prefix = await fitAnchoredPrefix(above, budgets.prefix - (typed?.tokens.length ?? 0), context.prefixStartLine !== undefined, encodePrefix);
    const startsAtLine = prefix.text.length === above.length ? context.prefixStartLine !== undefined : above[above.length - prefix.text.length - 1] === "\n";
    return {
        tokens: buildFimPrompt(settings.fimFormat, fim, [...extraTokens, ...prefix.tokens], suffix.tokens, typed?.tokens),
        prefixTokens: extraTokens.length + prefix.tokens.length + (typed?.tokens.length ?? 0),
        suffixTokens: suffix.tokens.length,
        prefixStartLine: startsAtLine ? context.position.line - countLineBreaks(prefix.text) : undefined,
        position: context.position,
        eol: context.eol,
        surroundings: around,
    };
}

/**
 * The text above the cursor within `budget`: all of it when it starts at a fixed line (the previous
 * prompt's top, or the document's start) and fits; otherwise cut at a line boundary to
 * PREFIX_REFILL_SHARE of the budget, leaving room to type before the top moves again.
 */
async function fitAnchoredPrefix(text: string, budget: number, anchored: boolean, encode: Encoder): Promise<BudgetedText> {
    if (anchored) {
        const whole = await fitToBudget(text, budget, "end", encode);
        if (whole.text.length === text.length) return whole;
    }
    return fitToBudget(text, Math.floor(budget * PREFIX_REFILL_SHARE), "end", encode);
}

function countLineBreaks(text: string): number {
    let count = 0;
    for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) count++;
    return count;
}

/** Asks the engine for the middle at the cursor and post-processes it. */
export async function completeAt(engine: InferenceEngine, document: TextDocument, position: Position, settings: CompletionSettings, signal?: AbortSignal, hints: PromptHints = {}): Promise<Completion> {
    const prompt = await buildCompletionPrompt(engine.tokenizer, engine.info.contextSize, document, position, settings, hints);
    const { surroundings: around } = prompt;
    const scope = completionScope(around.linePrefix, around.lineSuffix, around.documentIndent?.size);
    const generation = await engine.generate("completion", prompt.tokens, {
        maxTokens: settings.maxTokens,
        signal,
        reuseCache: settings.reuseCache,
        // Stop as soon as the answer is complete for its scope, or the model spells out a control token.
        onText: (text) => cutToScope(text, scope, around.documentIndent?.size).complete || cutAtSpecialTokenText(text) !== text,
    });
    const { tokens, text: raw, ...stats } = generation;
    return {
        text: postprocessCompletion(raw, { ...around, eol: prompt.eol, scope }),
        position: prompt.position,
        prompt: { tokens: prompt.tokens.length, prefixTokens: prompt.prefixTokens, suffixTokens: prompt.suffixTokens, prefixStartLine: prompt.prefixStartLine },
        generation: { ...stats, generatedTokens: tokens.length },
    };
}

/** The most recent snippets that fit the budget, rendered as comments, as tokens. */
async function fitSnippets(extra: ExtraContext, comment: string, budget: number, encode: Encoder): Promise<Token[]> {
    let best: Token[] = [];
    for (let count = 1; count <= extra.snippets.length && budget > 0; count++) {
        const tokens = await encode(renderSnippets(extra.snippets.slice(extra.snippets.length - count), comment, extra.pathOf));
        if (tokens.length > budget) break;
        best = tokens;
    }
    return best;
}

