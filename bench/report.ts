/** Summaries per mode, the targets, and their Markdown table (pure). */

import { median } from "../server/src/completion/stats.js";
import type { EngineFacts, ThreadSetting } from "./backend.js";
import type { RequestLog } from "./replay.js";
import { isWithinLine } from "./replay.js";
import { round, type Summary, summarize } from "./stats.js";

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
    /** "default": the stack chose its threads; a number: fixed. */
    threadSetting: ThreadSetting;
    /** The threads the stack reported using and its measured speeds, after the replay. */
    engine?: EngineFacts;
    logs: RequestLog[];
    peakRssKb: number;
    startMs: number;
    chatRuns?: ChatRunResult[];
    /** Whether per-request server numbers were available. */
    serverNumbers: boolean;
    /** 1-minute load average when the mode started and ended: other work on the machine skews timings. */
    loadAverage?: { start: number; end: number };
    notes?: string[];
}

export interface ModeSummary {
    name: string;
    threadSetting: ModeResult["threadSetting"];
    engine?: EngineFacts;
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
    withinLine: { evaluatedTokens: Summary; typedTokens: Summary; excessTokens: Summary };
    /**
     * Server latency minus engine time minus the time waiting for a superseded request's engine
     * work to stop, model answers (this server only): prompt building, post-processing, debounce.
     */
    serverOverheadMs: Summary;
    /** Time model answers waited for the engine while a superseded request stopped (this server only). */
    queuedMs: Summary;
    /** Client latency minus engine time, model answers: transport, queueing, debounce, everything but the engine. */
    clientOverheadMs: Summary;
    /** The "accept" typist (--typist accept): latency of the requests after Tab and after a keystroke typed instead, and how many were answered with a prepared suggestion. */
    accept?: { afterTab: Summary; afterKeystroke: Summary; prepared: number };
    /** Completion latency while a chat answer streams vs idle (same script); chat speed in generated tokens per second meanwhile. */
    chat?: { idleLatencyMs: Summary; chatLatencyMs: Summary; ratio: number; chatTokensPerS: number; runs: number };
    peakRssMb: number;
}

const answered = (log: RequestLog): boolean => log.result?.outcome === "answered";
/** Answered with a suggestion or with nothing: the request completed and was not superseded. */
const completed = (log: RequestLog): boolean => log.result?.outcome === "answered" || log.result?.outcome === "empty";
const fromModel = (log: RequestLog): boolean => (log.result?.server?.source ?? "model") === "model";
const evaluated = (log: RequestLog): boolean => (log.result?.server?.evaluatedTokens ?? 0) > 0 && log.result?.server?.source === "model";

