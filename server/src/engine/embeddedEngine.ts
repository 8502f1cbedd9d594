import path from "node:path";
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token as LlamaToken } from "node-llama-cpp";
import type { GpuMode } from "../../../shared/src/settings.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { type ContextChoice, chooseContextSize, MIN_AUTO_CONTEXT_SIZE } from "./contextSize.js";
import { ModelError } from "./errors.js";
import { modelDisplayName, modelFacts, validateModelFile } from "./ggufFile.js";
import { loadWithGpuFallback } from "./gpuFallback.js";
import type { EngineInfo, EngineSpeed, GenerateOptions, Generation, InferenceEngine, PromptCost } from "./inference.js";
import { llamaBackend, llamaLog } from "./llamaBackend.js";
import { modelRoles } from "./modelRoles.js";
import { Mutex } from "./mutex.js";
import {
    type ChatRequest,
    chatPieces,
    chatStopTokens,
    encodePiecesSync,
    type InfillRequest,
    infillPieces,
    type PromptPiece,
    type SpecialTokenIds,
} from "./promptFormat.js";
import { PromptSpeed, TokenRate } from "./promptSpeed.js";
import { type Priority, TypingFirstScheduler } from "./scheduler.js";
import { EngineSpeedMeter } from "./speedMeter.js";
import { TextStream } from "./textStream.js";
import { promptDecodeThreads, type ThreadCounts, type ThreadSpeed } from "./threads.js";
import { encodeInfilling, memoizeEncoder, type Token } from "./tokenizer.js";
import { type PredictionCounts, Speculation, type Vocabulary, vocabularyMismatch } from "./tokenPrediction.js";

/** Generations shorter than this many tokens after the first say little about the speed. */
const MIN_MEASURED_GENERATION = 3;

/** Separate KV-cache sequences of a loaded model: completion keeps its cache while chat runs. */
export type SequenceName = "completion" | "chat";
const SEQUENCES: readonly SequenceName[] = ["completion", "chat"];

export interface EngineOptions {
    modelPath: string;
    gpu: GpuMode;
    /** -1: as many as fit. */
    gpuLayers: number;
    /** CPU threads for prompt evaluation and for generation. */
    threads: ThreadCounts;
    /** The most threads setThreads may give later (the calibration's largest count); default the larger of `threads`. */
    maxThreads?: number;
    /** Per sequence; 0: automatic (contextSize.ts). */
    contextSize: number;
    /** The sequences this model serves (default both): a model for completion only holds no chat cache. */
    sequences?: readonly SequenceName[];
    /** Shared with the other engines loaded beside this one, so that typing comes first across them all. */
    scheduler?: TypingFirstScheduler;
    /** RAM an automatic context leaves free for models still to be loaded beside this one. */
    reservedRamBytes?: number;
    /** Speculative decoding with input lookup (tokenPrediction.ts); default true. */
    tokenPrediction?: boolean;
    logger: Logger;
    onLoadProgress?(fraction: number): void;
    signal?: AbortSignal;
}

/** The embedded engine tokenizes synchronously. */
export interface LocalTokenizer {
    encode(text: string): Token[];
    encodeInfilling(text: string): Token[];
    readonly special: SpecialTokenIds;
}

/** A draft model asked to propose tokens for a model whose vocabulary it does not share. */
export class DraftModelError extends Error {
    override name = "DraftModelError";
}

interface SequenceEntry {
    sequence: LlamaContextSequence;
    lock: Mutex;
    speculation: Speculation;
}

/** A draft's context: its size in tokens and what it takes of RAM and GPU memory, in bytes. */
export interface DraftCost {
    contextSize: number;
    ramBytes: number;
    gpuBytes: number;
}

/** A sequence of this engine's model lent to another engine as its draft, in a context of its own. */
interface DraftLease {
    sequence: LlamaContextSequence;
    /** The lender's thread counts now (its decodes run with them). */
    threads(): ThreadCounts;
    cost: DraftCost;
    release(): Promise<void>;
}

