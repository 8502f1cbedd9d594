/**
 * The CLI's configuration flags, each mapped onto settings of the one schema (shared/src/settings.ts):
 * parsing, the mapping and the help text (enums and defaults included) all come from this table.
 */
import { DEFAULT_MODEL_URI, SETTINGS, type SettingKey } from "../../../shared/src/settings.js";
import { fromDotted } from "../config/resolve.js";

interface ConfigFlag {
    flag: string;
    /** What the value is, in the help: PATH, N, MODE... */
    value: string;
    /** The settings the flag sets (--max-tokens sets both maxTokens: complete's and chat's). */
    settings: readonly SettingKey[];
    /** What the flag does; an enum setting without it lists its values. */
    help?: string;
    /** The CLI's own default, where it differs from the setting's. */
    cliDefault?: string;
    /** The default as the help says it; false: not said. */
    defaultText?: string | false;
}

export const CONFIG_FLAGS: readonly ConfigFlag[] = [
    {
        flag: "model",
        value: "PATH",
        settings: ["model.path"],
        help: "Local GGUF model",
        defaultText: `download ${DEFAULT_MODEL_URI} on first use into the per-user cache`,
    },
    { flag: "model-uri", value: "URI", settings: ["model.uri"], help: "Model to download when no --model is given", defaultText: false },
    { flag: "models-dir", value: "DIR", settings: ["model.directory"], help: "Where downloaded models are kept", defaultText: false },
    {
        flag: "chat-model",
        value: "PATH",
        settings: ["chat.model.path"],
        help: "A second local GGUF model for chat, e.g. a 34B or 70B Instruct beside a 7B for completion",
        defaultText: "the completion model",
    },
    { flag: "completion-mode", value: "MODE", settings: ["completion.mode"] },
    { flag: "chat-format", value: "FORMAT", settings: ["chat.format"] },
    { flag: "gpu", value: "MODE", settings: ["engine.gpu"] },
    { flag: "gpu-layers", value: "N", settings: ["engine.gpuLayers"], help: "Layers on the GPU, -1 = as many as fit" },
    {
        flag: "threads",
        value: "N",
        settings: ["engine.threads"],
        help: "CPU threads, 0 = the fastest count for this machine, measured at the first run of a model",
    },
    {
        flag: "context-size",
        value: "N",
        settings: ["engine.contextSize"],
        help: "Context size in tokens, 0 = automatic: 16384 when the memory holds it beside the model(s), else the largest that fits",
    },
    { flag: "max-tokens", value: "N", settings: ["completion.maxTokens", "chat.maxTokens"], help: "Most tokens to generate" },
    { flag: "fim-format", value: "FORMAT", settings: ["completion.fimFormat"] },
    { flag: "log-level", value: "LEVEL", settings: ["log.level"], cliDefault: "warn" },
];

const HELP_COLUMN = 26;
const HELP_WIDTH = 100;

/** The help lines of the configuration flags. */
export function configFlagsHelp(): string {
    return CONFIG_FLAGS.map((flag) => {
        const head = `  --${flag.flag} ${flag.value}`.padEnd(HELP_COLUMN);
        const spec = SETTINGS[flag.settings[0]!];
        const what = flag.help ?? ("enum" in spec && spec.enum ? spec.enum.join(" | ") : spec.description);
        const text = flag.defaultText === false ? what : `${what} (default${flag.defaultText ? `: ${flag.defaultText}` : ` ${defaultOf(flag)}`})`;
        return head + wrap(text, HELP_WIDTH - HELP_COLUMN).join(`\n${" ".repeat(HELP_COLUMN)}`);
    }).join("\n");
}

function defaultOf(flag: ConfigFlag): string {
    if (flag.cliDefault !== undefined) return flag.cliDefault;
    if (flag.settings.length === 1) return String(SETTINGS[flag.settings[0]!].default);
    return flag.settings.map((key) => `${SETTINGS[key].default} for ${key.split(".")[0] === "completion" ? "complete" : key.split(".")[0]}`).join(", ");
}

function wrap(text: string, width: number): string[] {
    const lines: string[] = [];
    let line = "";
    for (const word of text.split(" ")) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line ? `${line} ${word}` : word;
        }
    }
    return [...lines, line];
}

/** Maps CLI flags onto the configuration shape; the resolver validates them like any other layer. */
export function configFromFlags(values: Record<string, string | boolean | undefined>): unknown {
    const dotted: Record<string, unknown> = {};
    for (const flag of CONFIG_FLAGS) {
        const text = values[flag.flag] ?? flag.cliDefault;
        if (typeof text !== "string") continue;
        for (const key of flag.settings) dotted[key] = SETTINGS[key].type === "string" ? text : numberOrText(text);
    }
    return fromDotted(dotted);
}

/** A number where the text is one; otherwise the text, for the resolver to reject with a message. */
function numberOrText(text: string): number | string {
    return Number.isNaN(Number(text)) ? text : Number(text);
}
