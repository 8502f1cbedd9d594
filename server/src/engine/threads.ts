/**
 * How many CPU threads the embedded engine runs: the CPUs this process may use, the counts worth
 * measuring, a short calibration over them and the choice from the measured speeds. Pure: the
 * system is read through an injected probe, speeds come from an injected meter.
 *
 * llama.cpp's threads wait for each other at every step of a token, so one thread more than the
 * CPUs free for them makes every step wait for a descheduled thread: 4 threads on 2 CPUs were 13×
 * slower than 2. Prompt evaluation (large batches) and generation (one token at a time) can prefer
 * different counts: on a busy 2-CPU machine prompts ran fastest on 2 threads, generation on 1.
 */

import fs from "node:fs";
import os from "node:os";

export type { ThreadSource, ThreadsInUse } from "../../../shared/src/threads.js";

/** Thread counts for the two kinds of work. */
export interface ThreadCounts {
    /** Evaluating prompt tokens (batches). */
    prompt: number;
    /** Generating tokens (one per step). */
    generation: number;
}

export interface CpuProbe {
    /** CPUs the affinity mask allows (`os.availableParallelism()`). */
    availableParallelism(): number;
    /** A file's text; undefined when it cannot be read. */
    readFile(path: string): string | undefined;
}

export const systemCpuProbe: CpuProbe = {
    availableParallelism: () => os.availableParallelism(),
    readFile: (file) => {
        try {
            return fs.readFileSync(file, "utf8");
        } catch {
            return undefined;
        }
    },
};

export interface UsableCpus {
    count: number;
    /** For the log: what the count comes from. */
    detail: string;
}

/**
 * The CPUs this process may keep busy: those its affinity allows, fewer when a cgroup CPU quota
 * (a container's `--cpus`, systemd's CPUQuota) allows less. A fractional quota rounds down: threads
 * that outrun the quota are all stopped until the next period.
 */
export function usableCpus(probe: CpuProbe = systemCpuProbe): UsableCpus {
    const affinity = Math.max(1, Math.floor(probe.availableParallelism()));
    const quota = cgroupCpuQuota(probe);
    if (quota === undefined || Math.max(1, Math.floor(quota)) >= affinity) return { count: affinity, detail: `${plural(affinity, "CPU")}` };
    const count = Math.max(1, Math.floor(quota));
    return { count, detail: `${plural(count, "CPU")} (cgroup CPU quota ${round2(quota)} of ${affinity} CPUs)` };
}

/** The tightest CPU quota of this process's cgroup and its ancestors, in CPUs; undefined when none is set. */
export function cgroupCpuQuota(probe: CpuProbe): number | undefined {
    const membership = probe.readFile("/proc/self/cgroup");
    if (membership === undefined) return undefined;
    const quotas: number[] = [];
    for (const line of membership.split("\n")) {
        const [, controllers, cgroupPath] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? [];
        if (cgroupPath === undefined) continue;
        if (controllers === "") {
            // cgroup v2: "max 100000" or "<quota> <period>" in cpu.max.
            for (const dir of ancestors("/sys/fs/cgroup", cgroupPath)) {
                const [quota, period] = (probe.readFile(`${dir}/cpu.max`) ?? "").trim().split(/\s+/);
                pushQuota(quotas, quota, period);
            }
        } else if (controllers!.split(",").includes("cpu")) {
            // cgroup v1: cpu.cfs_quota_us (-1: none) over cpu.cfs_period_us, under the cpu controller's mount.
            for (const mount of ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpuacct,cpu"]) {
                for (const dir of ancestors(mount, cgroupPath))
                    pushQuota(quotas, probe.readFile(`${dir}/cpu.cfs_quota_us`)?.trim(), probe.readFile(`${dir}/cpu.cfs_period_us`)?.trim());
            }
        }
    }
    return quotas.length > 0 ? Math.min(...quotas) : undefined;
}

function pushQuota(quotas: number[], quota: string | undefined, period: string | undefined): void {
    const value = Number(quota);
    const length = Number(period);
    if (quota && period && value > 0 && length > 0) quotas.push(value / length);
}

/**
 * `root` joined with `cgroupPath` and each of its parents up to `root` itself. In a container the
 * path names the cgroup as the host sees it, and the container's own sits at the mount's root.
 */
function ancestors(root: string, cgroupPath: string): string[] {
    const parts = cgroupPath.split("/").filter(Boolean);
    return parts.map((_, index) => `${root}/${parts.slice(0, parts.length - index).join("/")}`).concat(root);
}