/**
 * Owns every native resource of one loaded model: the model, its context and the sequences (the
 * Llama backend is shared, see llamaBackend.ts), and the contexts it lends as drafts to another
 * engine. Nothing else touches node-llama-cpp objects. One generation at a time per sequence;
 * typing first across them, and across the engines that share the scheduler (scheduler.ts).
 */
export class EmbeddedEngine implements InferenceEngine {
    readonly tokenizer: LocalTokenizer;
    private readonly sequences: Map<SequenceName, SequenceEntry>;
    /** The draft sequence this engine's chat answers use, lent by another engine. */
    private draft: DraftLease | undefined;
    /** Contexts this engine's model lends to other engines as drafts. */
    private readonly lent = new Set<LlamaContext>();
    /** One speed for all sequences: they share the context and its batches. */
    private readonly promptSpeed = new PromptSpeed();
    private readonly generationSpeed = new TokenRate(MIN_MEASURED_GENERATION);
    private threads: ThreadCounts;
    private readonly meters = new Set<EngineSpeedMeter>();
    private disposed = false;

    private constructor(
        readonly info: EngineInfo,
        private readonly llama: Llama,
        private readonly model: LlamaModel,
        private readonly context: LlamaContext,
        sequenceNames: readonly SequenceName[],
        private readonly scheduler: TypingFirstScheduler,
        threads: ThreadCounts,
        private readonly maxThreads: number,
        tokenPrediction: boolean,
    ) {
        this.threads = threads;
        this.sequences = new Map(
            sequenceNames.map((name) => [name, { sequence: context.getSequence(), lock: new Mutex(), speculation: new Speculation(tokenPrediction) }]),
        );
        this.tokenizer = createTokenizer(model);
    }

    static async load(options: EngineOptions): Promise<EmbeddedEngine> {
        const started = performance.now();
        const fileLayers = await validateModelFile(options.modelPath);
        llamaLog.logger = options.logger;
        const llama = await llamaBackend(options.gpu);
        const maxThreads = Math.max(options.threads.prompt, options.threads.generation, options.maxThreads ?? 1);
        const sequenceNames = options.sequences ?? SEQUENCES;
        let loadedLayers: number | undefined;
        const { result, lastError } = await loadWithGpuFallback({
            load: async (gpuLayers) => {
                loadedLayers = undefined;
                const model = await loadModel(llama, options, sequenceNames.length, gpuLayers);
                loadedLayers = model.gpuLayers;
                try {
                    const context = await contextSizeFor(llama, model, options, sequenceNames.length);
                    return {
                        model,
                        contextChoice: context,
                        context: await createContext(llama, model, { ...options, contextSize: context.contextSize }, maxThreads, sequenceNames.length),
                    };
                } catch (error) {
                    await model.dispose();
                    throw error;
                }
            },
            layersTried: (_error, gpuLayers) => loadedLayers ?? gpuLayers ?? (options.gpuLayers >= 0 ? options.gpuLayers : fileLayers),
            retryable: (error) =>
                llama.gpu !== false &&
                !options.signal?.aborted &&
                error instanceof ModelError &&
                (error.code === "load-failed" || error.code === "context-failed"),
            onRetry: (error, next) => options.logger.warn(`${errorMessage(error)} Retrying with ${next} GPU layers.`),
        });
        const { model, context, contextChoice } = result;
        const info: EngineInfo = {
            modelPath: options.modelPath,
            modelName: modelDisplayName(model, options.modelPath),
            roles: modelRoles(modelFacts(model.fileInfo, model.fileInsights.totalParameters, options.modelPath)),
            device: llama.gpu === false ? "cpu" : llama.gpu,
            gpuLayers: model.gpuLayers,
            totalLayers: model.fileInsights.totalLayers,
            contextSize: context.contextSize,
            ...(contextChoice.source === "setting" ? {} : { contextSizeAuto: contextChoice.source }),
            loadMs: Math.round(performance.now() - started),
            ...(lastError
                ? {
                      fallback: `GPU memory ran out (${errorMessage(lastError)}); loaded with ${model.gpuLayers} of ${model.fileInsights.totalLayers} layers on the GPU`,
                  }
                : {}),
        };
        return new EmbeddedEngine(
            info,
            llama,
            model,
            context,
            sequenceNames,
            options.scheduler ?? new TypingFirstScheduler(),
            options.threads,
            maxThreads,
            options.tokenPrediction ?? true,
        );
    }

