// Builds a llama-architecture GGUF shaped like Code Llama, with either scripted or random weights.
//
// Scripted weights make a deterministic next-token ("bigram") model that real llama.cpp runs:
//   - attn_output and ffn_down are all zeros, so every layer adds nothing to the residual stream
//     (q/k/v and gate/up stay random so the kernels still do real work);
//   - the hidden state at the LM head is therefore token_embd[last token], a one-hot vector that
//     selects that token's scripted successor;
//   - output.weight maps the one-hot back to the successor with a logit of about 100, every other
//     logit is exactly 0, so greedy decoding (and in practice any sampling) follows the table.
// The table is built from scripts: "when the prompt ends with token T, answer with text A, then
// end with ▁<EOT> or </s>". Since each token has exactly one successor, two scripts can share a
// tail but never disagree about a token's successor; such conflicts are reported as errors.
//
// Random weights are for speed and memory measurements. The scripted model costs the same FLOPs
// (zeros are multiplied too), so a large scripted model is also a valid performance subject.

import { seededRandom } from "../../server/src/eval/seededRandom.js";
import { blockSizeOf, GgufWriter, type TensorType, type TensorValues } from "./ggufWriter.js";
import { buildVocab, FIM_PIECES, SPACE, type SpecialTokenIds, spmDetokenize, spmTokenize, TokenType, type Vocab, type VocabKind } from "./vocab.js";

export type TinyPreset = "tiny" | "perf" | "7b";
export type ScriptEnd = "eot" | "eos" | "step";
export type TinyWeights = "scripted" | "random";

/** One scripted behaviour of the scripted model. */
export interface TinyScript {
    readonly name: string;
    /** Vocab piece(s) ("▁" = space) that, as the prompt's last token, trigger the answer. */
    readonly after: string | readonly string[];
    /** The exact text the answer tokens spell, leading space included. */
    readonly answer: string;
    /** Token generated after the answer: "▁<EOT>" (eot, ends an infill), "</s>" (eos) or Code Llama 70B's "<step>" (step). */
    readonly end: ScriptEnd;
    /**
     * Vocab pieces to generate instead of the tokenizer's segmentation of `answer`; they must
     * spell `answer`. Needed when the usual segmentation reuses a token another script gives a
     * different successor (e.g. the lone "▁" of "  return").
     */
    readonly pieces?: readonly string[];
}

export interface TinyModelOptions {
    /** Base settings (default "tiny"); the other options override them. */
    readonly preset?: TinyPreset;
    readonly weights?: TinyWeights;
    /** Type of the 2-D weight matrices; 1-D norm weights are always f32. */
    readonly type?: TensorType;
    readonly nEmbd?: number;
    readonly nLayer?: number;
    readonly nHead?: number;
    /** Defaults to the preset's value, or to nHead when nHead is overridden. */
    readonly nHeadKv?: number;
    readonly nFf?: number;
    readonly contextLength?: number;
    /** Pad the vocab to its real size (Code Llama's 32016 tokens, infill tokens at 32007..32010; Llama 2's 32000). */
    readonly codellamaVocab?: boolean;
    /** Whose vocabulary (default Code Llama 7B-34B's); Llama 2's has no infill tokens, Code Llama 70B's has <step>. */
    readonly vocab?: VocabKind;
    /** More vocab pieces (see VocabOptions.extraPieces); none by default. */
    readonly extraPieces?: readonly string[];
    /** Seed of the random weights (the scripted model's q/k/v and gate/up included). */
    readonly seed?: number;
    /** Replaces DEFAULT_SCRIPTS (spread them in to extend); scripted weights only. */
    readonly scripts?: readonly TinyScript[];
    /** What the metadata says the model is (default: Code Llama 7B Instruct, whose roles the default scripts play). */
    readonly identity?: TinyIdentity;
}

/** general.name, general.size_label and general.finetune, as converters write them: the server reads the model's roles from them. */
export interface TinyIdentity {
    readonly name: string;
    readonly sizeLabel?: string;
    readonly finetune?: string;
}

