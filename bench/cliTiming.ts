/**
 * `npm run bench -- --cli-complete`: times `codellama complete` the way a user runs it, a fresh
 * process each time, at the default thread setting and at each fixed count. Each setting gets a
 * HOME (and so a per-user cache) of its own, so the default's first run measures the threads (and pays for it) and the later
 * runs start with what it measured.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { median } from "../server/src/completion/stats.js";
import { privateHome } from "../tools/process.js";
import { type ThreadSetting, threadsLabel } from "./backend.js";
import type { Target } from "./report.js";

export interface CliRun {
    wallMs: number;
    /** "2", or "2/1" for prompts / generation, as the run's JSON reports them. */
    threads?: string;
    promptTokensPerSecond?: number;
    generationTokensPerSecond?: number;
    generatedTokens?: number;
    error?: string;
}

export interface CliSettingRuns {
    setting: ThreadSetting;
    runs: CliRun[];
}

export interface CliTimingOptions {
    cliJs: string;
    modelPath: string;
    /** The document and the 1-based cursor `codellama complete` is asked at. */
    text: string;
    position: { line: number; character: number };
    settings: readonly ThreadSetting[];
    runs: number;
    maxTokens: number;
    contextSize: number;
    gpu: string;
}

/** The figure compared across settings: the median of the runs after the first (which may calibrate, and pages the model in). */
function steadyMs(runs: readonly CliRun[]): number {
    const later = runs.slice(1).filter((run) => !run.error);
    return later.length > 0 ? median(later.map((run) => run.wallMs)) : Number.NaN;
}

export const CLI_TIMING_HEADERS = ["--threads", "threads used", "first run ms", "later runs median ms", "prompt tok/s", "gen tok/s", "generated"] as const;

export function cliTimingRows(results: readonly CliSettingRuns[]): (string | number)[][] {
    const cell = (value: number | undefined, digits = 0): string => (value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : "n/a");
    return results.map(({ setting, runs }) => {
        const last = runs.filter((run) => !run.error).at(-1);
        return [
            String(setting),
            last?.threads ?? "n/a",
            cell(runs[0]?.error ? Number.NaN : runs[0]?.wallMs),
            cell(steadyMs(runs)),
            cell(last?.promptTokensPerSecond),
            cell(last?.generationTokensPerSecond, 1),
            cell(last?.generatedTokens),
        ];
    });
}

/** The issue's target: `codellama complete` at the default threads within 1.3× of the best fixed count. */
export function cliTimingTarget(results: readonly CliSettingRuns[]): Target {
    const name = "codellama complete at default threads";
    const goal = "≤ 1.3× the best fixed thread count";
    const byDefault = results.find((result) => result.setting === "default");
    const fixed = results
        .filter((result) => result.setting !== "default")
        .map((result) => ({ setting: result.setting, ms: steadyMs(result.runs) }))
        .filter((result) => Number.isFinite(result.ms));
    if (!byDefault || !Number.isFinite(steadyMs(byDefault.runs)) || fixed.length === 0)
        return { name, target: goal, measured: "needs a default and a fixed setting, two runs each", met: undefined };
    const best = fixed.reduce((a, b) => (b.ms < a.ms ? b : a));
    const ratio = steadyMs(byDefault.runs) / best.ms;
    return {
        name,
        target: goal,
        measured: `${steadyMs(byDefault.runs).toFixed(0)} ms vs ${best.ms.toFixed(0)} ms at --threads ${best.setting} = ${ratio.toFixed(2)}×`,
        met: ratio <= 1.3,
    };
}

/** Runs `codellama complete --json` `options.runs` times per setting; progress lines go to `log`. */
export async function timeCliComplete(options: CliTimingOptions, log: (line: string) => void): Promise<CliSettingRuns[]> {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-bench-cli-"));
    const homes = new Map(options.settings.map((setting) => [setting, privateHome(`codellama-bench-cli-${setting}-`)]));
    try {
        const file = path.join(work, "document.js");
        fs.writeFileSync(file, options.text);
        const results: CliSettingRuns[] = options.settings.map((setting) => ({ setting, runs: [] }));
        // Round by round, so that other work on the machine falls on every setting alike.
        for (let index = 0; index < options.runs; index++) {
            for (const { setting, runs } of results) {
                const run = await completeOnce(options, file, setting, homes.get(setting)!.env);
                runs.push(run);
                log(
                    `  --threads ${setting}: run ${index + 1}: ${run.error ? `failed: ${run.error}` : `${run.wallMs.toFixed(0)} ms, threads ${run.threads ?? "?"}`}`,
                );
            }
        }
        return results;
    } finally {
        for (const home of homes.values()) home.remove();
        fs.rmSync(work, { recursive: true, force: true });
    }
}

interface CompleteJson {
    speed?: { threads?: { prompt: number; generation: number }; promptTokensPerSecond?: number; generationTokensPerSecond?: number };
    generation?: { generatedTokens?: number };
}

async function completeOnce(options: CliTimingOptions, file: string, setting: ThreadSetting, env: NodeJS.ProcessEnv): Promise<CliRun> {
    const args = [
        options.cliJs,
        "complete",
        "--json",
        "--model",
        options.modelPath,
        "--file",
        file,
        "--position",
        `${options.position.line}:${options.position.character}`,
        "--max-tokens",
        String(options.maxTokens),
        "--context-size",
        String(options.contextSize),
        "--gpu",
        options.gpu,
        ...(setting === "default" ? [] : ["--threads", String(setting)]),
    ];
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
        child.once("error", reject);
        child.once("exit", (exitCode) => resolve({ code: exitCode, stdout: out, stderr: err }));
    });
    const wallMs = performance.now() - started;
    if (code !== 0) return { wallMs, error: `exit ${code}: ${stderr.trim().split("\n").at(-1) ?? ""}` };
    try {
        const result = JSON.parse(stdout) as CompleteJson;
        const threads = result.speed?.threads;
        return {
            wallMs,
            threads: threads ? threadsLabel(threads) : undefined,
            promptTokensPerSecond: result.speed?.promptTokensPerSecond,
            generationTokensPerSecond: result.speed?.generationTokensPerSecond,
            generatedTokens: result.generation?.generatedTokens,
        };
    } catch (error) {
        return { wallMs, error: `unreadable JSON (${error instanceof Error ? error.message : String(error)})` };
    }
}
