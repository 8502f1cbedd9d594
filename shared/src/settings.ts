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

/** How completions are asked of the model: `auto` as its file says (fill in the middle when it was trained to), or forced. */
export const COMPLETION_MODES = ["auto", "fill-in-the-middle", "continue"] as const;
export type CompletionModeSetting = (typeof COMPLETION_MODES)[number];

/** Whether the completion model guesses ahead for a separate chat model (speculative decoding). */
export const DRAFT_MODEL_MODES = ["auto", "on", "off"] as const;
export type DraftModelSetting = (typeof DRAFT_MODEL_MODES)[number];

/** How chat prompts are laid out: `auto` as the model file says, or forced. */
export const CHAT_FORMATS = ["auto", "llama2", "codellama-70b"] as const;
export type ChatFormatSetting = (typeof CHAT_FORMATS)[number];

export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** VS Code setting scopes; anything that names a file or program to load is `machine`. */
export type SettingScope = "application" | "machine" | "machine-overridable" | "window" | "resource" | "language-overridable";

/**
 * The groups of the Settings UI, in order (package.json's `contributes.configuration` is one
 * category per group, titled under "Code Llama"). Tuning that needs the technical background goes
 * under Advanced.
 */
export const SETTING_GROUPS = ["Model", "Engine", "Completion", "Chat", "Advanced"] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

interface SettingBase {
    group: SettingGroup;
    /** Markdown: first what the setting does for the user, then the detail. */
    description: string;
    scope: SettingScope;
}
export type SettingSpec =
    | (SettingBase & { type: "string"; default: string; enum?: readonly string[] /** Markdown, one per enum value. */; enumDescriptions?: readonly string[] })
    | (SettingBase & { type: "integer" | "number"; default: number; minimum?: number; maximum?: number })
    | (SettingBase & { type: "boolean"; default: boolean })
    | (SettingBase & { type: "array"; default: readonly string[] });

/**
 * Files that get no completions and never become context for other files: keys, certificates,
 * environment files. Glob patterns, matched without regard to case (see exclude.ts).
 */
export const DEFAULT_EXCLUDE = [".env*", "*.pem", "*.key", "id_rsa*", "*.p12", "secrets.*"] as const;

