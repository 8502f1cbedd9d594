/**
 * `codellama/status`: the model manager's plain state in the words a client shows (the status bar's
 * tooltip, an editor's message line). The one place that builds those sentences.
 */
import type { ServerStatus } from "../../../shared/src/protocol.js";
import type { ModelState, ProgressState } from "../model/modelManager.js";

export function serverStatus(state: ModelState): ServerStatus {
    const { completing } = state;
    switch (state.phase) {
        case "starting":
            return { state: "starting", health: "ok", message: "Starting", completing };
        case "downloading": {
            const { fraction, message } = progressView(state);
            return { state: "downloading", health: "ok", message: state.totalBytes > 0 ? message : `Downloading ${state.uri}`, progress: fraction, completing };
        }
        case "loading":
            return { state: "loading", health: "ok", message: state.fraction === undefined ? "Loading model" : `Loading model ${percent(state.fraction)}%`, progress: state.fraction ?? 0, completing };
        case "connecting":
            return { state: "loading", health: "ok", message: `Connecting to ${state.url}`, completing };
        case "ready": {
            const { info } = state;
            const where = state.backend !== "embedded" ? info.device : info.device === "cpu" || info.gpuLayers === 0 ? "CPU" : `${info.device.toUpperCase()}, ${info.gpuLayers}/${info.totalLayers} layers`;
            return {
                state: "ready",
                health: info.fallback ? "warning" : "ok",
                message: `${info.modelName} (${where})${info.fallback ? `: ${info.fallback}` : ""}`,
                model: info.modelName,
                device: info.device,
                gpuLayers: info.gpuLayers,
                ...(state.threads ? { threads: { ...state.threads } } : {}),
                ...(state.promptTokensPerSecond !== undefined ? { promptTokensPerSecond: Math.round(state.promptTokensPerSecond) } : {}),
                ...(state.generationTokensPerSecond !== undefined ? { generationTokensPerSecond: Math.round(state.generationTokensPerSecond * 10) / 10 } : {}),
                completing,
            };
        }
        case "failed": {
            const error = state.code;
            if (error === "cancelled") return { state: "error", health: "warning", message: `${state.message} Run "Code Llama: Download Default Model" or select a model file to try again.`, error, completing };
            // A model waiting for the user's approval is not a failure.
            return { state: "error", health: error === "model-not-downloaded" ? "warning" : "error", message: state.message, error, completing };
        }
    }
}

/** What a progress display (work-done progress, the CLI's bar) shows of a download or load. */
export function progressView(state: ProgressState): { title: string; fraction: number; message: string } {
    if (state.phase === "loading") {
        const fraction = state.fraction ?? 0;
        return { title: "Code Llama: loading model", fraction, message: `${percent(fraction)}%` };
    }
    const fraction = state.totalBytes > 0 ? state.downloadedBytes / state.totalBytes : 0;
    return { title: "Code Llama: downloading model", fraction, message: `Downloading model ${percent(fraction)}% (${formatMiB(state.downloadedBytes)} / ${formatMiB(state.totalBytes)})` };
}

function percent(fraction: number): number {
    return Math.floor(fraction * 100);
}

function formatMiB(bytes: number): string {
    return `${(bytes / 1048576).toFixed(0)} MiB`;
}