/** The counts a calibration measures, most first: all usable CPUs, half of them, one. */
export function threadCandidates(cpus: number): number[] {
    return [...new Set([cpus, Math.round(cpus / 2), 1].map((count) => Math.max(1, count)))];
}

/** What the calibration measured at one thread count. */
export interface ThreadSpeed {
    threads: number;
    promptTokensPerSecond: number;
    generationTokensPerSecond: number;
}

/** Measures one engine's speed in small units of work, on a cache of its own. */
export interface SpeedMeter {
    /** Starts a measurement at `threads` threads on an empty cache. */
    begin(threads: number): Promise<void>;
    /** Evaluates `tokens` more prompt tokens; resolves the ms it took, undefined when other work ran meanwhile. */
    prompt(tokens: number): Promise<number | undefined>;
    /** Generates one token; resolves the ms it took, undefined when other work ran meanwhile. */
    generate(): Promise<number | undefined>;
}

export interface CalibrationResult {
    choice: ThreadCounts;
    speeds: ThreadSpeed[];
    /** Time spent measuring (waits for idle excluded). */
    measuredMs: number;
}

export class CalibrationFailed extends Error {
    constructor(message: string) {
        super(message);
        this.name = "CalibrationFailed";
    }
}

export const CALIBRATION = {
    /** Prompt tokens and generated tokens measured at each count ("a few hundred", "a few"). */
    promptTokens: 256,
    generatedTokens: 8,
    /** A phase of a step stops after this long, whatever it measured: a 7B model on a small CPU reads 256 tokens in seconds. */
    phaseBudgetMs: 1500,
    /** No count after the first is measured once this much time went into measuring (a 7B model on a busy 2-CPU machine: ~1 token/s). */
    totalBudgetMs: 10_000,
    /**
     * Unmeasured first evaluation (pages the weights in), and the unit the prompt is measured in,
     * sized to ~250 ms at the warm-up's speed: a completion asked meanwhile shares the CPU for one unit at most.
     */
    warmUpTokens: 4,
    unitMs: 250,
    minUnitTokens: 4,
    maxUnitTokens: 128,
    /** A phase running below this share of the best speed so far stops early: it is clearly slower. */
    clearlySlower: 0.6,
    /** Counts within this share of the fastest count as fast as it: the fewest threads among them are taken. */
    asFast: 0.95,
    /**
     * Prompts get another count than generation only when it reads them at least this much faster:
     * switching counts between decodes costs generation speed (2-CPU machine, 134M q4_0 replay: 2 threads
     * for prompts and 1 for generation generated 92 tokens/s where 1 for both generated 134, and answered
     * slower though the prompts read 1.3x faster).
     */
    mixedPromptGain: 1.5,
    /** Steps voided by other work (a completion) before the calibration gives up. */
    maxInterruptions: 4,
} as const;

type Plan = { readonly [Key in keyof typeof CALIBRATION]: number };

/**
 * Measures prompt and generation speed at each candidate count, most threads first, and chooses
 * the fastest count for each. A step that is clearly slower than the best so far stops early; once a
 * count is faster than the best in neither phase, fewer threads are not tried (speed rises with the
 * thread count up to a peak, then falls), nor once the total budget is spent. A step during which
 * other work ran is measured again.
 */
