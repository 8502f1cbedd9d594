/**
 * `codellama/status`: the model manager's plain state in the words a client shows (the status bar's
 * tooltip, an editor's message line). The one place that builds those sentences (a problem's remedy
 * in the reader's words comes from problemText.ts).
 */
import { formatBytes } from "../../../shared/src/byteSize.js";
import type { ChatModelStatus, ServerStatus } from "../../../shared/src/protocol.js";
import type { Backend, ChatFormatSetting, CompletionModeSetting } from "../../../shared/src/settings.js";
import type { EngineInfo } from "../engine/inference.js";
import { chatUse, completionUse } from "../engine/modelRoles.js";
import type { ChatModelState, ModelState, ProgressState } from "../model/modelManager.js";
import { modelFileName } from "../model/modelSource.js";
import { type Audience, isFailure, problemText } from "./problemText.js";

/** The settings that say how a model is used, over what its file says (`completion.mode`, `chat.format`). */
export interface ModelUseSettings {
    completionMode: CompletionModeSetting;
    chatFormat: ChatFormatSetting;
}
const AS_THE_FILE_SAYS: ModelUseSettings = { completionMode: "auto", chatFormat: "auto" };

/** The status for a client, a problem worded for `audience`, with the model's notes under `uses`; `speculation` (the completion service's) while ready. */
export function serverStatus(
    state: ModelState,
    audience: Audience,
    uses: ModelUseSettings = AS_THE_FILE_SAYS,
    speculation: Pick<ServerStatus, "preparedSuggestions" | "predictions"> = {},
): ServerStatus {
    const { completing } = state;
    switch (state.phase) {
        case "starting":
            return { state: "starting", health: "ok", message: "Starting", completing };
        case "downloading": {
            const { fraction, message } = progressView(state);
            const file = modelFileName(state.uri);
            return {
                state: "downloading",
                health: "ok",
                message: state.totalBytes > 0 ? `Downloading ${file}: ${message}` : `Downloading ${file}`,
                progress: fraction,
                completing,
            };
        }
        case "loading":
            return { state: "loading", health: "ok", message: `Loading ${state.file}`, progress: state.fraction ?? 0, completing };
        case "connecting":
            return { state: "loading", health: "ok", message: `Connecting to ${state.url}`, completing };
        case "ready": {
            const { info } = state;
            const where = whereItRuns(state.backend, info);
            const chat = state.chat && chatModelStatus(state.chat, audience);
            const chatInfo = state.chat?.phase === "ready" ? state.chat.info : state.chat ? undefined : info;
            const notes = [...completionNotes(info, uses), ...(chatInfo ? chatNotes(chatInfo, uses) : [])];
            return {
                state: "ready",
                health: info.fallback || chat?.state === "error" ? "warning" : "ok",
                message: `${info.modelName} (${where})${info.fallback ? `: ${info.fallback}` : ""}${chat ? `; ${chat.message}` : ""}`,
                model: info.modelName,
                device: info.device,
                gpuLayers: info.gpuLayers,
                ...(state.threads ? { threads: { ...state.threads } } : {}),
                ...(state.promptTokensPerSecond !== undefined ? { promptTokensPerSecond: Math.round(state.promptTokensPerSecond) } : {}),
                ...(state.generationTokensPerSecond !== undefined ? { generationTokensPerSecond: Math.round(state.generationTokensPerSecond * 10) / 10 } : {}),
                ...(chat ? { chat } : {}),
                ...(notes.length > 0 ? { notes } : {}),
                ...speculation,
                completing,
            };
        }
        case "failed": {
            const { problem } = state;
            const { code: error, fix, downloadBytes } = problem;
            return {
                state: "error",
                health: isFailure(problem) ? "error" : "warning",
                message: problemText(problem, audience),
                error,
                fix,
                ...(downloadBytes !== undefined ? { downloadBytes } : {}),
                completing,
            };
        }
    }
}

