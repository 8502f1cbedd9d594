import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeLlamaConfig } from "../config/schema.js";
import type { EngineTokenizer, Generation, InferenceEngine } from "../engine/inference.js";
import { cursorContext, type CursorContext, type Position } from "./cursorContext.js";
import { buildFimPrompt, FIM_OVERHEAD_TOKENS, type Token } from "./fimPrompt.js";
import { answerRules, cursorSurroundings, type CursorSurroundings } from "./postprocess.js";
import { cutAtTimeLimit } from "./scope.js";
import { lineComment, renderSnippets, type Snippet } from "./extraContext.js";
import { type BudgetedText, capBudgets, type Encoder, fimBudgets, fitToBudget, MAX_CHARS_PER_TOKEN } from "./tokenBudget.js";

export interface Completion {
    /** What to insert at `position`; "" when there is nothing worth showing. */
    text: string;
    /** The (validated) cursor position the text is inserted at. */
    position: Position;
    prompt: Pick<CompletionPrompt, "prefixTokens" | "suffixTokens" | "anchor"> & { tokens: number };
    generation: Omit<Generation, "tokens" | "text"> & { generatedTokens: number };
}

export type CompletionSettings = Pick<CodeLlamaConfig["completion"], "maxTokens" | "maxTimeMs" | "coldPromptMs" | "fimFormat" | "prefixShare" | "suffixShare" | "reuseCache" | "extraContextShare">;
/** What building the prompt depends on. */
export type PromptSettings = Omit<CompletionSettings, "maxTimeMs" | "coldPromptMs">;

/** Snippets of other files for the prompt, and how to name their files. */
export interface ExtraContext {
    snippets: readonly Snippet[];
    pathOf(uri: string): string;
}

/**
 * Where the previous prompt of the same document put its seams. Kept while they still fit, so that
 * the next prompt extends the cached one instead of changing tokens near its start.
 */
export interface PromptAnchor {
    /** The document line the prefix starts at. */
    prefixStartLine?: number;
    /** psm-line: the document line the middle (the text after ▁<MID>) starts at. */
    middleStartLine?: number;
    /** psm-line: the suffix the middle was typed against; when it changes, the middle starts again at the cursor's line. */
    suffixText?: string;
    /**
     * The prompt was cut to this many tokens because the model's cache was cold (see affordablePrompt).
     * Prompts from this anchor keep the cap, so they extend the cached one; the next prompt that can
     * afford the full context, or a warm-up, drops it with the top line.
     */
    coldCut?: number;
}

export interface PromptHints {
    extra?: ExtraContext;
    anchor?: PromptAnchor;
    /** Most prompt tokens, layout tokens included: the prefix and suffix shrink, snippets are left out. Default: the anchor's coldCut. */
    maxPromptTokens?: number;
}

export interface CompletionPrompt {
    tokens: Token[];
    prefixTokens: number;
    suffixTokens: number;
    /** The seams of this prompt, for the next one of the same document. */
    anchor: PromptAnchor;
    /** The (validated) cursor position. */
    position: Position;
    eol: "\n" | "\r\n";
    /** The text around the cursor the post-processing rules look at. */
    surroundings: CursorSurroundings;
}

/**
 * When the text above the cursor outgrows its budget, the prefix is cut to this share of it, so that
 * the next few hundred tokens of typing fit below the same top line before it has to move again.
 */
export const PREFIX_REFILL_SHARE = 0.75;

/** psm-line: the most of the prefix budget the lines typed after ▁<MID> may take before the middle starts again at the cursor's line. */
export const MIDDLE_MAX_SHARE = 0.25;

/**
 * Builds the FIM prompt for the cursor in `document`, each side cut to its share of the context.
 * `hints.anchor` (the previous prompt's seams) keeps the prompt stable while typing: the prefix keeps
 * its top line while it fits, and with psm-line the lines typed one after another stay after ▁<MID>
 * as long as the text after the cursor is unchanged, so neither a keystroke nor a line break changes
 * a token before the cursor's text — the model's cache stays valid and only the typed text is evaluated.
 */
