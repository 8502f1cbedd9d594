/**
 * Every custom message between the Code Llama server and its clients, declared once with its types.
 * The VS Code client imports this file too, so a renamed field breaks the build, not a user.
 */
import {
    NotificationType,
    NotificationType0,
    type PartialResultParams,
    ProgressType,
    type Range,
    RequestType,
    RequestType0,
    type TextDocumentIdentifier,
    type TextDocumentPositionParams,
} from "vscode-languageserver-protocol";
import type { ModelChoice } from "./modelChoice.js";
import type { ModelErrorCode, ModelFix } from "./modelErrors.js";
import type { ChatMessage, ChatRole } from "./prompts/template.js";
import type { ThreadsInUse } from "./threads.js";

export type { ChatMessage, ChatRole, ModelErrorCode, ModelFix };

export type ServerState = "starting" | "downloading" | "loading" | "ready" | "error";

/** Pushed by the server whenever its state changes; a client's status display is a pure view of the last one. */
export interface ServerStatus {
    state: ServerState;
    health: "ok" | "warning" | "error";
    /**
     * For people, in the words of the client (VS Code commands and settings for VS Code, settings
     * and requests for other editors): what is being loaded, or the error and how to fix it.
     */
    message: string;
    /** Why the state is "error". */
    error?: ModelErrorCode;
    /** With `error`: what fixes it, so a client can offer it (a button, a command). */
    fix?: ModelFix;
    /** With "model-not-downloaded": the size of the download in bytes, when known. */
    downloadBytes?: number;
    /** 0..1 while downloading or loading. */
    progress?: number;
    /** Display name of the loaded model, when ready. */
    model?: string;
    /** "cuda", "vulkan", "metal" or "cpu", when ready. */
    device?: string;
    gpuLayers?: number;
    /** The built-in engine's CPU threads, when ready. */
    threads?: ThreadsInUse;
    /** Measured speeds of the built-in engine, tokens per second (moving averages), once measured. */
    promptTokensPerSecond?: number;
    generationTokensPerSecond?: number;
    /** When ready with a separate chat model (`codellama.chat.model.path` / `.uri`): where it stands. Absent when the completion model chats too. */
    chat?: ChatModelStatus;
    /**
     * When ready: what the model does other than one expects, with the better choice, one sentence
     * each (completions that continue the code because the model cannot fill in the middle, chat on a
     * base model). Absent when there is nothing to say.
     */
    notes?: string[];
    /** Since the server started, when ready: requests after Tab answered with a suggestion prepared while the user looked (`completion.prepareNext`). */
    preparedSuggestions?: number;
    /** Speculative decoding since the model loaded, both sequences, when ready: guessed tokens the model confirmed or not; absent for engines without it. */
    predictions?: PredictionCounts;
    /** A completion request is in flight (not a chat answer, not a cache warm-up, not a preparation). */
    completing: boolean;
}

/** The separate chat model, as the status shows it. */
export interface ChatModelStatus {
    state: "loading" | "ready" | "error";
    /** For people: "Chat: CodeLlama 34B Instruct (CPU)", "Chat: loading f.gguf", or the error and how to fix it. */
    message: string;
    model?: string;
    device?: string;
    gpuLayers?: number;
    threads?: ThreadsInUse;
    generationTokensPerSecond?: number;
}

/** The models one can pick (modelChoice.ts): the Code Llama and Llama 2 family and the local `.gguf` files. */
export const modelsRequest = new RequestType0<ModelChoice[], void>("codellama/models");

export const statusNotification = new NotificationType<ServerStatus>("codellama/status");

/**
 * `capabilities.experimental` a client sets in `initialize`. With `codellamaStatus`, the client is
 * the Code Llama extension for VS Code: it shows `codellama/status` itself (status bar, its own
 * prompts and progress) and the server sends no `window/showMessage` or work-done progress for
 * state changes, and words its messages with VS Code's commands and settings. Without it, errors and
 * the download question come as standard LSP messages, the download and load as work-done progress.
 */
export interface ClientExperimentalCapabilities {
    codellamaStatus?: boolean;
}

/** The user cancelled the download or load in progress from the client's own progress display. */
export const cancelLoadNotification = new NotificationType0("codellama/cancelLoad");

/** Asks for the current status (e.g. after the client reconnects); the server also pushes it. */
export const statusRequest = new RequestType0<ServerStatus, void>("codellama/status");

/** Loads the configured model again (e.g. after the user fixed a file). */
export const reloadModelRequest = new RequestType0<ServerStatus, void>("codellama/reloadModel");

/** The user approved downloading `codellama.model.uri`: download it (with work-done progress) and load it. */
export const downloadModelRequest = new RequestType0<ServerStatus, void>("codellama/downloadModel");

