import path from "node:path";
import type { CodeLlamaConfig } from "../config/schema.js";
import { errorMessage, type Logger } from "../log/logger.js";
import type { ServerStatus } from "../protocol.js";
import { Engine } from "./engine.js";
import type { InferenceEngine } from "./inference.js";
import { LlamaServerEngine } from "./llamaServer.js";
import { OpenAIEngine } from "./openai.js";
import { ModelError, type ModelProblem } from "./errors.js";
import { formatBytes } from "./byteSize.js";
import { modelFileName, resolveModelPath } from "./modelSource.js";

/** A progress display the manager drives (LSP work-done progress, a terminal bar). */
export interface ProgressSink {
    /** `onCancel` is called when the user cancels from the progress display. */
    begin(title: string, onCancel: () => void): Promise<ProgressHandle>;
}
export interface ProgressHandle {
    report(fraction: number, message: string): void;
    done(): void;
}

export interface ModelManagerOptions {
    logger: Logger;
    onStatus(status: ServerStatus): void;
    progress?: ProgressSink;
    /** Download a missing model without asking (the CLI: running it is the approval). */
    allowDownload?: boolean;
    /**
     * The words for a problem, with its remedy, for whoever reads the status and the log (VS Code,
     * another editor, a terminal: see server/src/audience/). Default: what happened, no remedy.
     */
    describe?(problem: ModelProblem): string;
}

type EngineConfig = Pick<CodeLlamaConfig, "model" | "engine">;

/**
 * Keeps the engine in step with the configuration: resolves (downloads) and loads the model, reloads
 * it when the model or engine settings change, and reports each state change. A failed load leaves
 * the server running in the "error" state until the configuration is fixed or a reload is asked for.
 */
export class ModelManager {
    private current: InferenceEngine | undefined;
    /** The status of the engine in use, to return to after a passing fault (a server that came back). */
    private readyStatus: ServerStatus | undefined;
    private config: EngineConfig | undefined;
    private loadController: AbortController | undefined;
    /** Stops the running download or load as the user asked (see cancel()). */
    private cancelLoad: (() => void) | undefined;
    private loading: Promise<void> = Promise.resolve();
    private lastStatus: ServerStatus = { state: "starting", health: "ok", message: "Starting", busy: false };
    private activeGenerations = 0;

    constructor(private readonly options: ModelManagerOptions) {}

    /** The loaded engine, or undefined while none is ready. */
    get engine(): InferenceEngine | undefined {
        return this.current;
    }

    get status(): ServerStatus {
        return this.lastStatus;
    }

