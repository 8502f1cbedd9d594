/**
 * Inline completion, end to end: the one entry point the LSP handlers call. A keystroke's request
 * goes through these stages, each in its own module:
 *
 *   1. one at a time      latestOnly.ts        a newer request aborts the running one
 *   2. suggestion cache   suggestionCache.ts   typing through a suggestion, or asking again, needs no model
 *   3. adaptive debounce  debounce.ts          waits only when the model is slower than the typing
 *   4. prompt             promptLayout.ts      the text around the cursor, cut to token budgets, kept stable
 *                         coldPrompt.ts        cut short when the cache is cold and the engine slow
 *   5. generation         generation.ts        the engine fills in the middle, stopped at the scope's end
 *   6. post-processing    postprocess.ts       what the editor shows ("" when nothing is worth it)
 *   7. statistics         stats.ts             every request counted, locally
 *
 * While the cursor rests (codellama/warmCache), and after a suggestion from a cold-cut prompt once
 * nothing was asked for a while, the prompt there is read into the model's cache (warm-up). While
 * the user looks at a suggestion, the one after it is prepared (preparation.ts), so that the
 * request after Tab needs no model call. Both are background work: the status says "completing"
 * only for requests. A file of `completion.exclude` (shared/src/exclude.ts: keys, environment
 * files) gets none of them.
 *
 * Cancellation: complete() takes an AbortSignal and resolves `{ status: "cancelled" }` when it was
 * aborted (by the client or a newer request); it never rejects for a cancellation.
 */
import { TextDocument } from "vscode-languageserver-textdocument";
import type { CompletionRecord, CompletionStats, PredictionCounts, ServerStatus } from "../../../shared/src/protocol.js";
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import { errorMessage, type Logger } from "../log/logger.js";
import type { ModelManager } from "../model/modelManager.js";
import type { Position } from "./cursorContext.js";
import { AdaptiveDebounce } from "./debounce.js";
import type { SnippetRing } from "./extraContext.js";
import { completeAt, warmAt } from "./generation.js";
import { LatestOnly } from "./latestOnly.js";
import { NextSuggestionPreparation } from "./preparation.js";
import type { ExtraContext, PromptAnchor } from "./promptLayout.js";
import { StatsCollector } from "./stats.js";
import { SuggestionCache, type SuggestionKey, sameKey, suggestionKey } from "./suggestionCache.js";

export interface Suggestion {
    /** "" when there is nothing worth showing. */
    text: string;
    /** Where to insert it (the validated cursor). */
    position: Position;
    source: CompletionRecord["source"];
    /** The prompt was cut short because the model's cache was cold; a warm-up brings back the full context. */
    coldCut?: boolean;
}

/** What complete() resolves with: a suggestion, none (completions off, an excluded file, no model ready), or cancelled. */
export type CompletionResult = { status: "suggested"; suggestion: Suggestion } | { status: "unavailable" } | { status: "cancelled" };

/** Documents whose prompt top is remembered (the most recently completed ones). */
const ANCHORED_DOCUMENTS = 64;

/**
 * After a suggestion from a prompt cut short for a cold cache, this long without another request
 * means the user is reading, not typing: the full context is read into the cache then. Each time the
 * next keystroke stops that warm-up before it is done (and the cut prompt is read again), the pause
 * it waits for doubles, up to FULL_CONTEXT_MAX_IDLE_MS, so that short pauses stop costing anything.
 */
export const FULL_CONTEXT_AFTER_IDLE_MS = 1000;
const FULL_CONTEXT_MAX_IDLE_MS = 16_000;

/** A suggestion computed ahead for the document with the one before it accepted. */
interface PreparedSuggestion {
    text: string;
    anchor: PromptAnchor;
}

