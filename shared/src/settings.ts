/**
 * The one configuration shape of Code Llama. `initializationOptions`, the `codellama` section of
 * `workspace/configuration`, VS Code's `codellama.*` settings and the CLI flags all map onto it.
 * SETTINGS is the single source: the config type, defaults, validation, the CLI's flags help,
 * package.json's contribution and the README table are derived from (and tested against) it.
 */

export const DEFAULT_MODEL_URI = "hf:TheBloke/CodeLlama-7B-Instruct-GGUF/codellama-7b-instruct.Q4_K_M.gguf";

export const BACKENDS = ["embedded", "llama-server", "openai"] as const;
export type Backend = (typeof BACKENDS)[number];

export const GPU_MODES = ["auto", "cuda", "vulkan", "metal", "off"] as const;
export type GpuMode = (typeof GPU_MODES)[number];

export const FIM_FORMATS = ["psm", "psm-line", "spm"] as const;
export type FimFormat = (typeof FIM_FORMATS)[number];

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** VS Code setting scopes; anything that names a file or program to load is `machine`. */
export type SettingScope = "application" | "machine" | "machine-overridable" | "window" | "resource" | "language-overridable";

interface SettingBase {
    description: string;
    scope: SettingScope;
}
export type SettingSpec =
    | (SettingBase & { type: "string"; default: string; enum?: readonly string[] })
    | (SettingBase & { type: "integer" | "number"; default: number; minimum?: number; maximum?: number })
    | (SettingBase & { type: "boolean"; default: boolean });

