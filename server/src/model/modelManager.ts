import fs from "node:fs";
import path from "node:path";
import type { Backend, CodeLlamaConfig, DraftModelSetting } from "../../../shared/src/settings.js";
import { EmbeddedEngine } from "../engine/embeddedEngine.js";
import { ModelError, type ModelProblem } from "../engine/errors.js";
import type { EngineInfo, InferenceEngine } from "../engine/inference.js";
import { LlamaServerEngine } from "../engine/remote/llamaServer.js";
import { OpenAIEngine } from "../engine/remote/openai.js";
import { TypingFirstScheduler } from "../engine/scheduler.js";
import { ThreadCache } from "../engine/threadCache.js";
import { describeThreads, type ThreadsInUse } from "../engine/threads.js";
import { describePlan, type ThreadPlan, ThreadTuner } from "../engine/threadTuning.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { draftChoice } from "./draftModel.js";
import { resolveModelPath } from "./modelSource.js";
import { threadCacheFile } from "./paths.js";

/**
 * Where the model stands, as plain facts (lsp/status.ts turns it into `codellama/status`; the edges
 * word and log a problem for their reader). `completing`: a completion request is in flight (not a
 * chat answer, not a cache warm-up, not the next suggestion prepared in the background).
 */
export type ModelState = { completing: boolean } & (
    | { phase: "starting" }
    | { phase: "downloading"; uri: string; downloadedBytes: number; totalBytes: number }
    /** Loading the model `file` into this process; `fraction` once known. */
    | { phase: "loading"; file: string; fraction?: number }
    | { phase: "connecting"; url: string }
    /** `chat`: the separate chat model (`chat.model.path` / `.uri`), absent when the completion model chats too. */
    | ({ phase: "ready"; backend: Backend; info: EngineInfo; chat?: ChatModelState } & EngineFacts)
    /** What happened and what fixes it, with no words for a particular client. */
    | { phase: "failed"; problem: ModelProblem }
);

/** A separate chat model: loading after the completion model, ready, or failed (completions keep working). */
export type ChatModelState =
    | { phase: "loading"; file: string }
    /** `draft`: why the completion model, asked to be the draft (`chat.draftModel: on`), is not. */
    | ({ phase: "ready"; info: EngineInfo; draft?: string } & EngineFacts)
    | { phase: "failed"; problem: ModelProblem };

/** The embedded engine's threads and measured speeds (tokens per second, moving averages), once known. */
export interface EngineFacts {
    threads?: ThreadsInUse;
    promptTokensPerSecond?: number;
    generationTokensPerSecond?: number;
}

/** Why whenReady gave up: loading failed, or a download waits for the user's consent (the state says which). */
export class ModelNotReady extends Error {
    constructor(problem: ModelProblem) {
        super(problem.message);
        this.name = "ModelNotReady";
    }
}

/** The states a progress display shows. */
export type ProgressState = Extract<ModelState, { phase: "downloading" | "loading" }>;

/** A progress display the manager drives while it downloads or loads (LSP work-done progress, a terminal bar). */
export interface ProgressSink {
    /** `onCancel` is called when the user cancels from the progress display. */
    begin(state: ProgressState, onCancel: () => void): Promise<ProgressHandle>;
}
export interface ProgressHandle {
    report(state: ProgressState): void;
    done(): void;
}

export interface ModelManagerOptions {
    logger: Logger;
    /** Every state change. A problem is not logged here: the listener words it for its reader and logs it. */
    onState(state: ModelState): void;
    progress?: ProgressSink;
    /** Download a missing model without asking (the CLI: running it is the approval). */
    allowDownload?: boolean;
}

type EngineConfig = Pick<CodeLlamaConfig, "model" | "engine"> & { chat: Pick<CodeLlamaConfig["chat"], "model" | "draftModel"> };

