import type { CodeLlamaConfig } from "../config/schema.js";
import { errorMessage, type Logger } from "../log/logger.js";
import type { ServerStatus, ThreadsStatus } from "../protocol.js";
import { Engine } from "./engine.js";
import type { InferenceEngine } from "./inference.js";
import { LlamaServerEngine } from "./llamaServer.js";
import { OpenAIEngine } from "./openai.js";
import { ModelError } from "./errors.js";
import { resolveModelPath } from "./modelSource.js";
import { type ThreadPlan, ThreadTuner } from "./threadTuning.js";
import { describeThreads } from "./threads.js";

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
    /** Chooses and calibrates the embedded engine's threads (default: the machine's, with the per-user cache). */
    threadTuner?: ThreadTuner;
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
    private loading: Promise<void> = Promise.resolve();
    private lastStatus: ServerStatus = { state: "starting", health: "ok", message: "Starting", completing: false };
    private completions = 0;
    private readonly threadTuner: ThreadTuner;
    /** The embedded engine's thread plan, and its threads as the status shows them; undefined for other backends. */
    private threadPlan: ThreadPlan | undefined;
    private threads: ThreadsStatus | undefined;
    /** The running thread calibration, if any; resolves when it is done or stopped. */
    private calibration: Promise<void> = Promise.resolve();
    private readonly statusListeners = new Set<() => void>();

    constructor(private readonly options: ModelManagerOptions) {
        this.threadTuner = options.threadTuner ?? new ThreadTuner({ logger: options.logger });
    }

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

    /** Marks a completion request as in flight, for the `completing` flag of the status. Returns the function that ends it. */
    beginCompletion(): () => void {
        this.completions++;
        if (this.completions === 1) this.setStatus({ ...this.lastStatus, completing: true });
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            this.completions--;
            if (this.completions === 0) this.setStatus({ ...this.lastStatus, completing: false });
        };
    }

    /**
     * The engine once the model is ready: at once when it is, after the load or download under way
     * otherwise. Rejects with the reason when loading failed or a download waits for the user's
     * consent, and when `signal` is aborted first.
     */
    async whenReady(signal?: AbortSignal): Promise<InferenceEngine> {
        for (;;) {
            if (this.current) return this.current;
            if (this.lastStatus.state === "error") throw new ModelError(this.lastStatus.error ?? "load-failed", this.lastStatus.message);
            if (signal?.aborted) throw new ModelError("cancelled", "Cancelled while waiting for the model to load.");
            await new Promise<void>((resolve) => {
                const changed = (): void => {
                    this.statusListeners.delete(changed);
                    signal?.removeEventListener("abort", changed);
                    resolve();
                };
                this.statusListeners.add(changed);
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
        this.readyStatus = undefined;
        const { logger } = this.options;
        let progress: ProgressHandle | undefined;
        let cancelledByUser = false;
        const cancel = (): void => {
            cancelledByUser = true;
            this.loadController?.abort();
        };
        try {
            const engine = config.engine.backend === "embedded" ? await this.loadEmbedded(config, allowDownload, signal, cancel, (handle) => (progress = handle)) : await this.connect(config);
            if (signal.aborted) {
                await engine.dispose();
                if (cancelledByUser) throw new ModelError("cancelled", "cancelled");
                return;
            }
            this.current = engine;
            const { info } = engine;
            logger.info(`Model ready: ${info.modelName} on ${info.device} (${info.gpuLayers}/${info.totalLayers} layers on GPU, context ${info.contextSize}, ${info.loadMs} ms${this.threads ? `, ${describeThreads(this.threads)}` : ""})`);
            if (info.fallback) logger.warn(info.fallback);
            const where = config.engine.backend !== "embedded" ? info.device : info.device === "cpu" || info.gpuLayers === 0 ? "CPU" : `${info.device.toUpperCase()}, ${info.gpuLayers}/${info.totalLayers} layers`;
            this.readyStatus = {
                state: "ready",
                health: info.fallback ? "warning" : "ok",
                message: `${info.modelName} (${where})${info.fallback ? `: ${info.fallback}` : ""}`,
                model: info.modelName,
                device: info.device,
                gpuLayers: info.gpuLayers,
                completing: false,
            };
            this.setStatus(this.readyStatus);
            if (engine instanceof Engine && this.threads?.source === "calibrating") this.calibrateInBackground(engine, signal);
        } catch (error) {
            if (cancelledByUser) {
                const message = "Model download or load cancelled. Run \"Code Llama: Download Default Model\" or select a model file to try again.";
                logger.warn(message);
                this.setStatus({ state: "error", health: "warning", message, error: "cancelled", completing: false });
                return;
            }
            if (signal.aborted) return;
            const message = error instanceof ModelError ? error.message : `Could not start the model: ${errorMessage(error)}`;
            const code = error instanceof ModelError ? error.code : "load-failed";
            // A model waiting for the user's approval is not a failure.
            const waiting = code === "model-not-downloaded";
            if (waiting) logger.warn(message);
            else logger.error(message);
            this.setStatus({ state: "error", health: waiting ? "warning" : "error", message, error: code, completing: false });
        } finally {
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
                this.setStatus({ state: "downloading", health: "ok", message: `Downloading ${uri}`, progress: 0, completing: false });
                track(await this.options.progress?.begin("Code Llama: downloading model", cancel));
            },
            onDownloadProgress: ({ downloadedBytes, totalBytes }) => {
                const fraction = totalBytes > 0 ? downloadedBytes / totalBytes : 0;
                const message = `Downloading model ${Math.floor(fraction * 100)}% (${formatMiB(downloadedBytes)} / ${formatMiB(totalBytes)})`;
                this.setStatus({ state: "downloading", health: "ok", message, progress: fraction, completing: false });
                progress?.report(fraction, message);
            },
        });
        progress?.done();
        const threads = this.threadTuner.plan(config.engine.threads, modelPath, `${config.engine.gpu}/${config.engine.gpuLayers}`);
        this.threadPlan = threads;
        this.threads = threads.status;
        logger.info(`Loading ${modelPath} (gpu: ${config.engine.gpu}, context: ${config.engine.contextSize}, ${describeThreads(threads.threads)}: ${THREAD_SOURCES[threads.status.source]})`);
        this.setStatus({ state: "loading", health: "ok", message: "Loading model", progress: 0, completing: false });
        track(await this.options.progress?.begin("Code Llama: loading model", cancel));
        const engine = await Engine.load({
            modelPath,
            ...config.engine,
            threads: threads.threads,
            maxThreads: threads.maxThreads,
            logger,
            signal,
            onLoadProgress: (fraction) => {
                this.setStatus({ state: "loading", health: "ok", message: `Loading model ${Math.floor(fraction * 100)}%`, progress: fraction, completing: false });
                progress?.report(fraction, `${Math.floor(fraction * 100)}%`);
            },
        });
        const { cached } = threads;
        if (cached) {
            const speedAt = (count: number) => cached.speeds.find((speed) => speed.threads === count);
            const prompt = speedAt(cached.choice.prompt);
            const generation = speedAt(cached.choice.generation);
            engine.setThreads(cached.choice, prompt && generation ? { prompt, generation } : undefined);
        }
        return engine;
    }

    /** Measures the fastest thread counts while the engine serves requests; the status follows when done. */
    private calibrateInBackground(engine: Engine, signal: AbortSignal): void {
        this.calibration = this.threadTuner.calibrate(engine, this.threadPlan!, signal).then((threads) => {
            if (this.current !== engine) return;
            this.threads = threads;
            if (this.lastStatus.state === "ready") this.setStatus(this.lastStatus);
        });
    }

    /** Connects to an inference server instead of loading a model here. */
    private connect(config: EngineConfig): Promise<InferenceEngine> {
        const { backend, serverUrl, serverSlot, serverModel, contextSize } = config.engine;
        this.options.logger.info(`Connecting to the ${backend} server at ${serverUrl}`);
        this.setStatus({ state: "loading", health: "ok", message: `Connecting to ${serverUrl}`, completing: false });
        const common = {
            url: serverUrl,
            apiKey: process.env.CODELLAMA_API_KEY,
            logger: this.options.logger,
            onHealth: (healthy: boolean, message: string) => {
                if (healthy && this.readyStatus && this.lastStatus.state === "error") this.setStatus(this.readyStatus);
                else if (!healthy) this.setStatus({ state: "error", health: "error", message, error: "server-unreachable", completing: false });
            },
        };
        return backend === "openai" ? OpenAIEngine.connect({ ...common, model: serverModel, contextSize }) : LlamaServerEngine.connect({ ...common, slot: serverSlot });
    }

    private async unload(): Promise<void> {
        const engine = this.current;
        this.current = undefined;
        this.threadPlan = undefined;
        this.threads = undefined;
        // The calibration stops at its next unit of work once the load's signal is aborted.
        await this.calibration;
        await engine?.dispose();
    }

    /** Sends `status`, with the engine's threads and measured speeds while it is ready. */
    private setStatus(status: ServerStatus): void {
        const speed = status.state === "ready" ? this.current?.speed?.() : undefined;
        const { threads: _threads, promptTokensPerSecond: _prompt, generationTokensPerSecond: _generation, ...rest } = status;
        this.lastStatus = {
            ...rest,
            ...(status.state === "ready" && this.threads ? { threads: { ...this.threads, ...speed?.threads } } : {}),
            ...(speed?.promptTokensPerSecond !== undefined ? { promptTokensPerSecond: Math.round(speed.promptTokensPerSecond) } : {}),
            ...(speed?.generationTokensPerSecond !== undefined ? { generationTokensPerSecond: Math.round(speed.generationTokensPerSecond * 10) / 10 } : {}),
        };
        this.options.onStatus(this.lastStatus);
        for (const listener of [...this.statusListeners]) listener();
    }
}

const THREAD_SOURCES: Record<ThreadsStatus["source"], string> = {
    setting: "codellama.engine.threads",
    calibrating: "every usable CPU until the calibration after the load",
    calibrated: "calibrated",
    cached: "calibrated at an earlier load",
    cpus: "every usable CPU",
};

function formatMiB(bytes: number): string {
    return `${(bytes / 1048576).toFixed(0)} MiB`;
}