/** Every setting, keyed by its dotted path below `codellama.`. */
export const SETTINGS = {
    "model.path": {
        type: "string", default: "", scope: "machine",
        description: "Path of a local Code Llama GGUF model file. When empty, `codellama.model.uri` is downloaded on first use.",
    },
    "model.uri": {
        type: "string", default: DEFAULT_MODEL_URI, scope: "machine",
        description: "Model to download when no path is set: a node-llama-cpp model URI (`hf:owner/repo/file.gguf`) or an https URL of a GGUF file.",
    },
    "model.directory": {
        type: "string", default: "", scope: "machine",
        description: "Directory for downloaded models. Empty: the per-user cache directory (`$XDG_CACHE_HOME/codellama/models`, `~/Library/Caches/codellama/models`, `%LOCALAPPDATA%\\codellama\\models`).",
    },
    "model.autoDownload": {
        type: "boolean", default: false, scope: "machine",
        description: "Download `codellama.model.uri` on first use without asking. When off, the server waits for the user to approve the download (VS Code offers it in a notification; other editors send `codellama/downloadModel`).",
    },
    "engine.backend": {
        type: "string", default: "embedded", enum: BACKENDS, scope: "machine",
        description: "Where the model runs: `embedded` loads it in the language server (node-llama-cpp); `llama-server` uses a running llama.cpp server at `codellama.engine.serverUrl`; `openai` any OpenAI-compatible server there (vLLM, TGI, llama-server's `/v1`). An API key comes from the `CODELLAMA_API_KEY` environment variable, never from settings.",
    },
    "engine.serverUrl": {
        type: "string", default: "http://127.0.0.1:8080", scope: "machine",
        description: "Base URL of the llama.cpp server for the `llama-server` backend.",
    },
    "engine.serverSlot": {
        type: "integer", default: -1, minimum: -1, scope: "machine",
        description: "Server slot to pin completions to, so this editor's prompt stays cached there (give each user of a shared server their own); -1 lets the server pick the slot with the most similar cached prompt.",
    },
    "engine.serverModel": {
        type: "string", default: "", scope: "machine",
        description: "Model name to request from an `openai` backend; empty uses the first model the server lists.",
    },
    "engine.gpu": {
        type: "string", default: "auto", enum: GPU_MODES, scope: "machine",
        description: "GPU backend: `auto` picks CUDA, Metal or Vulkan when available and falls back to CPU; `off` runs on the CPU.",
    },
    "engine.gpuLayers": {
        type: "integer", default: -1, minimum: -1, scope: "machine",
        description: "Model layers to offload to the GPU; -1 fits as many as GPU memory allows.",
    },
    "engine.threads": {
        type: "integer", default: 0, minimum: 0, scope: "machine",
        description: "CPU threads for inference; 0 lets the engine choose.",
    },
    "engine.contextSize": {
        type: "integer", default: 4096, minimum: 256, maximum: 1048576, scope: "machine",
        description: "Context size in tokens: the prompt budget of completions is a share of it.",
    },
    "engine.tokenPrediction": {
        type: "boolean", default: true, scope: "machine",
        description: "Speculative decoding (embedded engine): guess the next tokens from text the answer repeats (your code in a question, a line above the cursor) and check several in one step. Answers stay exactly the same; they come faster when they copy. Turn off to compare.",
    },
    "completion.enabled": {
        type: "boolean", default: true, scope: "language-overridable",
        description: "Show inline completions (can be set per language).",
    },
    "completion.maxTokens": {
        type: "integer", default: 128, minimum: 1, maximum: 2048, scope: "window",
        description: "Most tokens generated for one completion.",
    },
    "completion.maxTimeMs": {
        type: "integer", default: 0, minimum: 0, maximum: 600000, scope: "window",
        description: "Longest a completion may generate, in milliseconds; when it is reached the suggestion ends with its last finished line (the first line is always finished). For slow machines; 0: only `completion.maxTokens` limits it.",
    },
    "completion.coldPromptMs": {
        type: "integer", default: 1500, minimum: 0, maximum: 600000, scope: "window",
        description: "When the model has not yet read the code around the cursor (a file just opened, a jump elsewhere), the prompt is cut to what it reads in about this many milliseconds at its measured speed, so the first suggestion there comes quickly; the full context comes back when the cursor rests or the model is fast enough. Built-in engine only; 0: always the full prompt.",
    },
    "completion.fimFormat": {
        type: "string", default: "psm-line", enum: FIM_FORMATS, scope: "window",
        description: "Fill-in-the-middle prompt layout: `psm-line` (prefix-suffix-middle with the prefix cut at the start of the cursor's line and the typed part of the line after `<MID>`, so typing within a line only appends tokens to the cached prompt), `psm` (Meta's reference prefix-suffix-middle, which evaluates the suffix again on every keystroke) or `spm` (suffix-prefix-middle).",
    },
    "completion.extraContextShare": {
        type: "number", default: 0.1, minimum: 0, maximum: 0.5, scope: "window",
        description: "Share of the context for snippets of other files you recently opened, edited or copied from, given to the model as comments before the code; 0 turns this off.",
    },
    "completion.reuseCache": {
        type: "boolean", default: true, scope: "window",
        description: "Reuse the model's cache of the previous prompt and evaluate only what changed. Turn off only to measure what it saves.",
    },
    "completion.warmCache": {
        type: "boolean", default: true, scope: "window",
        description: "While the cursor rests in a file, read the code around it into the model's cache, so the first suggestion there comes as fast as the ones while typing. Uses the CPU/GPU when you are not typing; turn off to save power.",
    },
    "completion.prepareNext": {
        type: "boolean", default: true, scope: "window",
        description: "While you look at a suggestion, prepare the one that follows it, so that after Tab the next suggestion appears at once. Uses the CPU/GPU when you are not typing; turn off to save power.",
    },
    "completion.prefixShare": {
        type: "number", default: 0.5, minimum: 0.05, maximum: 0.9, scope: "window",
        description: "Share of the context size that the text before the cursor may use.",
    },
    "completion.suffixShare": {
        type: "number", default: 0.125, minimum: 0, maximum: 0.9, scope: "window",
        description: "Share of the context size that the text after the cursor may use (0.125 of 4096 is 512 tokens, about 60 lines).",
    },
    "chat.maxTokens": {
        type: "integer", default: 1024, minimum: 1, maximum: 8192, scope: "window",
        description: "Most tokens generated for one chat answer (at most half the context size).",
    },
    "log.level": {
        type: "string", default: "info", enum: LOG_LEVELS, scope: "window",
        description: "Server log level. Document contents are logged only at `debug`.",
    },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/** A setting's value type, from its spec: its enum's values, or its type. */
type SettingValue<Spec> = Spec extends { type: "boolean" } ? boolean : Spec extends { enum: readonly (infer Value)[] } ? Value : Spec extends { type: "string" } ? string : number;
type Section<Key extends string> = Key extends `${infer Name}.${string}` ? Name : never;

/** The configuration shape, derived from SETTINGS: `{ model: { path: string, ... }, engine: {...}, ... }`. */
export type CodeLlamaConfig = {
    [S in Section<SettingKey>]: { [K in SettingKey as K extends `${S}.${infer Name}` ? Name : never]: SettingValue<(typeof SETTINGS)[K]> };
};