/** Options with every default applied: two option sets with equal configs write equal files. */
export interface TinyModelConfig {
    readonly preset: TinyPreset;
    readonly weights: TinyWeights;
    readonly type: TensorType;
    readonly nEmbd: number;
    readonly nLayer: number;
    readonly nHead: number;
    readonly nHeadKv: number;
    readonly nFf: number;
    readonly contextLength: number;
    readonly codellamaVocab: boolean;
    readonly vocab: VocabKind;
    readonly extraPieces: readonly string[];
    readonly seed: number;
    /** Empty for random weights. */
    readonly scripts: readonly TinyScript[];
    readonly identity: TinyIdentity;
}

/** A script as written into the model, with the tokens it generates. */
export interface ResolvedScript {
    readonly name: string;
    readonly after: readonly string[];
    readonly answer: string;
    readonly pieces: readonly string[];
    readonly end: ScriptEnd;
    /**
     * The answer as node-llama-cpp returns it from detokenize or a completion: llama.cpp drops
     * one leading space of a text's first token (SentencePiece add_space_prefix).
     */
    readonly response: string;
}

export interface TinyModelInfo {
    readonly file: string;
    readonly bytes: number;
    readonly params: number;
    readonly nVocab: number;
    readonly config: TinyModelConfig;
    readonly tokens: SpecialTokenIds;
    readonly scripts: readonly ResolvedScript[];
}

/** Custom metadata key (ignored by llama.cpp) holding the ResolvedScript[] as JSON. */
export const SCRIPTS_METADATA_KEY = "tiny_codellama.scripts";

export const FIM_ANSWER = "return a + b;";
/** What the scripted model completes "ret" to: the rest of FIM_ANSWER's first word. */
export const FIM_WORD_REST = "urn a + b;";
export const INSTRUCT_ANSWER = " Sure! Here is the scripted answer from tiny Code Llama.";
/** INSTRUCT_ANSWER after a prompt that already ends with a space (node-llama-cpp's chat wrappers). */
export const INSTRUCT_CHAT_ANSWER = INSTRUCT_ANSWER.trimStart();
export const CODE_ANSWER = "\n  return a + b;";

/**
 * The last tokens of an infill prompt at the start of a (possibly indented) line. Code Llama infill
 * prompts end with ▁<MID>; in the psm-line layout the typed part of the cursor's line follows it,
 * which at an indented line start is a run of 3-16 spaces or a tab (a run of two spaces leads to
 * "return" in the "code" script, which joins this chain there). Code Llama ends an infill with ▁<EOT>.
 */
export const FIM_TRIGGERS: readonly string[] = [FIM_PIECES.middle, ...Array.from({ length: 14 }, (_, i) => SPACE.repeat(i + 3)), "<0x09>"];

export const DEFAULT_SCRIPTS: readonly TinyScript[] = [
    { name: "fim", after: FIM_TRIGGERS, answer: FIM_ANSWER, end: "eot" },
    // ...and mid-word, the rest of the word: "    ret" ends with "▁ret". Single letters, so the
    // answer joins the "fim" chain at "▁a".
    { name: "fim-mid-word", after: `${SPACE}ret`, answer: FIM_WORD_REST, end: "eot", pieces: ["u", "r", "n", `${SPACE}a`, `${SPACE}+`, `${SPACE}b`, ";"] },
    // Instruct prompts end with "[/INST]", whose last piece is "]".
    { name: "instruct", after: "]", answer: INSTRUCT_ANSWER, end: "eos" },
    // node-llama-cpp's Llama 2 chat wrappers render "[/INST] " with a trailing space, i.e. a lone
    // "▁". The answer joins the "instruct" chain at "!".
    { name: "instruct-chat", after: SPACE, answer: INSTRUCT_CHAT_ANSWER, end: "eos" },
    // Plain completion of "function add(a, b) {". Tokenized normally, "  return" would be
    // "▁" "▁return", and that lone "▁" already leads to "Sure" in "instruct-chat". The pieces
    // join the "fim" chain at "return".
    {
        name: "code",
        after: ["{", `${SPACE}{`],
        answer: CODE_ANSWER,
        end: "eot",
        pieces: ["<0x0A>", SPACE + SPACE, "return", `${SPACE}a`, `${SPACE}+`, `${SPACE}b`, ";"],
    },
];

