/**
 * This server as an editor runs it: `node dist/server.js --stdio` in its own temporary HOME, driven
 * over a real LSP connection the way VS Code drives it (incremental didChange, inlineCompletion,
 * $/cancelRequest of the stale request when the next keystroke comes).
 */
import {
    CancellationTokenSource,
    DidChangeTextDocumentNotification,
    DidCloseTextDocumentNotification,
    DidOpenTextDocumentNotification,
    type InlineCompletionList,
    InlineCompletionRequest,
    InlineCompletionTriggerKind,
    LSPErrorCodes,
    type ProtocolConnection,
    ResponseError,
} from "vscode-languageserver-protocol/node";
import { type CompletionRecord, type CompletionStats, chatDeltaProgress, chatRequest, statsRequest, warmCacheNotification } from "../shared/src/protocol.js";
import { type ServerUnderTest, startServer } from "../tools/lspClient.js";
import {
    type Backend,
    type ChatRun,
    type EngineFacts,
    type KeystrokeEdit,
    type PendingRequest,
    type Position,
    type RequestResult,
    type ServerNumbers,
    threadsLabel,
} from "./backend.js";
import { MemorySampler } from "./proc.js";

export interface LspBackendOptions {
    label: string;
    serverJs: string;
    /** The `codellama` section answered to workspace/configuration. */
    settings: Record<string, unknown>;
    /** Lines of the server's stderr and log messages go here (debugging the benchmark). */
    onLog?(line: string): void;
    readyTimeoutMs?: number;
}

export class LspBackend implements Backend {
    readonly label: string;
    private server: ServerUnderTest | undefined;
    private memory: MemorySampler | undefined;
    private seenRequests = 0;
    private chatCount = 0;
    /** `codellama/stats` answered (false: the server has no statistics; the client-side numbers still count). */
    statsAvailable = true;

    constructor(private readonly options: LspBackendOptions) {
        this.label = options.label;
    }

    get pid(): number | undefined {
        return this.server?.process.pid;
    }

    private get connection(): ProtocolConnection {
        return this.server!.connection;
    }

    async start(): Promise<void> {
        const server = await startServer({
            serverJs: this.options.serverJs,
            settings: this.options.settings,
            initializationOptions: this.options.settings,
            onLog: (line) => this.options.onLog?.(`[${this.label}] ${line}`),
        });
        this.server = server;
        this.memory = new MemorySampler(server.process.pid!).start();
        const timeoutMs = this.options.readyTimeoutMs ?? 300_000;
        let status;
        try {
            // Ready once loaded and done measuring its threads: a calibration while another stack starts would measure that one too.
            status = await server.waitForStatus(
                (candidate) => (candidate.state === "ready" && candidate.threads?.source !== "calibrating") || candidate.state === "error",
                timeoutMs,
            );
        } catch (error) {
            throw new Error(
                `${this.label}: the server did not load the model within ${timeoutMs / 1000} s: ${error instanceof Error ? error.message : String(error)}`,
            );
        }
        if (status.state === "error") throw new Error(`${this.label}: the server could not load the model: ${status.message}`);
    }

    async open(uri: string, languageId: string, text: string): Promise<void> {
        await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
    }

    cursorRested(uri: string, position: Position): void {
        void this.connection.sendNotification(warmCacheNotification, { textDocument: { uri }, position });
    }