/**
 * Keeps the engine in step with the configuration: resolves (downloads) and loads the model, reloads
 * it when the model or engine settings change, and reports each state change (ModelState). A failed load leaves
 * the server running in the "error" state until the configuration is fixed or a reload is asked for.
 *
 * A separate chat model (`chat.model.path` / `.uri`, built-in engine only) loads after the completion
 * model, into the same llama.cpp backend: the completion model takes the GPU memory it needs first,
 * the chat model what is left. The two share one scheduler, so typing comes first across both; each
 * has its own threads (calibrated per model file). The same file named for both roles loads once. A
 * chat model that fails to load leaves completions working; chat says why.
 */
export class ModelManager {
    private current: InferenceEngine | undefined;
    /** The state of the engine in use, to return to after a passing fault (a server that came back). */
    private readyState: ModelState | undefined;
    private config: EngineConfig | undefined;
    private loadController: AbortController | undefined;
    /** Stops the running download or load as the user asked (see cancel()). */
    private cancelLoad: (() => void) | undefined;
    private loading: Promise<void> = Promise.resolve();
    private lastState: ModelState = { phase: "starting", completing: false };
    private completions = 0;
    private readonly threadTuner: ThreadTuner;
    /** The embedded engine's thread plan, and the threads in use; undefined for other backends. */
    private threadPlan: ThreadPlan | undefined;
    private chatPlan: ThreadPlan | undefined;
    private threads: ThreadsInUse | undefined;
    /** The running thread calibration, if any; resolves when it is done or stopped. */
    private calibration: Promise<void> = Promise.resolve();
    private readonly stateListeners = new Set<() => void>();
    /** The separate chat model: its state (undefined: the completion model chats), engine and threads. */
    private chatState: ChatModelState | undefined;
    private chatEngine: EmbeddedEngine | undefined;
    private chatThreads: ThreadsInUse | undefined;

    constructor(private readonly options: ModelManagerOptions) {
        this.threadTuner = new ThreadTuner({ logger: options.logger, cache: new ThreadCache(threadCacheFile()) });
    }

    /** The loaded engine, or undefined while none is ready. */
    get engine(): InferenceEngine | undefined {
        return this.current;
    }

    /** The engine that chats: the separate chat model once ready, else the completion model when it chats too. */
    get chat(): InferenceEngine | undefined {
        return this.chatState ? this.chatEngine : this.current;
    }

    get state(): ModelState {
        return this.lastState;
    }

    /** Applies a configuration; reloads only when the model or engine settings changed (or none is loaded). */
    configure(config: EngineConfig): Promise<void> {
        const next: EngineConfig = {
            model: { ...config.model },
            engine: { ...config.engine },
            chat: { model: { ...config.chat.model }, draftModel: config.chat.draftModel },
        };
        if (this.config && JSON.stringify(this.config) === JSON.stringify(next) && this.lastState.phase !== "failed") return this.loading;
        this.config = next;
        return this.reload();
    }

    /** Loads the configured model again, replacing whatever is loaded or loading. */
    reload(options: { allowDownload?: boolean } = {}): Promise<void> {
        const config = this.config;
        if (!config) return Promise.resolve();
        this.loadController?.abort();
        const controller = new AbortController();
        this.loadController = controller;
        const previous = this.loading;
        const allowDownload = options.allowDownload === true || config.model.autoDownload || this.options.allowDownload === true;
        this.loading = previous.then(() => this.load(config, allowDownload, controller.signal));
        return this.loading;
    }

    /** The user cancelled the download or load in progress (a progress display's Cancel); nothing when none runs. */
    cancel(): void {
        this.cancelLoad?.();
    }