/**
 * Llama 2's vocabulary has no infill tokens: its model continues "function add(a, b) {\n    " (a run
 * of spaces, the end of a continue prompt) with FIM_ANSWER, and answers Instruct prompts as the default does.
 */
export const LLAMA2_SCRIPTS: readonly TinyScript[] = [
    { name: "continue", after: FIM_TRIGGERS.filter((piece) => piece !== FIM_PIECES.middle), answer: FIM_ANSWER, end: "eos" },
    ...DEFAULT_SCRIPTS.filter((script) => script.end === "eos"),
];

type PresetSettings = Omit<TinyModelConfig, "preset" | "scripts" | "seed" | "identity" | "vocab" | "extraPieces">;

export const PRESETS: Readonly<Record<TinyPreset, PresetSettings>> = {
    // ~1 MB, loads in tens of milliseconds.
    tiny: {
        weights: "scripted",
        type: "f32",
        nEmbd: 64,
        nLayer: 2,
        nHead: 4,
        nHeadKv: 2,
        nFf: 128,
        contextLength: 4096,
        codellamaVocab: false,
    },
    // 134M parameters: big enough that prompt processing and generation speed are measurable.
    perf: {
        weights: "random",
        type: "f32",
        nEmbd: 768,
        nLayer: 12,
        nHead: 12,
        nHeadKv: 12,
        nFf: 2048,
        contextLength: 4096,
        codellamaVocab: true,
    },
    // Code Llama 7B's shapes (6.7B parameters, ~3.8 GB at q4_0) for memory and load-time tests.
    "7b": {
        weights: "random",
        type: "q4_0",
        nEmbd: 4096,
        nLayer: 32,
        nHead: 32,
        nHeadKv: 32,
        nFf: 11008,
        contextLength: 16384,
        codellamaVocab: true,
    },
};

const DEFAULT_SEED = 1234;
/** Logit of a scripted successor; every other logit is 0. */
const LOGIT_MARGIN = 100;
const RMS_NORM_EPS = 1e-5;
/** Code Llama's RoPE theta. */
const ROPE_FREQ_BASE = 1e6;
/** Scale of random matrices (GPT-style init); embeddings use 1, RMSNorm rescales them anyway. */
const INIT_SCALE = 0.02;
/** Values per chunk handed to the writer: bounds memory while writing a 7B-shaped file. */
const CHUNK_VALUES = 1 << 20;

// llama_ftype ("mostly <type>") for general.file_type.
const FILE_TYPE: Readonly<Record<TensorType, number>> = { f32: 0, f16: 1, q4_0: 2, q8_0: 7 };

// Llama 2 / Code Llama Instruct chat template, as in Meta's tokenizer_config.json.
// node-llama-cpp maps a template containing "[INST]" to its Llama 2 chat wrapper.
const LLAMA2_CHAT_TEMPLATE =
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}" +
    "{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}" +
    "{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
    "{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}" +
    "{% else %}{% set content = message['content'] %}{% endif %}" +
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content | trim + ' [/INST]' }}" +
    "{% elif message['role'] == 'assistant' %}{{ ' '  + content | trim + ' ' + eos_token }}{% endif %}{% endfor %}";

export function resolveTinyModelConfig(options: TinyModelOptions = {}): TinyModelConfig {
    const preset = options.preset ?? "tiny";
    const base = PRESETS[preset];
    if (base === undefined) throw new Error(`unknown preset ${JSON.stringify(preset)}`);
    const weights = options.weights ?? base.weights;
    if (weights !== "scripted" && options.scripts !== undefined && options.scripts.length > 0) {
        throw new Error('scripts need weights: "scripted"');
    }
    const config: TinyModelConfig = {
        preset,
        weights,
        type: options.type ?? base.type,
        nEmbd: options.nEmbd ?? base.nEmbd,
        nLayer: options.nLayer ?? base.nLayer,
        nHead: options.nHead ?? base.nHead,
        nHeadKv: options.nHeadKv ?? options.nHead ?? base.nHeadKv,
        nFf: options.nFf ?? base.nFf,
        contextLength: options.contextLength ?? base.contextLength,
        codellamaVocab: options.codellamaVocab ?? base.codellamaVocab,
        vocab: options.vocab ?? "code-llama",
        extraPieces: options.extraPieces ?? [],
        seed: options.seed ?? DEFAULT_SEED,
        scripts: weights === "scripted" ? (options.scripts ?? (options.vocab === "llama-2" ? LLAMA2_SCRIPTS : DEFAULT_SCRIPTS)) : [],
        identity: options.identity ?? { name: `tiny-codellama-${preset}-${weights}`, sizeLabel: "7B", finetune: "Instruct" },
    };
    validateConfig(config);
    return config;
}

