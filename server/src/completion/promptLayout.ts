/**
 * The completion prompt, laid out from the document (pure, given a token counter): the text around
 * the cursor cut to each side's share of the context, snippets of other files, and the seams that
 * keep the prompt stable while typing. The engine encodes the resulting request itself.
 */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import type { InferenceEngine } from "../engine/inference.js";
import { completionUse, type ModelRoles } from "../engine/modelRoles.js";
import { type CompletionLayout, type InfillRequest, layoutOverheadTokens, prefixLeadingSpace } from "../engine/promptFormat.js";
import { type CursorContext, cursorContext, type Position } from "./cursorContext.js";
import { lineComment, renderSnippets, type Snippet } from "./extraContext.js";
import { type CursorSurroundings, cursorSurroundings } from "./postprocess.js";
import { type BudgetedText, capBudgets, fimBudgets, fitToBudget, MAX_CHARS_PER_TOKEN, type TokenCount } from "./tokenBudget.js";

/** What laying out a prompt needs of the engine: its token counts. */
export type TokenCounter = Pick<InferenceEngine, "countTokens">;

export type CompletionSettings = Pick<
    CodeLlamaConfig["completion"],
    "maxTokens" | "maxTimeMs" | "coldPromptMs" | "mode" | "fimFormat" | "prefixShare" | "suffixShare" | "reuseCache" | "extraContextShare"
>;
/** What building the prompt depends on: the settings, with the layout chosen for the model (completionLayout). */
export type PromptSettings = Omit<CompletionSettings, "maxTimeMs" | "coldPromptMs" | "mode" | "fimFormat"> & { layout: CompletionLayout };

/**
 * The prompt layout for a model: `completion.fimFormat` when the model fills in the middle
 * (`completion.mode` over what its file says, see modelRoles.ts), "continue" when it continues the code.
 */
export function completionLayout(settings: Pick<CompletionSettings, "mode" | "fimFormat">, roles: ModelRoles): CompletionLayout {
    return completionUse(roles, settings.mode).mode === "continue" ? "continue" : settings.fimFormat;
}

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
    /** What the engine encodes and evaluates. */
    request: InfillRequest;
    /** Its length in tokens, layout tokens included. */
    promptTokens: number;
    /** Tokens of the text before the cursor (snippets and psm-line's middle included). */
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
 * Builds the completion prompt for the cursor in `document`, each side cut to its share of the context
 * (the "continue" layout has no suffix: the text after the cursor only keeps the answer from repeating it).
 * `hints.anchor` (the previous prompt's seams) keeps the prompt stable while typing: the prefix keeps
 * its top line while it fits, and with psm-line the lines typed one after another stay after ▁<MID>
 * as long as the text after the cursor is unchanged, so neither a keystroke nor a line break changes
 * a token before the cursor's text — the model's cache stays valid and only the typed text is evaluated.
 */
export async function buildCompletionPrompt(
    counter: TokenCounter,
    contextSize: number,
    document: TextDocument,
    position: Position,
    settings: PromptSettings,
    hints: PromptHints = {},
): Promise<CompletionPrompt> {
    const withSpace: TokenCount = (text) => counter.countTokens(text, true);
    const withoutSpace: TokenCount = (text) => counter.countTokens(text, false);
    const { extra, anchor = {} } = hints;
    const maxPromptTokens = hints.maxPromptTokens ?? anchor.coldCut;
    const overhead = layoutOverheadTokens(settings.layout);
    const fullBudgets = fimBudgets({
        contextSize,
        maxTokens: settings.maxTokens,
        prefixShare: settings.prefixShare,
        suffixShare: settings.suffixShare,
        extraShare: settings.extraContextShare,
        overhead,
    });
    const budgets = maxPromptTokens === undefined ? fullBudgets : capBudgets(fullBudgets, maxPromptTokens - overhead);
    // Snippets come first in the prefix: the start of the text gets SentencePiece's leading space, the code after them none.
    const snippets = extra ? await fitSnippets(extra, lineComment(document.languageId), budgets.extra, withSpace) : { text: "", tokens: 0 };
    const context = cursorContext(document, position, budgets.prefix * MAX_CHARS_PER_TOKEN, budgets.suffix * MAX_CHARS_PER_TOKEN, anchor.prefixStartLine);
    const suffix = settings.layout === "continue" ? { text: "", tokens: 0 } : await fitToBudget(context.suffix, budgets.suffix, "start", withoutSpace);
    const around = cursorSurroundings(context.prefix, context.suffix);
    const middle = settings.layout === "psm-line" ? await fitMiddle(context, suffix.text, anchor, budgets.prefix, withoutSpace) : undefined;
    const above = middle ? context.prefix.slice(0, context.prefix.length - middle.text.length) : context.prefix;
    const aboveEndLine = middle ? middle.startLine : context.position.line;
    const prefix = await fitAnchoredPrefix(
        above,
        budgets.prefix - (middle?.tokens ?? 0),
        context.prefixStartLine !== undefined,
        prefixLeadingSpace(snippets.text) ? withSpace : withoutSpace,
    );
    const startsAtLine = prefix.text.length === above.length ? context.prefixStartLine !== undefined : above[above.length - prefix.text.length - 1] === "\n";
    const prefixTokens = snippets.tokens + prefix.tokens + (middle?.tokens ?? 0);
    return {
        request: { format: settings.layout, context: snippets.text, prefix: prefix.text, suffix: suffix.text, middle: middle?.text ?? "" },
        promptTokens: overhead + prefixTokens + suffix.tokens,
        prefixTokens,
        suffixTokens: suffix.tokens,
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
async function fitMiddle(
    context: CursorContext,
    suffixText: string,
    anchor: PromptAnchor,
    prefixBudget: number,
    count: TokenCount,
): Promise<BudgetedText & { startLine: number }> {
    const cursorLine = context.position.line;
    const from = anchor.middleStartLine;
    if (from !== undefined && from < cursorLine && anchor.suffixText === suffixText) {
        const start = startOfLineAbove(context.prefix, cursorLine - from, context.prefixStartLine !== undefined);
        if (start !== undefined) {
            const text = context.prefix.slice(start);
            const tokens = await count(text);
            if (tokens <= prefixBudget * MIDDLE_MAX_SHARE) return { text, tokens, startLine: from };
        }
    }
    const line = context.prefix.slice(context.prefix.lastIndexOf("\n") + 1);
    return { ...(await fitToBudget(line, prefixBudget, "end", count)), startLine: cursorLine };
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
async function fitAnchoredPrefix(text: string, budget: number, anchored: boolean, count: TokenCount): Promise<BudgetedText> {
    if (anchored) {
        const whole = await fitToBudget(text, budget, "end", count);
        if (whole.text.length === text.length) return whole;
    }
    return fitToBudget(text, Math.floor(budget * PREFIX_REFILL_SHARE), "end", count);
}

function countLineBreaks(text: string): number {
    let count = 0;
    for (let index = text.indexOf("\n"); index >= 0; index = text.indexOf("\n", index + 1)) count++;
    return count;
}

/** The most recent snippets that fit the budget, rendered as comments. */
async function fitSnippets(extra: ExtraContext, comment: string, budget: number, count: TokenCount): Promise<BudgetedText> {
    let best: BudgetedText = { text: "", tokens: 0 };
    for (let taken = 1; taken <= extra.snippets.length && budget > 0; taken++) {
        const text = renderSnippets(extra.snippets.slice(extra.snippets.length - taken), comment, extra.pathOf);
        const tokens = await count(text);
        if (tokens > budget) break;
        best = { text, tokens };
    }
    return best;
}
