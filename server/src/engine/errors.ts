import type { ModelErrorCode, ModelFix, ModelProblem } from "../../../shared/src/modelErrors.js";

export type { ModelErrorCode, ModelFix, ModelProblem };

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

/**
 * A model that cannot be made ready: the code says why, the message what happened (no advice, no
 * setting names: the engine knows nothing of its clients), `fix` the remedy.
 */
export class ModelError extends Error {
    readonly fix: ModelFix;
    readonly downloadBytes: number | undefined;

    /** `message` says what happened; the remedy is `fix` (by default the usual one for `code`). */
    constructor(
        readonly code: ModelErrorCode,
        message: string,
        options: { fix?: ModelFix; downloadBytes?: number; cause?: unknown } = {},
    ) {
        super(message, options.cause === undefined ? undefined : { cause: options.cause });
        this.name = "ModelError";
        this.fix = options.fix ?? DEFAULT_FIX[code];
        this.downloadBytes = options.downloadBytes;
    }

    get problem(): ModelProblem {
        return { code: this.code, message: this.message, fix: this.fix, ...(this.downloadBytes !== undefined ? { downloadBytes: this.downloadBytes } : {}) };
    }
}
