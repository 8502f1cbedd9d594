/**
 * Types a replay script back into a completion stack keystroke by keystroke, as VS Code would send it:
 * each keystroke is a didChange; after VS Code's inline-suggestion debounce the provider is asked for a
 * completion; the next keystroke cancels a request still running. At pause points (the end of a word,
 * a new line) the typist waits for the suggestion before typing on, as people do.
 */
import type { Backend, Position, RequestResult } from "./backend.js";
import type { ReplayScript } from "./corpus.js";
export type PauseMode = "word" | "line" | "none";
export interface ReplayOptions {
    /** Typing speed, characters (keystrokes) per second. */
    cps: number;
    /** VS Code's inline completion debounce before asking the provider (50 ms). */
    debounceMs: number;
    pause: PauseMode;
    /** The longest a typist waits at a pause for the suggestion. */
    pauseMaxMs: number;
    /** How long the typist looks at the file, cursor placed, before typing (0: types at once). */
    restMs?: number;
}
export interface RequestLog {
    mode: string;
    phase: "idle" | "chat";
    script: number;
    /** Index of the keystroke after which the request was made. */
    keystroke: number;
    key: string;
    position: Position;
    sentAtEpoch: number;
    result?: RequestResult;
    /** The request came at a pause point (the typist waited for it). */
    atPause: boolean;
    /** Text typed since the previous request of this replay that the engine evaluated; undefined for the first. */
    typedSinceEvaluation?: string;
    /** Tokens of typedSinceEvaluation (counted by the model's tokenizer, or characters when none is at hand). */
    typedTokens?: number;
}
/** Whether the typist pauses for a suggestion after keystroke `index`: always after the last one. */
export declare function isPausePoint(keys: readonly string[], index: number, mode: PauseMode): boolean;
/** The cursor after typing `typed` at `start`. */
export declare function advance(start: Position, typed: string): Position;
/** Where typing starts in a script's document: the function's line, after its indentation. */
export declare function startPosition(script: Pick<ReplayScript, "before" | "indent">): Position;
export declare function languageId(language: ReplayScript["language"]): string;
/** Replays one script; resolves when every request has its answer. */
export declare function replay(backend: Backend, script: ReplayScript, scriptIndex: number, options: ReplayOptions, meta: {
    mode: string;
    phase: "idle" | "chat";
    uri: string;
}): Promise<RequestLog[]>;
/**
 * Marks what was typed between requests that reached the engine (server numbers with evaluated
 * tokens), so evaluated tokens can be set against typed tokens. Logs must be one replay's, in order.
 */
export declare function annotateTyped(logs: RequestLog[], keys: readonly string[], countTokens: (text: string) => number): void;
/** A request made while typing within a line: evaluated by the engine, nothing but same-line text typed since the previous evaluation. */
export declare function isWithinLine(log: RequestLog): boolean;