function validateConfig(c: TinyModelConfig): void {
    if (!["scripted", "random"].includes(c.weights)) throw new Error(`unknown weights ${JSON.stringify(c.weights)}`);
    if (!(c.type in FILE_TYPE)) throw new Error(`unknown tensor type ${JSON.stringify(c.type)}`);
    for (const key of ["nEmbd", "nLayer", "nHead", "nHeadKv", "nFf", "contextLength"] as const) {
        if (!Number.isInteger(c[key]) || c[key] <= 0) throw new Error(`${key} must be a positive integer, got ${c[key]}`);
    }
    if (!Number.isInteger(c.seed)) throw new Error(`seed must be an integer, got ${c.seed}`);
    const headDim = c.nEmbd / c.nHead;
    if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
        throw new Error(`nEmbd (${c.nEmbd}) / nHead (${c.nHead}) must be an even integer (RoPE rotates pairs)`);
    }
    if (c.nHead % c.nHeadKv !== 0) throw new Error(`nHead (${c.nHead}) must be a multiple of nHeadKv (${c.nHeadKv})`);
    const block = blockSizeOf(c.type);
    if (c.nEmbd % block !== 0 || c.nFf % block !== 0) {
        throw new Error(`${c.type} needs nEmbd (${c.nEmbd}) and nFf (${c.nFf}) to be multiples of ${block}`);
    }
}

/** Writes the model to `file` (overwriting it) and describes what was written. */
export function writeTinyCodeLlama(file: string, options: TinyModelOptions = {}): TinyModelInfo {
    const config = resolveTinyModelConfig(options);
    const vocab = buildVocab({ codellamaVocab: config.codellamaVocab, kind: config.vocab, extraPieces: config.extraPieces });
    const scripts = config.scripts.map((s) => resolveScript(vocab, s));

    const writer = new GgufWriter();
    writeMetadata(writer, config, vocab, scripts);
    if (config.weights === "scripted") addScriptedTensors(writer, config, vocab, scripts);
    else addRandomTensors(writer, config, vocab.pieces.length);
    const bytes = writer.write(file);

    return {
        file,
        bytes,
        params: writer.parameterCount,
        nVocab: vocab.pieces.length,
        config,
        tokens: vocab.special,
        scripts: scripts.map((s) => s.resolved),
    };
}

