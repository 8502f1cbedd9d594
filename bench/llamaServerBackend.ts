/**
 * The stack llama.vscode uses: llama.cpp's `llama-server` started with `-np 1 --cache-reuse 256`,
 * asked through POST /infill the way llama.vscode asks it (see llamaVscode.ts).
 */
import http from "node:http";
import { type RunningLlamaServer, startLlamaServer } from "../tools/llamaServer.js";
import type { Backend, EngineFacts, KeystrokeEdit, PendingRequest, Position, RequestResult, ServerNumbers } from "./backend.js";
import { sleep } from "./backend.js";
import { infillInput, infillPayload, LLAMA_VSCODE_DEFAULTS, ResultCache, skipsAutomaticRequest, trimSuggestion } from "./llamaVscode.js";
import { MemorySampler } from "./proc.js";

export interface LlamaServerOptions {
    label: string;
    bin: string;
    modelPath: string;
    contextSize: number;
    /** -t and -tb; undefined: llama-server's own default (one per physical core). */
    threads: number | undefined;
    maxTokens: number;
    /** --spm-infill: the suffix first, so typing only appends to the cached prompt. */
    spmInfill?: boolean;
    /** cache_prompt in each request (llama.vscode: true). */
    cachePrompt?: boolean;
    sampling?: "greedy" | "llama.vscode";
    /** More command-line arguments for llama-server. */
    extraArgs?: readonly string[];
    onLog?(line: string): void;
    readyTimeoutMs?: number;
}

/** The command line: llama.vscode's documented `-np 1 --cache-reuse 256`, this benchmark's context size and threads. */
export function llamaServerArgs(
    options: Pick<LlamaServerOptions, "modelPath" | "contextSize" | "threads" | "spmInfill" | "extraArgs">,
    port: number,
): string[] {
    return [
        "-m",
        options.modelPath,
        "-c",
        String(options.contextSize),
        "-np",
        "1",
        "--cache-reuse",
        "256",
        ...(options.threads === undefined ? [] : ["-t", String(options.threads), "-tb", String(options.threads)]),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        ...(options.spmInfill ? ["--spm-infill"] : []),
        ...(options.extraArgs ?? []),
    ];
}

/** The generation threads llama-server reports as it starts ("llama threadpool init, n_threads = 2"). */
export function threadsFromLog(line: string): number | undefined {
    const match = /threadpool init, n_threads = (\d+)/.exec(line);
    return match ? Number(match[1]) : undefined;
}

/** Token-weighted speeds over /infill answers: prompts of 32 tokens or more, generations of 4 or more (shorter ones are mostly overhead). */
export class TimingTally {
    private readonly prompt = { tokens: 0, ms: 0 };
    private readonly generation = { tokens: 0, ms: 0 };

    add(timings: InfillResponse["timings"]): void {
        const add = (sum: { tokens: number; ms: number }, tokens = 0, ms = 0, least: number): void => {
            if (tokens < least || !(ms > 0)) return;
            sum.tokens += tokens;
            sum.ms += ms;
        };
        add(this.prompt, timings?.prompt_n, timings?.prompt_ms, 32);
        add(this.generation, timings?.predicted_n, timings?.predicted_ms, 4);
    }

    speeds(): Pick<EngineFacts, "promptTokensPerSecond" | "generationTokensPerSecond"> {
        const rate = ({ tokens, ms }: { tokens: number; ms: number }): number | undefined => (ms > 0 ? (tokens * 1000) / ms : undefined);
        return { promptTokensPerSecond: rate(this.prompt), generationTokensPerSecond: rate(this.generation) };
    }
}

interface InfillResponse {
    content?: string;
    tokens_evaluated?: number;
    timings?: { prompt_n?: number; prompt_ms?: number; predicted_n?: number; predicted_ms?: number; cache_n?: number };
}

/** Evaluated/reused/generated tokens and engine time out of an /infill answer's `timings`. */
export function numbersFromTimings(response: InfillResponse, serverLatencyMs: number): ServerNumbers {
    const timings = response.timings ?? {};
    const evaluated = timings.prompt_n ?? 0;
    const reused = timings.cache_n ?? Math.max(0, (response.tokens_evaluated ?? evaluated) - evaluated);
    return {
        source: "model",
        promptTokens: evaluated + reused,
        reusedTokens: reused,
        evaluatedTokens: evaluated,
        generatedTokens: timings.predicted_n ?? 0,
        engineMs: (timings.prompt_ms ?? 0) + (timings.predicted_ms ?? 0),
        serverLatencyMs,
    };
}

export class LlamaServerBackend implements Backend {
    readonly label: string;
    private server: RunningLlamaServer | undefined;
    private memory: MemorySampler | undefined;
    private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    private readonly documents = new Map<string, string>();
    private readonly cache = new ResultCache();
    /** llama.vscode's isRequestInProgress. */
    private inProgress = false;
    private readonly timings = new TimingTally();
    private threads: number | undefined;