export async function calibrateThreads(
    candidates: readonly number[],
    meter: SpeedMeter,
    signal?: AbortSignal,
    plan: Plan = CALIBRATION,
): Promise<CalibrationResult> {
    const checkAborted = (): void => {
        if (signal?.aborted) throw new CalibrationFailed("cancelled");
    };
    let measuredMs = 0;
    let interruptions = 0;
    const interrupted = (): void => {
        if (++interruptions > plan.maxInterruptions) throw new CalibrationFailed(`other work interrupted it ${interruptions} times`);
    };

    // Warm-up at the first count: pages the weights in, and sizes the prompt unit to ~unitMs.
    let unitTokens: number | undefined;
    while (unitTokens === undefined) {
        checkAborted();
        await meter.begin(candidates[0]!);
        const ms = await meter.prompt(plan.warmUpTokens);
        const tokenMs = ms === undefined ? undefined : await meter.generate();
        if (ms === undefined || tokenMs === undefined) {
            interrupted();
            continue;
        }
        measuredMs += ms + tokenMs;
        unitTokens = Math.min(plan.maxUnitTokens, Math.max(plan.minUnitTokens, Math.round((plan.warmUpTokens / Math.max(ms, 1e-3)) * plan.unitMs)));
    }

    const speeds: ThreadSpeed[] = [];
    const best = (phase: "promptTokensPerSecond" | "generationTokensPerSecond"): number => Math.max(0, ...speeds.map((speed) => speed[phase]));
    for (const threads of candidates) {
        let speed: ThreadSpeed | undefined;
        while (!speed) {
            checkAborted();
            await meter.begin(threads);
            const prompt = await measurePhase(() => meter.prompt(unitTokens!), unitTokens, plan.promptTokens, best("promptTokensPerSecond"), plan);
            const generation = prompt && (await measurePhase(() => meter.generate(), 1, plan.generatedTokens, best("generationTokensPerSecond"), plan));
            if (!prompt || !generation) {
                interrupted();
                continue;
            }
            measuredMs += prompt.ms + generation.ms;
            speed = { threads, promptTokensPerSecond: prompt.tokensPerSecond, generationTokensPerSecond: generation.tokensPerSecond };
        }
        const passedPeak =
            speeds.length > 0 &&
            speed.promptTokensPerSecond <= best("promptTokensPerSecond") &&
            speed.generationTokensPerSecond <= best("generationTokensPerSecond");
        speeds.push(speed);
        if (passedPeak || measuredMs >= plan.totalBudgetMs) break;
    }
    return { choice: chooseThreads(speeds, plan), speeds, measuredMs };
}

/**
 * Runs `unit` (`unitTokens` tokens each) until `tokens` are done, the phase budget is spent, or it
 * is clearly slower than `bestTokensPerSecond`; undefined when a unit was interrupted.
 */
async function measurePhase(
    unit: () => Promise<number | undefined>,
    unitTokens: number,
    tokens: number,
    bestTokensPerSecond: number,
    plan: Plan,
): Promise<{ tokensPerSecond: number; ms: number } | undefined> {
    let done = 0;
    let ms = 0;
    while (done < tokens) {
        const unitMs = await unit();
        if (unitMs === undefined) return undefined;
        done += unitTokens;
        ms += unitMs;
        const tokensPerSecond = (done * 1000) / Math.max(ms, 1e-3);
        if (ms >= plan.phaseBudgetMs || tokensPerSecond < bestTokensPerSecond * plan.clearlySlower) break;
    }
    return { tokensPerSecond: (done * 1000) / Math.max(ms, 1e-3), ms };
}

/**
 * For each kind of work, the fewest threads that are as fast as the fastest count (within `asFast`);
 * prompts keep generation's count unless theirs reads them `mixedPromptGain` times faster.
 */
export function chooseThreads(speeds: readonly ThreadSpeed[], plan: Pick<Plan, "asFast" | "mixedPromptGain"> = CALIBRATION): ThreadCounts {
    const fewestAsFast = (phase: "promptTokensPerSecond" | "generationTokensPerSecond"): number => {
        const fastest = Math.max(...speeds.map((speed) => speed[phase]));
        return Math.min(...speeds.filter((speed) => speed[phase] >= fastest * plan.asFast).map((speed) => speed.threads));
    };
    const generation = fewestAsFast("generationTokensPerSecond");
    const prompt = fewestAsFast("promptTokensPerSecond");
    const promptSpeed = (threads: number): number => speeds.find((speed) => speed.threads === threads)!.promptTokensPerSecond;
    return { prompt: promptSpeed(prompt) >= promptSpeed(generation) * plan.mixedPromptGain ? prompt : generation, generation };
}

/** Prompt decodes shorter than this cost like a generated token (a keystroke reads 1-3 tokens). */
export const SHORT_PROMPT_TOKENS = 16;

/**
 * The count for a prompt decode of `tokens` tokens: a short one runs at the generation count (on the
 * 2-CPU machine a keystroke's 1-token prompt at the prompt count of 2 slowed every answer).
 */
export function promptDecodeThreads(counts: ThreadCounts, tokens: number): number {
    return tokens < SHORT_PROMPT_TOKENS ? counts.generation : counts.prompt;
}

/** "2 threads", or "2 threads for prompts, 1 for generation". */
export function describeThreads(counts: ThreadCounts): string {
    return counts.prompt === counts.generation
        ? plural(counts.prompt, "thread")
        : `${plural(counts.prompt, "thread")} for prompts, ${counts.generation} for generation`;
}

function plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function round2(value: number): number {
    return Math.round(value * 100) / 100;
}