function writeMetadata(w: GgufWriter, c: TinyModelConfig, vocab: Vocab, scripts: readonly ScriptTokens[]): void {
    w.setString("general.architecture", "llama");
    w.setString("general.name", c.identity.name);
    if (c.identity.sizeLabel) w.setString("general.size_label", c.identity.sizeLabel);
    if (c.identity.finetune) w.setString("general.finetune", c.identity.finetune);
    w.setUint32("general.file_type", FILE_TYPE[c.type]);
    if (blockSizeOf(c.type) > 1) w.setUint32("general.quantization_version", 2);

    // Hyper-parameters read by llama.cpp's llama architecture (src/llama-model.cpp).
    w.setUint32("llama.vocab_size", vocab.pieces.length);
    w.setUint32("llama.context_length", c.contextLength);
    w.setUint32("llama.embedding_length", c.nEmbd);
    w.setUint32("llama.block_count", c.nLayer);
    w.setUint32("llama.feed_forward_length", c.nFf);
    w.setUint32("llama.attention.head_count", c.nHead);
    w.setUint32("llama.attention.head_count_kv", c.nHeadKv);
    w.setUint32("llama.rope.dimension_count", c.nEmbd / c.nHead);
    w.setFloat32("llama.rope.freq_base", ROPE_FREQ_BASE);
    w.setFloat32("llama.attention.layer_norm_rms_epsilon", RMS_NORM_EPS);

    // SentencePiece tokenizer (src/llama-vocab.cpp).
    w.setString("tokenizer.ggml.model", "llama");
    w.setString("tokenizer.ggml.pre", "default");
    w.setStringArray("tokenizer.ggml.tokens", vocab.pieces);
    w.setFloat32Array("tokenizer.ggml.scores", vocab.scores);
    w.setInt32Array("tokenizer.ggml.token_type", vocab.types);
    w.setUint32("tokenizer.ggml.unknown_token_id", vocab.special.unk);
    w.setUint32("tokenizer.ggml.bos_token_id", vocab.special.bos);
    w.setUint32("tokenizer.ggml.eos_token_id", vocab.special.eos);
    w.setBool("tokenizer.ggml.add_bos_token", true);
    w.setBool("tokenizer.ggml.add_eos_token", false);
    w.setBool("tokenizer.ggml.add_space_prefix", true);
    // llama.cpp recognises "<EOT>" but not "▁<EOT>" by its text, so without this key it would
    // not end generation at ▁<EOT> (Code Llama's converted GGUFs carry it too).
    const { eot, prefix, suffix, middle } = vocab.special;
    if (eot !== undefined) w.setUint32("tokenizer.ggml.eot_token_id", eot);
    if (prefix !== undefined && suffix !== undefined && middle !== undefined) {
        w.setUint32("tokenizer.ggml.fim_pre_token_id", prefix);
        w.setUint32("tokenizer.ggml.fim_suf_token_id", suffix);
        w.setUint32("tokenizer.ggml.fim_mid_token_id", middle);
        // The older key names, still found in many Code Llama GGUFs.
        w.setUint32("tokenizer.ggml.prefix_token_id", prefix);
        w.setUint32("tokenizer.ggml.suffix_token_id", suffix);
        w.setUint32("tokenizer.ggml.middle_token_id", middle);
    }
    w.setString("tokenizer.chat_template", LLAMA2_CHAT_TEMPLATE);

    // Lets tests read the expected answers from the model file itself.
    if (scripts.length > 0) w.setString(SCRIPTS_METADATA_KEY, JSON.stringify(scripts.map((s) => s.resolved)));
}

// ---------------------------------------------------------------------------------------------
// Scripts -> successor table
// ---------------------------------------------------------------------------------------------

interface ScriptTokens {
    readonly resolved: ResolvedScript;
    readonly triggers: readonly number[];
    /** The answer's tokens followed by the end token. */
    readonly chain: readonly number[];
}

function resolveScript(vocab: Vocab, script: TinyScript): ScriptTokens {
    const where = `tiny Code Llama script ${JSON.stringify(script.name)}`;
    // Scripts may come from a JSON file, so check the shape the types promise.
    if (typeof script.name !== "string" || typeof script.answer !== "string") {
        throw new Error(`${where}: needs a string "name" and a string "answer"`);
    }
    const idOf = (piece: string, role: string): number => {
        const id = vocab.ids.get(piece);
        if (id === undefined) throw new Error(`${where}: ${role} ${JSON.stringify(piece)} is not a vocab piece`);
        return id;
    };
    const after = typeof script.after === "string" ? [script.after] : [...script.after];
    if (after.length === 0) throw new Error(`${where}: no trigger token in "after"`);
    const triggers = after.map((p) => idOf(p, "trigger"));

    let answer: number[];
    if (script.pieces === undefined) {
        answer = spmTokenize(vocab, script.answer);
    } else {
        answer = script.pieces.map((p) => idOf(p, "answer piece"));
        for (const id of answer) {
            const type = vocab.types[id];
            if (type !== TokenType.normal && type !== TokenType.byte) {
                throw new Error(`${where}: answer piece ${JSON.stringify(vocab.pieces[id])} is not a text token`);
            }
        }
        const spelled = spmDetokenize(vocab, answer);
        if (spelled !== script.answer) {
            throw new Error(`${where}: pieces spell ${JSON.stringify(spelled)}, not the answer ${JSON.stringify(script.answer)}`);
        }
    }
    if (script.end !== "eot" && script.end !== "eos" && script.end !== "step") throw new Error(`${where}: end must be "eot", "eos" or "step"`);
    const end = vocab.special[script.end];
    if (end === undefined) throw new Error(`${where}: this vocabulary has no ${script.end} token`);

    return {
        resolved: {
            name: script.name,
            after,
            answer: script.answer,
            pieces: answer.map((id) => vocab.pieces[id]!),
            end: script.end,
            response: script.answer.startsWith(" ") ? script.answer.slice(1) : script.answer,
        },
        triggers,
        chain: [...answer, end],
    };
}

