/**
 * Why the model could not be made ready. The engine and the model manager raise these codes (with a
 * message that names the cause and the fix); codellama/status carries them, so a client can offer
 * the right fix (download, pick a file...).
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
