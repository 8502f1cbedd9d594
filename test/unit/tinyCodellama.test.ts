// Tests of the tiny generated Code Llama fixture: the GGUF it writes, its tokenizer, and that
// real node-llama-cpp generates the scripted answers from it.
//   node --import tsx --test test/unit/tinyCodellama.test.ts

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { GgmlType, getLlama, type Llama, type LlamaContextSequence, LlamaLogLevel, type LlamaModel, readGgufFileInfo, type Token } from "node-llama-cpp";
import {
    buildVocab,
    CODE_ANSWER,
    CODELLAMA_FIM_PREFIX_ID,
    CODELLAMA_VOCAB_SIZE,
    COPIED_BLOCK,
    COPIED_LINE,
    COPYING_SCRIPTS,
    DEFAULT_SCRIPTS,
    encodeTensorData,
    ensureTinyModel,
    FIM_ANSWER,
    FIM_PIECES,
    FIM_WORD_REST,
    float32ToFloat16,
    GGUF_ALIGNMENT,
    GgufWriter,
    INSTRUCT_ANSWER,
    INSTRUCT_CHAT_ANSWER,
    type ResolvedScript,
    SCRIPTS_METADATA_KEY,
    SPACE,
    spmDetokenize,
    spmTokenize,
    type TensorType,
    type TinyModelOptions,
    type TinyScript,
    TokenType,
    tinyModelCacheDir,
    writeTinyCodeLlama,
} from "../../tools/tinyCodellama/index.js";

const tempDir = mkdtempSync(path.join(os.tmpdir(), "tiny-codellama-test-"));
after(() => rmSync(tempDir, { recursive: true, force: true }));

/** Reads a dotted key ("llama.embedding_length") out of node-llama-cpp's nested metadata. */
function metadataValue(metadata: unknown, key: string): unknown {
    return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], metadata);
}

