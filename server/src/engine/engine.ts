import fs from "node:fs";
import path from "node:path";
import {
    getLlama,
    type Llama,
    type LlamaContext,
    type LlamaContextSequence,
    LlamaLogLevel,
    type LlamaModel,
    readGgufFileInfo,
    type Token as LlamaToken,
} from "node-llama-cpp";
import type { GpuMode } from "../config/schema.js";
import { encodeInfilling, type Token } from "../completion/fimPrompt.js";
import { memoizeEncoder } from "./encoderMemo.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { ModelError } from "./errors.js";
import type { EngineInfo, EngineTokenizer, Generation, GenerateOptions, InferenceEngine, PromptCost, SequenceName } from "./inference.js";
import { Mutex } from "./mutex.js";
import { PromptSpeed } from "./promptSpeed.js";
import { TextStream } from "./textStream.js";

export type { EngineInfo, EngineTokenizer, Generation, GenerateOptions, SequenceName };

const SEQUENCES: readonly SequenceName[] = ["completion", "chat"];

export interface EngineOptions {
    modelPath: string;
    gpu: GpuMode;
    /** -1: as many as fit. */
    gpuLayers: number;
    /** 0: node-llama-cpp's default. */
    threads: number;
    /** Per sequence. */
    contextSize: number;
    logger: Logger;
    onLoadProgress?(fraction: number): void;
    signal?: AbortSignal;
}

/**
 * Owns every native resource of one loaded model: the Llama backend, the model, its context and the
 * sequences. Nothing else touches node-llama-cpp objects. One generation at a time per sequence.
 */
/** The embedded engine tokenizes synchronously. */
export type LocalTokenizer = Omit<EngineTokenizer, "encode" | "encodeInfilling"> & { encode(text: string): Token[]; encodeInfilling(text: string): Token[] };

export class Engine implements InferenceEngine {
    readonly tokenizer: LocalTokenizer;
    private readonly sequences: Map<SequenceName, { sequence: LlamaContextSequence; lock: Mutex }>;
    /** One speed for all sequences: they share the context and its batches. */
    private readonly promptSpeed = new PromptSpeed();
    /** Interactive generations running, and background ones waiting for them to end (see generate). */
    private interactiveRunning = 0;
    private interactiveIdle: (() => void)[] = [];
    private disposed = false;

    private constructor(
        readonly info: EngineInfo,
        private readonly model: LlamaModel,
        private readonly context: LlamaContext,
    ) {
        this.sequences = new Map(SEQUENCES.map((name) => [name, { sequence: context.getSequence(), lock: new Mutex() }]));
        this.tokenizer = createTokenizer(model);
    }

    static async load(options: EngineOptions): Promise<Engine> {
        const started = performance.now();
        const fileLayers = await validateModelFile(options.modelPath);
        llamaLog.logger = options.logger;
        const llama = await backend(options.gpu);
        // Running out of GPU memory (for the weights or the context) is retried with fewer layers, then on the CPU.
        let lastError: unknown;
        let gpuLayers: number | undefined;
        for (;;) {
            let model: LlamaModel | undefined;
            try {
                model = await loadModel(llama, options, gpuLayers);
                const context = await createContext(model, options);
                const info: EngineInfo = {
                    modelPath: options.modelPath,
                    modelName: modelDisplayName(model, options.modelPath),
                    device: llama.gpu === false ? "cpu" : llama.gpu,
                    gpuLayers: model.gpuLayers,
                    totalLayers: model.fileInsights.totalLayers,
                    contextSize: context.contextSize,
                    loadMs: Math.round(performance.now() - started),
                    ...(lastError ? { fallback: `GPU memory ran out (${errorMessage(lastError)}); loaded with ${model.gpuLayers} of ${model.fileInsights.totalLayers} layers on the GPU` } : {}),
                };
                return new Engine(info, model, context);
            } catch (error) {
                const layersTried = model?.gpuLayers ?? gpuLayers ?? (options.gpuLayers >= 0 ? options.gpuLayers : fileLayers);
                await model?.dispose();
                const next = llama.gpu === false || options.signal?.aborted ? undefined : fewerGpuLayers(layersTried);
                if (next === undefined || !isModelError(error, "load-failed", "context-failed")) throw error;
                options.logger.warn(`${errorMessage(error)} Retrying with ${next} GPU layers.`);
                lastError = error;
                gpuLayers = next;
            }
        }
    }

