/**
 * What the status bar item shows: a pure function of the last `codellama/status` the server pushed,
 * the connection state and whether completions are on for the active editor. No state is guessed here.
 */
import { COMMANDS } from "../../shared/src/commands.js";
import type { ServerStatus } from "../../shared/src/protocol.js";
import type { ThreadSource, ThreadsInUse } from "../../shared/src/threads.js";

/** The language client's connection: "stopped" once it gave up restarting the server. */
export type ConnectionState = "starting" | "running" | "stopped";

export interface StatusInput {
    /** The last status pushed since the server (re)started; undefined before the first one. */
    server: ServerStatus | undefined;
    connection: ConnectionState;
    /** Completions are on for the active editor's language (or globally, without an editor). */
    completionsEnabled: boolean;
    /** Language of the active editor, for the tooltip. */
    languageId?: string;
    /** The active editor's file is one of `codellama.completion.exclude`'s (a secret). */
    excluded?: boolean;
}

export type StatusKind = "starting" | "downloading" | "loading" | "ready" | "completing" | "disabled" | "needs-model" | "error";

export interface StatusPresentation {
    kind: StatusKind;
    /** Status bar text, with codicons. */
    text: string;
    /** One line without the product's name, e.g. "tiny-codellama on CPU": the menu's title, the chat's notice. */
    summary: string;
    tooltip: string;
    severity: "ok" | "warning" | "error";
    /** Command run on click: the menu, which has the fixes and the log when something is broken. */
    command: typeof COMMANDS.showMenu;
}

const NAME = "Code Llama";
const MAX_MODEL_NAME = 32;

export function presentStatus(input: StatusInput): StatusPresentation {
    const { server } = input;
    const command = COMMANDS.showMenu;
    if (input.connection === "stopped") {
        return {
            kind: "error",
            text: `$(error) ${NAME}: server stopped`,
            summary: "the language server stopped",
            severity: "error",
            command,
            tooltip: `The ${NAME} language server stopped. Click to restart it or to open the log.`,
        };
    }
    if (input.connection === "starting" || !server || server.state === "starting") {
        const summary = "starting the language server";
        return { kind: "starting", text: `$(loading~spin) ${NAME}`, summary, tooltip: `${NAME}: ${summary}`, severity: "ok", command };
    }
    switch (server.state) {
        case "downloading":
            return {
                kind: "downloading",
                text: `$(cloud-download) ${NAME} ${percent(server.progress)}`,
                summary: server.message,
                tooltip: server.message,
                severity: "ok",
                command,
            };
        case "loading":
            return {
                kind: "loading",
                text: `$(loading~spin) ${NAME} ${percent(server.progress)}`,
                summary: server.message,
                tooltip: server.message,
                severity: "ok",
                command,
            };
        case "error":
            if (server.error === "model-not-downloaded") {
                // A call to action for as long as there is no model: the first-run notification may be gone.
                return {
                    kind: "needs-model",
                    text: `$(cloud-download) ${NAME}: Set Up Model`,
                    summary: "no model yet",
                    severity: "warning",
                    command,
                    tooltip: `${server.message}\n\nClick to download the model or to select a GGUF model file you already have.`,
                };
            }
            return {
                kind: "error",
                text: `$(error) ${NAME}: error`,
                summary: firstSentence(server.message),
                severity: "error",
                command,
                tooltip: `${server.message}\n\nClick for the fixes and the log.`,
            };
        case "ready": {
            // With a separate chat model (its own line in the tooltip), this one's role is said.
            const ready = `${server.model ?? "model"} on ${deviceLabel(server)}${server.chat ? " for completions" : ""}`;
            if (input.excluded) {
                const summary = `completions are off for this file (codellama.completion.exclude): it stays out of every prompt (${ready})`;
                return {
                    kind: "disabled",
                    text: `$(lock) ${NAME}: excluded`,
                    summary,
                    severity: "ok",
                    command,
                    tooltip: `${NAME}: ${summary}. Click for the menu.`,
                };
            }
            if (!input.completionsEnabled) {
                const summary = `completions are off ${input.languageId ? `for ${input.languageId}` : "everywhere"} (${ready})`;
                return {
                    kind: "disabled",
                    text: `$(circle-slash) ${NAME}: disabled`,
                    summary,
                    severity: "ok",
                    command,
                    tooltip: `${NAME}: ${summary}. Click for the menu.`,
                };
            }
            const engine = engineLines(server) + aheadLine(server);
            if (server.completing) {
                const summary = `${ready}, completing`;
                return {
                    kind: "completing",
                    text: `$(loading~spin) ${NAME}: completing`,
                    summary,
                    tooltip: `${NAME}: ${summary}${engine}`,
                    severity: "ok",
                    command,
                };
            }
            return {
                kind: "ready",
                text: `$(check) ${NAME}: ${shorten(server.model ?? "ready")} (${deviceName(server.device)})`,
                summary: ready,
                severity: "ok",
                command,
                tooltip: engine ? `${NAME}: ${ready}.${engine}\n\nClick for the menu.` : `${NAME}: ${ready}. Click for the menu.`,
            };
        }
    }
}

