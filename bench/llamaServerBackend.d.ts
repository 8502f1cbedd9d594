import type { Backend, KeystrokeEdit, PendingRequest, Position, ServerNumbers } from "./backend.js";
export interface LlamaServerOptions {
    label: string;
    bin: string;
    modelPath: string;
    contextSize: number;
    threads: number;
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
export declare function llamaServerArgs(options: Pick<LlamaServerOptions, "modelPath" | "contextSize" | "threads" | "spmInfill" | "extraArgs">, port: number): string[];
interface InfillResponse {
    content?: string;
    tokens_evaluated?: number;
    timings?: {
        prompt_n?: number;
        prompt_ms?: number;
        predicted_n?: number;
        predicted_ms?: number;
        cache_n?: number;
    };
}
/** Evaluated/reused/generated tokens and engine time out of an /infill answer's `timings`. */
export declare function numbersFromTimings(response: InfillResponse, serverLatencyMs: number): ServerNumbers;
export declare class LlamaServerBackend implements Backend {
    private readonly options;
    readonly label: string;
    private child;
    private home;
    private port;
    private memory;
    private readonly agent;
    private readonly documents;
    private readonly cache;
    /** llama.vscode's isRequestInProgress. */
    private inProgress;
    private readonly logTail;
    constructor(options: LlamaServerOptions);
    get pid(): number | undefined;
    start(): Promise<void>;
    open(uri: string, _languageId: string, text: string): Promise<void>;
    change(edit: KeystrokeEdit): void;
    close(uri: string): void;
    /** llama.vscode's getCompletionItems for an automatic trigger. */
    request(uri: string, position: Position): PendingRequest;
    stop(): Promise<{
        peakRssKb: number;
    }>;
    private http;
}
export {};
