/**
 * Decides the embedded engine's thread counts for a load (the setting, a cached calibration, or
 * every usable CPU until the calibration is done) and runs that calibration after the load, in the
 * background: the engine answers at once with every usable CPU, and the calibration measures only
 * while the engine is idle.
 */
import path from "node:path";
import { errorMessage, type Logger } from "../log/logger.js";
import type { ThreadsStatus } from "../protocol.js";
import type { EngineInfo } from "./inference.js";
import { userCacheDirectory } from "./paths.js";
import { cacheKey, type CachedThreads, machineFacts, modelFileFacts, ThreadCache } from "./threadCache.js";
import { calibrateThreads, type CpuProbe, describeThreads, type SpeedMeter, systemCpuProbe, threadCandidates, type ThreadCounts, type ThreadSpeed, usableCpus } from "./threads.js";

export interface ThreadPlan {
    threads: ThreadCounts;
    /** The most threads the engine may be given later. */
    maxThreads: number;
    status: ThreadsStatus;
    /** The speeds measured at `threads` by an earlier calibration. */
    cached?: CachedThreads;
    /** Where a calibration is kept; undefined when none is to run. */
    cacheKey?: string;
}

/** What calibrating needs of an engine. */
export interface CalibratableEngine {
    readonly info: EngineInfo;
    setThreads(threads: ThreadCounts, measured?: { prompt: ThreadSpeed; generation: ThreadSpeed }): void;
    openSpeedMeter(signal?: AbortSignal): Promise<SpeedMeter & { close(): Promise<void> }>;
}

export interface ThreadTunerOptions {
    logger: Logger;
    probe?: CpuProbe;
    cache?: ThreadCache;
    now?(): number;
}

export const THREAD_CACHE_FILE = "threads.json";

export class ThreadTuner {
    private readonly probe: CpuProbe;
    private readonly cache: ThreadCache;
    private readonly now: () => number;
    /** Settings above the CPU count already warned about. */
    private readonly warned = new Set<string>();

    constructor(private readonly options: ThreadTunerOptions) {
        this.probe = options.probe ?? systemCpuProbe;
        this.cache = options.cache ?? new ThreadCache(path.join(userCacheDirectory(), THREAD_CACHE_FILE));
        this.now = options.now ?? (() => performance.now());
    }

    /** The threads to load with: `setting` when > 0, else what an earlier calibration chose, else every usable CPU (and calibrate). */
    plan(setting: number, modelPath: string, device: string): ThreadPlan {
        const { logger } = this.options;
        const cpus = usableCpus(this.probe);
        if (setting > 0) {
            const warning = `${setting}`;
            if (setting > cpus.count && !this.warned.has(warning)) {
                this.warned.add(warning);
                logger.warn(`codellama.engine.threads is ${setting}, more than the ${cpus.detail} this process may use: threads that wait for a CPU slow every token down. 0 picks the fastest count for this machine.`);
            }
            return { threads: { prompt: setting, generation: setting }, maxThreads: setting, status: { prompt: setting, generation: setting, source: "setting", cpus: cpus.count } };
        }
        let key: string | undefined;
        try {
            key = cacheKey(machineFacts(cpus.count, device), modelFileFacts(modelPath));
        } catch (error) {
            logger.warn(`Cannot identify the model file for the thread calibration cache (${errorMessage(error)}); using ${cpus.detail}.`);
        }
        const cached = key === undefined ? undefined : this.cache.get(key);
        if (cached) {
            return { threads: cached.choice, maxThreads: cpus.count, status: { ...cached.choice, source: "cached", cpus: cpus.count }, cached };
        }
        return { threads: { prompt: cpus.count, generation: cpus.count }, maxThreads: cpus.count, status: { prompt: cpus.count, generation: cpus.count, source: "calibrating", cpus: cpus.count }, cacheKey: key };
    }

    /**
     * Measures the candidate counts on the loaded engine and sets the fastest; resolves the status
     * to show. A model entirely on the GPU keeps every usable CPU; a failed calibration falls back to
     * them and says so in the log.
     */
    async calibrate(engine: CalibratableEngine, plan: ThreadPlan, signal: AbortSignal): Promise<ThreadsStatus> {
        const { logger } = this.options;
        const { cpus } = plan.status;
        const fallback: ThreadsStatus = { prompt: cpus, generation: cpus, source: "cpus", cpus };
        if (engine.info.device !== "cpu" && engine.info.gpuLayers >= engine.info.totalLayers) {
            logger.info(`Threads: ${describeThreads(fallback)} (the model runs on the GPU: nothing to calibrate)`);
            return fallback;
        }
        const started = this.now();
        let meter: Awaited<ReturnType<CalibratableEngine["openSpeedMeter"]>> | undefined;
        try {
            meter = await engine.openSpeedMeter(signal);
            const result = await calibrateThreads(threadCandidates(cpus), meter, signal);
            const speedAt = (threads: number): ThreadSpeed => result.speeds.find((speed) => speed.threads === threads)!;
            engine.setThreads(result.choice, { prompt: speedAt(result.choice.prompt), generation: speedAt(result.choice.generation) });
            logger.info(`Threads: ${describeThreads(result.choice)}, calibrated in ${Math.round(this.now() - started)} ms (${Math.round(result.measuredMs)} ms measuring): ${describeSpeeds(result.speeds)}`);
            if (plan.cacheKey !== undefined) this.remember(plan.cacheKey, { choice: result.choice, speeds: result.speeds, measuredAt: new Date().toISOString() });
            return { ...result.choice, source: "calibrated", cpus };
        } catch (error) {
            if (signal.aborted) return fallback;
            engine.setThreads({ prompt: cpus, generation: cpus });
            logger.warn(`Could not calibrate the thread count (${errorMessage(error)}); using ${describeThreads(fallback)}, one per usable CPU.`);
            return fallback;
        } finally {
            await meter?.close().catch((error: unknown) => logger.warn(`Closing the thread calibration's context failed: ${errorMessage(error)}`));
        }
    }

    private remember(key: string, entry: CachedThreads): void {
        try {
            this.cache.set(key, entry);
        } catch (error) {
            this.options.logger.warn(`Could not save the thread calibration to ${this.cache.file} (${errorMessage(error)}); the next load measures again.`);
        }
    }
}

/** "2 threads: 2037 prompt / 58 generation tokens/s; 1 thread: 1119 / 200". */
export function describeSpeeds(speeds: readonly ThreadSpeed[]): string {
    return speeds
        .map((speed, index) => `${describeThreads({ prompt: speed.threads, generation: speed.threads })}: ${Math.round(speed.promptTokensPerSecond)}${index === 0 ? " prompt" : ""} / ${Math.round(speed.generationTokensPerSecond)}${index === 0 ? " generation tokens/s" : ""}`)
        .join("; ");
}
