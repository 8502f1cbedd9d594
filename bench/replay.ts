/**
 * Types a replay script back into a completion stack keystroke by keystroke, as VS Code would send it:
 * each keystroke is a didChange; after VS Code's inline-suggestion debounce the provider is asked for a
 * completion; the next keystroke cancels a request still running. At pause points (the end of a word,
 * a new line) the typist waits for the suggestion before typing on, as people do.
 */

import { CURSOR_REST_MS } from "../shared/src/protocol.js";
import type { Backend, PendingRequest, Position, RequestResult } from "./backend.js";
import { sleep } from "./backend.js";
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
    /** The "accept" typist's requests: after pressing Tab on the suggestion, or after typing a keystroke instead. */
    after?: "tab" | "keystroke";
}

const WORD = /[\p{L}\p{N}_$]/u;

/** Whether the typist pauses for a suggestion after keystroke `index`: always after the last one. */
export function isPausePoint(keys: readonly string[], index: number, mode: PauseMode): boolean {
    if (index >= keys.length - 1) return true;
    const key = keys[index]!;
    if (mode === "none") return false;
    if (key.startsWith("\n")) return true;
    if (mode === "line") return false;
    const next = keys[index + 1]!;
    return WORD.test(key.at(-1)!) && !WORD.test(next[0]!);
}

/** The cursor after typing `typed` at `start`. */
export function advance(start: Position, typed: string): Position {
    const lastBreak = typed.lastIndexOf("\n");
    if (lastBreak < 0) return { line: start.line, character: start.character + typed.length };
    let breaks = 0;
    for (const char of typed) if (char === "\n") breaks++;
    return { line: start.line + breaks, character: typed.length - lastBreak - 1 };
}

/** Where typing starts in a script's document: the function's line, after its indentation. */
export function startPosition(script: Pick<ReplayScript, "before" | "indent">): Position {
    let lines = 0;
    for (const char of script.before) if (char === "\n") lines++;
    return { line: lines, character: script.indent.length };
}

export function languageId(language: ReplayScript["language"]): string {
    return language;
}

/** The document a replay types into: the script's function removed, the cursor where it started. Each insertion at the cursor goes to the backend as one edit. */
class ReplayDocument {
    private text: string;
    private offset: number;
    private version = 1;
    cursor: Position;

    constructor(
        private readonly backend: Backend,
        readonly uri: string,
        script: ReplayScript,
    ) {
        this.text = script.before + script.indent + script.after;
        this.offset = script.before.length + script.indent.length;
        this.cursor = startPosition(script);
    }

    open(language: ReplayScript["language"]): Promise<void> {
        return this.backend.open(this.uri, languageId(language), this.text);
    }

    /** `inserted` typed (or accepted) at the cursor, which ends up after it. */
    insert(inserted: string): void {
        this.text = this.text.slice(0, this.offset) + inserted + this.text.slice(this.offset);
        this.version++;
        this.backend.change({ uri: this.uri, version: this.version, position: this.cursor, inserted, text: this.text });
        this.offset += inserted.length;
        this.cursor = advance(this.cursor, inserted);
    }
}

/** Replays one script; resolves when every request has its answer. */
export async function replay(
    backend: Backend,
    script: ReplayScript,
    scriptIndex: number,
    options: ReplayOptions,
    meta: { mode: string; phase: "idle" | "chat"; uri: string },
): Promise<RequestLog[]> {
    const { uri } = meta;
    const interval = 1000 / options.cps;
    const document = new ReplayDocument(backend, uri, script);
    await document.open(script.language);
    const logs: RequestLog[] = [];
    const running: Promise<unknown>[] = [];
    let pending: PendingRequest | undefined;
    const restMs = options.restMs ?? 0;
    if (restMs >= CURSOR_REST_MS) {
        await sleep(CURSOR_REST_MS);
        backend.cursorRested?.(uri, document.cursor);
    }
    await sleep(restMs - Math.min(restMs, CURSOR_REST_MS));
    let nextKeyAt = performance.now() + interval;

    for (let index = 0; index < script.keystrokes.length; index++) {
        await sleep(nextKeyAt - performance.now());
        const key = script.keystrokes[index]!;
        const keyAt = performance.now();
        // The document changes: VS Code cancels the suggestion request still running.
        pending?.cancel();
        pending = undefined;
        document.insert(key);
        const cursor = document.cursor;
        const atPause = isPausePoint(script.keystrokes, index, options.pause);
        nextKeyAt = keyAt + interval;
        // VS Code asks the provider only once the debounce has passed without another keystroke.
        if (!atPause && options.debounceMs >= interval) continue;
        await sleep(keyAt + options.debounceMs - performance.now());
        const request = backend.request(uri, cursor);
        pending = request;
        const log: RequestLog = {
            mode: meta.mode,
            phase: meta.phase,
            script: scriptIndex,
            keystroke: index,
            key,
            position: cursor,
            sentAtEpoch: request.sentAtEpoch,
            atPause,
        };
        logs.push(log);
        running.push(request.done.then((result) => (log.result = result)));
        if (atPause) {
            await Promise.race([request.done, sleep(options.pauseMaxMs)]);
            nextKeyAt = performance.now() + interval;
        }
    }
    await Promise.all(running);
    backend.close(uri);
    return logs;
}