    countTokens(text: string, leadingSpace: boolean): number {
        return (leadingSpace ? this.tokenizer.encode(text) : this.tokenizer.encodeInfilling(text)).length;
    }

    async chatPromptTokens(request: ChatRequest): Promise<number> {
        return this.encode(chatPieces(request)).length;
    }

    /** The prompt's token ids in this model's vocabulary. */
    encode(pieces: readonly PromptPiece[]): Token[] {
        return encodePiecesSync(pieces, this.tokenizer, this.tokenizer.special);
    }

    infill(request: InfillRequest, options: GenerateOptions): Promise<Generation> {
        return this.generate("completion", this.encode(infillPieces(request)), options);
    }

    chat(request: ChatRequest, options: GenerateOptions): Promise<Generation> {
        const stopTokens = chatStopTokens(request.format)
            .map((name) => this.tokenizer.special[name])
            .filter((id) => id !== undefined);
        return this.generate("chat", this.encode(chatPieces(request)), { ...options, stopTokens });
    }

    promptCost(request: InfillRequest): PromptCost {
        return this.sequenceCost("completion", this.encode(infillPieces(request)));
    }

    /** What evaluating `prompt` on the sequence would take now. */
    sequenceCost(sequenceName: SequenceName, prompt: readonly Token[]): PromptCost {
        const { sequence } = this.sequence(sequenceName);
        return { uncachedTokens: prompt.length - reusableTokens(sequence.contextTokens, prompt), tokensPerSecond: this.promptSpeed.tokensPerSecond };
    }

    /**
     * Evaluates `prompt` on a sequence and generates greedily. The sequence keeps its KV cache: the
     * longest common prefix with what it already holds is reused, only the rest is evaluated.
     * Background work (a chat answer, a warm-up) pauses between its chunks and tokens while an
     * interactive one (a completion while typing) runs: sharing each batch would slow the completion
     * by the other sequence's work on a machine where compute, not the batch, is the limit.
     * `stopTokens`: control tokens that end the answer besides the model's end of generation.
     */
    async generate(sequenceName: SequenceName, prompt: readonly Token[], options: GenerateOptions & { stopTokens?: readonly Token[] }): Promise<Generation> {
        const entry = this.sequence(sequenceName);
        const called = performance.now();
        const ended = this.scheduler.trackGeneration();
        return entry.lock
            .run(async () => {
                const started = performance.now();
                const queuedMs = started - called;
                const startedAt = performance.timeOrigin + started;
                const cancelled = (): Generation => ({
                    text: "",
                    generatedTokens: 0,
                    stopReason: "cancelled",
                    promptTokens: prompt.length,
                    reusedTokens: 0,
                    evaluatedTokens: 0,
                    promptMs: 0,
                    totalMs: performance.now() - started,
                    queuedMs,
                    startedAt,
                });
                if (this.disposed || options.signal?.aborted) return cancelled();
                const priority = options.priority ?? "interactive";
                const end = this.scheduler.begin(priority);
                try {
                    return await this.evaluateAndGenerate(entry, prompt, options, { started, queuedMs, startedAt, cancelled });
                } finally {
                    end();
                }
            })
            .finally(ended);
    }

    private sequence(name: SequenceName): SequenceEntry {
        const entry = this.sequences.get(name);
        if (!entry) throw new Error(`This engine serves ${[...this.sequences.keys()].join(" and ")}, not ${name}.`);
        return entry;
    }

