/** Why the model could not be made ready; each code maps to a message that names the cause and the fix. */
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

/**
 * What the user can do about a model problem. The engine names the remedy; the words for it (VS
 * Code commands and settings, CLI flags, LSP settings) are chosen where the client is known
 * (server/src/audience/problemText.ts), so the engine knows nothing of its clients.
 */
export type ModelFix =
    /** Point the model setting at another local GGUF file. */
    | "choose-model"
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

const DEFAULT_FIX: Record<ModelErrorCode, ModelFix> = {
    "model-not-found": "choose-model",
    "model-not-downloaded": "approve-download",
    "not-gguf": "choose-model",
    "corrupt-model": "download-again",
    "load-failed": "lighter-load",
    "context-failed": "smaller-context",
    "gpu-unavailable": "gpu-setting",
    "download-failed": "download-again",
    offline: "go-online",
    cancelled: "retry",
    "server-unreachable": "start-server",
};

/** A model problem as facts: what happened (file, host, reason; no advice) and what fixes it. */
export interface ModelProblem {
    code: ModelErrorCode;
    /** What happened, for people, without a remedy: e.g. "Model file not found: /m/x.gguf." */
    message: string;
    fix: ModelFix;
    /** Size in bytes of the model waiting to be downloaded, when known. */
    downloadBytes?: number;
}

export class ModelError extends Error {
    readonly fix: ModelFix;
    readonly downloadBytes: number | undefined;

    /** `message` says what happened; the remedy is `fix` (by default the usual one for `code`). */
    constructor(readonly code: ModelErrorCode, message: string, options: { fix?: ModelFix; downloadBytes?: number; cause?: unknown } = {}) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = "ModelError";
        this.fix = options.fix ?? DEFAULT_FIX[code];
        this.downloadBytes = options.downloadBytes;
    }

    get problem(): ModelProblem {
        return { code: this.code, message: this.message, fix: this.fix, ...(this.downloadBytes !== undefined ? { downloadBytes: this.downloadBytes } : {}) };
    }
}
