import type { ModelErrorCode } from "../../../shared/src/modelErrors.js";

export type { ModelErrorCode };

/** A model that cannot be made ready: the code says why, the message names the cause and the fix. */
export class ModelError extends Error {
    constructor(readonly code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
        super(message, options);
        this.name = "ModelError";
    }
}

export const MODEL_PATH_HINT = "set `codellama.model.path` (VS Code) or pass `--model PATH` (CLI) to a local Code Llama GGUF file";