    private async evaluateAndGenerate(
        { sequence, speculation }: SequenceEntry,
        prompt: readonly Token[],
        options: GenerateOptions & { stopTokens?: readonly Token[] },
        run: { started: number; queuedMs: number; startedAt: number; cancelled(): Generation },
    ): Promise<Generation> {
        const { started, queuedMs, startedAt, cancelled } = run;
        const priority: Priority = options.priority ?? "interactive";
        let pausedMs = 0;
        /** Decode work in its turn (scheduler.ts: typing first, one engine's decode at a time); the time it waited counts as paused. */
        const inTurn = async <T>(work: () => Promise<T>): Promise<T> => {
            const { result, waitedMs } = await this.scheduler.step(priority, work);
            pausedMs += waitedMs;
            return result;
        };
        const evaluateOnly = options.maxTokens === 0;
        const maxTokens = Math.max(0, Math.min(options.maxTokens, sequence.contextSize - prompt.length));
        if (prompt.length === 0 || prompt.length > sequence.contextSize || (maxTokens === 0 && !evaluateOnly))
            return { ...cancelled(), stopReason: "max-tokens" };

        const reused = options.reuseCache === false ? 0 : reusableTokens(sequence.contextTokens, prompt);
        if (reused < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: reused, end: sequence.nextTokenIndex }]);

        // A long prompt is evaluated in chunks (~250 ms each at the measured speed), so that a
        // cancellation (the next keystroke) stops it between chunks instead of after seconds of stale
        // work. Generation evaluates the last chunk itself; evaluate-only takes every chunk here.
        const evaluationPriority = options.priority === "background" ? 1 : 5;
        const chunkTokens = this.promptSpeed.chunkTokens();
        let pending = prompt.slice(reused);
        while (pending.length > (evaluateOnly ? 0 : chunkTokens)) {
            const chunk = pending.slice(0, chunkTokens);
            const chunkMs = await inTurn(async () => {
                this.useThreads(this.threads.prompt);
                const chunkStarted = performance.now();
                await sequence.evaluateWithoutGeneratingNewTokens(chunk as LlamaToken[], { evaluationPriority });
                return performance.now() - chunkStarted;
            });
            this.promptSpeed.record(chunk.length, chunkMs);
            pending = pending.slice(chunkTokens);
            if (pending.length > 0 && options.signal?.aborted)
                return { ...cancelled(), reusedTokens: reused, evaluatedTokens: prompt.length - reused - pending.length };
        }
        if (evaluateOnly) {
            const totalMs = performance.now() - started;
            return {
                text: "",
                generatedTokens: 0,
                stopReason: "max-tokens",
                promptTokens: prompt.length,
                reusedTokens: reused,
                evaluatedTokens: prompt.length - reused,
                promptMs: totalMs,
                totalMs,
                queuedMs,
                startedAt,
            };
        }

        const tokens: Token[] = [];
        // The prompt's tail as context keeps the leading space of the first generated token.
        const context = prompt.slice(-4);
        const stream = new TextStream((generated) => this.detokenize(generated, context));
        let text = "";
        let stopReason: Generation["stopReason"] = "max-tokens";
        let promptMs = 0;
        let firstTokenAt = 0;
        let lastChunkStarted = performance.now();
        // One path with and without speculation: each decode (the draft's too) in its turn with its
        // thread count; the prompt's speed is timed from the target's "prompt" decode.
        const iterator = speculation.decode(sequence, pending, {
            prompt,
            maxTokens,
            evaluationPriority,
            step: (kind, decode) =>
                inTurn(() => {
                    if (kind.work === "prompt" && kind.model === "target") lastChunkStarted = performance.now();
                    const counts = kind.model === "draft" && this.draft ? this.draft.threads() : this.threads;
                    this.useThreads(kind.work === "prompt" && kind.model === "target" ? promptDecodeThreads(counts, pending.length) : counts[kind.work]);
                    return decode();
                }),
        });
        try {
            for (;;) {
                const next = await iterator.next();
                if (next.done) break;
                const token = next.value;
                if (promptMs === 0) {
                    firstTokenAt = performance.now();
                    pausedMs = 0;
                    promptMs = firstTokenAt - started;
                    this.promptSpeed.record(pending.length, firstTokenAt - lastChunkStarted);
                }
                if (options.signal?.aborted) {
                    stopReason = "cancelled";
                    break;
                }
                if (this.model.isEogToken(token as LlamaToken) || options.stopTokens?.includes(token)) {
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
            }
        } finally {
            await iterator.return();
        }
        // Time paused for a completion is not generation time.
        if (tokens.length > 1) this.generationSpeed.record(tokens.length - 1, performance.now() - firstTokenAt - pausedMs);
        return {
            text: text + stream.finish(tokens),
            generatedTokens: tokens.length,
            stopReason,
            promptTokens: prompt.length,
            reusedTokens: reused,
            evaluatedTokens: prompt.length - reused,
            promptMs,
            totalMs: performance.now() - started,
            queuedMs,
            startedAt,
        };
    }

    speed(): EngineSpeed {
        return {
            threads: { ...this.threads },
            promptTokensPerSecond: this.promptSpeed.tokensPerSecond,
            generationTokensPerSecond: this.generationSpeed.tokensPerSecond,
        };
    }

    /**
     * Runs from now on with `threads` (at most the engine's maxThreads). `measured`: the speeds a
     * calibration measured at them, which stand for the speeds until generations measure their own.
     */
    setThreads(threads: ThreadCounts, measured?: { prompt: ThreadSpeed; generation: ThreadSpeed }): void {
        const clamp = (count: number): number => Math.max(1, Math.min(this.maxThreads, Math.floor(count)));
        this.threads = { prompt: clamp(threads.prompt), generation: clamp(threads.generation) };
        if (measured) {
            this.promptSpeed.reset(measured.prompt.promptTokensPerSecond);
            this.generationSpeed.reset(measured.generation.generationTokensPerSecond);
        }
    }

    /**
     * A meter for calibrating the thread count on a small context of its own; its units run only while
     * no generation does (see EngineSpeedMeter). Closed with the engine at the latest.
     */
    async openSpeedMeter(signal?: AbortSignal): Promise<EngineSpeedMeter & { close(): Promise<void> }> {
        const { scheduler } = this;
        const meter = await EngineSpeedMeter.open(
            this.model,
            this.maxThreads,
            {
                generationsStarted: () => scheduler.generationsStarted,
                generationsRunning: () => scheduler.generationsRunning,
                idle: () => scheduler.idle(),
                decode: async (threads, work) =>
                    (
                        await scheduler.step("background", () => {
                            this.useThreads(threads);
                            return work();
                        })
                    ).result,
            },
            signal,
        );
        this.meters.add(meter);
        return Object.assign(meter, {
            close: async () => {
                this.meters.delete(meter);
                await meter.dispose();
            },
        });
    }

    /**
     * The threads of the next decode. node-llama-cpp gives each decode min(the context's threads, the
     * backend's maxThreads), read as the decode starts; decodes run one at a time across the engines
     * of a scheduler (each model's own counts, calibrated per model file), so setting the limit just
     * before each decode gives prompts and generation, and each model, their own counts.
     */
    private useThreads(threads: number): void {
        this.llama.maxThreads = threads;
    }

    /** Speculative decoding on each sequence so far: tokens proposed and how many the model confirmed. */
    tokenPredictions(): Record<SequenceName, PredictionCounts> {
        // A model that serves one sequence (beside a separate chat model) guessed nothing on the other.
        const counts = (name: SequenceName): PredictionCounts => this.sequences.get(name)?.speculation.predictions ?? { validated: 0, refuted: 0 };
        return { completion: counts("completion"), chat: counts("chat") };
    }

    /** Parameters of the model's tensors; 0 when unknown. */
    get parameters(): number {
        return this.model.fileInsights.totalParameters;
    }

    /** Why `draft`'s model cannot propose tokens for this one (they must share the vocabulary), in a sentence; undefined when it can. */
    draftProblem(draft: EmbeddedEngine): string | undefined {
        const problem = vocabularyMismatch(this.vocabulary(), draft.vocabulary());
        return problem
            ? `${draft.info.modelName} cannot be the draft model of ${this.info.modelName}: ${problem}. A draft model must share the vocabulary (a smaller model of the same family); chat answers without one.`
            : undefined;
    }

    /**
     * Chat answers from now on are decoded speculatively with `draft`'s model proposing tokens (a
     * smaller model of the same vocabulary, loaded on the same backend); undefined stops it. A draft
     * of another vocabulary is refused with a DraftModelError and the chat goes on as before. The
     * draft's model lends a context of its own of `contextSize` tokens (default this engine's; a chat
     * longer than it is answered without guesses); resolves to that size and its memory. Dispose the
     * draft engine only after this one stopped using it.
     */
    async useDraft(draft: EmbeddedEngine | undefined, contextSize = this.info.contextSize): Promise<DraftCost | undefined> {
        const problem = draft && this.draftProblem(draft);
        if (problem) throw new DraftModelError(problem);
        const entry = this.sequences.get("chat")!;
        return entry.lock.run(async () => {
            const previous = this.draft;
            this.draft = draft ? await draft.lendSequence(Math.min(contextSize, this.info.contextSize)) : undefined;
            entry.speculation.useDraft(this.draft?.sequence);
            await previous?.release();
            return this.draft?.cost;
        });
    }

    private vocabulary(): Vocabulary {
        const tokenizer = (this.model.fileInfo.metadata as { tokenizer?: { ggml?: { model?: string; tokens?: readonly string[] } } }).tokenizer?.ggml;
        return { kind: tokenizer?.model, tokens: tokenizer?.tokens ?? [] };
    }

    /** A sequence of this model in a context of its own, for another engine's draft. */
    private async lendSequence(contextSize: number): Promise<DraftLease> {
        if (this.disposed) throw new DraftModelError(`${this.info.modelName} was unloaded; it cannot be a draft model.`);
        const context = await createContext(this.llama, this.model, { ...this.info, contextSize }, this.maxThreads, 1);
        this.lent.add(context);
        const needs = this.model.fileInsights.estimateContextResourceRequirements({ contextSize, sequences: 1, modelGpuLayers: this.model.gpuLayers });
        return {
            sequence: context.getSequence(),
            threads: () => this.threads,
            cost: { contextSize: context.contextSize, ramBytes: needs.cpuRam, gpuBytes: needs.gpuVram },
            release: async () => {
                if (this.lent.delete(context)) await context.dispose();
            },
        };
    }

    /** Text of tokens; `context` (tokens before them) keeps a leading space SentencePiece drops at a text start. */
    detokenize(tokens: readonly Token[], context?: readonly Token[]): string {
        return this.model.detokenize(tokens as LlamaToken[], false, context as LlamaToken[] | undefined);
    }

    async dispose(): Promise<void> {
        if (this.disposed) return;
        this.disposed = true;
        await Promise.all([...this.meters].map((meter) => meter.dispose()));
        // Wait for running generations to notice and stop before freeing their memory.
        await Promise.all([...this.sequences.values()].map(({ lock }) => lock.run(async () => undefined)));
        await this.draft?.release();
        for (const context of this.lent) await context.dispose();
        this.lent.clear();
        for (const { speculation } of this.sequences.values()) speculation.dispose();
        await this.context.dispose();
        await this.model.dispose();
    }
}

