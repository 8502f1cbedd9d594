import fs from "node:fs";
import path from "node:path";
import { type LlamaModel, readGgufFileInfo } from "node-llama-cpp";
import { errorMessage } from "../log/logger.js";
import { ModelError } from "./errors.js";

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
