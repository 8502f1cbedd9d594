import type { ChatMessage } from "../chat/instructPrompt.js";
import type { FimSpecialTokens, Token } from "../completion/fimPrompt.js";
import type { Encoder } from "../completion/tokenBudget.js";
import type { ThreadCounts } from "./threads.js";

/**
 * What completion and chat need from a model, wherever it runs: the embedded node-llama-cpp engine
 * or a llama.cpp server. Prompts are built from token ids on this side in both cases.
 */
export interface InferenceEngine {
    readonly info: EngineInfo;
    readonly tokenizer: EngineTokenizer;
    generate(sequence: SequenceName, prompt: readonly Token[], options: GenerateOptions): Promise<Generation>;
    /** What evaluating `prompt` on the sequence would take now; left out by engines that cannot see their cache. */
    promptCost?(sequence: SequenceName, prompt: readonly Token[]): PromptCost;
    /** Threads and measured speeds; left out by engines that run elsewhere. */
    speed?(): EngineSpeed;
    /** Engines whose server applies the chat template itself (OpenAI's chat API) answer conversations directly. */
    chat?(messages: readonly ChatMessage[], options: GenerateOptions): Promise<Generation>;
    dispose(): Promise<void>;
}

export interface EngineInfo {
    modelPath: string;
    modelName: string;
    /** "cuda" | "vulkan" | "metal" | "cpu" */
    device: string;
    gpuLayers: number;
    totalLayers: number;
    contextSize: number;
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

/** Separate KV-cache sequences of the one loaded model: completion keeps its cache while chat runs. */
export type SequenceName = "completion" | "chat";

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
     * Sequences share the context's batches; "interactive" work (completion while typing) gets
     * more of each batch than "background" work (a streaming chat answer).
     */
    priority?: "interactive" | "background";
    /** Keep the common prefix with the sequence's cache (default); false re-evaluates everything. */
    reuseCache?: boolean;
    /** Called with the text generated so far as it grows (end-of-generation excluded); return true to stop. */
    onText?(text: string): boolean | void;
}

export interface Generation {
    /** Generated tokens, end-of-generation token excluded. */
    tokens: Token[];
    /** Their text, a leading space included (SentencePiece drops it at the start of a text). */
    text: string;
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

export interface EngineTokenizer {
    /** Tokens of `text` with SentencePiece's implicit leading space (Meta's `encode`). */
    encode: Encoder;
    /** Tokens of `text` without it (Meta's `encode_infilling`). */
    encodeInfilling: Encoder;
    readonly fim: FimSpecialTokens | undefined;
    readonly bos: Token | undefined;
    readonly eos: Token | undefined;
}