/** successor[t] = the token the model generates after token t; </s> unless a script says otherwise. */
function buildSuccessorTable(vocab: Vocab, scripts: readonly ScriptTokens[]): Int32Array {
    const successor = new Int32Array(vocab.pieces.length).fill(-1);
    const setBy: string[] = [];
    const link = (from: number, to: number, script: string): void => {
        const current = successor[from]!;
        if (current === -1) {
            successor[from] = to;
            setBy[from] = script;
        } else if (current !== to) {
            const piece = (id: number): string => JSON.stringify(vocab.pieces[id]);
            throw new Error(
                `tiny Code Llama scripts conflict: token ${piece(from)} would need two different successors, ` +
                    `${piece(current)} (script ${JSON.stringify(setBy[from])}) and ${piece(to)} (script ${JSON.stringify(script)}). ` +
                    "The scripted model gives each token a single successor: change a trigger, or give the answer other `pieces`.",
            );
        }
    };
    for (const { resolved, triggers, chain } of scripts) {
        for (const trigger of triggers) link(trigger, chain[0]!, resolved.name);
        for (let i = 0; i + 1 < chain.length; i++) link(chain[i]!, chain[i + 1]!, resolved.name);
    }
    // Every path through the table ends: a repeated token would need two successors (its chain
    // reaches the end token, which no answer contains), so cycles surface as conflicts above.
    return successor.map((s) => (s === -1 ? vocab.special.eos : s));
}

// ---------------------------------------------------------------------------------------------
// Tensors
// ---------------------------------------------------------------------------------------------

/** `rowCount` rows of `rowLength` values, in chunks of whole rows filled by `fill` (starting zeroed). */
function rows(rowCount: number, rowLength: number, fill: (chunk: Float32Array, firstRow: number) => void): Iterable<Float32Array> {
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_VALUES / rowLength));
    return (function* () {
        for (let first = 0; first < rowCount; first += rowsPerChunk) {
            const chunk = new Float32Array(Math.min(rowsPerChunk, rowCount - first) * rowLength);
            fill(chunk, first);
            yield chunk;
        }
    })();
}

const constant =
    (value: number, shape: readonly number[]): TensorValues =>
    () =>
        rows(shape[1] ?? 1, shape[0]!, (chunk) => chunk.fill(value));

/** Uniform in [-scale, scale), seeded per tensor so a tensor's values depend on nothing else. */
function uniform(seed: number, name: string, shape: readonly number[], scale: number): TensorValues {
    let tensorSeed = seed ^ 0x811c9dc5; // FNV-1a of the name, mixed with the seed
    for (const ch of Buffer.from(name, "utf8")) tensorSeed = Math.imul(tensorSeed ^ ch, 0x01000193);
    return () => {
        const next = seededRandom(tensorSeed);
        return rows(shape[1] ?? 1, shape[0]!, (chunk) => {
            for (let i = 0; i < chunk.length; i++) chunk[i] = (next() * 2 - 1) * scale;
        });
    };
}

type MatrixValues = (name: string, shape: readonly number[]) => TensorValues;

/**
 * Adds every tensor of the llama architecture (names: src/llama-arch.cpp; shapes are [in, out]).
 * `matrix` supplies the values of the layer matrices not given in `fixed`.
 */
