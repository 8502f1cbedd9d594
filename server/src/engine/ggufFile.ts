import fs from "node:fs";
import path from "node:path";
import { type GgufFileInfo, type LlamaModel, readGgufFileInfo } from "node-llama-cpp";
import { errorMessage } from "../log/logger.js";
import { ModelError } from "./errors.js";
import type { ModelFacts } from "./modelRoles.js";

/**
 * Catches the usual wrong files (missing, not GGUF, unreadable header, cut off) with a message that
 * says what is wrong, before llama.cpp sees them. Returns the model's layer count (blocks + output) as
 * llama.cpp counts GPU layers.
 */
export async function validateModelFile(modelPath: string): Promise<number> {
    let handle: fs.promises.FileHandle;
    try {
        handle = await fs.promises.open(modelPath, "r");
    } catch (error) {
        throw new ModelError("model-not-found", `Cannot open the model file ${modelPath} (${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}).`);
    }
    try {
        const magic = Buffer.alloc(4);
        await handle.read(magic, 0, 4, 0);
        if (magic.toString("latin1") !== "GGUF") throw new ModelError("not-gguf", `${modelPath} is not a GGUF model file.`);
    } finally {
        await handle.close();
    }
    const corrupt = (reason: string, cause?: unknown): ModelError =>
        new ModelError("corrupt-model", `The model file ${modelPath} is damaged or incomplete (${reason}).`, { cause });
    let info;
    try {
        info = await readGgufFileInfo(modelPath, { readTensorInfo: true, sourceType: "filesystem", logWarnings: false });
    } catch (error) {
        throw corrupt(errorMessage(error), error);
    }
    // A cut-off download: tensors that start past the end of the file (llama.cpp checks the rest on load).
    const { size } = await fs.promises.stat(modelPath);
    const outside = info.fullTensorInfo?.find((tensor) => Number(tensor.fileOffset) >= size);
    if (outside) throw corrupt(`tensor '${outside.name}' data is not within the file bounds`);
    return Number(info.architectureMetadata.block_count ?? 0) + 1;
}

/** The name the model's metadata gives it, else the file name. */
export function modelDisplayName(model: LlamaModel, modelPath: string): string {
    const name = model.fileInfo.metadata.general?.name;
    return typeof name === "string" && name.trim() ? name.trim() : path.basename(modelPath, ".gguf");
}

/** What a GGUF file says about the model (modelRoles.ts reads its roles from it): names, size, vocabulary, chat template. */
export function modelFacts(info: GgufFileInfo, parameterCount: number, modelPath: string): ModelFacts {
    const general = info.metadata.general ?? {};
    const tokenizer = info.metadata.tokenizer;
    const tokens = new Set<string>(tokenizer?.ggml?.tokens ?? []);
    const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() ? value.trim() : undefined);
    const { bos_token_id: bos, eos_token_id: eos } = tokenizer?.ggml ?? {};
    return {
        ...definedOnly({
            name: text(general.name),
            basename: text(general.basename),
            sizeLabel: text(general.size_label),
            finetune: text((general as { finetune?: unknown }).finetune),
            chatTemplate: text(tokenizer?.chat_template),
        }),
        fileName: path.basename(modelPath),
        parameterCount,
        infillTokens: INFILL_PIECES.every((piece) => tokens.has(piece)),
        stepToken: tokens.has("<step>"),
        bosEos: (bos !== undefined || tokens.has("<s>")) && (eos !== undefined || tokens.has("</s>")),
    };
}

/** Code Llama's infill control tokens, as its vocabulary spells them (Meta's tokenizer.py). */
const INFILL_PIECES = ["\u2581<PRE>", "\u2581<SUF>", "\u2581<MID>"];

/** Parameters of a file's tensors (their element counts), from its tensor info; 0 when it was not read. */
export function parameterCount(info: GgufFileInfo): number {
    return (info.fullTensorInfo ?? []).reduce(
        (sum, tensor) => sum + tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1),
        0,
    );
}

function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
    return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