export async function buildCompletionPrompt(tokenizer: EngineTokenizer, contextSize: number, document: TextDocument, position: Position, settings: PromptSettings, hints: PromptHints = {}): Promise<CompletionPrompt> {
    const fim = tokenizer.fim;
    if (!fim) throw new Error("This model has no fill-in-the-middle tokens (<PRE> <SUF> <MID>); use a Code Llama base or Instruct model.");
    const { extra, anchor = {} } = hints;
    const maxPromptTokens = hints.maxPromptTokens ?? anchor.coldCut;
    const fullBudgets = fimBudgets({ contextSize, maxTokens: settings.maxTokens, prefixShare: settings.prefixShare, suffixShare: settings.suffixShare, extraShare: settings.extraContextShare, overhead: FIM_OVERHEAD_TOKENS });
    const budgets = maxPromptTokens === undefined ? fullBudgets : capBudgets(fullBudgets, maxPromptTokens - FIM_OVERHEAD_TOKENS);
    // Snippets come first in the prefix: the start of the text gets SentencePiece's leading space, the code after them none.
    const extraTokens = extra ? await fitSnippets(extra, lineComment(document.languageId), budgets.extra, tokenizer.encode) : [];
    const encodePrefix = extraTokens.length > 0 ? tokenizer.encodeInfilling : tokenizer.encode;
    const context = cursorContext(document, position, budgets.prefix * MAX_CHARS_PER_TOKEN, budgets.suffix * MAX_CHARS_PER_TOKEN, anchor.prefixStartLine);
    const suffix = await fitToBudget(context.suffix, budgets.suffix, "start", tokenizer.encodeInfilling);
    const around = cursorSurroundings(context.prefix, context.suffix);
    const middle = settings.fimFormat === "psm-line" ? await fitMiddle(context, suffix.text, anchor, budgets.prefix, tokenizer.encodeInfilling) : undefined;
    const above = middle ? context.prefix.slice(0, context.prefix.length - middle.text.length) : context.prefix;
    const aboveEndLine = middle ? middle.startLine : context.position.line;
    const prefix = await fitAnchoredPrefix(above, budgets.prefix - (middle?.tokens.length ?? 0), context.prefixStartLine !== undefined, encodePrefix);
    const startsAtLine = prefix.text.length === above.length ? context.prefixStartLine !== undefined : above[above.length - prefix.text.length - 1] === "\n";
    return {
        tokens: buildFimPrompt(settings.fimFormat, fim, [...extraTokens, ...prefix.tokens], suffix.tokens, middle?.tokens),
        prefixTokens: extraTokens.length + prefix.tokens.length + (middle?.tokens.length ?? 0),
        suffixTokens: suffix.tokens.length,
        anchor: {
            prefixStartLine: startsAtLine ? aboveEndLine - countLineBreaks(prefix.text) : undefined,
            middleStartLine: middle?.startLine,
            suffixText: middle ? suffix.text : undefined,
            coldCut: maxPromptTokens,
        },
        position: context.position,
        eol: context.eol,
        surroundings: around,
    };
}

/**
 * psm-line's middle: the text from the start of the previous middle's first line to the cursor, when
 * the suffix is the one it was typed against and it takes at most MIDDLE_MAX_SHARE of the prefix
 * budget; otherwise the cursor's line up to the cursor.
 */
async function fitMiddle(context: CursorContext, suffixText: string, anchor: PromptAnchor, prefixBudget: number, encode: Encoder): Promise<BudgetedText & { startLine: number }> {
    const cursorLine = context.position.line;
    const from = anchor.middleStartLine;
    if (from !== undefined && from < cursorLine && anchor.suffixText === suffixText) {
        const start = startOfLineAbove(context.prefix, cursorLine - from, context.prefixStartLine !== undefined);
        if (start !== undefined) {
            const text = context.prefix.slice(start);
            const tokens = await encode(text);
            if (tokens.length <= prefixBudget * MIDDLE_MAX_SHARE) return { text, tokens, startLine: from };
        }
    }
    const line = context.prefix.slice(context.prefix.lastIndexOf("\n") + 1);
    return { ...(await fitToBudget(line, prefixBudget, "end", encode)), startLine: cursorLine };
}