function float16ToFloat32(bits: number): number {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f;
    const mantissa = bits & 0x3ff;
    if (exponent === 0) return sign * mantissa * 2 ** -24;
    if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
    return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** Decodes q8_0 / q4_0 blocks (ggml's dequantize_row_*). */
function dequantize(data: Buffer, type: "q8_0" | "q4_0"): Float32Array {
    const blockBytes = type === "q8_0" ? 34 : 18;
    const out = new Float32Array((data.length / blockBytes) * 32);
    for (let b = 0; b * blockBytes < data.length; b++) {
        const o = b * blockBytes;
        const d = float16ToFloat32(data.readUInt16LE(o));
        for (let j = 0; j < (type === "q8_0" ? 32 : 16); j++) {
            if (type === "q8_0") {
                out[b * 32 + j] = data.readInt8(o + 2 + j) * d;
            } else {
                out[b * 32 + j] = ((data[o + 2 + j]! & 0x0f) - 8) * d;
                out[b * 32 + 16 + j] = ((data[o + 2 + j]! >> 4) - 8) * d;
            }
        }
    }
    return out;
}

describe("GGUF writer", () => {
    test("float32ToFloat16 rounds to nearest even", () => {
        const cases: [number, number][] = [
            [0, 0x0000],
            [1, 0x3c00],
            [-2, 0xc000],
            [0.5, 0x3800],
            [65504, 0x7bff],
            [65520, 0x7c00],
            [1 / 3, 0x3555],
            [2 ** -24, 0x0001],
            [2 ** -25, 0x0000],
            [1 + 2 ** -11, 0x3c00],
            [1 + 3 * 2 ** -11, 0x3c02],
            [Infinity, 0x7c00],
            [-Infinity, 0xfc00],
        ];
        for (const [value, bits] of cases) assert.equal(float32ToFloat16(value), bits, `f16(${value})`);
        assert.equal(float32ToFloat16(NaN) & 0x7e00, 0x7e00);
    });

    test("q8_0 and q4_0 encode ggml's block layout", () => {
        const values = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i * 1.7) * (i < 32 ? 1 : 0.01));
        const q8 = encodeTensorData(values, "q8_0");
        const q4 = encodeTensorData(values, "q4_0");
        assert.equal(q8.length, 2 * 34);
        assert.equal(q4.length, 2 * 18);
        // Largest magnitude per 32-value block: the quantization step is amax/127 (q8_0) or
        // amax/8 (q4_0, whose codes -8..7 clip the side opposite the largest value by one step).
        const amax = [0, 1].map((b) => Math.max(...values.subarray(b * 32, b * 32 + 32).map(Math.abs)));
        const within = (decoded: Float32Array, step: number, label: string): void => {
            for (const [i, v] of decoded.entries()) assert.ok(Math.abs(v - values[i]!) <= amax[i >> 5]! * step, `${label}[${i}]`);
        };
        within(dequantize(q8, "q8_0"), 1 / 254 + 1e-3, "q8_0");
        within(dequantize(q4, "q4_0"), 1 / 8 + 1e-3, "q4_0");
        // One-hot rows (the scripted model's embeddings) survive q4_0 exactly, q8_0 up to the f16
        // rounding of its scale 1/127.
        const oneHot = new Float32Array(32);
        oneHot[5] = 1;
        assert.deepEqual(
            dequantize(encodeTensorData(oneHot, "q4_0"), "q4_0").map((v) => v + 0),
            oneHot,
        ); // v + 0: -0 -> 0
        for (const [i, v] of dequantize(encodeTensorData(oneHot, "q8_0"), "q8_0").entries()) assert.ok(Math.abs(v - oneHot[i]!) < 1e-4);
        assert.throws(() => encodeTensorData(new Float32Array(31), "q4_0"), /whole number of 32-value blocks/);
    });

    test("streams tensor data to disk chunk by chunk", () => {
        const file = path.join(tempDir, "stream.gguf");
        const writer = new GgufWriter();
        const chunkValues = 1024;
        let headerBytes = 0;
        writer.addTensor("t", [32, 4 * 32], "f32", function* () {
            headerBytes = statSync(file).size;
            for (let k = 0; k < 4; k++) {
                // Everything yielded so far is already in the file when the next chunk is asked for.
                assert.equal(statSync(file).size, headerBytes + k * chunkValues * 4);
                yield new Float32Array(chunkValues).fill(k);
            }
        });
        assert.equal(writer.write(file), headerBytes + 4 * chunkValues * 4);
        assert.equal(headerBytes % GGUF_ALIGNMENT, 0);
    });

    test("tiny model parses back with the right metadata and tensor layout", async () => {
        for (const type of ["f32", "q4_0"] as const) {
            const file = path.join(tempDir, `layout-${type}.gguf`);
            const written = writeTinyCodeLlama(file, { type });
            const { config } = written;
            const info = await readGgufFileInfo(file, { logWarnings: false });
            const meta = (key: string): unknown => metadataValue(info.metadata, key);

            assert.equal(info.version, 3);
            assert.equal(meta("general.architecture"), "llama");
            assert.equal(meta("general.alignment"), GGUF_ALIGNMENT);
            assert.equal(meta("general.file_type"), type === "f32" ? 0 : 2);
            assert.equal(meta("llama.embedding_length"), 64);
            assert.equal(meta("llama.block_count"), 2);
            assert.equal(meta("llama.feed_forward_length"), 128);
            assert.equal(meta("llama.attention.head_count"), 4);
            assert.equal(meta("llama.attention.head_count_kv"), 2);
            assert.equal(meta("llama.rope.dimension_count"), 16);
            assert.equal(meta("llama.context_length"), 4096);
            assert.equal(meta("llama.rope.freq_base"), 1e6);
            const vocab = buildVocab();
            assert.deepEqual(meta("tokenizer.ggml.tokens"), vocab.pieces);
            assert.deepEqual(meta("tokenizer.ggml.token_type"), vocab.types);
            assert.equal(meta("tokenizer.ggml.fim_pre_token_id"), vocab.special.prefix);
            assert.equal(meta("tokenizer.ggml.fim_suf_token_id"), vocab.special.suffix);
            assert.equal(meta("tokenizer.ggml.fim_mid_token_id"), vocab.special.middle);
            assert.equal(meta("tokenizer.ggml.eot_token_id"), vocab.special.eot);
            assert.deepEqual(JSON.parse(meta(SCRIPTS_METADATA_KEY) as string), written.scripts);

            const tensors = info.tensorInfo ?? [];
            assert.equal(tensors.length, 3 + 9 * config.nLayer);
            const shape = (name: string): number[] | undefined => tensors.find((t) => t.name === name)?.dimensions.map(Number);
            assert.deepEqual(shape("token_embd.weight"), [64, written.nVocab]);
            assert.deepEqual(shape("blk.1.attn_q.weight"), [64, 64]);
            assert.deepEqual(shape("blk.1.attn_k.weight"), [64, 32]);
            assert.deepEqual(shape("blk.1.ffn_down.weight"), [128, 64]);
            assert.deepEqual(shape("blk.1.ffn_norm.weight"), [64]);
            assert.deepEqual(shape("output.weight"), [64, written.nVocab]);
            assert.equal(
                written.params,
                tensors.reduce((sum, t) => sum + t.dimensions.reduce<number>((a, d) => a * Number(d), 1), 0),
            );

            // Offsets are contiguous and 32-byte aligned; the file ends after the last tensor.
            const quantized = type === "q4_0" ? GgmlType.Q4_0 : GgmlType.F32;
            let offset = 0;
            for (const t of tensors) {
                assert.equal(Number(t.offset), offset, `${t.name} offset`);
                assert.equal(t.ggmlType, t.dimensions.length === 1 ? GgmlType.F32 : quantized, `${t.name} type`);
                const elements = t.dimensions.reduce<number>((a, d) => a * Number(d), 1);
                const bytes = t.ggmlType === GgmlType.Q4_0 ? (elements / 32) * 18 : elements * 4;
                offset += Math.ceil(bytes / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
            }
            assert.equal(info.infoEndOffset! % GGUF_ALIGNMENT, 0);
            assert.equal(statSync(file).size, info.infoEndOffset! + offset);
            assert.equal(written.bytes, statSync(file).size);
        }
    });
});

describe("vocab and scripts", () => {
    test("vocab layout follows Llama / Code Llama", () => {
        const compact = buildVocab();
        assert.deepEqual(compact.pieces.slice(0, 4), ["<unk>", "<s>", "</s>", "<0x00>"]);
        assert.equal(compact.pieces[258], "<0xFF>");
        assert.deepEqual([compact.special.unk, compact.special.bos, compact.special.eos], [0, 1, 2]);

        const codellama = buildVocab({ codellamaVocab: true });
        assert.equal(codellama.pieces.length, CODELLAMA_VOCAB_SIZE);
        const fim = [codellama.special.prefix, codellama.special.suffix, codellama.special.middle, codellama.special.eot];
        assert.deepEqual(
            fim,
            [0, 1, 2, 3].map((i) => CODELLAMA_FIM_PREFIX_ID + i),
        );
        assert.deepEqual(
            fim.map((id) => codellama.pieces[id]),
            Object.values(FIM_PIECES),
        );
        for (const id of fim) assert.equal(codellama.types[id], TokenType.control);
    });

    test("extra pieces come after the built-in ones, and the copying scripts' texts tokenize to their answers' pieces", () => {
        const pieces = COPYING_SCRIPTS.flatMap((script) => script.pieces!);
        const plain = buildVocab();
        const extended = buildVocab({ extraPieces: pieces.map((piece) => piece.replaceAll(SPACE, " ")) });
        assert.deepEqual(
            extended.pieces.slice(0, plain.pieces.length - 4),
            plain.pieces.slice(0, -4),
            "built-in pieces keep their ids (the infill tokens move to the end)",
        );
        assert.deepEqual(extended.pieces.slice(-4), Object.values(FIM_PIECES));
        const tokens = (text: string): string[] => spmTokenize(extended, text).map((id) => extended.pieces[id]!);
        const [rewrite, repeatLine] = COPYING_SCRIPTS;
        assert.deepEqual(tokens(`{${COPIED_BLOCK}\n}`), ["{", ...rewrite!.pieces!, "<0x0A>", "}"]);
        assert.deepEqual(tokens(`{${COPIED_LINE}\n`), ["{", ...repeatLine!.pieces!, "<0x0A>"]);
        assert.equal(new Set(rewrite!.pieces).size, 180, "no piece repeats: each has one successor");
        const codellama = buildVocab({ codellamaVocab: true, extraPieces: pieces });
        assert.equal(codellama.pieces.length, CODELLAMA_VOCAB_SIZE, "padded to Code Llama's size all the same");
    });

    test("default answers are the exported constants", () => {
        const info = writeTinyCodeLlama(path.join(tempDir, "defaults.gguf"));
        const answers = Object.fromEntries(info.scripts.map((s) => [s.name, [s.answer, s.end]]));
        assert.deepEqual(answers, {
            fim: [FIM_ANSWER, "eot"],
            "fim-mid-word": [FIM_WORD_REST, "eot"],
            instruct: [INSTRUCT_ANSWER, "eos"],
            "instruct-chat": [INSTRUCT_CHAT_ANSWER, "eos"],
            code: [CODE_ANSWER, "eot"],
        });
    });

    const rejects = (scripts: TinyScript[], pattern: RegExp, options: TinyModelOptions = {}): void => {
        const file = path.join(tempDir, "rejected.gguf");
        assert.throws(() => writeTinyCodeLlama(file, { ...options, scripts }), pattern);
        assert.equal(existsSync(file), false, "nothing is written for rejected scripts");
    };

    test("conflicting scripts throw a clear error", () => {
        rejects(
            [...DEFAULT_SCRIPTS, { name: "other-fim", after: FIM_PIECES.middle, answer: "foo()", end: "eot" }],
            /token "▁<MID>" would need two different successors, "return" \(script "fim"\) and "foo" \(script "other-fim"\)/,
        );
        // A token repeated inside one answer would loop.
        rejects([{ name: "loop", after: "]", answer: " a a", end: "eos" }], /token "▁a" would need two different successors/);
        // Tokenized normally, "  x" starts with a lone "▁", which "instruct-chat" already uses.
        rejects([...DEFAULT_SCRIPTS, { name: "indent", after: ":", answer: "  x", end: "eos" }], /token "▁" would need two/);
    });

    test("invalid scripts and options throw", () => {
        rejects([{ name: "bad", after: "<nope>", answer: "x", end: "eos" }], /trigger "<nope>" is not a vocab piece/);
        rejects([{ name: "bad", after: "]", answer: "ab", end: "eos", pieces: ["a", "c"] }], /pieces spell "ac", not the answer "ab"/);
        rejects([{ name: "bad", after: "]", answer: "a", end: "eos", pieces: ["a", "</s>"] }], /"<\/s>" is not a text token/);
        rejects(DEFAULT_SCRIPTS.slice(), /need \d+ distinct successor tokens but nEmbd is 8/, { nEmbd: 8, nHead: 1 });
        rejects(DEFAULT_SCRIPTS.slice(), /scripts need weights: "scripted"/, { weights: "random" });
        assert.throws(() => writeTinyCodeLlama(path.join(tempDir, "x.gguf"), { type: "q8_0", nEmbd: 48, nHead: 4 }), /multiples of 32/);
    });

    test("ensureTinyModel caches by options and never leaves partial files", async () => {
        const saved = process.env.CODELLAMA_TEST_MODELS_DIR;
        const dir = path.join(tempDir, "cache");
        process.env.CODELLAMA_TEST_MODELS_DIR = dir;
        try {
            assert.equal(tinyModelCacheDir(), dir);
            const first = await ensureTinyModel();
            const mtime = statSync(first).mtimeMs;
            assert.equal(await ensureTinyModel({ preset: "tiny", type: "f32" }), first, "same resolved options, same file");
            assert.equal(statSync(first).mtimeMs, mtime, "not regenerated");
            const named = await ensureTinyModel({ name: "my model", type: "q8_0" });
            assert.match(path.basename(named), /^my_model-scripted-q8_0-[0-9a-f]{16}\.gguf$/);
            const random = await ensureTinyModel({ weights: "random" });
            assert.match(path.basename(random), /^tiny-random-f32-/);
            const files = [first, named, random].map((f) => path.basename(f));
            assert.deepEqual(readdirSync(dir).sort(), files.sort(), "three models, no temporary files");
        } finally {
            if (saved === undefined) delete process.env.CODELLAMA_TEST_MODELS_DIR;
            else process.env.CODELLAMA_TEST_MODELS_DIR = saved;
        }
        assert.equal(tinyModelCacheDir(), saved ?? path.resolve(import.meta.dirname, "../../.test-output/models"));
    });
});

describe("tiny Code Llama in node-llama-cpp", () => {
    let llama: Llama;
    const vocab = buildVocab();
    before(async () => {
        // The tokenizer warns that ▁<EOT> is not a built-in end-of-generation text (real Code Llama
        // GGUFs get the same warning); only errors are of interest here.
        llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, maxThreads: 1 });
    });
    after(async () => {
        await llama.dispose();
    });

    interface Generation {
        readonly tokens: Token[];
        readonly end: Token | undefined;
    }

    /** Greedy generation after `prompt` on a fresh history, up to an end-of-generation token. */
    async function generate(model: LlamaModel, sequence: LlamaContextSequence, prompt: Token[]): Promise<Generation> {
        await sequence.clearHistory();
        const tokens: Token[] = [];
        for await (const token of sequence.evaluate(prompt, { temperature: 0, yieldEogToken: true })) {
            if (model.isEogToken(token)) return { tokens, end: token };
            tokens.push(token);
            if (tokens.length >= 64) break;
        }
        return { tokens, end: undefined };
    }

    /** Loads a model, hands it and a one-sequence context to `use`, then disposes both. */
    async function withModel(file: string, use: (model: LlamaModel, sequence: LlamaContextSequence) => Promise<void>): Promise<void> {
        const model = await llama.loadModel({ modelPath: file });
        try {
            const context = await model.createContext({ contextSize: 512, threads: 1 });
            try {
                await use(model, context.getSequence());
            } finally {
                await context.dispose();
            }
        } finally {
            await model.dispose();
        }
    }

    const infillPrompt = (model: LlamaModel, prefix: string, suffix: string): Token[] => {
        const { prefix: pre, suffix: suf, middle: mid } = model.tokens.infill;
        assert.ok(pre !== null && suf !== null && mid !== null, "the model has infill tokens");
        return [model.tokens.bos!, pre, ...model.tokenize(prefix), suf, ...model.tokenize(suffix), mid];
    };

    test("default scripted model: tokenizer, infill tokens and scripted answers", async () => {
        const file = path.join(tempDir, "tiny.gguf");
        writeTinyCodeLlama(file);
        await withModel(file, async (model, sequence) => {
            const corpus = [
                "function add(a, b) {\n    return a + b;\n}\n// héllo ✓",
                "[INST] Write a function that adds two numbers [/INST]",
                "def f(a, b):\n\treturn a+b  # sum",
                "    if (x === null) { return undefined; }",
                "console.log(JSON.stringify({a: 1, b: [2, 3]}));",
                "  <PRE> <SUF> <MID> <EOT> ▁<MID>",
                '#include <stdio.h>\nint main() { printf("héllo"); }',
                "x  =  y   +   z      ",
                "Ünïcödé 😀 ✓ \u2581 mixed 中文",
                "",
            ];
            for (const text of corpus) {
                assert.deepEqual(spmTokenize(vocab, text, { addSpacePrefix: true }), model.tokenize(text), JSON.stringify(text));
            }
            const { prefix, suffix, middle } = model.tokens.infill;
            const special = new Set([model.tokens.bos, model.tokens.eos, model.tokens.eot, prefix, suffix, middle]);
            for (const text of corpus)
                assert.ok(
                    model.tokenize(text).every((t) => !special.has(t)),
                    "text never yields control tokens",
                );
            assert.deepEqual([prefix, suffix, middle, model.tokens.eot], [vocab.special.prefix, vocab.special.suffix, vocab.special.middle, vocab.special.eot]);
            for (const token of [prefix, suffix, middle, model.tokens.eot]) assert.equal(model.getTokenAttributes(token!).control, true);
            assert.equal(model.isEogToken(model.tokens.eot!), true);
            assert.equal(model.isEogToken(model.tokens.eos!), true);

            const fim = await generate(model, sequence, infillPrompt(model, "function add(a, b) {\n  ", "\n}\n"));
            assert.equal(model.detokenize(fim.tokens), FIM_ANSWER);
            assert.equal(fim.end, model.tokens.eot);

            const instructPrompt = [model.tokens.bos!, ...model.tokenize("[INST] hi [/INST]")];
            const instruct = await generate(model, sequence, instructPrompt);
            assert.equal(spmDetokenize(vocab, instruct.tokens), INSTRUCT_ANSWER);
            // The answer as completions return it is stored in the model, with the leading space dropped.
            const stored = JSON.parse(metadataValue(model.fileInfo.metadata, SCRIPTS_METADATA_KEY) as string) as ResolvedScript[];
            assert.equal(model.detokenize(instruct.tokens), stored.find((s) => s.name === "instruct")?.response);
            assert.equal(model.detokenize(instruct.tokens), INSTRUCT_ANSWER.trimStart());
            assert.equal(model.detokenize(instruct.tokens, false, instructPrompt), INSTRUCT_ANSWER);
            assert.equal(instruct.end, model.tokens.eos);

            const chat = await generate(model, sequence, [model.tokens.bos!, ...model.tokenize("[INST] hi [/INST] ")]);
            assert.equal(model.detokenize(chat.tokens), INSTRUCT_CHAT_ANSWER);

            const code = await generate(model, sequence, [model.tokens.bos!, ...model.tokenize("function add(a, b) {")]);
            assert.equal(model.detokenize(code.tokens), CODE_ANSWER);
            assert.equal(code.end, model.tokens.eot);

            const unscripted = await generate(model, sequence, [model.tokens.bos!, ...model.tokenize("hello world")]);
            assert.deepEqual(unscripted, { tokens: [], end: model.tokens.eos });
        });
    });

    for (const type of ["f16", "q8_0", "q4_0"] satisfies TensorType[]) {
        test(`${type} model gives the same infill answer`, async () => {
            const file = path.join(tempDir, `tiny-${type}.gguf`);
            writeTinyCodeLlama(file, { type });
            await withModel(file, async (model, sequence) => {
                const fim = await generate(model, sequence, infillPrompt(model, "def f(a, b):\n    ", "\n"));
                assert.equal(model.detokenize(fim.tokens), FIM_ANSWER);
                assert.equal(fim.end, model.tokens.eot);
            });
        });
    }

    test("scripts supplied by callers, on a Code Llama-sized vocab", async () => {
        const scripts: TinyScript[] = [
            { name: "log", after: FIM_PIECES.middle, answer: 'console.log("hé ✓");', end: "eot" },
            { name: "greet", after: ["?", `${FIM_PIECES.suffix}`], answer: " Hello World", end: "eos" },
        ];
        const file = path.join(tempDir, "custom.gguf");
        const info = writeTinyCodeLlama(file, { scripts, codellamaVocab: true, nEmbd: 32, nHead: 2, type: "q8_0" });
        assert.equal(info.nVocab, CODELLAMA_VOCAB_SIZE);
        await withModel(file, async (model, sequence) => {
            const stored = JSON.parse(metadataValue(model.fileInfo.metadata, SCRIPTS_METADATA_KEY) as string) as ResolvedScript[];
            assert.deepEqual(
                stored.map((s) => s.response),
                ['console.log("hé ✓");', "Hello World"],
            );

            const fim = await generate(model, sequence, infillPrompt(model, "x", "y"));
            assert.equal(model.tokens.infill.middle, CODELLAMA_FIM_PREFIX_ID + 2);
            assert.equal(model.detokenize(fim.tokens), 'console.log("hé ✓");');
            assert.equal(fim.end, model.tokens.eot);

            const greet = await generate(model, sequence, [model.tokens.bos!, ...model.tokenize("who are you?")]);
            assert.equal(model.detokenize(greet.tokens), "Hello World");
            assert.equal(greet.end, model.tokens.eos);
        });
    });
});

