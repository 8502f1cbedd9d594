/**
 * Why the model could not be made ready, and what fixes it. The engine and the model manager raise
 * these codes (with a message that says what happened, no advice) and name a remedy; codellama/status
 * carries both, so a client can offer the right fix (download, pick a file...). The words for a remedy
 * are chosen where the reader is known (server/src/lsp/problemText.ts, the VS Code client).
 */
export type ModelErrorCode =
    | "model-not-found"
    | "model-not-downloaded"
    | "not-gguf"
    | "corrupt-model"
    | "load-failed"
    | "context-failed"
    | "gpu-unavailable"
    | "download-failed"
    | "offline"
    | "cancelled"
    | "server-unreachable";

/** What the user can do about a model problem. */
export type ModelFix =
    /** Point the model setting at another local GGUF file. */
    | "choose-model"
    /** Point the chat model setting at another local GGUF file, or empty it (the completion model chats). */
    | "choose-chat-model"
    /** Download the model again, or use a local file. */
    | "download-again"
    /** Fewer GPU layers, the GPU off, or a smaller model. */
    | "lighter-load"
    /** GPU mode "auto" or "off". */
    | "gpu-setting"
    /** A smaller context size. */
    | "smaller-context"
    /** Approve the download, let it download without asking, or use a local file. */
    | "approve-download"
    /** Connect to the internet, or use a local file. */
    | "go-online"
    /** An https URL or hf: URI for the model, or a local file. */
    | "model-uri"
    /** Start the inference server, fix its URL, or use the built-in engine. */
    | "start-server"
    /** Name the model the server should run. */
    | "server-model"
    /** Give the server's API key. */
    | "api-key"
    /** Start the download or load again. */
    | "retry";

/** A model problem as facts: what happened (file, host, reason; no advice) and what fixes it. */
export interface ModelProblem {
    code: ModelErrorCode;
    /** What happened, for people, without a remedy: e.g. "Model file not found: /m/x.gguf." */
    message: string;
    fix: ModelFix;
    /** Size in bytes of the model waiting to be downloaded, when known. */
    downloadBytes?: number;
}