export function summarizeMode(mode: ModeResult): ModeSummary {
    const idle = mode.logs.filter((log) => log.phase === "idle");
    const count = (outcome: string): number => idle.filter((log) => log.result?.outcome === outcome).length;
    const answeredLogs = idle.filter(answered);
    const completedLogs = idle.filter(completed);
    const modelAnswers = completedLogs.filter((log) => fromModel(log) && log.result?.server !== undefined);
    const engineLogs = idle.filter(evaluated);
    const within = engineLogs.filter(isWithinLine);
    const server = (log: RequestLog) => log.result!.server!;
    const serverAnswers = (mode.kind === "lsp" ? modelAnswers : []).filter((log) => server(log).serverLatencyMs !== undefined);
    const summary: ModeSummary = {
        name: mode.name,
        threadSetting: mode.threadSetting,
        engine: mode.engine,
        requests: idle.length,
        answered: answeredLogs.length,
        empty: count("empty"),
        cancelled: count("cancelled"),
        skipped: count("skipped"),
        errors: count("error"),
        answeredFromCache: answeredLogs.filter((log) => !fromModel(log)).length,
        evaluatedRequests: engineLogs.length,
        latencyMs: summarize(completedLogs.map((log) => log.result!.latencyMs)),
        modelLatencyMs: summarize(completedLogs.filter(fromModel).map((log) => log.result!.latencyMs)),
        promptTokens: summarize(engineLogs.map((log) => server(log).promptTokens)),
        evaluatedTokens: summarize(engineLogs.map((log) => server(log).evaluatedTokens)),
        reusedTokens: summarize(engineLogs.map((log) => server(log).reusedTokens)),
        generatedTokens: summarize(modelAnswers.map((log) => server(log).generatedTokens)),
        engineMs: summarize(modelAnswers.map((log) => server(log).engineMs)),
        withinLine: {
            evaluatedTokens: summarize(within.map((log) => server(log).evaluatedTokens)),
            typedTokens: summarize(within.map((log) => log.typedTokens ?? Number.NaN)),
            excessTokens: summarize(within.map((log) => server(log).evaluatedTokens - (log.typedTokens ?? Number.NaN))),
        },
        serverOverheadMs: summarize(serverAnswers.map((log) => server(log).serverLatencyMs! - server(log).engineMs - (server(log).queuedMs ?? 0))),
        queuedMs: summarize(serverAnswers.map((log) => server(log).queuedMs ?? 0)),
        clientOverheadMs: summarize(modelAnswers.map((log) => log.result!.latencyMs - server(log).engineMs)),
        peakRssMb: mode.peakRssKb / 1024,
    };
    if (idle.some((log) => log.after !== undefined)) {
        const latencies = (after: RequestLog["after"]): Summary =>
            summarize(completedLogs.filter((log) => log.after === after).map((log) => log.result!.latencyMs));
        summary.accept = {
            afterTab: latencies("tab"),
            afterKeystroke: latencies("keystroke"),
            prepared: completedLogs.filter((log) => log.result?.server?.source === "prepared").length,
        };
    }
    const chatLogs = mode.logs.filter((log) => log.phase === "chat");
    if (chatLogs.length > 0) {
        const scripts = new Set(chatLogs.map((log) => log.script));
        const idleSame = idle.filter((log) => scripts.has(log.script) && completed(log)).map((log) => log.result!.latencyMs);
        const chatAnswered = chatLogs.filter(completed).map((log) => log.result!.latencyMs);
        const runs = mode.chatRuns ?? [];
        const tokens = runs.reduce((sum, run) => sum + (run.tokens ?? run.deltas), 0);
        const ms = runs.reduce((sum, run) => sum + run.ms, 0);
        summary.chat = {
            idleLatencyMs: summarize(idleSame),
            chatLatencyMs: summarize(chatAnswered),
            ratio: median(chatAnswered) / median(idleSame),
            chatTokensPerS: ms > 0 ? (tokens * 1000) / ms : Number.NaN,
            runs: runs.length,
        };
    }
    return summary;
}

export interface Target {
    name: string;
    target: string;
    measured: string;
    /** undefined: not measured in this run. */
    met: boolean | undefined;
}

export interface TargetInputs {
    shipped?: ModeSummary;
    /** The same server with completion.prepareNext off (the "no-prepare" mode). */
    withoutPreparation?: ModeSummary;
    llamaServer?: ModeSummary;
    /** Model file size + KV cache of this server's context, bytes. */
    /** The peak RSS target: the model file(s), their KV caches and the overhead allowed. */
    memoryBudgetBytes?: { modelBytes: number; kvBytes: number; overheadMb: number };
}

const fmt = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

