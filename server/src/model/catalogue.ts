/**
 * The models one can pick: the Code Llama and Llama 2 family as published in GGUF (TheBloke's
 * Q4_K_M files, the default's quantization), and the `.gguf` files already in the models directory,
 * each with the roles it can play (engine/modelRoles.ts), the memory it needs and whether it fits
 * this machine. One list for `codellama models` and the editor's "Select Model…" (codellama/models).
 * Pure: the machine's memory and the local files' facts come in.
 */
import type { ModelChoice } from "../../../shared/src/modelChoice.js";
import { type ModelFacts, type ModelRoles, modelRoles } from "../engine/modelRoles.js";

/** A published model: its names, the file to download and the shapes that size its KV cache. */
export interface CatalogueEntry {
    label: string;
    uri: string;
    quantization: string;
    /** The download's size in bytes (TheBloke's model cards). */
    downloadBytes: number;
    /** KV-cache bytes per token (f16 keys and values of every layer: 2 x layers x KV heads x head size x 2 bytes). */
    kvBytesPerToken: number;
    /** The context the model was trained on. */
    trainedContext: number;
}

const KV_7B = 2 * 32 * 32 * 128 * 2;
const KV_13B = 2 * 40 * 40 * 128 * 2;
/** 34B and 70B use grouped-query attention: 8 KV heads. */
const KV_34B = 2 * 48 * 8 * 128 * 2;
const KV_70B = 2 * 80 * 8 * 128 * 2;
const GB = 1e9;

const codeLlama = (size: string, variant: "" | "Instruct" | "Python", downloadBytes: number, kvBytesPerToken: number): CatalogueEntry => {
    // TheBloke names the 70B base model "-hf", the smaller ones nothing.
    const base = size === "70B" && !variant ? "-hf" : "";
    const repo = `CodeLlama-${size}${variant ? `-${variant}` : base}-GGUF`;
    const file = `codellama-${size.toLowerCase()}${variant ? `-${variant.toLowerCase()}` : base}.Q4_K_M.gguf`;
    return {
        label: `Code Llama ${size}${variant ? ` ${variant}` : ""}`,
        uri: `hf:TheBloke/${repo}/${file}`,
        quantization: "Q4_K_M",
        downloadBytes,
        kvBytesPerToken,
        trainedContext: 16_384,
    };
};
const llama2Chat = (size: string, downloadBytes: number, kvBytesPerToken: number): CatalogueEntry => ({
    label: `Llama 2 ${size} Chat`,
    uri: `hf:TheBloke/Llama-2-${size}-Chat-GGUF/llama-2-${size.toLowerCase()}-chat.Q4_K_M.gguf`,
    quantization: "Q4_K_M",
    downloadBytes,
    kvBytesPerToken,
    trainedContext: 4096,
});

export const CATALOGUE: readonly CatalogueEntry[] = [
    ...(["Instruct", "", "Python"] as const).flatMap((variant) => [
        codeLlama("7B", variant, variant === "Instruct" ? 4_081_095_360 : 4.08 * GB, KV_7B),
        codeLlama("13B", variant, 7.87 * GB, KV_13B),
        codeLlama("34B", variant, 20.22 * GB, KV_34B),
        codeLlama("70B", variant, 41.42 * GB, KV_70B),
    ]),
    llama2Chat("7B", 4.08 * GB, KV_7B),
    llama2Chat("13B", 7.87 * GB, KV_13B),
    llama2Chat("70B", 41.42 * GB, KV_70B),
];

/** The context the memory figure counts: what a completion and a chat (two sequences) of 4,096 tokens each hold. */
export const MEMORY_CONTEXT_TOKENS = 4096;
const SEQUENCES = 2;
/** llama.cpp's compute buffers and the rest of the process, beside the weights and the KV cache. */
const OVERHEAD_BYTES = 0.5 * GB;

/** Bytes a model needs loaded: its weights, the KV cache of MEMORY_CONTEXT_TOKENS per sequence, and the overhead. */
export function memoryNeeded(fileBytes: number, kvBytesPerToken: number): number {
    return Math.round(fileBytes + kvBytesPerToken * MEMORY_CONTEXT_TOKENS * SEQUENCES + OVERHEAD_BYTES);
}

/** A `.gguf` file in the models directory, with what its metadata says. */
export interface LocalModel {
    path: string;
    bytes: number;
    facts: ModelFacts;
    /** KV-cache bytes per token, from its shapes; undefined when unknown. */
    kvBytesPerToken?: number;
}

/** The family's Code Llama and Llama 2 names are also what modelRoles reads from a file's name. */
function catalogueFacts(entry: CatalogueEntry): ModelFacts {
    const is70b = entry.label.includes("70B") && entry.label.startsWith("Code Llama");
    return {
        name: entry.label,
        fileName: entry.uri.split("/").pop()!,
        parameterCount: 0,
        infillTokens: !entry.label.startsWith("Llama 2"),
        stepToken: is70b,
        bosEos: true,
    };
}

/**
 * The catalogue and the local files as choices: the local files first (what needs no download),
 * then the family; `memoryBytes` of this machine decides what fits. A catalogue entry whose file is
 * among the local ones is marked downloaded.
 */
export function modelChoices(local: readonly LocalModel[], memoryBytes: number): ModelChoice[] {
    const localNames = new Set(local.map((model) => model.path.split(/[\\/]/).pop()));
    const choice = (roles: ModelRoles, memory: number): Pick<ModelChoice, "roles" | "memoryBytes" | "fits"> => ({
        roles: rolesOf(roles),
        memoryBytes: memory,
        fits: memory <= memoryBytes,
    });
    return [
        ...local.map(
            (model): ModelChoice => ({
                label: model.facts.name ?? model.path.split(/[\\/]/).pop()!,
                path: model.path,
                fileBytes: model.bytes,
                downloaded: true,
                ...choice(modelRoles(model.facts), memoryNeeded(model.bytes, model.kvBytesPerToken ?? KV_7B)),
            }),
        ),
        ...CATALOGUE.map(
            (entry): ModelChoice => ({
                label: entry.label,
                uri: entry.uri,
                quantization: entry.quantization,
                fileBytes: entry.downloadBytes,
                downloaded: localNames.has(entry.uri.split("/").pop()),
                ...choice(modelRoles(catalogueFacts(entry)), memoryNeeded(entry.downloadBytes, entry.kvBytesPerToken)),
            }),
        ),
    ];
}

function rolesOf(roles: ModelRoles): ModelChoice["roles"] {
    return { fillInTheMiddle: roles.fim, chat: roles.instruct, chatFormat: roles.chatFormat };
}

/** "completion (fills in the middle), chat", "completion (continues the code), chat", "completion (continues the code)". */
export function rolesText(roles: ModelChoice["roles"]): string {
    return `completion (${roles.fillInTheMiddle ? "fills in the middle" : "continues the code"})${roles.chat ? `, chat${roles.chatFormat === "codellama-70b" ? " (70B format)" : ""}` : ""}`;
}