const FIM_MODELS = "a Code Llama 7B or 13B (base or Instruct) fills in between";
const INSTRUCT_MODELS = "a Code Llama Instruct model (7B, 13B, 34B or 70B) or Llama 2 Chat follows instructions";

/** "CPU", "CUDA, 20/33 layers", or the server a remote engine talks to. */
function whereItRuns(backend: Backend, info: EngineInfo): string {
    return backend !== "embedded"
        ? info.device
        : info.device === "cpu" || info.gpuLayers === 0
          ? "CPU"
          : `${info.device.toUpperCase()}, ${info.gpuLayers}/${info.totalLayers} layers`;
}

/** The separate chat model's status: where it runs, that it loads, or why it failed (worded for `audience`). */
function chatModelStatus(chat: ChatModelState, audience: Audience): ChatModelStatus {
    switch (chat.phase) {
        case "loading":
            return { state: "loading", message: `Chat: loading ${chat.file}` };
        case "failed":
            return { state: "error", message: `Chat model: ${problemText(chat.problem, audience)}` };
        case "ready": {
            const { info } = chat;
            return {
                state: "ready",
                message: `Chat: ${info.modelName} (${whereItRuns("embedded", info)})${info.fallback ? `: ${info.fallback}` : ""}${chat.draft ? `; ${chat.draft}` : ""}`,
                model: info.modelName,
                device: info.device,
                gpuLayers: info.gpuLayers,
                ...(chat.threads ? { threads: { ...chat.threads } } : {}),
                ...(chat.generationTokensPerSecond !== undefined ? { generationTokensPerSecond: Math.round(chat.generationTokensPerSecond * 10) / 10 } : {}),
            };
        }
    }
}

/** How completions differ from filling in the middle, one sentence each, with the better choice. */
export function completionNotes(info: EngineInfo, uses: ModelUseSettings): string[] {
    const completion = completionUse(info.roles, uses.completionMode);
    switch (completion.reason) {
        case "not-trained":
            return [`Completions continue the code: ${info.modelName} was not trained to fill in the middle; ${FIM_MODELS}.`];
        case "setting":
            return ["Completions continue the code, as codellama.completion.mode says."];
        case "no-infill-tokens":
            return [
                `Completions continue the code: ${info.modelName} has no fill-in-the-middle tokens, whatever codellama.completion.mode says; ${FIM_MODELS}.`,
            ];
        default:
            return [];
    }
}

/** What the chat model does other than an Instruct model in its own format: a forced format its vocabulary cannot take, or no instruction training. */
export function chatNotes(info: EngineInfo, uses: ModelUseSettings): string[] {
    const notes: string[] = [];
    if (chatUse(info.roles, uses.chatFormat).noStepToken)
        notes.push(`Chat uses Llama 2's format: ${info.modelName} has no <step> token for Code Llama 70B's, which codellama.chat.format asks for.`);
    const baseModel = baseModelNote(info);
    if (baseModel) notes.push(baseModel);
    return notes;
}

/** The warning for chat on a base model (not trained to follow instructions), naming the models that are; undefined for an Instruct or Chat model. */
export function baseModelNote(info: EngineInfo): string | undefined {
    return info.roles.instruct ? undefined : `Chat: ${info.modelName} is a base model, not trained to follow instructions; ${INSTRUCT_MODELS}.`;
}

/** What a progress display (work-done progress, the CLI's bar) shows of a download or load. */
export function progressView(state: ProgressState): { title: string; fraction: number; message: string } {
    if (state.phase === "loading") return { title: "Code Llama: loading the model", fraction: state.fraction ?? 0, message: state.file };
    const fraction = state.totalBytes > 0 ? state.downloadedBytes / state.totalBytes : 0;
    return { title: "Code Llama: downloading the model", fraction, message: `${formatBytes(state.downloadedBytes)} of ${formatBytes(state.totalBytes)}` };
}
