// Tiny generated Code Llama models for tests: no downloaded weights, yet real llama.cpp runs them.
//
//   const modelPath = await ensureTinyModel();               // scripted ~1 MB model, cached
//   ... [bos, prefix, ...tokens, suffix, ...tokens, middle] generates FIM_ANSWER, then ▁<EOT>
//   (also with the indentation of the cursor's line after middle, as the psm-line layout builds it)
//
// See model.ts for how the scripted answers work and DEFAULT_SCRIPTS for what they are.

import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveTinyModelConfig, type TinyModelOptions, writeTinyCodeLlama } from "./model.js";

export { COPIED_BLOCK, COPIED_LINE, COPYING_SCRIPTS, copyingModel, NO_COPY_QUESTION, REPEAT_LINE_INFILL, REWRITE_QUESTION } from "./copyingScripts.js";

export {
    encodeTensorData,
    float32ToFloat16,
    GGUF_ALIGNMENT,
    GgufWriter,
    TENSOR_TYPES,
    type TensorType,
    type TensorValues,
} from "./ggufWriter.js";
export {
    CODE_ANSWER,
    DEFAULT_SCRIPTS,
    FIM_ANSWER,
    FIM_TRIGGERS,
    FIM_WORD_REST,
    INSTRUCT_ANSWER,
    INSTRUCT_CHAT_ANSWER,
    LLAMA2_SCRIPTS,
    PRESETS,
    type ResolvedScript,
    resolveTinyModelConfig,
    SCRIPTS_METADATA_KEY,
    type ScriptEnd,
    type TinyModelConfig,
    type TinyModelInfo,
    type TinyModelOptions,
    type TinyPreset,
    type TinyScript,
    type TinyWeights,
    writeTinyCodeLlama,
} from "./model.js";
export {
    buildVocab,
    byteTokenPiece,
    CODELLAMA_70B_STEP_ID,
    CODELLAMA_FIM_PREFIX_ID,
    CODELLAMA_VOCAB_SIZE,
    FIM_PIECES,
    LLAMA2_VOCAB_SIZE,
    SPACE,
    type SpecialTokenIds,
    type SpmTokenizeOptions,
    STEP_PIECE,
    spmDetokenize,
    spmTokenize,
    TokenType,
    type Vocab,
    type VocabKind,
    type VocabOptions,
} from "./vocab.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, "../..");

/** Where ensureTinyModel caches models: $CODELLAMA_TEST_MODELS_DIR or <repo>/.test-output/models. */
export function tinyModelCacheDir(): string {
    return process.env.CODELLAMA_TEST_MODELS_DIR || path.join(REPO_ROOT, ".test-output", "models");
}

// The generator's own source (and the random generator of its weights) is part of the cache key, so editing it never serves a stale model.
let generatorHash: string | undefined;
function hashGenerator(): string {
    if (generatorHash === undefined) {
        const hash = createHash("sha256");
        const files = [
            ...readdirSync(HERE)
                .filter((n) => /\.[cm]?[jt]s$/.test(n))
                .sort()
                .map((name) => path.join(HERE, name)),
            path.join(REPO_ROOT, "server/src/eval/seededRandom.ts"),
        ];
        for (const file of files) hash.update(path.basename(file)).update(readFileSync(file));
        generatorHash = hash.digest("hex");
    }
    return generatorHash;
}

/**
 * Returns the path of a model generated with `options`, writing it into the cache directory
 * only if it is not there yet. The file name is `<name or preset>-<weights>-<type>-<hash>.gguf`,
 * the hash covering the resolved options and the generator. A model is written to a temporary
 * file and renamed into place, so concurrent test processes never see a partial file.
 */
export async function ensureTinyModel(options: TinyModelOptions & { name?: string } = {}): Promise<string> {
    const { name, ...modelOptions } = options;
    const config = resolveTinyModelConfig(modelOptions);
    const key = createHash("sha256").update(hashGenerator()).update(JSON.stringify(config)).digest("hex").slice(0, 16);
    const label = (name ?? config.preset).replace(/[^A-Za-z0-9._-]+/g, "_");
    const dir = tinyModelCacheDir();
    const file = path.join(dir, `${label}-${config.weights}-${config.type}-${key}.gguf`);
    if (existsSync(file)) return file;

    await mkdir(dir, { recursive: true });
    const temp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
    try {
        writeTinyCodeLlama(temp, config);
        renameSync(temp, file); // atomic: another process's identical file may be replaced, never torn
    } finally {
        rmSync(temp, { force: true });
    }
    return file;
}

/**
 * A small model with random weights (128 wide, 4 layers): it answers with arbitrary tokens, for
 * tests that need generation to run on (long answers, cancellation, timing order), not a known text.
 */
export function ensureRandomModel(): Promise<string> {
    return ensureTinyModel({ name: "random", weights: "random", nEmbd: 128, nLayer: 4, nHead: 4, nHeadKv: 4, nFf: 256 });
}
