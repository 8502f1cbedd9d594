/**
 * Which roles a model file can play, read from its metadata (pure). Code Llama comes as base, Python
 * and Instruct at 7B, 13B, 34B and 70B; only the 7B and 13B base and Instruct models were trained to
 * fill in the middle (the others have the infill tokens in their vocabulary, never trained on).
 * The 7B-34B Instruct models and Llama 2 Chat take Llama 2's `[INST]` format; the 70B models, whose
 * vocabulary has `<step>`, take Meta's turn format (`Source: …` headers, `<step>` after each message).
 * Llama 2 has no infill tokens at all. Settings override the reading for fine-tunes with odd names.
 */
import type { ChatFormatSetting, CompletionModeSetting } from "../../../shared/src/settings.js";

export type ModelFamily = "code-llama" | "llama-2" | "unknown";
export type ModelVariant = "base" | "python" | "instruct" | "chat";
/** How chat prompts are laid out; "none": the vocabulary has no BOS/EOS, so neither format can be built. */
export type ChatFormat = "llama2" | "codellama-70b" | "none";

/** What the file says about itself: its metadata and its vocabulary. */
export interface ModelFacts {
    /** general.name, general.basename, general.size_label, general.finetune, as the file has them. */
    name?: string;
    basename?: string;
    sizeLabel?: string;
    finetune?: string;
    /** The file's name, read when the metadata names nothing useful. */
    fileName: string;
    /** Parameters of all tensors; 0 when unknown. */
    parameterCount: number;
    /** The vocabulary has ▁<PRE> ▁<SUF> ▁<MID>. */
    infillTokens: boolean;
    /** The vocabulary has `<step>` (Code Llama 70B). */
    stepToken: boolean;
    /** The vocabulary has BOS and EOS. */
    bosEos: boolean;
    /** tokenizer.chat_template, when the file has one. */
    chatTemplate?: string;
}

export interface ModelRoles {
    family: ModelFamily;
    /** "7B", "13B", "34B", "70B" (as the metadata or the parameter count says); undefined when neither says. */
    size: string | undefined;
    variant: ModelVariant;
    /** Trained to fill in the middle. */
    fim: boolean;
    chatFormat: ChatFormat;
    /** Trained to follow instructions (Instruct, Chat); a base model used for chat rambles. */
    instruct: boolean;
    /** The vocabulary has the infill tokens (fill in the middle can be forced only then). */
    infillTokens: boolean;
    /** The vocabulary has `<step>` (the 70B format can be forced only then). */
    stepToken: boolean;
}

/** Parameter counts from which a size is named, largest first (Code Llama 34B has 33.7B, 7B 6.7B). */
const SIZE_BY_PARAMETERS: readonly [number, string][] = [
    [50e9, "70B"],
    [25e9, "34B"],
    [10e9, "13B"],
    [5e9, "7B"],
];
/** The sizes trained to fill in the middle. */
const FIM_SIZES = new Set(["7B", "13B"]);

export function modelRoles(facts: ModelFacts): ModelRoles {
    const names = [facts.name, facts.basename, facts.finetune, facts.sizeLabel, facts.fileName]
        .filter((text): text is string => typeof text === "string")
        .join(" ")
        .toLowerCase();
    const family: ModelFamily = /code[\s_-]?llama/.test(names) ? "code-llama" : /llama[\s_-]?v?2/.test(names) ? "llama-2" : "unknown";
    const size = sizeOf(facts, names);
    const variant: ModelVariant = /instruct/.test(names)
        ? "instruct"
        : /python/.test(names)
          ? "python"
          : family === "llama-2" && /chat/.test(names)
            ? "chat"
            : "base";
    // A fine-tune of unknown name fills in the middle when its vocabulary can and nothing says it was not trained to.
    const fim = facts.infillTokens && family !== "llama-2" && (variant === "base" || variant === "instruct") && (size === undefined || FIM_SIZES.has(size));
    // Meta's chat_completion takes the turn format whenever the vocabulary has <step>.
    const chatFormat: ChatFormat = !facts.bosEos ? "none" : facts.stepToken || /Source: /.test(facts.chatTemplate ?? "") ? "codellama-70b" : "llama2";
    return {
        family,
        size,
        variant,
        fim,
        chatFormat,
        instruct: variant === "instruct" || variant === "chat",
        infillTokens: facts.infillTokens,
        stepToken: facts.stepToken,
    };
}

function sizeOf(facts: ModelFacts, names: string): string | undefined {
    // A size is a word of its own ("34b" in "codellama-34b-instruct"), not digits inside a hash ("a3b4f").
    const labelled = /(?:^|[^\d.])(\d+(?:\.\d+)?)\s*b(?![a-z])/i.exec(facts.sizeLabel ?? "") ?? /(?:^|[\s_.-])(\d+(?:\.\d+)?)b(?=$|[\s_.-])/.exec(names);
    if (labelled) return `${labelled[1]}B`;
    return SIZE_BY_PARAMETERS.find(([parameters]) => facts.parameterCount >= parameters)?.[1];
}

/** How a completion is asked for: filling in between the text before and after the cursor, or continuing the text before it. */
export type CompletionMode = "fill-in-the-middle" | "continue";

/** Why completion continues instead of filling in: the model was not trained to, the setting says so, or the setting asks for what the vocabulary cannot. */
export type ContinueReason = "not-trained" | "setting" | "no-infill-tokens";

/** How completions are asked of the model, the `completion.mode` setting over what its file says. */
export function completionUse(roles: ModelRoles, setting: CompletionModeSetting): { mode: CompletionMode; reason?: ContinueReason } {
    if (setting === "continue") return { mode: "continue", reason: "setting" };
    if (setting === "fill-in-the-middle") return roles.infillTokens ? { mode: "fill-in-the-middle" } : { mode: "continue", reason: "no-infill-tokens" };
    return roles.fim ? { mode: "fill-in-the-middle" } : { mode: "continue", reason: "not-trained" };
}

/** The chat format, the `chat.format` setting over what the file says; `noStepToken`: the setting asked for the 70B format, which this vocabulary lacks `<step>` for. */
export function chatUse(roles: ModelRoles, setting: ChatFormatSetting): { format: ChatFormat; noStepToken?: boolean } {
    if (setting === "auto") return { format: roles.chatFormat };
    if (setting === "codellama-70b" && !roles.stepToken) return { format: roles.chatFormat, noStepToken: true };
    return { format: setting };
}
