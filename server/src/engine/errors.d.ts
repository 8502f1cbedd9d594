/** Why the model could not be made ready; each code maps to a message that names the cause and the fix. */
export type ModelErrorCode = "model-not-found" | "model-not-downloaded" | "not-gguf" | "corrupt-model" | "load-failed" | "context-failed" | "gpu-unavailable" | "download-failed" | "offline" | "cancelled" | "server-unreachable";
export declare class ModelError extends Error {
    readonly code: ModelErrorCode;
    constructor(code: ModelErrorCode, message: string, options?: {
        cause?: unknown;
    });
}
export declare const MODEL_PATH_HINT = "set `codellama.model.path` (VS Code) or pass `--model PATH` (CLI) to a local Code Llama GGUF file";
