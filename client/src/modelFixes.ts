/**
 * What the extension offers for a model problem: the VS Code commands behind the server's `fix`,
 * in the problem notification and the status menu alike. Pure (no VS Code API), unit-tested.
 */
import { formatBytes } from "../../shared/src/byteSize.js";
import { COMMANDS } from "../../shared/src/commands.js";
import type { ServerStatus } from "../../shared/src/protocol.js";

export interface FixAction {
    label: string;
    /** Codicon name, for menus. */
    icon: string;
    command: string;
    args?: unknown[];
}

/** The Code Llama and Llama 2 family and the local files, with what each can do ("Select Model…"). */
export const SELECT_MODEL: FixAction = { label: "Select Model…", icon: "library", command: COMMANDS.selectModel };
export const SELECT_FILE: FixAction = { label: "Select Model File…", icon: "file", command: COMMANDS.selectModelFile };
export const SHOW_LOG: FixAction = { label: "Show Log", icon: "output", command: COMMANDS.showLogs };
const settings = (query: string): FixAction => ({ label: "Open Settings", icon: "settings-gear", command: "workbench.action.openSettings", args: [query] });

/** The ways out of the status's problem, most useful first; none when there is no problem to fix. */
export function fixActions(status: ServerStatus | undefined): FixAction[] {
    if (status?.state !== "error" || !status.fix) return [];
    const download = (label: string): FixAction => ({
        label: status.downloadBytes ? `${label} (${formatBytes(status.downloadBytes)})` : label,
        icon: "cloud-download",
        command: COMMANDS.downloadModel,
    });
    switch (status.fix) {
        case "approve-download":
        case "download-again":
        case "retry":
            return [download("Download Default Model"), SELECT_FILE];
        case "go-online":
            return [download("Retry Download"), SELECT_FILE];
        case "choose-model":
            return [SELECT_FILE];
        case "model-uri":
            return [settings("codellama.model.uri"), SELECT_FILE];
        case "choose-chat-model":
            return [settings("codellama.chat.model")];
        case "api-key":
            return [{ label: "Set Server API Key", icon: "key", command: COMMANDS.setServerApiKey }];
        case "start-server":
        case "server-model":
        case "lighter-load":
        case "gpu-setting":
        case "smaller-context":
            return [settings("codellama.engine")];
    }
}

/** A notification's command link: `[label](command:id?["arg"])`. */
export function commandLink(action: FixAction): string {
    const query = action.args ? `?${encodeURIComponent(JSON.stringify(action.args))}` : "";
    return `[${action.label}](command:${action.command}${query})`;
}