    /** Marks a completion request as in flight, for the `completing` flag of the state. Returns the function that ends it. */
    beginCompletion(): () => void {
        this.completions++;
        if (this.completions === 1) this.setState({ ...this.lastState, completing: true });
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            this.completions--;
            if (this.completions === 0) this.setState({ ...this.lastState, completing: false });
        };
    }

    /**
     * The engine once the model is ready: at once when it is, after the load or download under way
     * otherwise; undefined when `signal` is aborted first. Rejects with ModelNotReady when loading
     * failed or a download waits for the user's consent.
     */
    whenReady(signal?: AbortSignal): Promise<InferenceEngine | undefined> {
        return this.when(() => this.current, signal);
    }

    /**
     * The engine that chats once it is ready (the separate chat model, or the completion model when
     * it chats too); like whenReady, and rejects with ModelNotReady when the chat model failed.
     */
    whenChatReady(signal?: AbortSignal): Promise<InferenceEngine | undefined> {
        return this.when(() => {
            if (this.chatState?.phase === "failed") throw new ModelNotReady(this.chatState.problem);
            return this.chat;
        }, signal);
    }

    private async when(found: () => InferenceEngine | undefined, signal?: AbortSignal): Promise<InferenceEngine | undefined> {
        for (;;) {
            const engine = found();
            if (engine) return engine;
            if (this.lastState.phase === "failed") throw new ModelNotReady(this.lastState.problem);
            if (signal?.aborted) return undefined;
            await new Promise<void>((resolve) => {
                const changed = (): void => {
                    this.stateListeners.delete(changed);
                    signal?.removeEventListener("abort", changed);
                    resolve();
                };
                this.stateListeners.add(changed);
                signal?.addEventListener("abort", changed, { once: true });
            });
        }
    }

    /** Resolves when the thread calibration of the loaded model (if any) is done. */
    whenCalibrated(): Promise<void> {
        return this.calibration;
    }

    async dispose(): Promise<void> {
        this.loadController?.abort();
        await this.loading;
        await this.unload();
    }

    private async load(config: EngineConfig, allowDownload: boolean, signal: AbortSignal): Promise<void> {
        if (signal.aborted) return;
        // Free the old model first: two copies of a 7B model may not fit in memory together.
        await this.unload();
        this.readyState = undefined;
        const { logger } = this.options;
        let progress: ProgressHandle | undefined;
        let cancelledByUser = false;
        const cancel = (): void => {
            cancelledByUser = true;
            this.loadController?.abort();
        };
        this.cancelLoad = cancel;
        try {
            const scheduler = new TypingFirstScheduler();
            let chatPath: string | undefined;
            const engine =
                config.engine.backend === "embedded"
                    ? await this.loadEmbedded(
                          config,
                          allowDownload,
                          signal,
                          cancel,
                          (handle) => (progress = handle),
                          scheduler,
                          (path) => (chatPath = path),
                      )
                    : await this.connect(config);
            if (signal.aborted) {
                await engine.dispose();
                if (cancelledByUser) throw new ModelError("cancelled", "cancelled");
                return;
            }
            this.current = engine;
            const { info } = engine;
            logger.info(
                `Model ready: ${info.modelName} on ${info.device} (${info.gpuLayers}/${info.totalLayers} layers on GPU, context ${info.contextSize}, ${info.loadMs} ms${this.threads ? `, ${describeThreads(this.threads)}` : ""})`,
            );
            if (info.fallback) logger.warn(info.fallback);
            this.readyState = { phase: "ready", backend: config.engine.backend, info, completing: false };
            this.setState(this.readyState);
            if (chatPath) await this.loadChat(config, chatPath, scheduler, signal);
            if (engine instanceof EmbeddedEngine) this.calibrateInBackground(engine, signal);
        } catch (error) {
            if (!cancelledByUser && signal.aborted) return;
            const problem = cancelledByUser
                ? new ModelError("cancelled", "Model download or load cancelled.").problem
                : error instanceof ModelError
                  ? error.problem
                  : new ModelError("load-failed", `Could not start the model: ${errorMessage(error)}.`).problem;
            this.setState({ phase: "failed", problem, completing: false });
        } finally {
            if (this.cancelLoad === cancel) this.cancelLoad = undefined;
            progress?.done();
        }
    }

    /**
     * Resolves (downloads) and loads the completion model in this process; `setChatPath` gets the
     * separate chat model's file when one is configured, resolves and is not the same file (a chat
     * model that does not resolve is failed in the state, and the completion model does not chat).
     */
    private async loadEmbedded(
        config: EngineConfig,
        allowDownload: boolean,
        signal: AbortSignal,
        cancel: () => void,
        setProgress: (handle: ProgressHandle | undefined) => void,
        scheduler: TypingFirstScheduler,
        setChatPath: (path: string) => void,
    ): Promise<EmbeddedEngine> {
        const { logger } = this.options;
        let progress: ProgressHandle | undefined;
        const track = (handle: ProgressHandle | undefined): void => {
            progress = handle;
            setProgress(handle);
        };
        const modelPath = await resolveModelPath(config.model, {
            allowDownload,
            signal,
            onDownloadStart: async (uri) => {
                logger.info(`Downloading ${uri}`);
                const state: ProgressState = { phase: "downloading", uri, downloadedBytes: 0, totalBytes: 0, completing: false };
                this.setState(state);
                track(await this.options.progress?.begin(state, cancel));
            },
            onDownloadProgress: ({ downloadedBytes, totalBytes }) => {
                const state: ProgressState = { phase: "downloading", uri: config.model.uri, downloadedBytes, totalBytes, completing: false };
                this.setState(state);
                progress?.report(state);
            },
        });
        progress?.done();
        const chatPath = await this.resolveChatModel(config, modelPath, allowDownload, signal);
        if (chatPath) setChatPath(chatPath);
        const threads = this.threadTuner.plan(config.engine.threads, modelPath, `${config.engine.gpu}/${config.engine.gpuLayers}`);
        this.threadPlan = threads;
        this.threads = threads.inUse;
        logger.info(`Loading ${modelPath} (gpu: ${config.engine.gpu}, context: ${config.engine.contextSize || "automatic"}, ${describePlan(threads)})`);
        const file = path.basename(modelPath);
        const loading: ProgressState = { phase: "loading", file, completing: false };
        this.setState(loading);
        track(await this.options.progress?.begin(loading, cancel));
        const engine = await EmbeddedEngine.load({
            modelPath,
            ...config.engine,
            threads: threads.threads,
            maxThreads: threads.maxThreads,
            // With a separate chat model, this one holds no chat cache, and its automatic context leaves RAM for the other's weights.
            ...(chatPath ? { sequences: ["completion"] as const, reservedRamBytes: fileBytes(chatPath) } : {}),
            scheduler,
            logger,
            signal,
            onLoadProgress: (fraction) => {
                const state: ProgressState = { phase: "loading", file, fraction, completing: false };
                this.setState(state);
                progress?.report(state);
            },
        });
        this.threadTuner.applyCached(engine, threads);
        return engine;
    }

    /**
     * The separate chat model's file: undefined when none is configured, it is the completion model's
     * file (loaded once), or it cannot be had (then the chat state says why).
     */
    private async resolveChatModel(config: EngineConfig, completionPath: string, allowDownload: boolean, signal: AbortSignal): Promise<string | undefined> {
        const { path: chatModelPath, uri } = config.chat.model;
        if (!chatModelPath && !uri) return undefined;
        try {
            const chatPath = await resolveModelPath({ ...config.model, path: chatModelPath, uri }, { allowDownload, signal });
            if (path.resolve(chatPath) === path.resolve(completionPath)) {
                this.options.logger.info("The chat model is the completion model: loaded once, for both.");
                return undefined;
            }
            this.chatState = { phase: "loading", file: path.basename(chatPath) };
            return chatPath;
        } catch (error) {
            this.chatState = {
                phase: "failed",
                problem: chatProblem(
                    error instanceof ModelError
                        ? error.problem
                        : new ModelError("load-failed", `Could not get the chat model: ${errorMessage(error)}.`).problem,
                ),
            };
            return undefined;
        }
    }

    /** Loads the separate chat model beside the completion model (same backend and scheduler, its own threads). */
    private async loadChat(config: EngineConfig, chatPath: string, scheduler: TypingFirstScheduler, signal: AbortSignal): Promise<void> {
        const { logger } = this.options;
        const plan = this.threadTuner.plan(config.engine.threads, chatPath, `${config.engine.gpu}/${config.engine.gpuLayers}`);
        logger.info(`Loading the chat model ${chatPath} (${describePlan(plan)})`);
        try {
            const engine = await EmbeddedEngine.load({
                modelPath: chatPath,
                ...config.engine,
                threads: plan.threads,
                maxThreads: plan.maxThreads,
                sequences: ["chat"],
                scheduler,
                logger,
                signal,
            });
            if (signal.aborted) {
                await engine.dispose();
                return;
            }
            this.threadTuner.applyCached(engine, plan);
            this.chatEngine = engine;
            this.chatThreads = plan.inUse;
            this.chatPlan = plan;
            const { info } = engine;
            logger.info(
                `Chat model ready: ${info.modelName} on ${info.device} (${info.gpuLayers}/${info.totalLayers} layers on GPU, context ${info.contextSize}, ${info.loadMs} ms, ${describeThreads(plan.inUse)})`,
            );
            if (info.fallback) logger.warn(info.fallback);
            const draft = await this.useCompletionModelAsDraft(config.chat.draftModel, engine);
            this.chatState = { phase: "ready", info, ...(draft ? { draft } : {}) };
        } catch (error) {
            if (signal.aborted) return;
            this.chatState = {
                phase: "failed",
                problem: chatProblem(
                    error instanceof ModelError
                        ? error.problem
                        : new ModelError("load-failed", `Could not load the chat model: ${errorMessage(error)}.`).problem,
                ),
            };
        }
        if (this.readyState) this.setState({ ...this.readyState, completing: this.lastState.completing });
    }

    /**
     * Makes the completion model the chat model's draft when `chat.draftModel` says so (draftModel.ts),
     * in a context of its own of at most DRAFT_CONTEXT_TOKENS, its cost logged. Returns what the
     * status's chat line says of it: the refusal when the user asked for a draft (`on`), else nothing.
     */
    private async useCompletionModelAsDraft(setting: DraftModelSetting, chat: EmbeddedEngine): Promise<string | undefined> {
        const { logger } = this.options;
        const completion = this.current;
        if (!(completion instanceof EmbeddedEngine)) return undefined;
        const choice = draftChoice(setting, {
            vocabularyProblem: chat.draftProblem(completion),
            completionParameters: completion.parameters,
            chatParameters: chat.parameters,
        });
        if (!choice.draft) {
            if (choice.warn) logger.warn(`No draft model for chat: ${choice.why}`);
            else logger.info(`No draft model for chat: ${choice.why}.`);
            return choice.warn ? `no draft model: ${choice.why}` : undefined;
        }
        try {
            const cost = await chat.useDraft(completion, DRAFT_CONTEXT_TOKENS);
            if (cost)
                logger.info(
                    `Draft model for chat: ${completion.info.modelName} guesses ahead for ${chat.info.modelName} (its own ${cost.contextSize}-token context: ${mebibytes(cost.ramBytes)} MiB RAM${cost.gpuBytes > 0 ? `, ${mebibytes(cost.gpuBytes)} MiB GPU` : ""}; longer chats are answered without it)`,
                );
            return undefined;
        } catch (error) {
            logger.warn(`No draft model for chat: ${errorMessage(error)}`);
            return `no draft model: ${errorMessage(error)}`;
        }
    }

    /**
     * Measures the fastest thread counts of each model whose plan asks for it (the completion model
     * first, then the chat model), while the engines serve requests; the state follows when done.
     */
    private calibrateInBackground(engine: EmbeddedEngine, signal: AbortSignal): void {
        const chatEngine = this.chatEngine;
        const chatPlan = this.chatPlan;
        this.calibration = (async () => {
            if (this.threadPlan && this.threads?.source === "calibrating") {
                const threads = await this.threadTuner.calibrate(engine, this.threadPlan, signal);
                if (this.current !== engine) return;
                this.threads = threads;
                if (this.lastState.phase === "ready") this.setState(this.lastState);
            }
            if (chatEngine && chatPlan && this.chatThreads?.source === "calibrating") {
                const threads = await this.threadTuner.calibrate(chatEngine, chatPlan, signal);
                if (this.chatEngine !== chatEngine) return;
                this.chatThreads = threads;
                if (this.lastState.phase === "ready") this.setState(this.lastState);
            }
        })();
    }

    /** Connects to an inference server instead of loading a model here. */
    private connect(config: EngineConfig): Promise<InferenceEngine> {
        const { backend, serverUrl, serverSlot, serverModel, contextSize } = config.engine;
        this.options.logger.info(`Connecting to the ${backend} server at ${serverUrl}`);
        this.setState({ phase: "connecting", url: serverUrl, completing: false });
        const common = {
            url: serverUrl,
            apiKey: process.env.CODELLAMA_API_KEY,
            logger: this.options.logger,
            onHealth: (healthy: boolean, problem?: ModelProblem) => {
                if (healthy && this.readyState && this.lastState.phase === "failed") this.setState(this.readyState);
                else if (!healthy && problem) this.setState({ phase: "failed", problem, completing: false });
            },
        };
        return backend === "openai"
            ? OpenAIEngine.connect({ ...common, model: serverModel, contextSize })
            : LlamaServerEngine.connect({ ...common, slot: serverSlot });
    }

    private async unload(): Promise<void> {
        const engine = this.current;
        const chatEngine = this.chatEngine;
        this.current = undefined;
        this.threadPlan = undefined;
        this.threads = undefined;
        this.chatEngine = undefined;
        this.chatState = undefined;
        this.chatPlan = undefined;
        this.chatThreads = undefined;
        // The calibration stops at its next unit of work once the load's signal is aborted.
        await this.calibration;
        await chatEngine?.dispose();
        await engine?.dispose();
    }

    /** Reports `state`, with the engine's threads and measured speeds while it is ready. */
    private setState(state: ModelState): void {
        if (state.phase === "ready") {
            const { threads: _threads, promptTokensPerSecond: _prompt, generationTokensPerSecond: _generation, chat: _chat, ...rest } = state;
            const chat: ChatModelState | undefined =
                this.chatState?.phase === "ready" ? { ...this.chatState, ...engineFacts(this.chatEngine, this.chatThreads) } : this.chatState;
            state = { ...rest, ...engineFacts(this.current, this.threads), ...(chat ? { chat } : {}) };
        }
        this.lastState = state;
        this.options.onState(state);
        for (const listener of [...this.stateListeners]) listener();
    }
}

