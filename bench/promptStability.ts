/**
 * Prompt stability, without timing: for every keystroke of the replay, the prompt this server would
 * build (its own prompt builder and the model's tokenizer) and how many of its tokens differ from the
 * previous keystroke's prompt, i.e. what the KV cache could not reuse if every keystroke were
 * evaluated. Noise on the machine does not change these numbers; they show what a layout costs.
 */
import { TextDocument } from "vscode-languageserver-textdocument";
import { buildCompletionPrompt, type PromptAnchor, type PromptSettings, type TokenCounter } from "../server/src/completion/promptLayout.js";
import { reusableTokens } from "../server/src/engine/embeddedEngine.js";
import type { InfillRequest } from "../server/src/engine/promptFormat.js";
import type { Token } from "../server/src/engine/tokenizer.js";
import type { FimFormat } from "../shared/src/settings.js";
import type { ReplayScript } from "./corpus.js";
import { advance, startPosition } from "./replay.js";
import { type Summary, summarize } from "./stats.js";

/** The model's tokenizer, as the engine counts and encodes prompts with it. */
export interface PromptTokenizer extends TokenCounter {
    encode(request: InfillRequest): Token[];
}

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
export function tokensToEvaluate(previous: readonly Token[] | undefined, next: readonly Token[]): number {
    return previous ? next.length - reusableTokens(previous, next) : next.length;
}

export async function promptStability(
    tokenizer: PromptTokenizer,
    contextSize: number,
    scripts: readonly ReplayScript[],
    settings: Omit<PromptSettings, "layout">,
    formats: readonly FimFormat[],
): Promise<StabilityResult[]> {
    const results: StabilityResult[] = [];
    for (const format of formats) {
        const within: number[] = [];
        const newLine: number[] = [];
        const promptTokens: number[] = [];
        const buildMs: number[] = [];
        let fullReevaluations = 0;
        let keystrokes = 0;
        for (const [index, script] of scripts.entries()) {
            let text = script.before + script.indent + script.after;
            let offset = script.before.length + script.indent.length;
            let cursor = startPosition(script);
            let previous: Token[] | undefined;
            let anchor: PromptAnchor | undefined;
            for (const [keyIndex, key] of script.keystrokes.entries()) {
                text = text.slice(0, offset) + key + text.slice(offset);
                offset += key.length;
                cursor = advance(cursor, key);
                const document = TextDocument.create(`file:///stability/${index}`, script.language, keyIndex + 2, text);
                const started = performance.now();
                const built = await buildCompletionPrompt(tokenizer, contextSize, document, cursor, { ...settings, layout: format }, { anchor });
                buildMs.push(performance.now() - started);
                const prompt = tokenizer.encode(built.request);
                anchor = built.anchor;
                promptTokens.push(prompt.length);
                if (previous) {
                    const evaluate = tokensToEvaluate(previous, prompt);
                    if (key.includes("\n")) {
                        newLine.push(evaluate);
                    } else {
                        within.push(evaluate);
                        // More than the suffix and the typed line changed: the prompt's start moved.
                        if (evaluate > prompt.length / 2) fullReevaluations++;
                    }
                }
                previous = prompt;
                keystrokes++;
            }
        }
        results.push({
            format,
            keystrokes,
            promptTokens: summarize(promptTokens),
            withinLine: summarize(within),
            newLine: summarize(newLine),
            fullReevaluations,
            withinLineCount: within.length,
            buildMs: summarize(buildMs),
        });
    }
    return results;
}