/** The prompt's tokens a cache holding `cached` can keep; at least one is left to evaluate, for the next token's logits. */
export function reusableTokens(cached: readonly Token[], prompt: readonly Token[]): number {
    return Math.max(0, Math.min(commonPrefixLength(cached, prompt), prompt.length - 1));
}

export function commonPrefixLength(a: readonly Token[], b: readonly Token[]): number {
    const length = Math.min(a.length, b.length);
    let index = 0;
    while (index < length && a[index] === b[index]) index++;
    return index;
}

async function loadModel(llama: Llama, options: EngineOptions, sequences: number, gpuLayers: number | undefined): Promise<LlamaModel> {
    llamaLog.recentErrors = [];
    const layers = gpuLayers ?? options.gpuLayers;
    // As many layers as fit beside the context; an automatic context takes what is left after the layers (at least its smallest size).
    const fitContextSize = (options.contextSize > 0 ? options.contextSize : MIN_AUTO_CONTEXT_SIZE) * sequences;
    try {
        return await llama.loadModel({
            modelPath: options.modelPath,
            gpuLayers: llama.gpu === false ? 0 : layers >= 0 ? layers : { fitContext: { contextSize: fitContextSize } },
            onLoadProgress: options.onLoadProgress,
            loadSignal: options.signal,
        });
    } catch (error) {
        const message = [errorMessage(error), ...llamaLog.recentErrors.filter((line) => !line.includes("failed to load model"))].join(": ");
        const code = /bounds|corrupt|incomplete|truncat|unexpected end|failed to read/i.test(message) ? "corrupt-model" : "load-failed";
        throw new ModelError(code, `Could not load the model ${options.modelPath}: ${message}.`, { cause: error });
    }
}

