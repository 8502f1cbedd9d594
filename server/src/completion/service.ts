import type { TextDocument } from "vscode-languageserver-textdocument";
import type { InferenceEngine } from "../engine/inference.js";
import type { CompletionRecord, CompletionStats } from "../../../shared/src/protocol.js";
import { type CompletionSettings, completeAt, type ExtraContext, type PromptAnchor, warmAt } from "./promptLayout.js";
import type { Position } from "./cursorContext.js";
import { AdaptiveDebounce } from "./debounce.js";
import { StatsCollector } from "./stats.js";
import { SuggestionCache, type SuggestionKey } from "./suggestionCache.js";

export interface Suggestion {
    text: string;
    /** Where to insert it (the validated cursor). */
    position: Position;
    source: CompletionRecord["source"];
    /** The prompt was cut short because the model's cache was cold; a warm-up brings back the full context. */
    coldCut?: boolean;
}

/** Thrown when a request was cancelled (by the client or a newer keystroke). */
export class CompletionCancelled extends Error {
    constructor() {
        super("Completion cancelled");
        this.name = "CompletionCancelled";
    }
}

const KEY_BEFORE_CHARS = 2000;
const KEY_AFTER_CHARS = 500;
/** Documents whose prompt top is remembered (the most recently completed ones). */
const ANCHORED_DOCUMENTS = 64;

export interface CompletionServiceOptions {
    /** The loaded engine, if any. */
    engine(): InferenceEngine | undefined;
    now?(): number;
    sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

/**
 * One inline completion request, end to end: typed-through and repeated requests come from the
 * suggestion cache, others wait out the adaptive debounce and ask the engine; every request is
 * counted in the local statistics.
 */
export class CompletionService {
    private readonly cache = new SuggestionCache();
    private readonly stats = new StatsCollector();
    private readonly debounce = new AdaptiveDebounce();
    /** Per document, the seams of its previous prompt (see PromptAnchor): kept while they fit, so the cache stays valid. */
    private readonly anchors = new Map<string, PromptAnchor>();
    private readonly now: () => number;
    private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;

    constructor(private readonly options: CompletionServiceOptions) {
        this.now = options.now ?? (() => performance.now());
        this.sleep = options.sleep ?? abortableSleep;
    }

    /** Resolves undefined when no model is ready; throws CompletionCancelled when cancelled. */
    async complete(document: TextDocument, position: Position, settings: CompletionSettings, signal: AbortSignal, extra?: ExtraContext): Promise<Suggestion | undefined> {
        const started = this.now();
        const receivedAt = Date.now();
        const text = document.getText();
        const offset = document.offsetAt(position);
        const key: SuggestionKey = { uri: document.uri, offset, before: text.slice(Math.max(0, offset - KEY_BEFORE_CHARS), offset), after: text.slice(offset, offset + KEY_AFTER_CHARS) };
        const base = { receivedAt, promptTokens: 0, reusedTokens: 0, evaluatedTokens: 0, generatedTokens: 0, engineMs: 0, queuedMs: 0, heldMs: 0, engineStartedAt: 0 };

        const cached = this.cache.lookup(key);
        if (cached) {
            this.stats.record({ ...base, source: cached.source, outcome: "answered", latencyMs: this.now() - started });
            return { text: cached.text, position: document.positionAt(offset), source: cached.source };
        }

        const delay = this.debounce.arrive(started);
        if (delay > 0) await this.sleep(delay, signal).catch(() => undefined);
        const heldMs = this.now() - started;
        if (signal.aborted) {
            this.stats.record({ ...base, source: "model", outcome: "cancelled", latencyMs: this.now() - started, heldMs });
            throw new CompletionCancelled();
        }
        const engine = this.options.engine();
        if (!engine) return undefined;

        let completion;
        try {
            completion = await completeAt(engine, document, position, settings, signal, { extra, anchor: this.anchors.get(document.uri) });
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
        if (signal.aborted) throw new CompletionCancelled();
        this.debounce.measured(generation.totalMs, generation.generatedTokens > 0 ? (generation.totalMs - generation.promptMs) / generation.generatedTokens : undefined);
        this.cache.remember(key, completion.text);
        if (completion.text) this.stats.event("shown");
        return { text: completion.text, position: completion.position, source: "model", ...(record.coldCut ? { coldCut: true } : {}) };
    }

    /**
     * Evaluates the prompt at a resting cursor into the cache (see warmAt); resolves false when there
     * is no model or the warm-up was cancelled.
     */
    async warm(document: TextDocument, position: Position, settings: CompletionSettings, signal: AbortSignal, extra?: ExtraContext): Promise<boolean> {
        const engine = this.options.engine();
        if (!engine || signal.aborted) return false;
        const { anchor, generation } = await warmAt(engine, document, position, settings, signal, { extra, anchor: this.anchors.get(document.uri) });
        this.rememberAnchor(document.uri, anchor);
        return generation.stopReason !== "cancelled";
    }

    /** The client reported what the user did with a suggestion. */
    event(kind: "accepted" | "partiallyAccepted"): void {
        this.stats.event(kind);
    }

    snapshot(): CompletionStats {
        return this.stats.snapshot();
    }

    /** Suggestions depend on the model and settings: forget them when those change. */
    reset(): void {
        this.cache.clear();
        this.anchors.clear();
    }

    private rememberAnchor(uri: string, anchor: PromptAnchor): void {
        this.anchors.delete(uri);
        this.anchors.set(uri, anchor);
        if (this.anchors.size > ANCHORED_DOCUMENTS) this.anchors.delete(this.anchors.keys().next().value!);
    }
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
        const timer = setTimeout(done, ms);
        signal.addEventListener("abort", done, { once: true });
        function done(): void {
            clearTimeout(timer);
            signal.removeEventListener("abort", done);
            if (signal.aborted) reject(new CompletionCancelled());
            else resolve();
        }
    });
}