/** The targets for the shipped server, against llama-server where the target is relative. */
export function evaluateTargets({ shipped, withoutPreparation, llamaServer, memoryBudgetBytes }: TargetInputs): Target[] {
    const targets: Target[] = [];
    const unmeasured = (name: string, target: string, why: string): Target => ({ name, target, measured: why, met: undefined });
    if (!shipped) return targets;

    const within = shipped.withinLine;
    targets.push(
        within.excessTokens.n === 0
            ? unmeasured(
                  "prompt tokens evaluated per keystroke request within a line",
                  "≤ typed tokens + 4 (median)",
                  "no within-line request reached the engine",
              )
            : {
                  name: "prompt tokens evaluated per keystroke request within a line",
                  target: "≤ typed tokens + 4 (median)",
                  measured: `median ${fmt(within.evaluatedTokens.p50)} evaluated vs ${fmt(within.typedTokens.p50)} typed; median excess ${fmt(within.excessTokens.p50)} (n=${within.excessTokens.n})`,
                  met: within.excessTokens.p50 <= 4,
              },
    );

    if (llamaServer && llamaServer.latencyMs.n > 0 && shipped.latencyMs.n > 0) {
        const p50 = shipped.latencyMs.p50 / llamaServer.latencyMs.p50;
        const p95 = shipped.latencyMs.p95 / llamaServer.latencyMs.p95;
        targets.push({
            name: "median keystroke request → suggestion",
            target: "≤ 0.5× llama-server stack",
            measured: `${fmt(shipped.latencyMs.p50)} ms vs ${fmt(llamaServer.latencyMs.p50)} ms = ${fmt(p50, 2)}×`,
            met: p50 <= 0.5,
        });
        targets.push({
            name: "p95 keystroke request → suggestion",
            target: "≤ 0.7× llama-server stack",
            measured: `${fmt(shipped.latencyMs.p95)} ms vs ${fmt(llamaServer.latencyMs.p95)} ms = ${fmt(p95, 2)}×`,
            met: p95 <= 0.7,
        });
    } else {
        targets.push(
            unmeasured("median / p95 keystroke request → suggestion", "≤ 0.5× / ≤ 0.7× llama-server stack", "llama-server mode not run (--llama-server BIN)"),
        );
    }

    targets.push(
        shipped.serverOverheadMs.n === 0
            ? unmeasured("server overhead beyond the engine", "≤ 3 ms median", "no per-request server numbers (codellama/stats)")
            : {
                  name: "server overhead beyond the engine",
                  target: "≤ 3 ms median",
                  measured: `median ${fmt(shipped.serverOverheadMs.p50, 2)} ms server side (${fmt(shipped.clientOverheadMs.p50, 2)} ms client side); waiting for superseded work to stop: median ${fmt(shipped.queuedMs.p50, 2)} ms`,
                  met: shipped.serverOverheadMs.p50 <= 3,
              },
    );

    targets.push(
        shipped.chat && Number.isFinite(shipped.chat.ratio)
            ? {
                  name: "completion while a chat answer streams",
                  target: "median ≤ 1.5× idle median",
                  measured: `${fmt(shipped.chat.chatLatencyMs.p50)} ms vs ${fmt(shipped.chat.idleLatencyMs.p50)} ms idle = ${fmt(shipped.chat.ratio, 2)}×`,
                  met: shipped.chat.ratio <= 1.5,
              }
            : unmeasured("completion while a chat answer streams", "median ≤ 1.5× idle median", "not run (--chat)"),
    );

    if (shipped.accept) {
        const name = "request after Tab → next suggestion";
        const target = "median ≤ 0.3× without preparation";
        const after = shipped.accept.afterTab;
        const without = withoutPreparation?.accept?.afterTab;
        targets.push(
            without && without.n > 0 && after.n > 0
                ? {
                      name,
                      target,
                      measured: `${fmt(after.p50)} ms vs ${fmt(without.p50)} ms = ${fmt(after.p50 / without.p50, 2)}× (after an unpredicted keystroke: ${fmt(shipped.accept.afterKeystroke.p50)} ms vs ${fmt(withoutPreparation!.accept!.afterKeystroke.p50)} ms)`,
                      met: after.p50 / without.p50 <= 0.3,
                  }
                : unmeasured(name, target, "no-prepare mode not run, or no Tab answered"),
        );
    }

    if (memoryBudgetBytes) {
        const { modelBytes, kvBytes, overheadMb } = memoryBudgetBytes;
        const budgetMb = (modelBytes + kvBytes) / 2 ** 20 + overheadMb;
        targets.push({
            name: "peak RSS",
            target: `≤ model file(s) + KV cache + ${overheadMb} MB`,
            measured: `${fmt(shipped.peakRssMb)} MB vs ${fmt(budgetMb)} MB (model ${fmt(modelBytes / 2 ** 20)} + KV ${fmt(kvBytes / 2 ** 20)} + ${overheadMb})`,
            met: shipped.peakRssMb > 0 ? shipped.peakRssMb <= budgetMb : undefined,
        });
    }
    return targets;
}