describe("vocabulary kinds", () => {
    test("Llama 2's: 32,000 entries, no infill tokens", () => {
        const vocab = buildVocab({ kind: "llama-2", codellamaVocab: true });
        assert.equal(vocab.pieces.length, 32000);
        assert.deepEqual(
            [vocab.special.prefix, vocab.special.suffix, vocab.special.middle, vocab.special.eot, vocab.special.step],
            [undefined, undefined, undefined, undefined, undefined],
        );
    });
    test("Code Llama 70B's: the infill tokens at 32007..32010 and <step> at 32015, 32,016 entries", () => {
        const vocab = buildVocab({ kind: "code-llama-70b", codellamaVocab: true });
        assert.equal(vocab.pieces.length, 32016);
        assert.deepEqual([vocab.special.prefix, vocab.special.eot, vocab.special.step], [32007, 32010, 32015]);
        assert.equal(vocab.pieces[32015], "<step>");
    });
    test("a script that ends with a token the vocabulary lacks is refused", () => {
        assert.throws(
            () => writeTinyCodeLlama(path.join(tempDir, "no-eot.gguf"), { vocab: "llama-2", scripts: [{ name: "fim", after: "]", answer: "x", end: "eot" }] }),
            /this vocabulary has no eot token/,
        );
    });
});
