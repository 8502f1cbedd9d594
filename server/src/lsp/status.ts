/**
 * `codellama/status`: the model manager's plain state in the words a client shows (the status bar's
 * tooltip, an editor's message line). The one place that builds those sentences (a problem's remedy
 * in the reader's words comes from problemText.ts).
 */
import { formatBytes } from "../../../shared/src/byteSize.js";
import type { ServerStatus } from "../../../shared/src/protocol.js";
import type { ModelState, ProgressState } from "../model/modelManager.js";
import { modelFileName } from "../model/modelSource.js";
import { type Audience, isFailure, problemText } from "./problemText.js";

/** The status for a client, a problem worded for `audience`; `speculation` (the completion service's) while ready. */
export function serverStatus(state: ModelState, audience: Audience, speculation: Pick<ServerStatus, "preparedSuggestions" | "predictions"> = {}): ServerStatus {
    const { completing } = state;
    switch (state.phase) {
        case "starting":
            return { state: "starting", health: "ok", message: "Starting", completing };
        case "downloading": {
            const { fraction, message } = progressView(state);
            const file = modelFileName(state.uri);
            return { state: "downloading", health: "ok", message: state.totalBytes > 0 ? `Downloading ${file}: ${message}` : `Downloading ${file}`, progress: fraction, completing };
        }
        case "loading":
            return { state: "loading", health: "ok", message: `Loading ${state.file}`, progress: state.fraction ?? 0, completing };
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
                ...speculation,
                completing,
            };
        }
        case "failed": {
            const { problem } = state;
            const { code: error, fix, downloadBytes } = problem;
            return { state: "error", health: isFailure(problem) ? "error" : "warning", message: problemText(problem, audience), error, fix, ...(downloadBytes !== undefined ? { downloadBytes } : {}), completing };
        }
    }
}

/** What a progress display (work-done progress, the CLI's bar) shows of a download or load. */
export function progressView(state: ProgressState): { title: string; fraction: number; message: string } {
    if (state.phase === "loading") return { title: "Code Llama: loading the model", fraction: state.fraction ?? 0, message: state.file };
    const fraction = state.totalBytes > 0 ? state.downloadedBytes / state.totalBytes : 0;
    return { title: "Code Llama: downloading the model", fraction, message: `${formatBytes(state.downloadedBytes)} of ${formatBytes(state.totalBytes)}` };
}