    /**
     * Evaluates `prompt` on a sequence and generates greedily. The sequence keeps its KV cache: the
     * longest common prefix with what it already holds is reused, only the rest is evaluated.
     * Background work (a chat answer, a warm-up) pauses between its chunks and tokens while an
     * interactive one (a completion while typing) runs: sharing each batch would slow the completion
     * by the other sequence's work on a machine where compute, not the batch, is the limit.
     */
    async generate(sequenceName: SequenceName, prompt: readonly Token[], options: GenerateOptions): Promise<Generation> {
        const entry = this.sequences.get(sequenceName)!;
        const called = performance.now();
        return entry.lock.run(async () => {
            const started = performance.now();
            const queuedMs = started - called;
            const startedAt = performance.timeOrigin + started;
            const cancelled = (): Generation => ({ tokens: [], text: "", stopReason: "cancelled", promptTokens: prompt.length, reusedTokens: 0, evaluatedTokens: 0, promptMs: 0, totalMs: performance.now() - started, queuedMs, startedAt });
            if (this.disposed || options.signal?.aborted) return cancelled();
            const interactive = options.priority !== "background";
            if (interactive) this.interactiveRunning++;
            try {
                return await this.evaluateAndGenerate(entry.sequence, prompt, options, { started, queuedMs, startedAt, interactive, cancelled });
            } finally {
                if (interactive && --this.interactiveRunning === 0) for (const resume of this.interactiveIdle.splice(0)) resume();
            }
        });
    }

    private async evaluateAndGenerate(sequence: LlamaContextSequence, prompt: readonly Token[], options: GenerateOptions, run: { started: number; queuedMs: number; startedAt: number; interactive: boolean; cancelled(): Generation }): Promise<Generation> {
        const { started, queuedMs, startedAt, cancelled } = run;
        const yieldToInteractive = async (): Promise<void> => {
            while (!run.interactive && this.interactiveRunning > 0) await new Promise<void>((resume) => this.interactiveIdle.push(resume));
        };
        const evaluateOnly = options.maxTokens === 0;
        const maxTokens = Math.max(0, Math.min(options.maxTokens, sequence.contextSize - prompt.length));
        if (prompt.length === 0 || prompt.length > sequence.contextSize || (maxTokens === 0 && !evaluateOnly)) return { ...cancelled(), stopReason: "max-tokens" };

        const reused = options.reuseCache === false ? 0 : reusableTokens(sequence, prompt);
        if (reused < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);

        // A long prompt is evaluated in chunks (~250 ms each at the measured speed), so that a
        // cancellation (the next keystroke) stops it between chunks instead of after seconds of stale
        // work. Generation evaluates the last chunk itself; evaluate-only takes every chunk here.
        const evaluationPriority = options.priority === "background" ? 1 : 5;
        const chunkTokens = this.promptSpeed.chunkTokens();
        let pending = prompt.slice(reused);
        while (pending.length > (evaluateOnly ? 0 : chunkTokens)) {
            await yieldToInteractive();
            const chunk = pending.slice(0, chunkTokens);
            const chunkStarted = performance.now();
            await sequence.evaluateWithoutGeneratingNewTokens(chunk as LlamaToken[], { evaluationPriority });
            this.promptSpeed.record(chunk.length, performance.now() - chunkStarted);
            pending = pending.slice(chunkTokens);
            if (pending.length > 0 && options.signal?.aborted) return { ...cancelled(), reusedTokens: reused, evaluatedTokens: prompt.length - reused - pending.length };
        }
        if (evaluateOnly) {
            const totalMs = performance.now() - started;
            return { tokens: [], text: "", stopReason: "max-tokens", promptTokens: prompt.length, reusedTokens: reused, evaluatedTokens: prompt.length - reused, promptMs: totalMs, totalMs, queuedMs, startedAt };
        }

        const tokens: Token[] = [];
        // The prompt's tail as context keeps the leading space of the first generated token.
        const context = prompt.slice(-4);
        const stream = new TextStream((generated) => this.detokenize(generated, context));
        let text = "";
        let stopReason: Generation["stopReason"] = "max-tokens";
        let promptMs = 0;
        await yieldToInteractive();
        const lastChunkStarted = performance.now();
        const iterator = sequence.evaluate(pending as LlamaToken[], { temperature: 0, yieldEogToken: true, evaluationPriority });
        try {
            for await (const token of iterator) {
                if (promptMs === 0) {
                    promptMs = performance.now() - started;
                    this.promptSpeed.record(pending.length, performance.now() - lastChunkStarted);
                }
                if (options.signal?.aborted) {
                    stopReason = "cancelled";
                    break;
                }
                if (this.model.isEogToken(token)) {
                    stopReason = "end-of-generation";
                    break;
                }
                tokens.push(token);
                text += stream.push(tokens);
                if (options.onText?.(text) === true) {
                    stopReason = "stopped";
                    break;
                }
                if (tokens.length >= maxTokens) break;
                await yieldToInteractive();
            }
        } finally {
            await iterator.return();
        }
        return { tokens, text: text + stream.finish(tokens), stopReason, promptTokens: prompt.length, reusedTokens: reused, evaluatedTokens: prompt.length - reused, promptMs, totalMs: performance.now() - started, queuedMs, startedAt };
    }

