/**
 * One suggestion from the engine: the affordable prompt, generation that stops as soon as the answer
 * is complete for its scope, and the post-processing that turns the model's text into what the
 * editor shows. Also the warm-up, which reads the prompt into the cache and generates nothing.
 */
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { GenerateOptions, Generation, InferenceEngine } from "../engine/inference.js";
import { affordablePrompt, fullContextAnchor } from "./coldPrompt.js";
import type { Position } from "./cursorContext.js";
import { answerRules } from "./postprocess.js";
import {
    buildCompletionPrompt,
    type CompletionPrompt,
    type CompletionSettings,
    completionLayout,
    type PromptAnchor,
    type PromptHints,
} from "./promptLayout.js";
import { completionTimeLimitMs, cutAtTimeLimit } from "./scope.js";

export interface Completion {
    /** What to insert at `position`; "" when there is nothing worth showing. */
    text: string;
    /** The (validated) cursor position the text is inserted at. */
    position: Position;
    prompt: Pick<CompletionPrompt, "prefixTokens" | "suffixTokens" | "anchor"> & { tokens: number };
    generation: Omit<Generation, "text">;
}

/**
 * Asks the engine for the text at the cursor (filled in between the text around it, or continuing the
 * text before it, as the model can: completionLayout) and post-processes it; `priority` "background"
 * for work nobody waits for (the next suggestion, prepared).
 */
export async function completeAt(
    engine: InferenceEngine,
    document: TextDocument,
    position: Position,
    settings: CompletionSettings,
    signal?: AbortSignal,
    hints: PromptHints = {},
    priority: GenerateOptions["priority"] = "interactive",
): Promise<Completion> {
    const prompt = await affordablePrompt(engine, document, position, { ...settings, layout: completionLayout(settings, engine.info.roles) }, hints);
    const rules = answerRules(prompt.surroundings, prompt.eol);
    const started = performance.now();
    const limitMs = completionTimeLimitMs(settings.maxTimeMs, engine.speed?.().generationTokensPerSecond);
    let timedOut: string | undefined;
    const { text: generated, ...generation } = await engine.infill(prompt.request, {
        maxTokens: settings.maxTokens,
        signal,
        priority,
        reuseCache: settings.reuseCache,
        // Stop as soon as the answer is complete for its scope, the model spells out a control token, or time is up.
        onText: (text) => {
            if (rules.isComplete(text)) return true;
            timedOut = cutAtTimeLimit(text, performance.now() - started, limitMs);
            return timedOut !== undefined;
        },
    });
    const raw = timedOut ?? generated;
    return {
        text: rules.finish(raw),
        position: prompt.position,
        prompt: { tokens: prompt.promptTokens, prefixTokens: prompt.prefixTokens, suffixTokens: prompt.suffixTokens, anchor: prompt.anchor },
        generation,
    };
}

/**
 * Evaluates the full-context prompt for the cursor into the completion sequence's cache and
 * generates nothing: while the cursor rests, so the first keystroke there evaluates only what it typed.
 */
export async function warmAt(
    engine: InferenceEngine,
    document: TextDocument,
    position: Position,
    settings: CompletionSettings,
    signal?: AbortSignal,
    hints: PromptHints = {},
): Promise<{ anchor: PromptAnchor; generation: Omit<Generation, "text"> }> {
    const prompt = await buildCompletionPrompt(
        engine,
        engine.info.contextSize,
        document,
        position,
        { ...settings, layout: completionLayout(settings, engine.info.roles) },
        { ...hints, anchor: fullContextAnchor(hints.anchor) },
    );
    const { text: _text, ...generation } = await engine.infill(prompt.request, {
        maxTokens: 0,
        signal,
        reuseCache: settings.reuseCache,
        priority: "background",
    });
    return { anchor: prompt.anchor, generation };
}