export interface AcceptOptions {
    /** How long the typist looks at each suggestion before pressing Tab or typing on. */
    lookMs: number;
    debounceMs: number;
    /** The longest a typist waits for a suggestion. */
    pauseMaxMs: number;
}

/**
 * The "accept" typist: types the script's first keystroke, then looks at each answer for `lookMs`
 * and either presses Tab (the suggestion is inserted at the cursor, which ends up after it, and the
 * editor asks again there) or types the script's next keystroke instead, alternately, so that
 * requests after Tab and after an unpredicted keystroke come under the same conditions. Without a
 * suggestion to accept it types on. Makes as many requests as the script has keystrokes.
 */
export async function replayAccepting(
    backend: Backend,
    script: ReplayScript,
    scriptIndex: number,
    options: AcceptOptions,
    meta: { mode: string; uri: string },
): Promise<RequestLog[]> {
    const { uri } = meta;
    const document = new ReplayDocument(backend, uri, script);
    await document.open(script.language);
    const logs: RequestLog[] = [];
    let suggestion = "";
    let keystrokes = 0;
    let tabNext = true;
    while (logs.length < script.keystrokes.length && keystrokes < script.keystrokes.length) {
        const tab: boolean = suggestion !== "" && tabNext;
        const inserted = tab ? suggestion : script.keystrokes[keystrokes++]!;
        document.insert(inserted);
        const cursor = document.cursor;
        await sleep(options.debounceMs);
        const request = backend.request(uri, cursor);
        const log: RequestLog = {
            mode: meta.mode,
            phase: "idle",
            script: scriptIndex,
            keystroke: keystrokes - 1,
            key: tab ? "<Tab>" : inserted,
            position: cursor,
            sentAtEpoch: request.sentAtEpoch,
            atPause: true,
            after: tab ? "tab" : "keystroke",
        };
        logs.push(log);
        const result = await Promise.race([request.done, sleep(options.pauseMaxMs).then(() => undefined)]);
        if (result) log.result = result;
        else {
            request.cancel();
            log.result = await request.done;
        }
        suggestion = log.result.outcome === "answered" ? (log.result.text ?? "") : "";
        tabNext = !tab;
        await sleep(options.lookMs);
    }
    backend.close(uri);
    return logs;
}

/**
 * Marks what was typed between requests that reached the engine (server numbers with evaluated
 * tokens), so evaluated tokens can be set against typed tokens. Logs must be one replay's, in order.
 */
export function annotateTyped(logs: RequestLog[], keys: readonly string[], countTokens: (text: string) => number): void {
    let lastEvaluated: number | undefined;
    for (const log of logs) {
        const evaluated = log.result?.server?.source === "model" && (log.result.server.evaluatedTokens ?? 0) > 0;
        if (!evaluated) continue;
        if (lastEvaluated !== undefined) {
            const typed = keys.slice(lastEvaluated + 1, log.keystroke + 1).join("");
            log.typedSinceEvaluation = typed;
            log.typedTokens = typed ? countTokens(typed) : 0;
        }
        lastEvaluated = log.keystroke;
    }
}

/** A request made while typing within a line: evaluated by the engine, nothing but same-line text typed since the previous evaluation. */
export function isWithinLine(log: RequestLog): boolean {
    return log.typedSinceEvaluation !== undefined && log.typedSinceEvaluation.length > 0 && !log.typedSinceEvaluation.includes("\n");
}
