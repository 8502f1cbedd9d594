import type { EngineTokenizer } from "../server/src/engine/inference.js";
import { type StabilityResult } from "./promptStability.js";
import { type PauseMode } from "./replay.js";
import { type ModeResult, type ModeSummary, type Target } from "./report.js";
export declare const BENCH_USAGE = "Usage: codellama bench --model FILE.gguf [--model ...] [options]\n\nReplays typing of functions from real source files (installed npm packages) against each mode and\nreports per-request latency, prompt tokens evaluated/reused, tokens generated, cache use, p50/p95\nand peak RSS, as a table and optionally as JSON.\n\n  --model PATH          GGUF model (repeat for several; each gets every mode)\n  --modes LIST          comma-separated, default shipped,no-reuse[,llama-server]:\n                          shipped              this server with its default settings\n                          no-reuse             completion.reuseCache=false (full re-evaluation)\n                          psm | psm-line | spm this server with that completion.fimFormat\n                          no-extra             completion.extraContextShare=0 (no snippets of other files)\n                          full-prompt          completion.coldPromptMs=0 (the full prompt even when the cache is cold)\n                          llama-server         llama-server -np 1 --cache-reuse 256, /infill as llama.vscode\n                          llama-server-spm     the same with --spm-infill\n                          llama-server-nocache the same with cache_prompt: false\n  --llama-server BIN    llama.cpp llama-server binary (default $LLAMA_SERVER_BIN); adds llama-server\n                        to the default modes\n  --llama-server-args \"ARGS\"  more llama-server arguments (split on spaces)\n  --llama-server-sampling S   greedy (default: top_k 1, as this server decodes) or llama.vscode\n                        (top_k 40, top_p 0.99, infill: ends at once on random-weight test models)\n  --keystrokes N        keystrokes per mode, split over the functions (default 40)\n  --functions N         functions to replay, from different files (default 2)\n  --cps N               typing speed, characters per second (default 8)\n  --pause MODE          word | line | none: where the typist waits for the suggestion (default word)\n  --pause-max-ms N      longest wait at a pause (default 60000)\n  --debounce-ms N       VS Code's inline suggestion debounce (default 50)\n  --rest-ms N           the typist looks at each file this long, cursor placed, before typing\n                        (default 0); after 400 ms at rest this server is sent codellama/warmCache,\n                        as the VS Code extension sends it; llama.vscode has no such signal\n  --threads N           CPU threads of every engine (default 1)\n  --context-size N      context size per sequence (default 4096)\n  --max-tokens N        most tokens generated per completion (default 64)\n  --gpu MODE            engine.gpu of this server (default auto)\n  --chat                also replay the first function while a chat answer streams (shipped mode)\n  --seed N              picks the functions (default 1)\n  --corpus DIR          node_modules directory to take source files from (default: the installed one)\n  --full                larger run for the documented numbers: 240 keystrokes over 4 functions\n  --json FILE           write every request and the summaries as JSON\n  --verbose             print the servers' logs\n";
export declare const LSP_MODES: readonly ["shipped", "no-reuse", "psm", "psm-line", "spm", "no-extra", "full-prompt"];
export declare const LLAMA_SERVER_MODES: readonly ["llama-server", "llama-server-spm", "llama-server-nocache"];
export type ModeName = (typeof LSP_MODES)[number] | (typeof LLAMA_SERVER_MODES)[number];
export interface BenchOptions {
    models: string[];
    modes: ModeName[];
    llamaServerBin?: string;
    llamaServerArgs: string[];
    llamaServerSampling: "greedy" | "llama.vscode";
    keystrokes: number;
    functions: number;
    cps: number;
    pause: PauseMode;
    pauseMaxMs: number;
    debounceMs: number;
    restMs: number;
    threads: number;
    contextSize: number;
    maxTokens: number;
    gpu: string;
    chat: boolean;
    seed: number;
    corpus?: string;
    json?: string;
    verbose: boolean;
    serverJs?: string;
    help: boolean;
}
export declare class BenchUsageError extends Error {
}
/** Parses the bench command line (without "bench"); `env` supplies LLAMA_SERVER_BIN. */
export declare function parseBenchArgs(argv: readonly string[], env?: Record<string, string | undefined>): BenchOptions;
interface ModelFacts {
    path: string;
    bytes: number;
    name: string;
    fileType?: string;
    nLayer?: number;
    nEmbd?: number;
    nHead?: number;
    nHeadKv?: number;
    /** f16 K and V of this server's context (SERVER_SEQUENCES × contextSize cells). */
    kvBytes?: number;
    countTokens?: (text: string) => number;
    /** The model's tokenizer shaped like the engine's, for the prompt stability analysis. */
    tokenizer?: EngineTokenizer;
    dispose?: () => Promise<void>;
}
export interface BenchRun {
    model: Omit<ModelFacts, "countTokens" | "dispose" | "tokenizer">;
    stability: StabilityResult[];
    modes: ModeResult[];
    summaries: ModeSummary[];
    targets: Target[];
}
/** Runs every mode on every model; prints progress on stderr and the tables on stdout. */
export declare function runBench(options: BenchOptions, out?: (text: string) => void, log?: (line: string) => void): Promise<BenchRun[]>;
export declare const STABILITY_HEADERS: readonly ["fimFormat", "keystrokes", "prompt tok p50", "in-line eval p50", "in-line eval p95", "new-line eval p50", "in-line full re-evals", "build ms p50"];
export declare function stabilityRow(entry: StabilityResult): (string | number)[];
/** The `bench` subcommand; returns the exit code. */
export declare function benchCommand(argv: readonly string[]): Promise<number>;
/** `items` starting at `offset` (modulo its length) and wrapping around. */
export declare function rotated<T>(items: readonly T[], offset: number): T[];
export {};
