import { getLlama, type Llama, LlamaLogLevel } from "node-llama-cpp";
import type { GpuMode } from "../../../shared/src/settings.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { ModelError } from "./errors.js";

/**
 * llama.cpp's log goes to the logger of the engine being loaded; its recent errors explain a failed
 * load better than node-llama-cpp's generic "Failed to load model".
 */
export const llamaLog: { logger: Logger | undefined; recentErrors: string[] } = { logger: undefined, recentErrors: [] };

/**
 * One node-llama-cpp backend per GPU mode for the life of the process: getLlama hands out a shared
 * instance, so no single engine may dispose it.
 */
const backends = new Map<GpuMode, Promise<Llama>>();

export function llamaBackend(mode: GpuMode): Promise<Llama> {
    let llama = backends.get(mode);
    if (!llama) {
        llama = createLlama(mode);
        backends.set(mode, llama);
        llama.catch(() => backends.delete(mode));
    }
    return llama;
}

async function createLlama(mode: GpuMode): Promise<Llama> {
    const gpu = mode === "off" ? false : mode;
    const unavailable = (reason: string, cause?: unknown): ModelError =>
        new ModelError("gpu-unavailable", `The ${gpu} GPU backend is not available on this machine (${reason}).`, { cause });
    let llama: Llama;
    try {
        llama = await getLlama({
            gpu,
            build: "never",
            progressLogs: false,
            logLevel: LlamaLogLevel.info,
            logger: (level, message) => {
                const text = message.trimEnd();
                if (!text) return;
                if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
                    llamaLog.recentErrors = [...llamaLog.recentErrors.slice(-4), text];
                    llamaLog.logger?.warn(`llama.cpp: ${text}`);
                } else {
                    llamaLog.logger?.debug(`llama.cpp: ${text}`);
                }
            },
        });
    } catch (error) {
        if (gpu === false || gpu === "auto") throw error;
        throw unavailable(errorMessage(error), error);
    }
    // node-llama-cpp may quietly settle for another backend than the one asked for. That instance
    // can be the one shared with other modes, so it is not disposed here.
    if (gpu !== false && gpu !== "auto" && llama.gpu !== gpu) throw unavailable(`got ${llama.gpu === false ? "the CPU" : llama.gpu} instead`);
    return llama;
}
