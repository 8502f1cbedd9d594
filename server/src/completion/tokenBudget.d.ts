import type { Token } from "../engine/promptFormat.js";
/** Text to tokens; a remote engine's tokenizer answers asynchronously. */
export type Encoder = (text: string) => Token[] | Promise<Token[]>;
export interface BudgetedText {
    text: string;
    tokens: Token[];
}
/**
 * Upper bound on characters per token used to pre-cut the text before tokenizing, so that a
 * keystroke in a 10 MB file tokenizes a window around the cursor, never the whole document.
 */
export declare const MAX_CHARS_PER_TOKEN = 8;
/**
 * Cuts `text` to at most `budget` tokens, keeping the side next to the cursor: `keep: "end"` for the
 * text before the cursor, `keep: "start"` for the text after it. Cuts fall on line boundaries far from
 * the cursor; only a single line longer than the whole budget is cut inside the line.
 */
export declare function fitToBudget(text: string, budget: number, keep: "start" | "end", encode: Encoder): Promise<BudgetedText>;
/** Keeps at most `maxChars` characters on the `keep` side, dropping the partial line at the far end. */
export declare function cutAtLineBoundary(text: string, maxChars: number, keep: "start" | "end"): string;
export declare function splitLinesKeepingBreaks(text: string): string[];
/**
 * Token budgets for the text before and after the cursor and for snippets of other files, as shares
 * of the context; whatever the shares, they leave room for the layout tokens and the generation.
 */
export declare function fimBudgets(options: {
    contextSize: number;
    maxTokens: number;
    prefixShare: number;
    suffixShare: number;
    extraShare?: number;
    overhead: number;
}): {
    prefix: number;
    suffix: number;
    extra: number;
};
/**
 * Budgets for a prompt of at most `maxTokens` (layout tokens excluded): the prefix and suffix shrink
 * in proportion to each other, and snippets of other files are left out.
 */
export declare function capBudgets(budgets: {
    prefix: number;
    suffix: number;
    extra: number;
}, maxTokens: number): {
    prefix: number;
    suffix: number;
    extra: number;
};
