/**
 * What the status bar item shows: a pure function of the last `codellama/status` the server pushed,
 * the connection state and whether completions are on for the active editor. No state is guessed here.
 */
import { COMMANDS } from "../../shared/src/commands.js";
import type { ServerStatus } from "../../shared/src/protocol.js";
import type { ThreadSource } from "../../shared/src/threads.js";

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
}

export type StatusKind = "starting" | "downloading" | "loading" | "ready" | "completing" | "disabled" | "needs-model" | "error";

export interface StatusPresentation {
    kind: StatusKind;
    /** Status bar text, with codicons. */
    text: string;
    tooltip: string;
    severity: "ok" | "warning" | "error";
    /** Command run on click: the menu, or the log when something is broken. */
    command: typeof COMMANDS.showMenu | typeof COMMANDS.showLogs;
}

const NAME = "Code Llama";
const MAX_MODEL_NAME = 32;

export function presentStatus(input: StatusInput): StatusPresentation {
    const { server } = input;
    if (input.connection === "stopped") {
        return {
            kind: "error", text: `$(error) ${NAME}: server stopped`, severity: "error", command: COMMANDS.showLogs,
            tooltip: `The ${NAME} language server stopped. Click to open the log; run "${NAME}: Restart Server" to start it again.`,
        };
    }
    if (input.connection === "starting" || !server || server.state === "starting") {
        return { kind: "starting", text: `$(loading~spin) ${NAME}`, tooltip: `${NAME}: starting the language server`, severity: "ok", command: COMMANDS.showMenu };
    }
    switch (server.state) {
        case "downloading":
            return { kind: "downloading", text: `$(cloud-download) ${NAME} ${percent(server.progress)}`, tooltip: server.message, severity: "ok", command: COMMANDS.showMenu };
        case "loading":
            return { kind: "loading", text: `$(loading~spin) ${NAME} ${percent(server.progress)}`, tooltip: server.message, severity: "ok", command: COMMANDS.showMenu };
        case "error":
            if (server.error === "model-not-downloaded") {
                return {
                    kind: "needs-model", text: `$(warning) ${NAME}: no model`, severity: "warning", command: COMMANDS.showMenu,
                    tooltip: `${server.message}\n\nClick to download the default model or select a GGUF file.`,
                };
            }
            return { kind: "error", text: `$(error) ${NAME}: error`, tooltip: `${server.message}\n\nClick to open the log.`, severity: "error", command: COMMANDS.showLogs };
        case "ready": {
            const ready = `${server.model ?? "model"} on ${deviceLabel(server)}`;
            if (!input.completionsEnabled) {
                const where = input.languageId ? `for ${input.languageId}` : "everywhere";
                return {
                    kind: "disabled", text: `$(circle-slash) ${NAME}: disabled`, severity: "ok", command: COMMANDS.showMenu,
                    tooltip: `${NAME}: completions are off ${where} (${ready}). Click for the menu.`,
                };
            }
            const engine = engineLines(server);
            if (server.completing) {
                return { kind: "completing", text: `$(loading~spin) ${NAME}: completing`, tooltip: `${NAME}: ${ready}, completing${engine}`, severity: "ok", command: COMMANDS.showMenu };
            }
            return {
                kind: "ready", text: `$(check) ${NAME}: ${shorten(server.model ?? "ready")} (${deviceName(server.device)})`, severity: "ok", command: COMMANDS.showMenu,
                tooltip: engine ? `${NAME}: ${ready}.${engine}\n\nClick for the menu.` : `${NAME}: ${ready}. Click for the menu.`,
            };
        }
    }
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

/** The built-in engine's threads and measured speeds, one line each after a line break; "" for other backends. */
function engineLines(status: ServerStatus): string {
    const lines: string[] = [];
    const { threads } = status;
    if (threads) {
        const counts = threads.prompt === threads.generation ? `${threads.prompt}` : `${threads.prompt} for prompts, ${threads.generation} for generation`;
        lines.push(`Threads: ${counts} (${THREAD_SOURCES[threads.source]}; ${threads.cpus} CPU${threads.cpus === 1 ? "" : "s"} usable)`);
    }
    const speeds = [
        status.promptTokensPerSecond !== undefined ? `prompt ${status.promptTokensPerSecond} tokens/s` : undefined,
        status.generationTokensPerSecond !== undefined ? `generation ${status.generationTokensPerSecond} tokens/s` : undefined,
    ].filter((speed) => speed !== undefined);
    if (speeds.length > 0) lines.push(`Speed: ${speeds.join(", ")}`);
    return lines.map((line) => `\n${line}`).join("");
}

function shorten(text: string): string {
    return text.length > MAX_MODEL_NAME ? `${text.slice(0, MAX_MODEL_NAME - 1)}…` : text;
}