    change(edit: KeystrokeEdit): void {
        void this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri: edit.uri, version: edit.version },
            contentChanges: [{ range: { start: edit.position, end: edit.position }, rangeLength: 0, text: edit.inserted }],
        });
    }

    request(uri: string, position: Position): PendingRequest {
        const source = new CancellationTokenSource();
        let cancelled = false;
        const sentAtEpoch = Date.now();
        const started = performance.now();
        const done: Promise<RequestResult> = this.connection
            .sendRequest(
                InlineCompletionRequest.type,
                { textDocument: { uri }, position, context: { triggerKind: InlineCompletionTriggerKind.Automatic } },
                source.token,
            )
            .then(
                (answer): RequestResult => {
                    const latencyMs = performance.now() - started;
                    const items = Array.isArray(answer) ? answer : ((answer as InlineCompletionList | null)?.items ?? []);
                    const first = items[0]?.insertText;
                    const text = typeof first === "string" ? first : first?.value;
                    // An answer that comes after the next keystroke is dropped by the editor.
                    if (cancelled) return { outcome: "cancelled", latencyMs, text };
                    return text ? { outcome: "answered", latencyMs, text } : { outcome: "empty", latencyMs };
                },
                (error: unknown): RequestResult => {
                    const latencyMs = performance.now() - started;
                    if (error instanceof ResponseError && error.code === LSPErrorCodes.RequestCancelled) return { outcome: "cancelled", latencyMs };
                    if (cancelled) return { outcome: "cancelled", latencyMs };
                    return { outcome: "error", latencyMs, error: error instanceof Error ? error.message : String(error) };
                },
            );
        return {
            sentAtEpoch,
            done,
            cancel: () => {
                if (cancelled) return;
                cancelled = true;
                source.cancel();
            },
        };
    }

    close(uri: string): void {
        void this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    }

    /** From the last codellama/status: the server pushes one at the end of every completion request. */
    engineFacts(): EngineFacts {
        const status = [...this.server!.statuses].reverse().find((candidate) => candidate.state === "ready");
        const threads = status?.threads;
        return {
            threads: threads ? threadsLabel(threads) : undefined,
            promptTokensPerSecond: status?.promptTokensPerSecond,
            generationTokensPerSecond: status?.generationTokensPerSecond,
        };
    }

    /** Fetches `codellama/stats` and gives each request made since the last call the server's record of it. */
    async attachServerNumbers(requests: readonly { sentAtEpoch: number; result?: RequestResult }[]): Promise<void> {
        if (!this.statsAvailable) return;
        let stats: CompletionStats;
        try {
            stats = await this.connection.sendRequest(statsRequest);
        } catch {
            this.statsAvailable = false;
            return;
        }
        const fresh = stats.recent.slice(Math.max(0, stats.recent.length - (stats.requests - this.seenRequests)));
        this.seenRequests = stats.requests;
        const matched = matchRecords(
            requests.map((request) => request.sentAtEpoch),
            fresh,
        );
        matched.forEach((record, index) => {
            const result = requests[index]!.result;
            if (record && result) result.server = serverNumbers(record);
        });
    }

    chat(question: string, maxTokens: number): ChatRun {
        const source = new CancellationTokenSource();
        const token = `bench-chat-${++this.chatCount}`;
        let deltas = 0;
        let chars = 0;
        const subscription = this.connection.onProgress(chatDeltaProgress, token, (value) => {
            deltas++;
            chars += value.delta.length;
        });
        const started = performance.now();
        const done = this.connection
            .sendRequest(chatRequest, { messages: [{ role: "user", content: question }], maxTokens, partialResultToken: token }, source.token)
            .then(
                (answer) => ({ deltas, chars, tokens: answer.usage?.completionTokens, ms: performance.now() - started, stopReason: answer.stopReason }),
                (error: unknown) => ({ deltas, chars, ms: performance.now() - started, error: error instanceof Error ? error.message : String(error) }),
            );
        void done.finally(() => subscription.dispose());
        return { done, cancel: () => source.cancel() };
    }

    async stop(): Promise<{ peakRssKb: number }> {
        const peak = this.memory?.stop() ?? { peakRssKb: 0 };
        await this.server?.stop();
        return peak;
    }
}

export function serverNumbers(record: CompletionRecord): ServerNumbers {
    return {
        source: record.source,
        outcome: record.outcome,
        promptTokens: record.promptTokens,
        reusedTokens: record.reusedTokens,
        evaluatedTokens: record.evaluatedTokens,
        generatedTokens: record.generatedTokens,
        engineMs: record.engineMs,
        serverLatencyMs: record.latencyMs,
        queuedMs: record.queuedMs,
    };
}

/**
 * Pairs the client's requests (their Date.now() at sending, in sending order) with the server's
 * records. The server handles requests in order and stamps each on arrival, so records sorted by
 * arrival belong to an in-order subsequence of the requests (a request the server dropped before
 * completion started has no record). When there is one record per request they pair in order;
 * otherwise each record goes to the latest request sent at or before its arrival that is not before
 * the previous match. Returns one entry per request: its record or undefined.
 */
export function matchRecords<R extends { receivedAt: number }>(sentAtEpoch: readonly number[], records: readonly R[]): (R | undefined)[] {
    const sorted = records
        .map((record, index) => ({ record, index }))
        .sort((a, b) => a.record.receivedAt - b.record.receivedAt || a.index - b.index)
        .map((entry) => entry.record);
    const result: (R | undefined)[] = sentAtEpoch.map(() => undefined);
    if (sorted.length === sentAtEpoch.length) {
        for (const [index, record] of sorted.entries()) result[index] = record;
        return result;
    }
    let next = 0;
    for (const record of sorted) {
        // Clocks are the same machine's Date.now(); allow a millisecond of rounding.
        let target = -1;
        for (let index = next; index < sentAtEpoch.length && sentAtEpoch[index]! <= record.receivedAt + 1; index++) target = index;
        if (target < 0) continue;
        result[target] = record;
        next = target + 1;
    }
    return result;
}