export interface CompletionServiceOptions {
    /** The loaded engine, and the `completing` flag of the status. */
    models: Pick<ModelManager, "engine" | "chat" | "beginCompletion">;
    /** The open document of a uri as it is now; undefined once closed. */
    document(uri: string): TextDocument | undefined;
    /** The completion settings in force. */
    settings(): CodeLlamaConfig["completion"];
    /** Recent snippets of the user's files, for the prompts of other files. */
    snippets: SnippetRing;
    /** A file's path relative to its workspace folder, for snippet headers. */
    pathOf(uri: string): string;
    /** The document is one of `completion.exclude`'s (a secret): no suggestion, no warm-up. */
    excluded(uri: string): boolean;
    logger: Logger;
    now?(): number;
    sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

export class CompletionService {
    private readonly cache = new SuggestionCache();
    private readonly stats = new StatsCollector();
    private readonly debounce = new AdaptiveDebounce();
    private readonly latest = new LatestOnly();
    /** Per document, the seams of its previous prompt (see PromptAnchor): kept while they fit, so the cache stays valid. */
    private readonly anchors = new Map<string, PromptAnchor>();
    private readonly now: () => number;
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
    private fullContextTimer: NodeJS.Timeout | undefined;
    /** The document whose full-context warm-up a keystroke stopped, and the pause the next one waits for. */
    private fullContextBackoff: { uri: string; idleMs: number } | undefined;
    private readonly next: NextSuggestionPreparation<PreparedSuggestion>;
    private nextTimer: NodeJS.Timeout | undefined;
    /** The preparation running: the request it will answer, and its result (undefined when stopped or failed). */
    private preparing: { key: SuggestionKey; done: Promise<PreparedSuggestion | undefined> } | undefined;
    /** Counts reset(): a preparation started before one is not kept. */
    private epoch = 0;

    constructor(private readonly options: CompletionServiceOptions) {
        this.now = options.now ?? (() => performance.now());
        this.sleep = options.sleep ?? abortableSleep;
        this.next = new NextSuggestionPreparation(this.now);
    }

    /** The suggestion at `position`; rejects only when the engine fails (the failure is counted). */
    async complete(document: TextDocument, position: Position, signal?: AbortSignal): Promise<CompletionResult> {
        this.stopTimers();
        const settings = this.options.settings();
        if (!settings.enabled || !this.options.models.engine) return { status: "unavailable" };
        if (this.options.excluded(document.uri)) {
            this.options.logger.debug(() => `completion ${document.uri}: excluded (completion.exclude)`);
            return { status: "unavailable" };
        }
        const preparing = this.preparing;
        if (preparing && sameKey(preparing.key, this.keyAt(document, position))) return this.awaitPreparation(document, position, preparing.done, signal);
        return this.generate(signal, { completion: true }, async (signal) => {
            if (signal.aborted) return { status: "cancelled" };
            const result = await this.suggest(document, position, settings, signal);
            const { logger } = this.options;
            logger.debug(
                () =>
                    `completion ${document.uri}:${position.line + 1}:${position.character + 1} -> ${result.status === "suggested" ? JSON.stringify(result.suggestion.text) : result.status} stats ${JSON.stringify(this.stats.snapshot().recent.at(-1))}`,
            );
            if (result.status === "suggested" && result.suggestion.coldCut) this.warmWhenIdle(document, position);
            return result;
        });
    }

    /** codellama/warmCache: the cursor came to rest at `position` (see warm); the suggestion shown before is gone. */
    cursorRested(document: TextDocument, position: Position): void {
        this.stopTimers();
        void this.warm(document, position, { replacesPreparation: true });
    }

    /** The client reported what the user did with a suggestion. */
    event(kind: "accepted" | "partiallyAccepted"): void {
        this.stats.event(kind);
    }

    /** The statistics, with the engine's speculative decoding counts. */
    snapshot(): CompletionStats {
        const predictions = this.predictions();
        return { ...this.stats.snapshot(), ...(predictions ? { predictions } : {}) };
    }

    /** Guessed tokens of the completion sequence and of the chat sequence, wherever each runs (a separate chat model has its own). */
    private predictions(): Record<"completion" | "chat", PredictionCounts> | undefined {
        const { engine, chat } = this.options.models;
        const completion = engine?.tokenPredictions?.().completion;
        const chatCounts = (chat ?? engine)?.tokenPredictions?.().chat;
        return completion && chatCounts ? { completion, chat: chatCounts } : undefined;
    }