    promptCost(sequenceName: SequenceName, prompt: readonly Token[]): PromptCost {
        const { sequence } = this.sequences.get(sequenceName)!;
        return { uncachedTokens: prompt.length - reusableTokens(sequence, prompt), tokensPerSecond: this.promptSpeed.tokensPerSecond };
    }

    /** Text of tokens; `context` (tokens before them) keeps a leading space SentencePiece drops at a text start. */
    detokenize(tokens: readonly Token[], context?: readonly Token[]): string {
        return this.model.detokenize(tokens as LlamaToken[], false, context as LlamaToken[] | undefined);
    }

    async dispose(): Promise<void> {
        if (this.disposed) return;
        this.disposed = true;
        // Wait for running generations to notice and stop before freeing their memory.
        await Promise.all([...this.sequences.values()].map(({ lock }) => lock.run(async () => undefined)));
        await this.context.dispose();
        await this.model.dispose();
    }
}

/** The prompt's tokens the sequence's cache holds; at least one is left to evaluate, for the next token's logits. */
function reusableTokens(sequence: LlamaContextSequence, prompt: readonly Token[]): number {
    return Math.max(0, Math.min(commonPrefixLength(sequence.contextTokens, prompt), prompt.length - 1));
}

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
    const length = Math.min(a.length, b.length);
    let index = 0;
    while (index < length && a[index] === b[index]) index++;
    return index;
}

/**
 * Catches the usual wrong files (missing, not GGUF, unreadable header, cut off) with a message that
 * says what to do. Returns the model's layer count (blocks + output) as llama.cpp counts GPU layers.
 */
