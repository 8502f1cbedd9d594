/** What "Code Llama: Select Model…" shows of the server's model choices and the settings a choice sets (pure; modelPicker.ts is the UI). */
import { formatBytes } from "../../shared/src/byteSize.js";
import type { ModelChoice } from "../../shared/src/modelChoice.js";
import type { SettingKey } from "../../shared/src/settings.js";

export interface PickItem {
    label: string;
    description: string;
    detail: string;
    choice: ModelChoice;
}

/** "completion (fills in the middle), chat": what the model can do, as the quick pick says it. */
export function rolesLabel(roles: ModelChoice["roles"]): string {
    return `completions (${roles.fillInTheMiddle ? "fills in the middle" : "continues the code"})${roles.chat ? ", chat" : ""}`;
}

/** One item per choice: the name; quantization and sizes; roles and whether it fits. Local files first, as the server orders them. */
export function pickItems(choices: readonly ModelChoice[]): PickItem[] {
    return choices.map((choice) => ({
        label: `${choice.fits ? "" : "$(warning) "}${choice.label}`,
        description: [choice.quantization, choice.path ? "on this computer" : choice.downloaded ? "downloaded" : `download ${formatBytes(choice.fileBytes)}`]
            .filter(Boolean)
            .join(" · "),
        detail: `${rolesLabel(choice.roles)} · needs ${formatBytes(choice.memoryBytes)}${choice.fits ? "" : ", more than this computer has"}`,
        choice,
    }));
}

/** The settings a choice sets for a role: the file, or the download (and no file, so that the download is used). */
export function settingsFor(choice: ModelChoice, role: "completion" | "chat"): Partial<Record<SettingKey, string>> {
    const prefix = role === "chat" ? "chat.model" : "model";
    return choice.path ? { [`${prefix}.path`]: choice.path } : { [`${prefix}.path`]: "", [`${prefix}.uri`]: choice.uri ?? "" };
}