    /** For the status: requests answered with a prepared suggestion, and the guessed tokens of both sequences. */
    speculation(): Pick<ServerStatus, "preparedSuggestions" | "predictions"> {
        const predictions = this.predictions();
        const both = predictions && {
            validated: predictions.completion.validated + predictions.chat.validated,
            refuted: predictions.completion.refuted + predictions.chat.refuted,
        };
        return { preparedSuggestions: this.stats.prepared, ...(both ? { predictions: both } : {}) };
    }

    /** Suggestions depend on the model and settings: forget them when those change. */
    reset(): void {
        this.cache.clear();
        this.anchors.clear();
        this.next.clear();
        this.epoch++;
    }

    /** Stages 2 to 7 of one request (see the top of this file). */
    private async suggest(document: TextDocument, position: Position, settings: CodeLlamaConfig["completion"], signal: AbortSignal): Promise<CompletionResult> {
        const started = this.now();
        const receivedAt = Date.now();
        const key = this.keyAt(document, position);
        const { offset } = key;
        const base = withoutModel(receivedAt);

        const prepared = this.next.take(key);
        if (prepared) return this.servePrepared(document, key, prepared, started, base);
        const cached = this.cache.lookup(key);
        if (cached) {
            this.stats.record({ ...base, source: cached.source, outcome: "answered", latencyMs: this.now() - started });
            this.prepareNext(document, offset, cached.text);
            return { status: "suggested", suggestion: { text: cached.text, position: document.positionAt(offset), source: cached.source } };
        }

        const delay = this.debounce.arrive(started);
        if (delay > 0) await this.sleep(delay, signal);
        const heldMs = this.now() - started;
        if (signal.aborted) {
            this.stats.record({ ...base, source: "model", outcome: "cancelled", latencyMs: this.now() - started, heldMs });
            return { status: "cancelled" };
        }
        const engine = this.options.models.engine;
        if (!engine) return { status: "unavailable" };

        let completion;
        try {
            completion = await completeAt(engine, document, position, settings, signal, {
                extra: this.extraContext(document.uri, settings),
                anchor: this.anchors.get(document.uri),
            });
        } catch (error) {
            this.stats.record({ ...base, source: "model", outcome: "error", latencyMs: this.now() - started, heldMs });
            throw error;
        }
        const { generation } = completion;
        this.rememberAnchor(document.uri, completion.prompt.anchor);
        const record: CompletionRecord = {
            receivedAt,
            latencyMs: this.now() - started,
            source: "model",
            outcome: signal.aborted ? "cancelled" : completion.text ? "answered" : "empty",
            promptTokens: generation.promptTokens,
            reusedTokens: generation.reusedTokens,
            evaluatedTokens: generation.evaluatedTokens,
            generatedTokens: generation.generatedTokens,
            engineMs: generation.totalMs,
            queuedMs: generation.queuedMs ?? 0,
            heldMs,
            engineStartedAt: generation.startedAt ?? 0,
            ...(completion.prompt.anchor.coldCut === undefined ? {} : { coldCut: true }),
        };
        this.stats.record(record);
        if (signal.aborted) return { status: "cancelled" };
        this.debounce.measured(
            generation.totalMs,
            generation.generatedTokens > 0 ? (generation.totalMs - generation.promptMs) / generation.generatedTokens : undefined,
        );
        this.cache.remember(key, completion.text);
        if (completion.text) this.stats.event("shown");
        this.prepareNext(document, offset, completion.text);
        return {
            status: "suggested",
            suggestion: { text: completion.text, position: completion.position, source: "model", ...(record.coldCut ? { coldCut: true } : {}) },
        };
    }

