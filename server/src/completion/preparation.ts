/**
 * The next suggestion, ready before Tab (llama.vscode's "speculative FIM"). Once a suggestion is
 * answered and nothing else is asked for PREPARE_AFTER_IDLE_MS, the user is looking at it; the
 * service then computes, in the background, the suggestion for the document with this one accepted
 * and the cursor at its end. When the request after Tab comes (the edit inserting exactly that
 * text, then a request at its end) it is answered from that result without a model call.
 *
 * This module decides when to start, for which document, and which request a result serves; the
 * service runs the work (a request stops it: one at a time). Pure; the clock is injected.
 */
import { type SuggestionKey, sameKey, suggestionKey } from "./suggestionCache.js";

/** Longer than the gap between an answer and the next keystroke while typing on, short against a look at the suggestion. */
export const PREPARE_AFTER_IDLE_MS = 200;

/** A suggestion the editor shows: `suggestion` inserted at `offset` of the document `text` (version `version`). */
export interface AnsweredSuggestion {
    uri: string;
    version: number;
    text: string;
    offset: number;
    suggestion: string;
}

/** What to prepare: the document with the suggestion accepted, the cursor at its end, and the key of the request that result serves. */
export interface PreparationTarget {
    uri: string;
    /** The version of the document the suggestion was answered for: the preparation is for it only. */
    version: number;
    text: string;
    offset: number;
    key: SuggestionKey;
}

/** The document after accepting `answer` (Tab inserts the suggestion at the cursor, which ends up after it). */
export function acceptedTarget(answer: AnsweredSuggestion): PreparationTarget {
    const text = answer.text.slice(0, answer.offset) + answer.suggestion + answer.text.slice(answer.offset);
    const offset = answer.offset + answer.suggestion.length;
    return { uri: answer.uri, version: answer.version, text, offset, key: suggestionKey(answer.uri, text, offset) };
}

/** When to prepare which suggestion, and the prepared result (`T`) for the request it serves. */
export class NextSuggestionPreparation<T> {
    private planned: { target: PreparationTarget; dueAt: number } | undefined;
    private ready: { key: SuggestionKey; result: T } | undefined;

    constructor(
        private readonly now: () => number,
        private readonly idleMs = PREPARE_AFTER_IDLE_MS,
    ) {}

    /**
     * A suggestion was answered (shown): plans to prepare the next one. Returns how long to wait
     * before asking `due`; undefined when there is nothing to prepare (no suggestion, or its next one
     * is prepared already).
     */
    answered(answer: AnsweredSuggestion): number | undefined {
        this.planned = undefined;
        if (!answer.suggestion) return undefined;
        const target = acceptedTarget(answer);
        if (this.ready && sameKey(this.ready.key, target.key)) return undefined;
        this.planned = { target, dueAt: this.now() + this.idleMs };
        return this.idleMs;
    }

    /** A request came, or the cursor moved: what was planned does not start. */
    requested(): void {
        this.planned = undefined;
    }

    /**
     * The preparation to start now, once: only when it is due, nothing was asked since the answer,
     * and the document is still the version it was answered for (`versionOf`: a document's version
     * now; undefined once closed).
     */
    due(versionOf: (uri: string) => number | undefined): PreparationTarget | undefined {
        const planned = this.planned;
        if (!planned || this.now() < planned.dueAt) return undefined;
        this.planned = undefined;
        return versionOf(planned.target.uri) === planned.target.version ? planned.target : undefined;
    }

    /** A preparation finished: its result answers the request at `key`. */
    prepared(key: SuggestionKey, result: T): void {
        this.ready = { key, result };
    }

    /** The prepared result for the request at `key`, once. */
    take(key: SuggestionKey): T | undefined {
        if (!this.ready || !sameKey(this.ready.key, key)) return undefined;
        const { result } = this.ready;
        this.ready = undefined;
        return result;
    }

    /** Results depend on the model and settings: forget them when those change. */
    clear(): void {
        this.planned = undefined;
        this.ready = undefined;
    }
}
