import { isLowSurrogate } from "./cursorContext.js";

/** How many tokens a text takes; a remote engine's tokenizer answers asynchronously. */
export type TokenCount = (text: string) => number | Promise<number>;

export interface BudgetedText {
    text: string;
    /** Its length in tokens. */
    tokens: number;
}

/**
 * Upper bound on characters per token used to pre-cut the text before tokenizing, so that a
 * keystroke in a 10 MB file tokenizes a window around the cursor, never the whole document.
 */
export const MAX_CHARS_PER_TOKEN = 8;

/**
 * Cuts `text` to at most `budget` tokens, keeping the side next to the cursor: `keep: "end"` for the
 * text before the cursor, `keep: "start"` for the text after it. Cuts fall on line boundaries far from
 * the cursor; only a single line longer than the whole budget is cut inside the line.
 */
export async function fitToBudget(text: string, budget: number, keep: "start" | "end", count: TokenCount): Promise<BudgetedText> {
    if (budget <= 0 || text === "") return { text: "", tokens: 0 };
    const window = cutAtLineBoundary(text, budget * MAX_CHARS_PER_TOKEN, keep);
    const tokens = await count(window);
    if (tokens <= budget) return { text: window, tokens };

    const lines = splitLinesKeepingBreaks(window);
    const wholeLines = await largestFitting(lines.length, budget, count, (taken) =>
        (keep === "end" ? lines.slice(lines.length - taken) : lines.slice(0, taken)).join(""),
    );
    if (wholeLines.text) return wholeLines;
    // The line next to the cursor alone exceeds the budget: cut characters, keeping the cursor side.
    const line = keep === "end" ? lines[lines.length - 1]! : lines[0]!;
    return largestFitting(Math.min(line.length, budget * MAX_CHARS_PER_TOKEN), budget, count, (taken) => keepSafe(line, taken, keep));
}

/**
 * Binary search for the largest count (0..max) whose text fits the budget: the text grows with the
 * count, so its token count does too.
 */
async function largestFitting(max: number, budget: number, count: TokenCount, take: (taken: number) => string): Promise<BudgetedText> {
    let lo = 0;
    let hi = max;
    let best: BudgetedText = { text: "", tokens: 0 };
    while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        const candidate = take(mid);
        const candidateTokens = await count(candidate);
        if (candidateTokens <= budget) {
            lo = mid;
            best = { text: candidate, tokens: candidateTokens };
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

/** Keeps at most `maxChars` characters on the `keep` side, dropping the partial line at the far end. */
export function cutAtLineBoundary(text: string, maxChars: number, keep: "start" | "end"): string {
    if (text.length <= maxChars) return text;
    const window = keepSafe(text, maxChars, keep);
    if (keep === "end") {
        const firstBreak = window.indexOf("\n");
        return firstBreak >= 0 && firstBreak < window.length - 1 ? window.slice(firstBreak + 1) : window;
    }
    const lastBreak = window.lastIndexOf("\n");
    return lastBreak > 0 ? window.slice(0, lastBreak + 1) : window;
}

/** Slices `count` UTF-16 units from one end without splitting a surrogate pair. */
function keepSafe(text: string, count: number, keep: "start" | "end"): string {
    if (keep === "end") {
        let start = text.length - count;
        if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start++;
        return text.slice(Math.max(0, start));
    }
    let end = count;
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end--;
    return text.slice(0, end);
}

export function splitLinesKeepingBreaks(text: string): string[] {
    const lines = text.split(/(?<=\n)/);
    return lines[lines.length - 1] === "" ? lines.slice(0, -1) : lines;
}

/**
 * Token budgets for the text before and after the cursor and for snippets of other files, as shares
 * of the context; whatever the shares, they leave room for the layout tokens and the generation.
 */
export function fimBudgets(options: {
    contextSize: number;
    maxTokens: number;
    prefixShare: number;
    suffixShare: number;
    extraShare?: number;
    overhead: number;
}): { prefix: number; suffix: number; extra: number } {
    const available = Math.max(0, options.contextSize - options.maxTokens - options.overhead);
    const suffix = Math.min(Math.floor(options.contextSize * options.suffixShare), available);
    const prefix = Math.max(0, Math.min(Math.floor(options.contextSize * options.prefixShare), available - suffix));
    const extra = Math.max(0, Math.min(Math.floor(options.contextSize * (options.extraShare ?? 0)), available - suffix - prefix));
    return { prefix, suffix, extra };
}

/**
 * Budgets for a prompt of at most `maxTokens` (layout tokens excluded): the prefix and suffix shrink
 * in proportion to each other, and snippets of other files are left out.
 */
export function capBudgets(budgets: { prefix: number; suffix: number; extra: number }, maxTokens: number): { prefix: number; suffix: number; extra: number } {
    const total = budgets.prefix + budgets.suffix;
    const scale = total > 0 ? Math.min(1, Math.max(0, maxTokens) / total) : 0;
    return { prefix: Math.floor(budgets.prefix * scale), suffix: Math.floor(budgets.suffix * scale), extra: 0 };
}