async function validateModelFile(modelPath: string): Promise<number> {
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

/**
 * llama.cpp's log goes to the logger of the engine being loaded; its recent errors explain a failed
 * load better than node-llama-cpp's generic "Failed to load model".
 */
const llamaLog: { logger: Logger | undefined; recentErrors: string[] } = { logger: undefined, recentErrors: [] };

/**
 * One node-llama-cpp backend per GPU mode for the life of the process: getLlama hands out a shared
 * instance, so no single engine may dispose it.
 */
const backends = new Map<GpuMode, Promise<Llama>>();

function backend(mode: GpuMode): Promise<Llama> {
    let llama = backends.get(mode);
    if (!llama) {
        llama = createLlama(mode);
        backends.set(mode, llama);
        llama.catch(() => backends.delete(mode));
    }
    return llama;
}

async function createLlama(mode: GpuMode): Promise<Llama> {
    const gpu = mode === "off" ? false : mode;
    const unavailable = (reason: string, cause?: unknown): ModelError =>
        new ModelError("gpu-unavailable", `The ${gpu} GPU backend is not available on this machine (${reason}).`, { cause });
    let llama: Llama;
    try {
        llama = await getLlama({
            gpu,
            build: "never",
            progressLogs: false,
            logLevel: LlamaLogLevel.info,
            logger: (level, message) => {
                const text = message.trimEnd();
                if (!text) return;
                if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) {
                    llamaLog.recentErrors = [...llamaLog.recentErrors.slice(-4), text];
                    llamaLog.logger?.warn(`llama.cpp: ${text}`);
                } else {
                    llamaLog.logger?.debug(`llama.cpp: ${text}`);
                }
            },
        });
    } catch (error) {
        if (gpu === false || gpu === "auto") throw error;
        throw unavailable(errorMessage(error), error);
    }
    // node-llama-cpp may quietly settle for another backend than the one asked for. That instance
    // can be the one shared with other modes, so it is not disposed here.
    if (gpu !== false && gpu !== "auto" && llama.gpu !== gpu) throw unavailable(`got ${llama.gpu === false ? "the CPU" : llama.gpu} instead`);
    return llama;
}

/**
 * The next number of GPU layers to try after a load with `current` layers failed: half as many,
 * then none (CPU); undefined when there is nothing left to try.
 */
export function fewerGpuLayers(current: number | undefined): number | undefined {
    if (current === undefined) return undefined;
    if (current <= 1) return current === 1 ? 0 : undefined;
    return Math.floor(current / 2);
}

function isModelError(error: unknown, ...codes: ModelError["code"][]): boolean {
    return error instanceof ModelError && codes.includes(error.code);
}

async function loadModel(llama: Llama, options: EngineOptions, gpuLayers?: number): Promise<LlamaModel> {
    llamaLog.recentErrors = [];
    const layers = gpuLayers ?? options.gpuLayers;
    try {
        return await llama.loadModel({
            modelPath: options.modelPath,
            gpuLayers: llama.gpu === false ? 0 : layers >= 0 ? layers : { fitContext: { contextSize: options.contextSize * SEQUENCES.length } },
            onLoadProgress: options.onLoadProgress,
            loadSignal: options.signal,
        });
    } catch (error) {
        const message = [errorMessage(error), ...llamaLog.recentErrors.filter((line) => !line.includes("failed to load model"))].join(": ");
        const code = /bounds|corrupt|incomplete|truncat|unexpected end|failed to read/i.test(message) ? "corrupt-model" : "load-failed";
        throw new ModelError(code, `Could not load the model ${options.modelPath}: ${message}.`, { cause: error });
    }
}

async function createContext(model: LlamaModel, options: EngineOptions): Promise<LlamaContext> {
    try {
        return await model.createContext({
            contextSize: options.contextSize,
            sequences: SEQUENCES.length,
            ...(options.threads > 0 ? { threads: options.threads } : {}),
            failedCreationRemedy: false,
        });
    } catch (error) {
        throw new ModelError("context-failed", `Could not allocate a ${options.contextSize}-token context for ${path.basename(options.modelPath)}: ${errorMessage(error)}.`, { cause: error });
    }
}

function modelDisplayName(model: LlamaModel, modelPath: string): string {
    const name = model.fileInfo.metadata.general?.name;
    return typeof name === "string" && name.trim() ? name.trim() : path.basename(modelPath, ".gguf");
}

function createTokenizer(model: LlamaModel): LocalTokenizer {
    const { bos, eos, infill } = model.tokens;
    const fim = bos !== null && infill.prefix !== null && infill.suffix !== null && infill.middle !== null
        ? { bos, prefix: infill.prefix, suffix: infill.suffix, middle: infill.middle }
        : undefined;
    const tokenize = memoizeEncoder((text: string): Token[] => model.tokenize(text, false) as Token[]);
    return {
        encode: tokenize,
        encodeInfilling: (text) => encodeInfilling(tokenize, text),
        fim,
        bos: bos ?? undefined,
        eos: eos ?? undefined,
    };
}