    /** Applies a configuration; reloads only when the model or engine settings changed (or none is loaded). */
    configure(config: EngineConfig): Promise<void> {
        const next: EngineConfig = { model: { ...config.model }, engine: { ...config.engine } };
        if (this.config && JSON.stringify(this.config) === JSON.stringify(next) && this.lastStatus.state !== "error") return this.loading;
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
        if (this.activeGenerations === 1) this.setStatus({ ...this.lastStatus, busy: true });
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            this.activeGenerations--;
            if (this.activeGenerations === 0) this.setStatus({ ...this.lastStatus, busy: false });
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
        this.readyStatus = undefined;
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
            const where = config.engine.backend !== "embedded" ? info.device : info.device === "cpu" || info.gpuLayers === 0 ? "CPU" : `${info.device.toUpperCase()}, ${info.gpuLayers}/${info.totalLayers} layers`;
            this.readyStatus = {
                state: "ready",
                health: info.fallback ? "warning" : "ok",
                message: `${info.modelName} (${where})${info.fallback ? `: ${info.fallback}` : ""}`,
                model: info.modelName,
                device: info.device,
                gpuLayers: info.gpuLayers,
                busy: false,
            };
            this.setStatus(this.readyStatus);
        } catch (error) {
            if (!cancelledByUser && signal.aborted) return;
            const problem = cancelledByUser
                ? new ModelError("cancelled", "Model download or load cancelled.").problem
                : error instanceof ModelError ? error.problem : new ModelError("load-failed", `Could not start the model: ${errorMessage(error)}.`).problem;
            // A model waiting for the user's approval, or stopped by the user, is not a failure.
            const failed = problem.code !== "model-not-downloaded" && problem.code !== "cancelled";
            this.setProblem(problem, failed ? "error" : "warning");
        } finally {
            if (this.cancelLoad === cancel) this.cancelLoad = undefined;
            progress?.done();
        }
    }

    /** Resolves (downloads) and loads the model in this process. */
    private async loadEmbedded(config: EngineConfig, allowDownload: boolean, signal: AbortSignal, cancel: () => void, setProgress: (handle: ProgressHandle | undefined) => void): Promise<Engine> {
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
                this.setStatus({ state: "downloading", health: "ok", message: `Downloading ${modelFileName(uri)}`, progress: 0, busy: false });
                track(await this.options.progress?.begin("Code Llama: downloading the model", cancel));
            },
            onDownloadProgress: ({ downloadedBytes, totalBytes }) => {
                const fraction = totalBytes > 0 ? downloadedBytes / totalBytes : 0;
                const amount = `${formatBytes(downloadedBytes)} of ${formatBytes(totalBytes)}`;
                this.setStatus({ state: "downloading", health: "ok", message: `Downloading ${modelFileName(config.model.uri)}: ${amount}`, progress: fraction, busy: false });
                progress?.report(fraction, amount);
            },
        });
        progress?.done();
        logger.info(`Loading ${modelPath} (gpu: ${config.engine.gpu}, context: ${config.engine.contextSize})`);
        const loading = `Loading ${path.basename(modelPath)}`;
        this.setStatus({ state: "loading", health: "ok", message: loading, progress: 0, busy: false });
        track(await this.options.progress?.begin("Code Llama: loading the model", cancel));
        return Engine.load({
            modelPath,
            ...config.engine,
            logger,
            signal,
            onLoadProgress: (fraction) => {
                this.setStatus({ state: "loading", health: "ok", message: loading, progress: fraction, busy: false });
                progress?.report(fraction, path.basename(modelPath));
            },
        });
    }

    /** Connects to an inference server instead of loading a model here. */
    private connect(config: EngineConfig): Promise<InferenceEngine> {
        const { backend, serverUrl, serverSlot, serverModel, contextSize } = config.engine;
        this.options.logger.info(`Connecting to the ${backend} server at ${serverUrl}`);
        this.setStatus({ state: "loading", health: "ok", message: `Connecting to ${serverUrl}`, busy: false });
        const common = {
            url: serverUrl,
            apiKey: process.env.CODELLAMA_API_KEY,
            logger: this.options.logger,
            onHealth: (healthy: boolean, problem?: ModelProblem) => {
                if (healthy && this.readyStatus && this.lastStatus.state === "error") this.setStatus(this.readyStatus);
                else if (!healthy && problem) this.setProblem(problem, "error");
            },
        };
        return backend === "openai" ? OpenAIEngine.connect({ ...common, model: serverModel, contextSize }) : LlamaServerEngine.connect({ ...common, slot: serverSlot });
    }

    private async unload(): Promise<void> {
        const engine = this.current;
        this.current = undefined;
        await engine?.dispose();
    }

    /** Logs `problem` and makes it the status, in the words the options' describe() chooses. */
    private setProblem(problem: ModelProblem, health: "warning" | "error"): void {
        const message = this.options.describe?.(problem) ?? problem.message;
        if (health === "error") this.options.logger.error(message);
        else this.options.logger.warn(message);
        const { code, fix, downloadBytes } = problem;
        this.setStatus({ state: "error", health, message, error: code, fix, ...(downloadBytes !== undefined ? { downloadBytes } : {}), busy: false });
    }

    private setStatus(status: ServerStatus): void {
        this.lastStatus = status;
        this.options.onStatus(status);
    }
}