/** Markdown table (for docs/performance.md). */
export function formatMarkdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
    const escapeCell = (cell: string | number): string => String(cell).replace(/\|/g, "\\|");
    return [
        `| ${headers.map(escapeCell).join(" | ")} |`,
        `|${headers.map(() => "---").join("|")}|`,
        ...rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`),
    ].join("\n");
}

/** A table cell: the number with `digits` decimals, or "n/a". */
export const cell = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

export const SUMMARY_HEADERS = [
    "mode",
    "threads",
    "prompt tok/s",
    "gen tok/s",
    "requests",
    "answered",
    "cancelled",
    "from cache",
    "latency p50 ms",
    "latency p95 ms",
    "prompt tok p50",
    "evaluated p50",
    "evaluated p95",
    "reused p50",
    "in-line eval p50",
    "in-line typed p50",
    "generated p50",
    "engine ms p50",
    "overhead ms p50",
    "queued ms p50",
    "peak RSS MB",
] as const;

export function summaryRow(summary: ModeSummary): (string | number)[] {
    return [
        summary.name,
        threadsCell(summary),
        cell(summary.engine?.promptTokensPerSecond ?? Number.NaN),
        cell(summary.engine?.generationTokensPerSecond ?? Number.NaN, 1),
        summary.requests,
        summary.answered,
        summary.cancelled,
        summary.answeredFromCache,
        cell(summary.latencyMs.p50),
        cell(summary.latencyMs.p95),
        cell(summary.promptTokens.p50),
        cell(summary.evaluatedTokens.p50),
        cell(summary.evaluatedTokens.p95),
        cell(summary.reusedTokens.p50),
        cell(summary.withinLine.evaluatedTokens.p50),
        cell(summary.withinLine.typedTokens.p50),
        cell(summary.generatedTokens.p50),
        cell(summary.engineMs.p50),
        cell(summary.serverOverheadMs.p50, 1),
        cell(summary.queuedMs.p50, 1),
        cell(summary.peakRssMb),
    ];
}

/** The threads the stack used (prompt/generation when they differ), "(default)" when it chose them itself. */
function threadsCell(summary: ModeSummary): string {
    const used = summary.engine?.threads ?? "?";
    return summary.threadSetting === "default" ? `${used} (default)` : used;
}

export const ACCEPT_HEADERS = [
    "mode",
    "after Tab p50 ms",
    "after Tab p95 ms",
    "after Tab n",
    "prepared",
    "after keystroke p50 ms",
    "after keystroke p95 ms",
    "after keystroke n",
] as const;

/** The "accept" typist's row of a mode; undefined when it did not run. */
export function acceptRow(summary: ModeSummary): (string | number)[] | undefined {
    const accept = summary.accept;
    if (!accept) return undefined;
    return [
        summary.name,
        cell(accept.afterTab.p50),
        cell(accept.afterTab.p95),
        accept.afterTab.n,
        accept.prepared,
        cell(accept.afterKeystroke.p50),
        cell(accept.afterKeystroke.p95),
        accept.afterKeystroke.n,
    ];
}

/** JSON-safe copy of a summary (or anything made of numbers): NaN → null, numbers rounded. */
export function jsonSummary(summary: unknown): unknown {
    return JSON.parse(JSON.stringify(summary, (_key, value: unknown) => (typeof value === "number" ? round(value, 2) : value)));
}
