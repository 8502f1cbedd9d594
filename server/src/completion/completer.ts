import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeLlamaConfig } from "../config/schema.js";
import type { EngineTokenizer, Generation, InferenceEngine } from "../engine/inference.js";
import { cursorContext, type Position } from "./cursorContext.js";
import { buildFimPrompt, FIM_OVERHEAD_TOKENS, type Token } from "./fimPrompt.js";
import { detectIndentation } from "./indentation.js";
import { cutAtSpecialTokenText, type CursorSurroundings, postprocessCompletion, surroundings } from "./postprocess.js";
import { completionScope, cutToScope } from "./scope.js";
import { lineComment, renderSnippets, type Snippet } from "./extraContext.js";
import { type Encoder, fimBudgets, fitToBudget, MAX_CHARS_PER_TOKEN } from "./tokenBudget.js";

export interface Completion {
    /** What to insert at `position`; "" when there is nothing worth showing. */
    text: string;
    /** The (validated) cursor position the text is inserted at. */
    position: Position;
    prompt: { tokens: number; prefixTokens: number; suffixTokens: number };
    generation: Omit<Generation, "tokens" | "text"> & { generatedTokens: number };
}

export type CompletionSettings = Pick<CodeLlamaConfig["completion"], "maxTokens" | "fimFormat" | "prefixShare" | "suffixShare" | "reuseCache" | "extraContextShare">;

/** Snippets of other files for the prompt, and how to name their files. */
export interface ExtraContext {
    snippets: readonly Snippet[];
    pathOf(uri: string): string;
}

export interface CompletionPrompt {
    tokens: Token[];
    prefixTokens: number;
    suffixTokens: number;
    /** The (validated) cursor position. */
    position: Position;
    eol: "\n" | "\r\n";
    /** The text around the cursor the post-processing rules look at. */
    surroundings: CursorSurroundings;
}

/** Enough lines above the cursor to tell the file's indentation style. */
const INDENT_SAMPLE_CHARS = 8000;

/** Builds the FIM prompt for the cursor in `document`, each side cut to its share of the context. */
export async function buildCompletionPrompt(tokenizer: EngineTokenizer, contextSize: number, document: TextDocument, position: Position, settings: CompletionSettings, extra?: ExtraContext): Promise<CompletionPrompt> {
    const fim = tokenizer.fim;
    if (!fim) throw new Error("This model has no fill-in-the-middle tokens (<PRE> <SUF> <MID>); use a Code Llama base or Instruct model.");
    const budgets = fimBudgets({ contextSize, maxTokens: settings.maxTokens, prefixShare: settings.prefixShare, suffixShare: settings.suffixShare, extraShare: settings.extraContextShare, overhead: FIM_OVERHEAD_TOKENS });
    // Snippets come first in the prefix: the start of the text gets SentencePiece's leading space, the code after them none.
    const extraTokens = extra ? await fitSnippets(extra, lineComment(document.languageId), budgets.extra, tokenizer.encode) : [];
    const encodePrefix = extraTokens.length > 0 ? tokenizer.encodeInfilling : tokenizer.encode;
    const context = cursorContext(document, position, budgets.prefix * MAX_CHARS_PER_TOKEN, budgets.suffix * MAX_CHARS_PER_TOKEN);
    const suffix = await fitToBudget(context.suffix, budgets.suffix, "start", tokenizer.encodeInfilling);
    const around = surroundings(context.prefix, context.suffix, detectIndentation(context.prefix.slice(-INDENT_SAMPLE_CHARS)));
    if (settings.fimFormat === "psm-line") {
        const lineStart = context.prefix.lastIndexOf("\n") + 1;
        const typed = await fitToBudget(context.prefix.slice(lineStart), budgets.prefix, "end", tokenizer.encodeInfilling);
        const before = await fitToBudget(context.prefix.slice(0, lineStart), budgets.prefix - typed.tokens.length, "end", encodePrefix);
        return {
            tokens: buildFimPrompt("psm-line", fim, [...extraTokens, ...before.tokens], suffix.tokens, typed.tokens),
            prefixTokens: extraTokens.length + before.tokens.length + typed.tokens.length,
            suffixTokens: suffix.tokens.length,
            position: context.position,
            eol: context.eol,
            surroundings: around,
        };
    }
    const prefix = await fitToBudget(context.prefix, budgets.prefix, "end", encodePrefix);
    return {
        tokens: buildFimPrompt(settings.fimFormat, fim, [...extraTokens, ...prefix.tokens], suffix.tokens),
        prefixTokens: extraTokens.length + prefix.tokens.length,
        suffixTokens: suffix.tokens.length,
        position: context.position,
        eol: context.eol,
        surroundings: around,
    };
}

/** Asks the engine for the middle at the cursor and post-processes it. */
export async function completeAt(engine: InferenceEngine, document: TextDocument, position: Position, settings: CompletionSettings, signal?: AbortSignal, extra?: ExtraContext): Promise<Completion> {
    const prompt = await buildCompletionPrompt(engine.tokenizer, engine.info.contextSize, document, position, settings, extra);
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
        prompt: { tokens: prompt.tokens.length, prefixTokens: prompt.prefixTokens, suffixTokens: prompt.suffixTokens },
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