/**
 * The context size for the loaded model (contextSize.ts): the setting, or automatic on the memory
 * free now (on the GPU after its layers; in RAM less the weights of this model and of those still to
 * be loaded beside it) and node-llama-cpp's estimate of what a context of a size needs.
 */
async function contextSizeFor(llama: Llama, model: LlamaModel, options: EngineOptions, sequences: number): Promise<ContextChoice> {
    if (options.contextSize > 0) return { contextSize: options.contextSize, source: "setting" };
    const insights = model.fileInsights;
    const [vram, ram] = await Promise.all([llama.getVramState(), llama.getRamState()]);
    const weights = insights.estimateModelResourceRequirements({ gpuLayers: model.gpuLayers });
    const free = { gpuVram: llama.gpu === false ? 0 : vram.free, cpuRam: ram.free - weights.cpuRam - (options.reservedRamBytes ?? 0) };
    const choice = chooseContextSize(0, insights.trainContextSize, free, (contextSize) =>
        insights.estimateContextResourceRequirements({ contextSize, sequences, modelGpuLayers: model.gpuLayers }),
    );
    options.logger.info(
        `Context size ${choice.contextSize} (${choice.source}; free for it: ${Math.round(free.gpuVram / 2 ** 20)} MiB GPU, ${Math.round(free.cpuRam / 2 ** 20)} MiB RAM)`,
    );
    return choice;
}