function addTensors(
    w: GgufWriter,
    c: TinyModelConfig,
    nVocab: number,
    matrix: MatrixValues,
    fixed: { tokenEmbd: TensorValues; output: TensorValues; attnOutput?: TensorValues; ffnDown?: TensorValues },
): void {
    const nEmbdKv = (c.nEmbd / c.nHead) * c.nHeadKv;
    const add = (name: string, shape: readonly number[], values?: TensorValues): void => w.addTensor(name, shape, c.type, values ?? matrix(name, shape));
    const norm = (name: string): void => w.addTensor(name, [c.nEmbd], "f32", constant(1, [c.nEmbd]));

    add("token_embd.weight", [c.nEmbd, nVocab], fixed.tokenEmbd);
    for (let i = 0; i < c.nLayer; i++) {
        const p = `blk.${i}.`;
        norm(p + "attn_norm.weight");
        add(p + "attn_q.weight", [c.nEmbd, c.nEmbd]);
        add(p + "attn_k.weight", [c.nEmbd, nEmbdKv]);
        add(p + "attn_v.weight", [c.nEmbd, nEmbdKv]);
        add(p + "attn_output.weight", [c.nEmbd, c.nEmbd], fixed.attnOutput);
        norm(p + "ffn_norm.weight");
        add(p + "ffn_gate.weight", [c.nEmbd, c.nFf]);
        add(p + "ffn_up.weight", [c.nEmbd, c.nFf]);
        add(p + "ffn_down.weight", [c.nFf, c.nEmbd], fixed.ffnDown);
    }
    norm("output_norm.weight");
    // An explicit LM head: without output.weight llama.cpp ties it to token_embd, which cannot
    // express a successor table.
    add("output.weight", [c.nEmbd, nVocab], fixed.output);
}

function addRandomTensors(w: GgufWriter, c: TinyModelConfig, nVocab: number): void {
    addTensors(w, c, nVocab, (name, shape) => uniform(c.seed, name, shape, INIT_SCALE), {
        tokenEmbd: uniform(c.seed, "token_embd.weight", [c.nEmbd, nVocab], 1),
        output: uniform(c.seed, "output.weight", [c.nEmbd, nVocab], INIT_SCALE),
    });
}

function addScriptedTensors(w: GgufWriter, c: TinyModelConfig, vocab: Vocab, scripts: readonly ScriptTokens[]): void {
    const successor = buildSuccessorTable(vocab, scripts);
    // Each distinct successor gets its own embedding dimension ("class").
    const classOf = new Map<number, number>();
    for (const s of successor) if (!classOf.has(s)) classOf.set(s, classOf.size);
    if (classOf.size > c.nEmbd) {
        throw new Error(`the scripts need ${classOf.size} distinct successor tokens but nEmbd is ${c.nEmbd}; raise nEmbd`);
    }
    // output_norm turns a one-hot 1 into sqrt(nEmbd), so this scale yields logits of LOGIT_MARGIN.
    // Quantizing keeps that: a one-hot block decodes exactly in q4_0, and to within 1e-4 in q8_0.
    const logitScale = LOGIT_MARGIN / Math.sqrt(c.nEmbd);
    const nVocab = vocab.pieces.length;
    const zeros = (shape: readonly number[]): TensorValues => constant(0, shape);

    addTensors(w, c, nVocab, (name, shape) => uniform(c.seed, name, shape, INIT_SCALE), {
        tokenEmbd: () =>
            rows(nVocab, c.nEmbd, (chunk, first) => {
                for (let r = 0; r * c.nEmbd < chunk.length; r++) chunk[r * c.nEmbd + classOf.get(successor[first + r]!)!] = 1;
            }),
        output: () =>
            rows(nVocab, c.nEmbd, (chunk, first) => {
                for (let r = 0; r * c.nEmbd < chunk.length; r++) {
                    const cls = classOf.get(first + r);
                    if (cls !== undefined) chunk[r * c.nEmbd + cls] = logitScale;
                }
            }),
        // Zero output projections make each layer an identity on the residual stream.
        attnOutput: zeros([c.nEmbd, c.nEmbd]),
        ffnDown: zeros([c.nFf, c.nEmbd]),
    });
}