/** "Model file not found: /m.gguf." of "Model file not found: /m.gguf. Select another…": the menu's title is one line. */
function firstSentence(text: string): string {
    return /^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text;
}

function percent(progress: number | undefined): string {
    return `${Math.floor(Math.min(1, Math.max(0, progress ?? 0)) * 100)}%`;
}

/** "CPU", "CUDA", "Metal", "Vulkan". */
export function deviceName(device: string | undefined): string {
    switch (device) {
        case undefined:
        case "cpu":
            return "CPU";
        case "metal":
            return "Metal";
        case "vulkan":
            return "Vulkan";
        default:
            return device.toUpperCase();
    }
}

function deviceLabel(status: ServerStatus): string {
    const name = deviceName(status.device);
    return name === "CPU" ? "CPU" : `${name} GPU (${status.gpuLayers ?? "?"} layers)`;
}

const THREAD_SOURCES: Record<ThreadSource, string> = {
    setting: "as set in codellama.engine.threads",
    calibrating: "one per CPU while measuring the fastest count",
    calibrated: "measured fastest on this machine",
    cached: "measured fastest on this machine",
    cpus: "one per CPU",
};

/** The built-in engine's threads and measured speeds, the separate chat model, and the notes, one line each after a line break; "" when none. */
function engineLines(status: ServerStatus): string {
    const lines: string[] = [];
    const { threads } = status;
    if (threads)
        lines.push(`Threads: ${threadCounts(threads)} (${THREAD_SOURCES[threads.source]}; ${threads.cpus} CPU${threads.cpus === 1 ? "" : "s"} usable)`);
    const speeds = [
        status.promptTokensPerSecond !== undefined ? `prompt ${status.promptTokensPerSecond} tokens/s` : undefined,
        status.generationTokensPerSecond !== undefined ? `generation ${status.generationTokensPerSecond} tokens/s` : undefined,
    ].filter((speed) => speed !== undefined);
    if (speeds.length > 0) lines.push(`Speed: ${speeds.join(", ")}`);
    const { chat } = status;
    if (chat) lines.push(`${chat.message}${chat.threads ? `, threads: ${threadCounts(chat.threads)}` : ""}`);
    lines.push(...(status.notes ?? []));
    return lines.map((line) => `\n${line}`).join("");
}

/** "4", or "4 for prompts, 2 for generation". */
function threadCounts(threads: ThreadsInUse): string {
    return threads.prompt === threads.generation ? `${threads.prompt}` : `${threads.prompt} for prompts, ${threads.generation} for generation`;
}

/** What came ahead of time, one line after a line break: suggestions prepared before Tab, the share of guessed tokens confirmed; "" while neither happened. */
function aheadLine(status: ServerStatus): string {
    const prepared = status.preparedSuggestions ?? 0;
    const guessed = status.predictions ? status.predictions.validated + status.predictions.refuted : 0;
    const parts = [
        prepared > 0 ? `${prepared} suggestion${prepared === 1 ? "" : "s"} prepared before Tab` : undefined,
        guessed > 0 ? `${Math.round((100 * status.predictions!.validated) / guessed)} % of ${guessed} guessed tokens confirmed` : undefined,
    ].filter((part) => part !== undefined);
    return parts.length > 0 ? `\nAhead of time: ${parts.join(", ")}` : "";
}

function shorten(text: string): string {
    return text.length > MAX_MODEL_NAME ? `${text.slice(0, MAX_MODEL_NAME - 1)}…` : text;
}