    /** Answers the request after Tab with the suggestion prepared for it, and plans the one after. */
    private servePrepared(
        document: TextDocument,
        key: SuggestionKey,
        prepared: PreparedSuggestion,
        started: number,
        base: Omit<CompletionRecord, "source" | "outcome" | "latencyMs">,
    ): CompletionResult {
        this.rememberAnchor(document.uri, prepared.anchor);
        this.cache.remember(key, prepared.text);
        this.stats.record({ ...base, source: "prepared", outcome: prepared.text ? "answered" : "empty", latencyMs: this.now() - started });
        if (prepared.text) this.stats.event("shown");
        this.prepareNext(document, key.offset, prepared.text);
        return { status: "suggested", suggestion: { text: prepared.text, position: document.positionAt(key.offset), source: "prepared" } };
    }

    /** The request after Tab came while its suggestion is still being prepared: the preparation goes on and answers it (a newer request stops both). */
    private async awaitPreparation(
        document: TextDocument,
        position: Position,
        done: Promise<PreparedSuggestion | undefined>,
        signal: AbortSignal | undefined,
    ): Promise<CompletionResult> {
        const started = this.now();
        const base = withoutModel(Date.now());
        const aborted = new Promise<"aborted">((resolve) => {
            if (signal?.aborted) resolve("aborted");
            signal?.addEventListener("abort", () => resolve("aborted"), { once: true });
        });
        // The request is in flight while it waits: "completing", though the preparation started as background work.
        const completing = this.options.models.beginCompletion();
        const prepared = await Promise.race([done, aborted]).finally(completing);
        if (prepared === "aborted" || prepared === undefined) {
            this.stats.record({ ...base, source: "prepared", outcome: "cancelled", latencyMs: this.now() - started });
            return { status: "cancelled" };
        }
        const key = this.keyAt(document, position);
        this.next.take(key);
        return this.servePrepared(document, key, prepared, started, base);
    }

    /** After answering `suggestion` at `offset`: prepare the suggestion after it once the user has looked at it a moment (see preparation.ts). */
    private prepareNext(document: TextDocument, offset: number, suggestion: string): void {
        const settings = this.options.settings();
        if (!settings.prepareNext) return;
        const delay = this.next.answered({ uri: document.uri, version: document.version, text: document.getText(), offset, suggestion });
        if (delay === undefined) return;
        clearTimeout(this.nextTimer);
        this.nextTimer = setTimeout(() => this.startPreparation(document.languageId), delay);
        this.nextTimer.unref();
    }

    private startPreparation(languageId: string): void {
        const { models, logger } = this.options;
        const settings = this.options.settings();
        const target = this.next.due((uri) => this.options.document(uri)?.version);
        if (!target || !settings.enabled || !models.engine || this.options.excluded(target.uri)) return;
        const epoch = this.epoch;
        const accepted = TextDocument.create(target.uri, languageId, target.version, target.text);
        logger.debug(() => `preparing the next suggestion ${target.uri}@${target.offset}`);
        const done = this.generate(undefined, { completion: false }, async (signal): Promise<PreparedSuggestion | undefined> => {
            const engine = models.engine;
            if (!engine || signal.aborted) return undefined;
            const completion = await completeAt(
                engine,
                accepted,
                accepted.positionAt(target.offset),
                settings,
                signal,
                { extra: this.extraContext(target.uri, settings), anchor: this.anchors.get(target.uri) },
                "background",
            );
            if (signal.aborted || completion.generation.stopReason === "cancelled" || epoch !== this.epoch) return undefined;
            logger.debug(() => `prepared the next suggestion ${target.uri}@${target.offset}: ${JSON.stringify(completion.text)}`);
            const prepared = { text: completion.text, anchor: completion.prompt.anchor };
            this.next.prepared(target.key, prepared);
            return prepared;
        })
            .catch((error: unknown) => {
                logger.warn(`Preparing the next suggestion failed: ${errorMessage(error)}`);
                return undefined;
            })
            .finally(() => {
                if (this.preparing?.done === done) this.preparing = undefined;
            });
        this.preparing = { key: target.key, done };
    }

    /**
     * Completion-sequence work, one at a time (a newer call aborts the older). A completion request
     * shows as "completing" in the status; a warm-up or a preparation does not.
     */
    private generate<T>(signal: AbortSignal | undefined, kind: { completion: boolean }, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
        return this.latest.run(signal, async (signal) => {
            const done = kind.completion ? this.options.models.beginCompletion() : undefined;
            try {
                return await work(signal);
            } finally {
                done?.();
            }
        });
    }

