/** Summaries per mode, the targets, and the text table (pure). */
import type { RequestLog } from "./replay.js";
import { type Summary } from "./stats.js";
export interface ChatRunResult {
    deltas: number;
    chars: number;
    /** Generated tokens, as the answer's usage reports them. */
    tokens?: number;
    ms: number;
    stopReason?: string;
    error?: string;
}
export interface ModeResult {
    name: string;
    /** Which stack: this server over LSP, or llama-server driven like llama.vscode. */
    kind: "lsp" | "llama-server";
    description: string;
    logs: RequestLog[];
    peakRssKb: number;
    startMs: number;
    chatRuns?: ChatRunResult[];
    /** Whether per-request server numbers were available. */
    serverNumbers: boolean;
    /** 1-minute load average when the mode started and ended: other work on the machine skews timings. */
    loadAverage?: {
        start: number;
        end: number;
    };
    notes?: string[];
}
export interface ModeSummary {
    name: string;
    requests: number;
    answered: number;
    empty: number;
    cancelled: number;
    skipped: number;
    errors: number;
    /** Answered without the model (this server: typed-through / cache; llama.vscode: its result cache). */
    answeredFromCache: number;
    /** Requests the engine evaluated (cancelled ones included). */
    evaluatedRequests: number;
    /**
     * Client side, keystroke request to answer, for requests that were answered (a suggestion, or
     * an empty answer: the random-weight test models often complete to nothing worth showing, which
     * takes the same work): what the user waits for.
     */
    latencyMs: Summary;
    /** The same for answers the model generated now (not from a cache). */
    modelLatencyMs: Summary;
    promptTokens: Summary;
    evaluatedTokens: Summary;
    reusedTokens: Summary;
    generatedTokens: Summary;
    engineMs: Summary;
    withinLine: {
        evaluatedTokens: Summary;
        typedTokens: Summary;
        excessTokens: Summary;
    };
    /**
     * Server latency minus engine time minus the time waiting for a superseded request's engine
     * work to stop, model answers (this server only): prompt building, post-processing, debounce.
     */
    serverOverheadMs: Summary;
    /** Time model answers waited for the engine while a superseded request stopped (this server only). */
    queuedMs: Summary;
    /** Client latency minus engine time, model answers: transport, queueing, debounce, everything but the engine. */
    clientOverheadMs: Summary;
    /** Completion latency while a chat answer streams vs idle (same script); chat speed in generated tokens per second meanwhile. */
    chat?: {
        idleLatencyMs: Summary;
        chatLatencyMs: Summary;
        ratio: number;
        chatTokensPerS: number;
        runs: number;
    };
    peakRssMb: number;
}
export declare function summarizeMode(mode: ModeResult): ModeSummary;
export interface Target {
    name: string;
    target: string;
    measured: string;
    /** undefined: not measured in this run. */
    met: boolean | undefined;
}
export interface TargetInputs {
    shipped?: ModeSummary;
    llamaServer?: ModeSummary;
    /** Model file size + KV cache of this server's context, bytes. */
    memoryBudgetBytes?: {
        modelBytes: number;
        kvBytes: number;
    };
}
/** The targets for the shipped server, against llama-server where the target is relative. */
export declare function evaluateTargets({ shipped, llamaServer, memoryBudgetBytes }: TargetInputs): Target[];
/** Plain-text table: columns padded to their widest cell, numbers right-aligned. */
export declare function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string;
/** Markdown table (for docs/performance.md). */
export declare function formatMarkdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string;
/** A table cell: the number with `digits` decimals, or "n/a". */
export declare const cell: (value: number, digits?: number) => string;
export declare const SUMMARY_HEADERS: readonly ["mode", "requests", "answered", "cancelled", "from cache", "latency p50 ms", "latency p95 ms", "prompt tok p50", "evaluated p50", "evaluated p95", "reused p50", "in-line eval p50", "in-line typed p50", "generated p50", "engine ms p50", "overhead ms p50", "queued ms p50", "peak RSS MB"];
export declare function summaryRow(summary: ModeSummary): (string | number)[];
/** JSON-safe copy of a summary (or anything made of numbers): NaN → null, numbers rounded. */
export declare function jsonSummary(summary: unknown): unknown;
