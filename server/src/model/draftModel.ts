/**
 * Whether the completion model is the draft of a separate chat model (speculative decoding,
 * tokenPrediction.ts): the `chat.draftModel` setting over what the two files are. Pure.
 */
import type { DraftModelSetting } from "../../../shared/src/settings.js";

/** `auto` drafts for a chat model at least this many times the completion model's parameters: a draft much faster than its target pays, one nearly as slow does not. */
export const DRAFT_MIN_SIZE_RATIO = 3;

export interface DraftFacts {
    /** Why the completion model cannot draft for the chat model (another vocabulary); undefined when it can. */
    vocabularyProblem: string | undefined;
    /** Parameters of each model; 0 when unknown. */
    completionParameters: number;
    chatParameters: number;
}

/** Draft, or not and why; `warn`: the user asked for it (`on`) and should hear why not. */
export type DraftChoice = { draft: true } | { draft: false; why: string; warn: boolean };

export function draftChoice(setting: DraftModelSetting, facts: DraftFacts): DraftChoice {
    if (setting === "off") return { draft: false, why: "codellama.chat.draftModel is off", warn: false };
    if (facts.vocabularyProblem) return { draft: false, why: facts.vocabularyProblem, warn: setting === "on" };
    if (setting === "on") return { draft: true };
    const { completionParameters, chatParameters } = facts;
    if (completionParameters > 0 && chatParameters >= DRAFT_MIN_SIZE_RATIO * completionParameters) return { draft: true };
    return {
        draft: false,
        why: `the chat model (${billions(chatParameters)} parameters) is not ${DRAFT_MIN_SIZE_RATIO} times the completion model's size (${billions(completionParameters)}); codellama.chat.draftModel: on drafts anyway`,
        warn: false,
    };
}

function billions(parameters: number): string {
    return parameters === 0 ? "unknown" : parameters >= 1e9 ? `${(parameters / 1e9).toFixed(1)}B` : `${Math.round(parameters / 1e6)}M`;
}