    /** Brings back the full context of a cold-cut prompt once nothing has been asked for a while (see FULL_CONTEXT_AFTER_IDLE_MS). */
    private warmWhenIdle(document: TextDocument, position: Position): void {
        const { uri, version } = document;
        const idleMs = this.fullContextBackoff?.uri === uri ? this.fullContextBackoff.idleMs : FULL_CONTEXT_AFTER_IDLE_MS;
        clearTimeout(this.fullContextTimer);
        this.fullContextTimer = setTimeout(() => {
            if (this.options.document(uri)?.version !== version) return;
            void this.warm(document, position, { replacesPreparation: false }).then((warmed) => {
                if (warmed) this.fullContextBackoff = undefined;
                else if (warmed === false) this.fullContextBackoff = { uri, idleMs: Math.min(idleMs * 2, FULL_CONTEXT_MAX_IDLE_MS) };
            });
        }, idleMs);
        this.fullContextTimer.unref();
    }

    /**
     * Evaluates the prompt at `position` into the cache; only when idle, so it never delays or
     * interrupts a completion, nor a preparation unless `replacesPreparation` (the cursor moved: the
     * suggestion it was for is gone). Resolves whether it finished (undefined: not started); errors
     * are logged, never answered.
     */
    private async warm(document: TextDocument, position: Position, { replacesPreparation }: { replacesPreparation: boolean }): Promise<boolean | undefined> {
        const { models, logger } = this.options;
        const settings = this.options.settings();
        if (
            !settings.enabled ||
            !settings.warmCache ||
            !models.engine ||
            (this.latest.busy && !(replacesPreparation && this.preparing)) ||
            this.options.excluded(document.uri)
        )
            return undefined;
        try {
            return await this.generate(undefined, { completion: false }, async (signal) => {
                const engine = models.engine;
                if (!engine || signal.aborted) return false;
                const { anchor, generation } = await warmAt(engine, document, position, settings, signal, {
                    extra: this.extraContext(document.uri, settings),
                    anchor: this.anchors.get(document.uri),
                });
                this.rememberAnchor(document.uri, anchor);
                const warmed = generation.stopReason !== "cancelled";
                logger.debug(() => `warm cache ${document.uri}:${position.line + 1}:${position.character + 1} ${warmed ? "done" : "stopped"}`);
                return warmed;
            });
        } catch (error) {
            logger.warn(`Warming the cache failed: ${errorMessage(error)}`);
            return false;
        }
    }

    /** Whatever was to start when nothing is asked (a warm-up, a preparation) does not: something was asked. */
    private stopTimers(): void {
        clearTimeout(this.fullContextTimer);
        clearTimeout(this.nextTimer);
        this.next.requested();
    }

    private keyAt(document: TextDocument, position: Position): SuggestionKey {
        return suggestionKey(document.uri, document.getText(), document.offsetAt(position));
    }

    private extraContext(uri: string, settings: CodeLlamaConfig["completion"]): ExtraContext | undefined {
        return settings.extraContextShare > 0 ? { snippets: this.options.snippets.others(uri), pathOf: this.options.pathOf } : undefined;
    }

    private rememberAnchor(uri: string, anchor: PromptAnchor): void {
        this.anchors.delete(uri);
        this.anchors.set(uri, anchor);
        if (this.anchors.size > ANCHORED_DOCUMENTS) this.anchors.delete(this.anchors.keys().next().value!);
    }
}

/** The record of a request answered without a model call, before its source, outcome and latency. */
function withoutModel(receivedAt: number): Omit<CompletionRecord, "source" | "outcome" | "latencyMs"> {
    return { receivedAt, promptTokens: 0, reusedTokens: 0, evaluatedTokens: 0, generatedTokens: 0, engineMs: 0, queuedMs: 0, heldMs: 0, engineStartedAt: 0 };
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks it). */
function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, { once: true });
        function done(): void {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            resolve();
        }
    });
}
