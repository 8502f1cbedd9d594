/**
 * The cold-prompt policy: when the model's cache does not hold the code around the cursor (a file
 * just opened, a jump elsewhere), a full prompt could take seconds to read on a slow machine; the
 * first suggestion there gets a prompt cut to what the engine reads in `completion.coldPromptMs`,
 * and the full context comes back with a warm-up (see service.ts) or once it is cheap enough.
 */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { InferenceEngine } from "../engine/inference.js";
import type { Position } from "./cursorContext.js";
import {
    buildCompletionPrompt,
    type CompletionPrompt,
    type CompletionSettings,
    type PromptAnchor,
    type PromptHints,
    type PromptSettings,
} from "./promptLayout.js";

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
export function fullContextAnchor(anchor: PromptAnchor | undefined): PromptAnchor | undefined {
    return anchor?.coldCut === undefined ? anchor : { ...anchor, prefixStartLine: undefined, coldCut: undefined };
}

/**
 * The prompt for a completion: the full-context one when the engine evaluates what its cache lacks
 * within `settings.coldPromptMs`; otherwise one cut to what it can, so the first suggestion comes
 * quickly. A cut prompt stays (it is cached) until a warm-up or a cheap enough moment brings the
 * full context back. Engines that cannot see their cache always get the full prompt.
 */
export async function affordablePrompt(
    engine: Pick<InferenceEngine, "info" | "countTokens" | "promptCost">,
    document: TextDocument,
    position: Position,
    settings: PromptSettings & Pick<CompletionSettings, "coldPromptMs">,
    hints: PromptHints,
): Promise<CompletionPrompt> {
    const build = (buildHints: PromptHints): Promise<CompletionPrompt> =>
        buildCompletionPrompt(engine, engine.info.contextSize, document, position, settings, buildHints);
    const anchored = await build(hints);
    if (!engine.promptCost || settings.coldPromptMs <= 0 || settings.reuseCache === false) return anchored;
    const costOf = (prompt: CompletionPrompt) => engine.promptCost!(prompt.request);
    const cost = costOf(anchored);
    const limit = affordablePromptTokens(cost.tokensPerSecond, settings.coldPromptMs);
    const full = hints.anchor?.coldCut === undefined ? anchored : await build({ ...hints, anchor: fullContextAnchor(hints.anchor) });
    if ((full === anchored ? cost : costOf(full)).uncachedTokens <= limit) return full;
    // A cut prompt the cache holds stays cut.
    if (full !== anchored && cost.uncachedTokens <= limit) return anchored;
    return build({ ...hints, extra: undefined, anchor: fullContextAnchor(hints.anchor), maxPromptTokens: limit });
}