    constructor(private readonly options: LlamaServerOptions) {
        this.label = options.label;
    }

    get pid(): number | undefined {
        return this.server?.process.pid;
    }

    async start(): Promise<void> {
        try {
            this.server = await startLlamaServer({
                bin: this.options.bin,
                args: (port) => {
                    const args = llamaServerArgs(this.options, port);
                    this.options.onLog?.(`[${this.label}] ${this.options.bin} ${args.join(" ")}`);
                    return args;
                },
                onLog: (line) => {
                    this.threads ??= threadsFromLog(line);
                    this.options.onLog?.(`[${this.label}] ${line}`);
                },
                readyTimeoutMs: this.options.readyTimeoutMs,
            });
        } catch (error) {
            throw new Error(`${this.label}: ${error instanceof Error ? error.message : String(error)}`);
        }
        this.memory = new MemorySampler(this.server.process.pid!).start();
    }

    async open(uri: string, _languageId: string, text: string): Promise<void> {
        this.documents.set(uri, text);
    }

    change(edit: KeystrokeEdit): void {
        this.documents.set(edit.uri, edit.text);
    }

    close(uri: string): void {
        this.documents.delete(uri);
    }

    /** llama.vscode's getCompletionItems for an automatic trigger. */
    request(uri: string, position: Position): PendingRequest {
        const text = this.documents.get(uri) ?? "";
        let cancelled = false;
        const sentAtEpoch = Date.now();
        const started = performance.now();
        const run = async (): Promise<RequestResult> => {
            // One request at a time: poll until the running one is done; give up when cancelled meanwhile.
            while (this.inProgress) {
                await sleep(LLAMA_VSCODE_DEFAULTS.pollMs);
                if (cancelled) return { outcome: "cancelled", latencyMs: performance.now() - started };
            }
            this.inProgress = true;
            try {
                const input = infillInput(text, position);
                if (skipsAutomaticRequest(input)) return { outcome: "skipped", latencyMs: performance.now() - started };
                const cached = this.cache.lookup(input);
                if (cached !== undefined) {
                    const latencyMs = performance.now() - started;
                    const server: ServerNumbers = {
                        source: "cache",
                        promptTokens: 0,
                        reusedTokens: 0,
                        evaluatedTokens: 0,
                        generatedTokens: 0,
                        engineMs: 0,
                        serverLatencyMs: 0,
                    };
                    if (cancelled) return { outcome: "cancelled", latencyMs, server };
                    return cached.trim() ? { outcome: "answered", latencyMs, text: cached, server } : { outcome: "empty", latencyMs, server };
                }
                if (cancelled) return { outcome: "cancelled", latencyMs: performance.now() - started };
                const body = infillPayload(input, { nPredict: this.options.maxTokens, cachePrompt: this.options.cachePrompt, sampling: this.options.sampling });
                const httpStarted = performance.now();
                const response = await this.http("POST", "/infill", body);
                const httpMs = performance.now() - httpStarted;
                const latencyMs = performance.now() - started;
                if (response.status !== 200) return { outcome: "error", latencyMs, error: `HTTP ${response.status}: ${response.body.slice(0, 300)}` };
                const data = JSON.parse(response.body) as InfillResponse;
                this.timings.add(data.timings);
                const server = numbersFromTimings(data, httpMs);
                const completion = trimSuggestion(data.content ?? "");
                if (completion.trim()) this.cache.put(input, completion);
                // llama.vscode returns it, but VS Code drops the answer of a cancelled request.
                if (cancelled) return { outcome: "cancelled", latencyMs, server, text: completion };
                return completion.trim() ? { outcome: "answered", latencyMs, text: completion, server } : { outcome: "empty", latencyMs, server };
            } catch (error) {
                return { outcome: "error", latencyMs: performance.now() - started, error: error instanceof Error ? error.message : String(error) };
            } finally {
                this.inProgress = false;
            }
        };
        return {
            sentAtEpoch,
            done: run(),
            cancel: () => {
                cancelled = true;
            },
        };
    }

    engineFacts(): EngineFacts {
        return { threads: this.threads === undefined ? undefined : String(this.threads), ...this.timings.speeds() };
    }

    async stop(): Promise<{ peakRssKb: number }> {
        const peak = this.memory?.stop() ?? { peakRssKb: 0 };
        await this.server?.stop();
        this.agent.destroy();
        return peak;
    }

    private http(method: "GET" | "POST", pathname: string, body?: unknown): Promise<{ status: number; body: string }> {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const request = http.request(
                {
                    host: "127.0.0.1",
                    port: this.server!.port,
                    method,
                    path: pathname,
                    agent: this.agent,
                    headers: payload === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) },
                },
                (response) => {
                    const chunks: Buffer[] = [];
                    response.on("data", (chunk: Buffer) => chunks.push(chunk));
                    response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
                    response.on("error", reject);
                },
            );
            request.on("error", reject);
            if (payload !== undefined) request.write(payload);
            request.end();
        });
    }
}