/** Every setting, keyed by its dotted path below `codellama.`. */
export const SETTINGS = {
    "model.path": {
        group: "Model",
        type: "string",
        default: "",
        scope: "machine",
        description:
            "The Code Llama model file (GGUF) on this computer to use. Empty: the model of `codellama.model.uri` is downloaded on first use, after you agree. **Code Llama: Select Model File…** sets it.",
    },
    "model.uri": {
        group: "Model",
        type: "string",
        default: DEFAULT_MODEL_URI,
        scope: "machine",
        description:
            "The model to download when no model file is set: Code Llama 7B Instruct (Q4_K_M, 4.1 GB) by default. A Hugging Face file (`hf:owner/repo/file.gguf`) or an https URL of a GGUF file.",
    },
    "model.directory": {
        group: "Model",
        type: "string",
        default: "",
        scope: "machine",
        description:
            "Where downloaded models are kept. Empty: your per-user cache folder (`$XDG_CACHE_HOME/codellama/models`, `~/Library/Caches/codellama/models`, `%LOCALAPPDATA%\\codellama\\models`).",
    },
    "model.autoDownload": {
        group: "Model",
        type: "boolean",
        default: false,
        scope: "machine",
        description:
            "Download the model on first use without asking. Off: Code Llama asks before it downloads anything (editors other than VS Code approve with the `codellama/downloadModel` request).",
    },
    "engine.backend": {
        group: "Engine",
        type: "string",
        default: "embedded",
        enum: BACKENDS,
        scope: "machine",
        description:
            "Where the model runs: on this computer (`embedded`), or on an inference server you run at `codellama.engine.serverUrl`. A server's API key is never a setting: **Code Llama: Set Server API Key** (other editors: the `CODELLAMA_API_KEY` environment variable).",
        enumDescriptions: [
            "On this computer, in the Code Llama language server (node-llama-cpp), on its GPU or CPU.",
            "On a llama.cpp server (`llama-server`) at `codellama.engine.serverUrl`, reusing its prompt cache.",
            "On an OpenAI-compatible server at `codellama.engine.serverUrl` (vLLM, TGI, llama-server's `/v1`).",
        ],
    },
    "engine.serverUrl": {
        group: "Engine",
        type: "string",
        default: "http://127.0.0.1:8080",
        scope: "machine",
        description: "Address of your inference server, for the `llama-server` and `openai` backends.",
    },
    "engine.serverSlot": {
        group: "Advanced",
        type: "integer",
        default: -1,
        minimum: -1,
        scope: "machine",
        description:
            "Keeps this editor's completions on one slot of a shared llama.cpp server, so that its prompt stays cached there (give each user of the server their own). -1: the server picks the slot with the most similar cached prompt.",
    },
    "engine.serverModel": {
        group: "Engine",
        type: "string",
        default: "",
        scope: "machine",
        description: "The model to ask an `openai` backend for. Empty: the first model the server lists.",
    },
    "engine.gpu": {
        group: "Engine",
        type: "string",
        default: "auto",
        enum: GPU_MODES,
        scope: "machine",
        description: "Run the model on the GPU, which is much faster than the CPU. `auto` uses CUDA, Metal or Vulkan when this computer has one, else the CPU.",
        enumDescriptions: [
            "A GPU when there is one (CUDA, Metal or Vulkan), else the CPU.",
            "An NVIDIA GPU, through CUDA.",
            "Most GPUs, through Vulkan.",
            "The GPU of a Mac, through Metal.",
            "The CPU only.",
        ],
    },
    "engine.gpuLayers": {
        group: "Advanced",
        type: "integer",
        default: -1,
        minimum: -1,
        scope: "machine",
        description: "How much of the model goes on the GPU, in layers: lower it when the GPU runs out of memory. -1: as many as GPU memory allows.",
    },
    "engine.tokenPrediction": {
        group: "Advanced",
        type: "boolean",
        default: true,
        scope: "machine",
        description:
            "Makes answers that repeat text come faster: the model guesses the next tokens from text the answer copies (your code in a question to fix, a line above the cursor) and checks several of them in one step (speculative decoding). Answers stay exactly the same. Built-in engine only; turn off only to measure what it saves.",
    },
    "engine.threads": {
        group: "Engine",
        type: "integer",
        default: 0,
        minimum: 0,
        scope: "machine",
        description:
            "CPU threads the model runs on when it runs on this computer. 0 (default): the fastest count for this computer and model, measured briefly at the first load of each model and remembered (never more than the CPUs Code Llama may use). A number: exactly that many threads for reading the code and for writing the answer.",
    },
    "engine.contextSize": {
        group: "Engine",
        type: "integer",
        default: 0,
        minimum: 0,
        maximum: 1048576,
        scope: "machine",
        description:
            "How much the model reads at once, in tokens (about 4 characters each): more code around the cursor and longer chats, for more memory and slower first answers. Completions use shares of it (Advanced). 0 (default): automatic, 16,384 (what Code Llama was trained on, at most what the model was trained on) when the GPU's memory (or the RAM, without a GPU) holds it beside the model(s), else the largest size from 2,048 up that fits.",
    },
    "completion.enabled": {
        group: "Completion",
        type: "boolean",
        default: true,
        scope: "language-overridable",
        description: "Suggest code as you type, shown as ghost text (Tab accepts, Ctrl+Right one word). Can be set per language, e.g. off for Markdown.",
    },
    "completion.mode": {
        group: "Advanced",
        type: "string",
        default: "auto",
        enum: COMPLETION_MODES,
        scope: "window",
        description:
            "How suggestions are asked of the model. `auto`: as the model file says; only Code Llama 7B and 13B (base and Instruct) were trained to fill in the middle, other models continue the code. For fine-tunes whose name does not say what they are.",
        enumDescriptions: [
            "Fill in the middle when the model was trained to, else continue the code before the cursor.",
            "Always fill in between the code before and after the cursor (the model needs the `<PRE>` `<SUF>` `<MID>` tokens).",
            "Always continue the code before the cursor; the code after it only keeps suggestions from repeating it.",
        ],
    },
    "completion.maxTokens": {
        group: "Completion",
        type: "integer",
        default: 128,
        minimum: 1,
        maximum: 2048,
        scope: "window",
        description: "Longest suggestion, in tokens (about 4 characters each).",
    },
    "completion.maxTimeMs": {
        group: "Completion",
        type: "integer",
        default: -1,
        minimum: -1,
        maximum: 600000,
        scope: "window",
        description:
            "Longest a suggestion may take, in milliseconds: when the time is up it ends with its last finished line (the first line is always finished), so a slow computer still shows something useful quickly. -1 (default): one to two seconds, following the model's measured speed; 0: no time limit, only `codellama.completion.maxTokens`.",
    },
    "completion.exclude": {
        group: "Completion",
        type: "array",
        default: DEFAULT_EXCLUDE,
        scope: "window",
        description:
            "Files that get no suggestions and are never shown to the model while you work in other files: keys, certificates, environment files. Glob patterns: one without `/` matches the file name (`.env*`, `*.pem`), one with `/` the path in the workspace (`config/**/credentials.json`); case does not matter.",
    },
    "completion.coldPromptMs": {
        group: "Advanced",
        type: "integer",
        default: 1500,
        minimum: 0,
        maximum: 600000,
        scope: "window",
        description:
            "Makes the first suggestion in a file just opened (or after a jump) come quickly: the model reads only as much of the code around the cursor as it reads in about this many milliseconds at its measured speed, and the rest when the cursor rests. Built-in engine only; 0: always the full prompt.",
    },
    "completion.fimFormat": {
        group: "Advanced",
        type: "string",
        default: "psm-line",
        enum: FIM_FORMATS,
        scope: "window",
        description:
            "How the code before and after the cursor is laid out for the model (its fill-in-the-middle prompt). The default keeps typing fast; the others are for comparison.",
        enumDescriptions: [
            "Meta's reference layout, prefix-suffix-middle: the code after the cursor is read again at every keystroke.",
            "Prefix-suffix-middle with the prefix cut at the start of the cursor's line and the typed part of the line after `<MID>`: typing within a line only adds to what the model has already read (fastest).",
            "Suffix-prefix-middle.",
        ],
    },
    "completion.extraContextShare": {
        group: "Advanced",
        type: "number",
        default: 0.1,
        minimum: 0,
        maximum: 0.5,
        scope: "window",
        description:
            "Lets suggestions use names from other files: this share of the context holds snippets of files you recently opened, edited or copied from, given to the model as comments before the code. 0 turns this off.",
    },
    "completion.reuseCache": {
        group: "Advanced",
        type: "boolean",
        default: true,
        scope: "window",
        description:
            "Keeps suggestions fast while typing: the model keeps what it read for the previous suggestion and reads only what changed. Turn off only to measure what it saves.",
    },
    "completion.warmCache": {
        group: "Completion",
        type: "boolean",
        default: true,
        scope: "window",
        description:
            "Gets the first suggestion ready while the cursor rests: the model reads the code around it before you type, so the first suggestion there comes as fast as those while typing. Uses the CPU/GPU while you are not typing; turn off to save power.",
    },
    "completion.prepareNext": {
        group: "Completion",
        type: "boolean",
        default: true,
        scope: "window",
        description:
            "Gets the next suggestion ready while you look at one: after Tab, the suggestion that follows appears at once. Uses the CPU/GPU while you are not typing; turn off to save power.",
    },
    "completion.prefixShare": {
        group: "Advanced",
        type: "number",
        default: 0.5,
        minimum: 0.05,
        maximum: 0.9,
        scope: "window",
        description: "How much of the code before the cursor the model sees: this share of the context size.",
    },
    "completion.suffixShare": {
        group: "Advanced",
        type: "number",
        default: 0.125,
        minimum: 0,
        maximum: 0.9,
        scope: "window",
        description: "How much of the code after the cursor the model sees: this share of the context size (0.125 of 4096 is 512 tokens, about 60 lines).",
    },
    "chat.model.path": {
        group: "Chat",
        type: "string",
        default: "",
        scope: "machine",
        description:
            "A second model file (GGUF) on this computer for chat, Explain and Debug, e.g. a 34B or 70B Instruct beside a fast 7B for completions. Empty (default): the completion model chats too. The GPU's memory goes to the completion model first; the chat model gets what is left. Built-in engine only. **Code Llama: Select Model…** sets it.",
    },
    "chat.model.uri": {
        group: "Chat",
        type: "string",
        default: "",
        scope: "machine",
        description:
            "The chat model to download when `codellama.chat.model.path` is empty: a Hugging Face file (`hf:owner/repo/file.gguf`) or an https URL of a GGUF file. Empty (default): the completion model chats too.",
    },
    "chat.draftModel": {
        group: "Chat",
        type: "string",
        default: "auto",
        enum: DRAFT_MODEL_MODES,
        scope: "machine",
        description:
            "Faster chat answers from a separate chat model: the completion model guesses the next words and the chat model checks several at once. The answers stay the same. It pays when the two models share their vocabulary and the chat model is much larger (a 7B beside a 34B or 70B); it costs a context of the completion model's (memory, said in the log).",
        enumDescriptions: [
            "On when a separate chat model is set, shares the completion model's vocabulary and is at least 3 times its size.",
            "On whenever a separate chat model shares the completion model's vocabulary (a model of another vocabulary is refused, with a note in the status).",
            "Off: the chat model answers one word at a time.",
        ],
    },
    "chat.format": {
        group: "Advanced",
        type: "string",
        default: "auto",
        enum: CHAT_FORMATS,
        scope: "window",
        description: "How chat prompts are laid out for the model. `auto`: as the model file says. For fine-tunes whose name does not say what they are.",
        enumDescriptions: [
            "As the model file says: Code Llama 70B's turn format when its vocabulary has `<step>`, else Llama 2's `[INST]`.",
            "Llama 2 Chat and Code Llama 7B-34B Instruct: `[INST] … [/INST]` with `<<SYS>>`.",
            "Code Llama 70B Instruct: `Source: …` headers and `<step>` after each message.",
        ],
    },
    "chat.maxTokens": {
        group: "Chat",
        type: "integer",
        default: 1024,
        minimum: 1,
        maximum: 8192,
        scope: "window",
        description: "Longest chat answer, in tokens (about 4 characters each; at most half the context size).",
    },
    "log.level": {
        group: "Advanced",
        type: "string",
        default: "info",
        enum: LOG_LEVELS,
        scope: "window",
        description: "How much the server writes to its log (**Code Llama: Show Log**). Your code is written to it only at `debug`.",
        enumDescriptions: [
            "Errors only.",
            "Errors and warnings.",
            "Also model loads, settings changes and what each request cost.",
            "Everything, including prompts and suggestions: your code.",
        ],
    },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/** A setting's value type, from its spec: its enum's values, or its type. */
type SettingValue<Spec> = Spec extends { type: "boolean" }
    ? boolean
    : Spec extends { type: "array" }
      ? readonly string[]
      : Spec extends { enum: readonly (infer Value)[] }
        ? Value
        : Spec extends { type: "string" }
          ? string
          : number;
type Head<Key extends string> = Key extends `${infer Name}.${string}` ? Name : never;
type Leaf<Key extends string> = Key extends `${string}.${string}` ? never : Key;
type Rest<Key extends string, Name extends string> = Key extends `${Name}.${infer Tail}` ? Tail : never;
/** The keys below `Prefix` as nested objects: "chat.model.path" is `chat.model.path`. */
type ConfigTree<Keys extends string, Prefix extends string> = { [K in Leaf<Keys>]: SettingValue<(typeof SETTINGS)[`${Prefix}${K}` & SettingKey]> } & {
    [Name in Head<Keys>]: ConfigTree<Rest<Keys, Name>, `${Prefix}${Name}.`>;
};

/** The configuration shape, derived from SETTINGS: `{ model: { path: string, ... }, engine: {...}, chat: { model: {...}, ... } }`. */
export type CodeLlamaConfig = ConfigTree<SettingKey, "">;