/** An engine's threads in use (with its measured per-phase counts) and measured speeds, as far as known. */
function engineFacts(engine: InferenceEngine | undefined, threads: ThreadsInUse | undefined): EngineFacts {
    const speed = engine?.speed?.();
    return {
        ...(threads ? { threads: { ...threads, ...speed?.threads } } : {}),
        ...(speed?.promptTokensPerSecond !== undefined ? { promptTokensPerSecond: speed.promptTokensPerSecond } : {}),
        ...(speed?.generationTokensPerSecond !== undefined ? { generationTokensPerSecond: speed.generationTokensPerSecond } : {}),
    };
}

/**
 * The most tokens of the draft's context: a chat prompt and answer longer than it get no guesses.
 * Its KV cache is the draft's cost (a 7B in f16: 0.5 MiB a token, 2 GiB at 4,096), so it does not
 * grow with the chat model's context (16,384 for Code Llama's training length would be 8 GiB).
 */
const DRAFT_CONTEXT_TOKENS = 4096;

const mebibytes = (bytes: number): number => Math.round(bytes / 2 ** 20);

/** A chat model's problem: where the remedy is another model file, it is another chat model file (or none). */
function chatProblem(problem: ModelProblem): ModelProblem {
    return problem.fix === "choose-model" || problem.fix === "model-uri" ? { ...problem, fix: "choose-chat-model" } : problem;
}

/** A file's size in bytes; 0 when it cannot be read (the load says why). */
function fileBytes(file: string): number {
    try {
        return fs.statSync(file).size;
    } catch {
        return 0;
    }
}
