import { type PromptSettings } from "../server/src/completion/promptLayout.js";
import type { Token } from "../server/src/engine/promptFormat.js";
import type { FimFormat } from "../shared/src/settings.js";
import type { EngineTokenizer } from "../server/src/engine/inference.js";
import type { ReplayScript } from "./corpus.js";
import { type Summary } from "./stats.js";
export interface StabilityResult {
    format: FimFormat;
    keystrokes: number;
    promptTokens: Summary;
    /** Tokens to evaluate after a keystroke within a line (the previous keystroke's prompt cached). */
    withinLine: Summary;
    /** The same after a line break. */
    newLine: Summary;
    /** Within-line keystrokes that change more than half the prompt: its start moved (e.g. the cut at the top of the prefix). */
    fullReevaluations: number;
    withinLineCount: number;
    /** Time to build one prompt (cutting and tokenizing both sides) with this process's tokenizer, ms. */
    buildMs: Summary;
}
/** Tokens of `next` not covered by the longest common prefix with `previous` (at least one is always evaluated). */
export declare function tokensToEvaluate(previous: readonly Token[] | undefined, next: readonly Token[]): number;
export declare function promptStability(tokenizer: EngineTokenizer, contextSize: number, scripts: readonly ReplayScript[], settings: Omit<PromptSettings, "fimFormat">, formats: readonly FimFormat[]): Promise<StabilityResult[]>;
