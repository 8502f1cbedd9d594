import path from "node:path";
import type { Backend, CodeLlamaConfig } from "../../../shared/src/settings.js";
import { EmbeddedEngine } from "../engine/embeddedEngine.js";
import { ModelError, type ModelProblem } from "../engine/errors.js";
import type { EngineInfo, InferenceEngine } from "../engine/inference.js";
import { LlamaServerEngine } from "../engine/remote/llamaServer.js";
import { OpenAIEngine } from "../engine/remote/openai.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { resolveModelPath } from "./modelSource.js";

/**
 * Where the model stands, as plain facts (lsp/status.ts turns it into `codellama/status`; the edges
 * word and log a problem for their reader). `busy`: a generation is running.
 */
export type ModelState = { busy: boolean } & (
    | { phase: "starting" }
    | { phase: "downloading"; uri: string; downloadedBytes: number; totalBytes: number }
    /** Loading the model `file` into this process; `fraction` once known. */
    | { phase: "loading"; file: string; fraction?: number }
    | { phase: "connecting"; url: string }
    | { phase: "ready"; backend: Backend; info: EngineInfo }
    /** What happened and what fixes it, with no words for a particular client. */
    | { phase: "failed"; problem: ModelProblem }
);

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

type EngineConfig = Pick<CodeLlamaConfig, "model" | "engine">;

/**
 * Keeps the engine in step with the configuration: resolves (downloads) and loads the model, reloads
 * it when the model or engine settings change, and reports each state change (ModelState). A failed load leaves
 * the server running in the "error" state until the configuration is fixed or a reload is asked for.
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
    private lastState: ModelState = { phase: "starting", busy: false };
    private activeGenerations = 0;

    constructor(private readonly options: ModelManagerOptions) {}

    /** The loaded engine, or undefined while none is ready. */
    get engine(): InferenceEngine | undefined {
        return this.current;
    }

    get state(): ModelState {
        return this.lastState;
    }

    /** Applies a configuration; reloads only when the model or engine settings changed (or none is loaded). */
    configure(config: EngineConfig): Promise<void> {
        const next: EngineConfig = { model: { ...config.model }, engine: { ...config.engine } };
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

    /** Marks a generation as running, for the busy flag of the status. Returns the function that ends it. */
    beginGeneration(): () => void {
        this.activeGenerations++;
        if (this.activeGenerations === 1) this.setState({ ...this.lastState, busy: true });
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            this.activeGenerations--;
            if (this.activeGenerations === 0) this.setState({ ...this.lastState, busy: false });
        };
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
            const engine = config.engine.backend === "embedded" ? await this.loadEmbedded(config, allowDownload, signal, cancel, (handle) => (progress = handle)) : await this.connect(config);
            if (signal.aborted) {
                await engine.dispose();
                if (cancelledByUser) throw new ModelError("cancelled", "cancelled");
                return;
            }
            this.current = engine;
            const { info } = engine;
            logger.info(`Model ready: ${info.modelName} on ${info.device} (${info.gpuLayers}/${info.totalLayers} layers on GPU, context ${info.contextSize}, ${info.loadMs} ms)`);
            if (info.fallback) logger.warn(info.fallback);
            this.readyState = { phase: "ready", backend: config.engine.backend, info, busy: false };
            this.setState(this.readyState);
        } catch (error) {
            if (!cancelledByUser && signal.aborted) return;
            const problem = cancelledByUser
                ? new ModelError("cancelled", "Model download or load cancelled.").problem
                : error instanceof ModelError ? error.problem : new ModelError("load-failed", `Could not start the model: ${errorMessage(error)}.`).problem;
            this.setState({ phase: "failed", problem, busy: false });
        } finally {
            if (this.cancelLoad === cancel) this.cancelLoad = undefined;
            progress?.done();
        }
    }

    /** Resolves (downloads) and loads the model in this process. */
    private async loadEmbedded(config: EngineConfig, allowDownload: boolean, signal: AbortSignal, cancel: () => void, setProgress: (handle: ProgressHandle | undefined) => void): Promise<EmbeddedEngine> {
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
                const state: ProgressState = { phase: "downloading", uri, downloadedBytes: 0, totalBytes: 0, busy: false };
                this.setState(state);
                track(await this.options.progress?.begin(state, cancel));
            },
            onDownloadProgress: ({ downloadedBytes, totalBytes }) => {
                const state: ProgressState = { phase: "downloading", uri: config.model.uri, downloadedBytes, totalBytes, busy: false };
                this.setState(state);
                progress?.report(state);
            },
        });
        progress?.done();
        logger.info(`Loading ${modelPath} (gpu: ${config.engine.gpu}, context: ${config.engine.contextSize})`);
        const file = path.basename(modelPath);
        const loading: ProgressState = { phase: "loading", file, busy: false };
        this.setState(loading);
        track(await this.options.progress?.begin(loading, cancel));
        return EmbeddedEngine.load({
            modelPath,
            ...config.engine,
            logger,
            signal,
            onLoadProgress: (fraction) => {
                const state: ProgressState = { phase: "loading", file, fraction, busy: false };
                this.setState(state);
                progress?.report(state);
            },
        });
    }

    /** Connects to an inference server instead of loading a model here. */
    private connect(config: EngineConfig): Promise<InferenceEngine> {
        const { backend, serverUrl, serverSlot, serverModel, contextSize } = config.engine;
        this.options.logger.info(`Connecting to the ${backend} server at ${serverUrl}`);
        this.setState({ phase: "connecting", url: serverUrl, busy: false });
        const common = {
            url: serverUrl,
            apiKey: process.env.CODELLAMA_API_KEY,
            logger: this.options.logger,
            onHealth: (healthy: boolean, problem?: ModelProblem) => {
                if (healthy && this.readyState && this.lastState.phase === "failed") this.setState(this.readyState);
                else if (!healthy && problem) this.setState({ phase: "failed", problem, busy: false });
            },
        };
        return backend === "openai" ? OpenAIEngine.connect({ ...common, model: serverModel, contextSize }) : LlamaServerEngine.connect({ ...common, slot: serverSlot });
    }

    private async unload(): Promise<void> {
        const engine = this.current;
        this.current = undefined;
        await engine?.dispose();
    }

    private setState(state: ModelState): void {
        this.lastState = state;
        this.options.onState(state);
    }
}