/** Offset in `text` of the start of the line `linesUp` lines above its last line; undefined when `text` does not reach it. */
function startOfLineAbove(text: string, linesUp: number, startsAtLineStart: boolean): number | undefined {
    let index = text.length;
    for (let line = 0; line <= linesUp; line++) {
        index = index > 0 ? text.lastIndexOf("\n", index - 1) : -1;
        if (index < 0) return line === linesUp && startsAtLineStart ? 0 : undefined;
    }
    return index + 1;
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

/** Uncached prompt tokens any completion may evaluate, whatever the measured speed. */
export const COLD_PROMPT_MIN_TOKENS = 256;

/**
 * Uncached prompt tokens a completion may evaluate before its answer: what the engine reads in
 * `limitMs` at its measured speed, never fewer than COLD_PROMPT_MIN_TOKENS (also the allowance
 * before the speed is known). `limitMs` 0: no limit.
 */
export function affordablePromptTokens(tokensPerSecond: number | undefined, limitMs: number): number {
    if (limitMs <= 0) return Number.POSITIVE_INFINITY;
    return Math.max(COLD_PROMPT_MIN_TOKENS, Math.floor(((tokensPerSecond ?? 0) * limitMs) / 1000));
}

/** The anchor without a cold-cut prefix top, so that the prompt built from it gets the full context. */
function fullContextAnchor(anchor: PromptAnchor | undefined): PromptAnchor | undefined {
    return anchor?.coldCut === undefined ? anchor : { ...anchor, prefixStartLine: undefined, coldCut: undefined };
}

/**
 * The prompt for a completion: the full-context one when the engine evaluates what its cache lacks
 * within `settings.coldPromptMs`; otherwise (a file just opened, a jump elsewhere, on a slow machine)
 * one cut to what it can, so the first suggestion comes quickly. A cut prompt stays (it is cached)
 * until a warm-up or a cheap enough moment brings the full context back.
 */
export async function affordablePrompt(engine: InferenceEngine, document: TextDocument, position: Position, settings: CompletionSettings, hints: PromptHints): Promise<CompletionPrompt> {
    const build = (buildHints: PromptHints): Promise<CompletionPrompt> => buildCompletionPrompt(engine.tokenizer, engine.info.contextSize, document, position, settings, buildHints);
    const anchored = await build(hints);
    if (!engine.promptCost || settings.coldPromptMs <= 0 || settings.reuseCache === false) return anchored;
    const costOf = (prompt: CompletionPrompt) => engine.promptCost!("completion", prompt.tokens);
    const cost = costOf(anchored);
    const limit = affordablePromptTokens(cost.tokensPerSecond, settings.coldPromptMs);
    const full = hints.anchor?.coldCut === undefined ? anchored : await build({ ...hints, anchor: fullContextAnchor(hints.anchor) });
    if ((full === anchored ? cost : costOf(full)).uncachedTokens <= limit) return full;
    // A cut prompt the cache holds stays cut.
    if (full !== anchored && cost.uncachedTokens <= limit) return anchored;
    return build({ ...hints, extra: undefined, anchor: fullContextAnchor(hints.anchor), maxPromptTokens: limit });
}

/** Asks the engine for the middle at the cursor and post-processes it. */
export async function completeAt(engine: InferenceEngine, document: TextDocument, position: Position, settings: CompletionSettings, signal?: AbortSignal, hints: PromptHints = {}): Promise<Completion> {
    const prompt = await affordablePrompt(engine, document, position, settings, hints);
    const rules = answerRules(prompt.surroundings, prompt.eol);
    const started = performance.now();
    let timedOut: string | undefined;
    const generation = await engine.generate("completion", prompt.tokens, {
        maxTokens: settings.maxTokens,
        signal,
        reuseCache: settings.reuseCache,
        // Stop as soon as the answer is complete for its scope, the model spells out a control token, or time is up.
        onText: (text) => {
            if (rules.isComplete(text)) return true;
            timedOut = cutAtTimeLimit(text, performance.now() - started, settings.maxTimeMs);
            return timedOut !== undefined;
        },
    });
    const { tokens, text: generated, ...stats } = generation;
    const raw = timedOut ?? generated;
    return {
        text: rules.finish(raw),
        position: prompt.position,
        prompt: { tokens: prompt.tokens.length, prefixTokens: prompt.prefixTokens, suffixTokens: prompt.suffixTokens, anchor: prompt.anchor },
        generation: { ...stats, generatedTokens: tokens.length },
    };
}

/**
 * Evaluates the prompt for the cursor into the completion sequence's cache and generates nothing:
 * while the cursor rests, so the first keystroke there evaluates only what it typed.
 */
export async function warmAt(engine: InferenceEngine, document: TextDocument, position: Position, settings: CompletionSettings, signal?: AbortSignal, hints: PromptHints = {}): Promise<{ anchor: PromptAnchor; generation: Omit<Generation, "tokens" | "text"> }> {
    const prompt = await buildCompletionPrompt(engine.tokenizer, engine.info.contextSize, document, position, settings, { ...hints, anchor: fullContextAnchor(hints.anchor) });
    const { tokens: _tokens, text: _text, ...generation } = await engine.generate("completion", prompt.tokens, { maxTokens: 0, signal, reuseCache: settings.reuseCache, priority: "background" });
    return { anchor: prompt.anchor, generation };
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

