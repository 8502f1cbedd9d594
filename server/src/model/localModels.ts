/** The `.gguf` files in the models directory, with what their metadata says (for the model choices, catalogue.ts). */
import fs from "node:fs";
import path from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { modelFacts, parameterCount } from "../engine/ggufFile.js";
import type { LocalModel } from "./catalogue.js";

/** Each readable `.gguf` file of `directory` (none when it does not exist); a file whose header cannot be read is left out. */
export async function localModels(directory: string): Promise<LocalModel[]> {
    let names: string[];
    try {
        names = fs
            .readdirSync(directory)
            .filter((name) => name.endsWith(".gguf"))
            .sort();
    } catch {
        return [];
    }
    const models: LocalModel[] = [];
    for (const name of names) {
        const file = path.join(directory, name);
        try {
            const info = await readGgufFileInfo(file, { readTensorInfo: true });
            const llama = (info.architectureMetadata ?? {}) as {
                block_count?: number;
                embedding_length?: number;
                attention?: { head_count?: number; head_count_kv?: number };
            };
            const heads = llama.attention?.head_count;
            const kvHeads = llama.attention?.head_count_kv ?? heads;
            const kvBytesPerToken =
                llama.block_count && llama.embedding_length && heads && kvHeads
                    ? 2 * llama.block_count * kvHeads * (llama.embedding_length / heads) * 2
                    : undefined;
            models.push({
                path: file,
                bytes: fs.statSync(file).size,
                facts: modelFacts(info, parameterCount(info), file),
                ...(kvBytesPerToken ? { kvBytesPerToken } : {}),
            });
        } catch {
            // Not a model file we can read: left out of the choices.
        }
    }
    return models;
}
