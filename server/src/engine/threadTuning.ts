/**
 * Decides the embedded engine's thread counts for a load (the setting, a cached calibration, or
 * every usable CPU until the calibration is done) and runs that calibration after the load, in the
 * background: the engine answers at once with every usable CPU, and the calibration measures only
 * while the engine is idle.
 */
import { errorMessage, type Logger } from "../log/logger.js";
import type { EngineInfo } from "./inference.js";
import { type CachedThreads, cacheKey, machineFacts, modelFileFacts, type ThreadCache } from "./threadCache.js";
import {
    type CpuProbe,
    calibrateThreads,
    chooseThreads,
    describeThreads,
    type SpeedMeter,
    systemCpuProbe,
    type ThreadCounts,
    type ThreadSource,
    type ThreadSpeed,
    type ThreadsInUse,
    threadCandidates,
    usableCpus,
} from "./threads.js";

export interface ThreadPlan {
    threads: ThreadCounts;
    /** The most threads the engine may be given later. */
    maxThreads: number;
    inUse: ThreadsInUse;
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
    /** Where calibrations are kept (the model manager names the per-user file). */
    cache: ThreadCache;
    probe?: CpuProbe;
    now?(): number;
}

export class ThreadTuner {
    private readonly probe: CpuProbe;
    private readonly cache: ThreadCache;
    private readonly now: () => number;
    /** Settings above the CPU count already warned about. */
    private readonly warned = new Set<string>();

    constructor(private readonly options: ThreadTunerOptions) {
        this.probe = options.probe ?? systemCpuProbe;
        this.cache = options.cache;
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
                logger.warn(
                    `codellama.engine.threads is ${setting}, more than the ${cpus.detail} this process may use: threads that wait for a CPU slow every token down. 0 picks the fastest count for this machine.`,
                );
            }
            return {
                threads: { prompt: setting, generation: setting },
                maxThreads: setting,
                inUse: { prompt: setting, generation: setting, source: "setting", cpus: cpus.count },
            };
        }
        let key: string | undefined;
        try {
            key = cacheKey(machineFacts(cpus.count, device), modelFileFacts(modelPath));
        } catch (error) {
            logger.warn(`Cannot identify the model file for the thread calibration cache (${errorMessage(error)}); using ${cpus.detail}.`);
        }
        const stored = key === undefined ? undefined : this.cache.get(key);
        // Chosen again from the kept speeds, so a calibration kept under an earlier rule follows today's.
        const cached = stored && stored.speeds.length > 0 ? { ...stored, choice: chooseThreads(stored.speeds) } : stored;
        if (cached) {
            return { threads: cached.choice, maxThreads: cpus.count, inUse: { ...cached.choice, source: "cached", cpus: cpus.count }, cached };
        }
        return {
            threads: { prompt: cpus.count, generation: cpus.count },
            maxThreads: cpus.count,
            inUse: { prompt: cpus.count, generation: cpus.count, source: "calibrating", cpus: cpus.count },
            cacheKey: key,
        };
    }

    /**
     * Measures the candidate counts on the loaded engine and sets the fastest; resolves the threads
     * now in use. A model entirely on the GPU keeps every usable CPU; a failed calibration falls back to
     * them and says so in the log.
     */
    async calibrate(engine: CalibratableEngine, plan: ThreadPlan, signal: AbortSignal): Promise<ThreadsInUse> {
        const { logger } = this.options;
        const { cpus } = plan.inUse;
        const fallback: ThreadsInUse = { prompt: cpus, generation: cpus, source: "cpus", cpus };
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
            logger.info(
                `Threads: ${describeThreads(result.choice)}, calibrated in ${Math.round(this.now() - started)} ms (${Math.round(result.measuredMs)} ms measuring): ${describeSpeeds(result.speeds)}`,
            );
            if (plan.cacheKey !== undefined)
                this.remember(plan.cacheKey, { choice: result.choice, speeds: result.speeds, measuredAt: new Date().toISOString() });
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

    /** A plan from an earlier calibration: its counts, and the speeds it measured at them until generations measure their own. */
    applyCached(engine: CalibratableEngine, plan: ThreadPlan): void {
        const { cached } = plan;
        if (!cached) return;
        const speedAt = (count: number): ThreadSpeed | undefined => cached.speeds.find((speed) => speed.threads === count);
        const prompt = speedAt(cached.choice.prompt);
        const generation = speedAt(cached.choice.generation);
        engine.setThreads(cached.choice, prompt && generation ? { prompt, generation } : undefined);
    }

    private remember(key: string, entry: CachedThreads): void {
        try {
            this.cache.set(key, entry);
        } catch (error) {
            this.options.logger.warn(`Could not save the thread calibration to ${this.cache.file} (${errorMessage(error)}); the next load measures again.`);
        }
    }
}

/** For the log: the plan's counts and where they come from. */
export function describePlan(plan: ThreadPlan): string {
    return `${describeThreads(plan.threads)}: ${PLAN_SOURCES[plan.inUse.source]}`;
}

const PLAN_SOURCES: Record<ThreadSource, string> = {
    setting: "codellama.engine.threads",
    calibrating: "every usable CPU until the calibration after the load",
    calibrated: "calibrated",
    cached: "calibrated at an earlier load",
    cpus: "every usable CPU",
};

/** "2 threads: 2037 prompt / 58 generation tokens/s; 1 thread: 1119 / 200". */
export function describeSpeeds(speeds: readonly ThreadSpeed[]): string {
    return speeds
        .map(
            (speed, index) =>
                `${describeThreads({ prompt: speed.threads, generation: speed.threads })}: ${Math.round(speed.promptTokensPerSecond)}${index === 0 ? " prompt" : ""} / ${Math.round(speed.generationTokensPerSecond)}${index === 0 ? " generation tokens/s" : ""}`,
        )
        .join("; ");
}