/** The context runs up to `maxThreads` threads; useThreads picks each decode's count below that. */
async function createContext(
    llama: Llama,
    model: LlamaModel,
    options: Pick<EngineOptions, "contextSize" | "modelPath">,
    maxThreads: number,
    sequences: number,
): Promise<LlamaContext> {
    // The backend's limit caps the context's threads as it is created (node-llama-cpp's CPU default is max(4, cores)).
    llama.maxThreads = maxThreads;
    try {
        return await model.createContext({
            contextSize: options.contextSize,
            sequences,
            threads: maxThreads,
            failedCreationRemedy: false,
        });
    } catch (error) {
        throw new ModelError(
            "context-failed",
            `Could not allocate a ${options.contextSize}-token context for ${path.basename(options.modelPath)}: ${errorMessage(error)}.`,
            { cause: error },
        );
    }
}

function createTokenizer(model: LlamaModel): LocalTokenizer {
    const { bos, eos, infill } = model.tokens;
    const tokenize = memoizeEncoder((text: string): Token[] => model.tokenize(text, false) as Token[]);
    const special: SpecialTokenIds = {};
    for (const [name, id] of [
        ["bos", bos],
        ["eos", eos],
        ["prefix", infill.prefix],
        ["suffix", infill.suffix],
        ["middle", infill.middle],
        ["step", stepToken(model)],
    ] as const)
        if (id !== null) special[name] = id;
    return { encode: tokenize, encodeInfilling: (text) => encodeInfilling(tokenize, text), special };
}

/** The id of `<step>` (Code Llama 70B's end of a turn), null when the vocabulary has none. */
function stepToken(model: LlamaModel): Token | null {
    const tokens = model.tokenize(STEP, true);
    return tokens.length === 1 && model.detokenize(tokens, true) === STEP ? (tokens[0] as Token) : null;
}
const STEP = "<step>";
