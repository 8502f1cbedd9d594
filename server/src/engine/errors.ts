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

export class ModelError extends Error {
    constructor(readonly code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "ModelError";
    }
}

export const MODEL_PATH_HINT = "set `codellama.model.path` (VS Code) or pass `--model PATH` (CLI) to a local Code Llama GGUF file";
