import type { ModelRoles } from "./modelRoles.js";
import type { ChatRequest, InfillRequest } from "./promptFormat.js";
import type { ThreadCounts } from "./threads.js";
import type { PredictionCounts } from "./tokenPrediction.js";

/**
 * What completion and chat need from a model, wherever it runs: the embedded node-llama-cpp engine,
 * a llama.cpp server or an OpenAI-compatible server. Requests are structured (the texts of a
 * completion and their layout, the messages of a chat and their format); each engine encodes them itself.
 *
 * Cancellation: an aborted `signal` stops the work at its next check, and the call resolves with
 * what it has, `stopReason: "cancelled"`; it never rejects for a cancellation.
 */
export interface InferenceEngine {
    readonly info: EngineInfo;
    /**
     * Tokens of `text` as the engine counts them for budgets (`leadingSpace`: see PromptPiece):
     * exact where it tokenizes; where it cannot (OpenAI's API), one per character, which over-counts
     * code and so keeps prompts within the context.
     */
    countTokens(text: string, leadingSpace: boolean): number | Promise<number>;
    /** Tokens the chat prompt of a conversation takes, counted the same way. */
    chatPromptTokens(request: ChatRequest): Promise<number>;
    /** A completion (fill in the middle, or continue) on the completion sequence; `maxTokens` 0 only reads the prompt into the cache (warming it). */
    infill(request: InfillRequest, options: GenerateOptions): Promise<Generation>;
    /** Answers a conversation on the chat sequence, so the completion sequence keeps its cache; stops at the end of the format's turn. */
    chat(request: ChatRequest, options: GenerateOptions): Promise<Generation>;
    /** What reading an infill prompt on the completion sequence would take now; left out by engines that cannot see their cache. */
    promptCost?(request: InfillRequest): PromptCost;
    /** Threads and measured speeds; left out by engines that run elsewhere. */
    speed?(): EngineSpeed;
    /** Speculative decoding on each sequence so far (see tokenPrediction.ts); left out by engines without it. */
    tokenPredictions?(): Record<"completion" | "chat", PredictionCounts>;
    dispose(): Promise<void>;
}

export interface EngineInfo {
    modelPath: string;
    modelName: string;
    /** What the model file says it can do (modelRoles.ts); settings may override it (modelUse). */
    roles: ModelRoles;
    /** "cuda" | "vulkan" | "metal" | "cpu", or the server a remote engine talks to. */
    device: string;
    gpuLayers: number;
    totalLayers: number;
    /** In tokens, per sequence. */
    contextSize: number;
    /** Set when the context size was chosen automatically: at the target, reduced to fit, or the smallest (contextSize.ts). */
    contextSizeAuto?: "auto" | "auto-reduced" | "auto-minimum";
    loadMs: number;
    /** Set when the model did not fit the GPU as asked and was loaded with fewer GPU layers. */
    fallback?: string;
}

export interface EngineSpeed {
    /** CPU threads in use. */
    threads: ThreadCounts;
    /** Measured speeds (moving averages); undefined until measured. */
    promptTokensPerSecond: number | undefined;
    generationTokensPerSecond: number | undefined;
}

export interface PromptCost {
    /** Prompt tokens the sequence's cache does not hold (at least 1: the last one is always evaluated). */
    uncachedTokens: number;
    /** Measured prompt evaluation speed; undefined until measured. */
    tokensPerSecond: number | undefined;
}

export interface GenerateOptions {
    /** Most tokens to generate; 0 only evaluates the prompt into the sequence's cache (warming it). */
    maxTokens: number;
    signal?: AbortSignal;
    /**
     * Typing comes first: "interactive" work (a completion while typing) runs while "background"
     * work (a streaming chat answer, a warm-up) waits between its chunks and tokens.
     */
    priority?: "interactive" | "background";
    /** Keep the common prefix with the sequence's cache (default); false re-evaluates everything. */
    reuseCache?: boolean;
    /** Called with the text generated so far as it grows (end-of-generation excluded); return true to stop. */
    onText?(text: string): boolean | void;
}

export interface Generation {
    /** The generated text, a leading space included (SentencePiece drops it at the start of a text). */
    text: string;
    /** Generated tokens, end-of-generation token excluded (OpenAI's API: streamed pieces, about one per token). */
    generatedTokens: number;
    stopReason: "end-of-generation" | "max-tokens" | "stopped" | "cancelled";
    promptTokens: number;
    /** Prompt tokens whose KV cache entries were kept from the previous request. */
    reusedTokens: number;
    /** Prompt tokens evaluated for this request. */
    evaluatedTokens: number;
    promptMs: number;
    /** Prompt evaluation and generation, from when the sequence was free. */
    totalMs: number;
    /** How long the request waited for its sequence (a cancelled predecessor stopping); 0 if unknown. */
    queuedMs?: number;
    /** When the engine started on it, ms since the epoch (sub-millisecond; when the sequence was free). */
    startedAt?: number;
}