export interface ChatParams extends PartialResultParams {
    /** Optional system message first, then user and assistant alternating, ending with user. */
    messages: ChatMessage[];
    /** Defaults to `chat.maxTokens`. */
    maxTokens?: number;
}

export interface ChatAnswer {
    content: string;
    stopReason: "end-of-generation" | "max-tokens" | "cancelled";
    usage: {
        promptTokens: number;
        completionTokens: number;
        /** Oldest messages left out so the conversation fits the context (0 when all fit). */
        droppedMessages: number;
    };
}

/** Each `$/progress` value on the request's `partialResultToken`: the next piece of the answer. */
export interface ChatDelta {
    delta: string;
}
export const chatDeltaProgress = new ProgressType<ChatDelta>();

/**
 * Answers a conversation with Code Llama Instruct, streaming `ChatDelta`s when a partialResultToken
 * is given. `$/cancelRequest` stops generation at once; the answer produced so far is still returned
 * (`stopReason: "cancelled"`).
 */
export const chatRequest = new RequestType<ChatParams, ChatAnswer, void>("codellama/chat");

/** One answered or cancelled inline completion request, as the server measured it. */
export interface CompletionRecord {
    /** Server time the request arrived (ms since the epoch). */
    receivedAt: number;
    /** From arrival to answer, server side. */
    latencyMs: number;
    /**
     * "model": generated now; "typed-through": the rest of an earlier suggestion the user is typing;
     * "cache": a repeated request; "prepared": computed while the user looked at the suggestion before
     * (`completion.prepareNext`), for the document with it accepted.
     */
    source: "model" | "typed-through" | "cache" | "prepared";
    outcome: "answered" | "empty" | "cancelled" | "error";
    promptTokens: number;
    /** Prompt tokens whose KV-cache entries were reused from the previous request. */
    reusedTokens: number;
    /** Prompt tokens evaluated for this request. */
    evaluatedTokens: number;
    generatedTokens: number;
    /** Time spent inside the engine (prompt evaluation + generation). */
    engineMs: number;
    /** Time waiting for the engine's sequence while a superseded request stopped. */
    queuedMs: number;
    /** Time the adaptive debounce held the request back (0 unless the model is slow to stop). */
    heldMs: number;
    /** When the engine started on it, ms since the epoch; 0 if it never reached the engine or the engine does not say. */
    engineStartedAt: number;
    /** The prompt was cut short because the model's cache was cold (`completion.coldPromptMs`). */
    coldCut?: boolean;
}

export interface CompletionStats {
    requests: number;
    answered: number;
    cancelled: number;
    /**
     * Since the server started: answers with a suggestion, and the acceptances clients reported
     * (SERVER_COMMANDS in commands.ts). The VS Code extension counts what the user saw
     * and did itself, across restarts (client/src/suggestionStatistics.ts).
     */
    shown: number;
    accepted: number;
    partiallyAccepted: number;
    /** Requests answered with a suggestion prepared while the user looked at the one before (after Tab). */
    prepared: number;
    latencyMs: { p50: number; p95: number };
    /** Of the recent requests the model answered (not cancelled): how many, and the median prompt tokens evaluated and reused. */
    promptTokens: { requests: number; evaluatedP50: number; reusedP50: number };
    /** The most recent requests, oldest first (at most 1,000). */
    recent: CompletionRecord[];
    /**
     * Speculative decoding since the model loaded (`engine.tokenPrediction`, a draft model): tokens
     * proposed on each sequence and how many the model confirmed; absent for engines without it.
     */
    predictions?: { completion: PredictionCounts; chat: PredictionCounts };
}

/** Proposed tokens: `validated` the model confirmed (each saved one evaluation step), `refuted` it did not (verified in vain). */
export interface PredictionCounts {
    validated: number;
    refuted: number;
}

/** Local-only completion statistics; nothing leaves the machine. */
export const statsRequest = new RequestType0<CompletionStats, void>("codellama/stats");

/**
 * Client → server: the cursor came to rest at a position (no edit); the server may evaluate the
 * completion prompt there into the model's cache (`completion.warmCache`). A completion request
 * always takes precedence: it stops a running warm-up, and a warm-up never interrupts a completion.
 */
export const warmCacheNotification = new NotificationType<TextDocumentPositionParams>("codellama/warmCache");

/** How long the cursor rests before the VS Code extension sends codellama/warmCache: longer than a pause between keystrokes or arrow-key repeats. */
export const CURSOR_REST_MS = 400;

export interface DidCopyParams {
    textDocument: TextDocumentIdentifier;
    /** What was copied (the first selection). */
    range: Range;
}

/**
 * Client → server: the user copied from an open document. The copied lines become a snippet of
 * extra context for completions in other files (code copied is often code about to be used).
 */
export const didCopyNotification = new NotificationType<DidCopyParams>("codellama/didCopy");
