/**
 * `npm run bench`: the typing-replay benchmark (issue #5). Replays functions from real source files
 * keystroke by keystroke against each mode (this server as shipped, with KV reuse off, and llama-server
 * driven like llama.vscode), in one run on the same model, and reports a table and JSON.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { encodePiecesSync, infillPieces, type SpecialTokenIds } from "../server/src/engine/promptFormat.js";
import { encodeInfilling, type Token } from "../server/src/engine/tokenizer.js";
import { formatTable } from "../server/src/eval/report.js";
import { FIM_FORMATS, SETTINGS } from "../shared/src/settings.js";
import type { Backend, RequestResult, ThreadSetting } from "./backend.js";
import { sleep } from "./backend.js";
import { CLI_TIMING_HEADERS, cliTimingRows, cliTimingTarget, timeCliComplete } from "./cliTiming.js";
import { CORPUS_NPM_PACKAGES, collectSourceFiles, pickFunctions, type ReplayScript, replayScript, splitBudget } from "./corpus.js";
import { LlamaServerBackend, llamaServerArgs } from "./llamaServerBackend.js";
import { LspBackend } from "./lspBackend.js";
import { machineInfo } from "./proc.js";
import { type PromptTokenizer, promptStability, type StabilityResult } from "./promptStability.js";
import { annotateTyped, isWithinLine, type PauseMode, type ReplayOptions, type RequestLog, replay, replayAccepting } from "./replay.js";
import {
    ACCEPT_HEADERS,
    acceptRow,
    type ChatRunResult,
    cell,
    evaluateTargets,
    jsonSummary,
    type ModeResult,
    type ModeSummary,
    SUMMARY_HEADERS,
    summarizeMode,
    summaryRow,
    type Target,
} from "./report.js";
import { round } from "./stats.js";

export const BENCH_USAGE = `Usage: npm run bench -- [--model FILE.gguf ...] [options]

Replays typing of functions from real source files (installed npm packages) against each mode and
reports per-request latency, prompt tokens evaluated/reused, tokens generated, cache use, p50/p95
and peak RSS, as a table and optionally as JSON.

  --model PATH          GGUF model (repeat for several; each gets every mode)
  --modes LIST          comma-separated, default shipped,no-reuse[,llama-server]:
                          shipped              this server with its default settings
                          no-reuse             completion.reuseCache=false (full re-evaluation)
                          psm | psm-line | spm this server with that completion.fimFormat
                          no-extra             completion.extraContextShare=0 (no snippets of other files)
                          full-prompt          completion.coldPromptMs=0 (the full prompt even when the cache is cold)
                          no-prepare           completion.prepareNext=false (no suggestion prepared before Tab)
                          no-predict           engine.tokenPrediction=false (no speculative decoding)
                          llama-server         llama-server -np 1 --cache-reuse 256, /infill as llama.vscode
                          llama-server-spm     the same with --spm-infill
                          llama-server-nocache the same with cache_prompt: false
  --llama-server BIN    llama.cpp llama-server binary (default $LLAMA_SERVER_BIN); adds llama-server
                        to the default modes
  --llama-server-args "ARGS"  more llama-server arguments (split on spaces)
  --llama-server-sampling S   greedy (default: top_k 1, as this server decodes) or llama.vscode
                        (top_k 40, top_p 0.99, infill: ends at once on random-weight test models)
  --keystrokes N        keystrokes per mode, split over the functions (default 40)
  --functions N         functions to replay, from different files (default 2)
  --cps N               typing speed, characters per second (default 8)
  --pause MODE          word | line | none: where the typist waits for the suggestion (default word)
  --pause-max-ms N      longest wait at a pause (default 60000)
  --debounce-ms N       VS Code's inline suggestion debounce (default 50)
  --typist KIND         type (default): types each function keystroke by keystroke;
                        accept: looks at each suggestion (--look-ms), then presses Tab or, every
                        other time, types the next keystroke instead; reports the requests after
                        Tab and after a keystroke apart (compare shipped with no-prepare)
  --look-ms N           how long the accept typist looks at a suggestion (default 1500)
  --rest-ms N           the typist looks at each file this long, cursor placed, before typing
                        (default 0); after 400 ms at rest this server is sent codellama/warmCache,
                        as the VS Code extension sends it; llama.vscode has no such signal
  --threads LIST        comma-separated thread settings, each run for every mode (default
                        default,1): "default" runs each stack at its own defaults (this server
                        without engine.threads, llama-server without -t), the headline rows and
                        targets; a number N fixes every engine at N threads (engine.threads,
                        -t N -tb N). The table shows the threads each stack used and its speeds
  --context-size N      context size per sequence (default 4096)
  --max-tokens N        most tokens generated per completion (default 64)
  --gpu MODE            engine.gpu of this server (default auto)
  --chat                also replay the first function while a chat answer streams (shipped mode)
  --chat-model FILE     a separate chat model (codellama.chat.model.path) beside each --model: the
                        chat answers of --chat come from it; the peak RSS target counts both files
  --seed N              picks the functions (default 1)
  --corpus DIR          node_modules directory to take source files from (default: the installed one)
  --full                larger run for the documented numbers: 240 keystrokes over 4 functions
  --json FILE           write every request and the summaries as JSON
  --verbose             print the servers' logs
  --cli-complete        instead of the replay: time \`codellama complete\` (a fresh process per run,
                        at the start of the first function's body) at each --threads setting;
                        target: at "default", within 1.3x of the best fixed count
  --runs N              --cli-complete runs per setting (default 3); the first run of "default"
                        measures the threads, the later ones start with what it measured
`;

const OPTIONS = {
    help: { type: "boolean", short: "h" },
    model: { type: "string", multiple: true },
    modes: { type: "string" },
    "llama-server": { type: "string" },
    "llama-server-args": { type: "string" },
    "llama-server-sampling": { type: "string" },
    keystrokes: { type: "string" },
    functions: { type: "string" },
    cps: { type: "string" },
    pause: { type: "string" },
    "pause-max-ms": { type: "string" },
    "debounce-ms": { type: "string" },
    "rest-ms": { type: "string" },
    typist: { type: "string" },
    "look-ms": { type: "string" },
    threads: { type: "string" },
    "context-size": { type: "string" },
    "max-tokens": { type: "string" },
    gpu: { type: "string" },
    chat: { type: "boolean" },
    "chat-model": { type: "string" },
    seed: { type: "string" },
    corpus: { type: "string" },
    full: { type: "boolean" },
    json: { type: "string" },
    verbose: { type: "boolean" },
    server: { type: "string" },
    "cli-complete": { type: "boolean" },
    runs: { type: "string" },
} as const;

export const LSP_MODES = ["shipped", "no-reuse", "psm", "psm-line", "spm", "no-extra", "full-prompt", "no-prepare", "no-predict"] as const;
export const LLAMA_SERVER_MODES = ["llama-server", "llama-server-spm", "llama-server-nocache"] as const;
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
    typist: "type" | "accept";
    lookMs: number;
    /** The first is the headline (targets); see ThreadSetting. */
    threads: ThreadSetting[];
    contextSize: number;
    maxTokens: number;
    gpu: string;
    chat: boolean;
    /** A separate chat model loaded beside the completion model. */
    chatModel?: string;
    seed: number;
    corpus?: string;
    json?: string;
    verbose: boolean;
    serverJs?: string;
    /** Time `codellama complete` instead of replaying typing. */
    cliComplete: boolean;
    runs: number;
    help: boolean;
}

export class BenchUsageError extends Error {}

/** Parses `--threads default,1,2`. */
export function parseThreadSettings(text: string): ThreadSetting[] {
    const settings = text
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean)
        .map((item): ThreadSetting => (item === "default" ? "default" : positiveNumber("threads", item, 0)));
    if (settings.length === 0) throw new BenchUsageError("--threads needs at least one setting");
    if (new Set(settings).size !== settings.length) throw new BenchUsageError("--threads names a setting twice");
    return settings;
}

/** How a stack's row is named: the mode, with the fixed thread count when there is one. */
export function runLabel(mode: string, threads: ThreadSetting): string {
    return threads === "default" ? mode : `${mode} -t ${threads}`;
}

function positiveNumber(flag: string, text: string | undefined, fallback: number, integer = true): number {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
        throw new BenchUsageError(`--${flag} must be a positive ${integer ? "integer" : "number"} (got "${text}")`);
    return value;
}

/** Parses the bench command line; `env` supplies LLAMA_SERVER_BIN. */
export function parseBenchArgs(argv: readonly string[], env: Record<string, string | undefined> = {}): BenchOptions {
    let values;
    try {
        ({ values } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }));
    } catch (error) {
        throw new BenchUsageError(error instanceof Error ? error.message : String(error));
    }
    const llamaServerBin = values["llama-server"] ?? (env.LLAMA_SERVER_BIN || undefined);
    const known = [...LSP_MODES, ...LLAMA_SERVER_MODES] as readonly string[];
    const modes = (
        values.modes
            ? values.modes
                  .split(",")
                  .map((mode) => mode.trim())
                  .filter(Boolean)
            : ["shipped", "no-reuse", ...(llamaServerBin ? ["llama-server"] : [])]
    ) as ModeName[];
    for (const mode of modes) if (!known.includes(mode)) throw new BenchUsageError(`Unknown mode "${mode}"; known: ${known.join(", ")}`);
    if (new Set(modes).size !== modes.length) throw new BenchUsageError("--modes names a mode twice");
    if (!llamaServerBin && modes.some((mode) => mode.startsWith("llama-server")))
        throw new BenchUsageError("llama-server modes need --llama-server BIN (or LLAMA_SERVER_BIN)");
    const pause = values.pause ?? "word";
    if (!["word", "line", "none"].includes(pause)) throw new BenchUsageError(`--pause must be word, line or none (got "${pause}")`);
    const typist = values.typist ?? "type";
    if (typist !== "type" && typist !== "accept") throw new BenchUsageError(`--typist must be type or accept (got "${typist}")`);
    if (typist === "accept" && modes.some((mode) => mode.startsWith("llama-server")))
        throw new BenchUsageError("--typist accept runs this server's modes only (llama.vscode's Tab is not modelled)");
    const sampling = values["llama-server-sampling"] ?? "greedy";
    if (sampling !== "greedy" && sampling !== "llama.vscode")
        throw new BenchUsageError(`--llama-server-sampling must be greedy or llama.vscode (got "${sampling}")`);
    const full = values.full === true;
    const options: BenchOptions = {
        models: values.model ?? [],
        modes,
        llamaServerBin,
        llamaServerArgs: values["llama-server-args"]?.split(/\s+/).filter(Boolean) ?? [],
        llamaServerSampling: sampling,
        keystrokes: positiveNumber("keystrokes", values.keystrokes, full ? 240 : 40),
        functions: positiveNumber("functions", values.functions, full ? 4 : 2),
        cps: positiveNumber("cps", values.cps, 8, false),
        pause: pause as PauseMode,
        pauseMaxMs: positiveNumber("pause-max-ms", values["pause-max-ms"], 60_000),
        debounceMs: values["debounce-ms"] === "0" ? 0 : positiveNumber("debounce-ms", values["debounce-ms"], 50),
        restMs: values["rest-ms"] === "0" ? 0 : positiveNumber("rest-ms", values["rest-ms"], 0),
        typist,
        lookMs: values["look-ms"] === "0" ? 0 : positiveNumber("look-ms", values["look-ms"], 1500),
        threads: parseThreadSettings(values.threads ?? "default,1"),
        contextSize: positiveNumber("context-size", values["context-size"], 4096),
        maxTokens: positiveNumber("max-tokens", values["max-tokens"], 64),
        gpu: values.gpu ?? "auto",
        chat: values.chat === true,
        chatModel: values["chat-model"],
        seed: values.seed === undefined ? 1 : Number(values.seed),
        corpus: values.corpus,
        json: values.json,
        verbose: values.verbose === true,
        serverJs: values.server,
        cliComplete: values["cli-complete"] === true,
        runs: positiveNumber("runs", values.runs, 3),
        help: values.help === true,
    };
    if (!Number.isInteger(options.seed)) throw new BenchUsageError(`--seed must be an integer (got "${values.seed}")`);
    if (!options.help && options.models.length === 0)
        throw new BenchUsageError("bench needs --model FILE.gguf (npm run bench generates the perf models and passes them)");
    return options;
}

const MODE_DESCRIPTIONS: Record<ModeName, string> = {
    shipped: "this server, default settings",
    "no-reuse": "this server, completion.reuseCache=false (full re-evaluation)",
    psm: "this server, completion.fimFormat=psm",
    "psm-line": "this server, completion.fimFormat=psm-line",
    spm: "this server, completion.fimFormat=spm",
    "no-extra": "this server, completion.extraContextShare=0",
    "full-prompt": "this server, completion.coldPromptMs=0 (no cold-cache cut)",
    "no-prepare": "this server, completion.prepareNext=false (no suggestion prepared before Tab)",
    "no-predict": "this server, engine.tokenPrediction=false (no speculative decoding)",
    "llama-server": "llama-server -np 1 --cache-reuse 256, /infill as llama.vscode drives it",
    "llama-server-spm": "llama-server as above with --spm-infill",
    "llama-server-nocache": "llama-server as above, cache_prompt: false",
};

/** Each keystroke's server would be asked; chat uses one sequence; 2 sequences per context (completion + chat). */
const SERVER_SEQUENCES = 2;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The built server (npm run build). */
function defaultServerJs(): string {
    return path.join(REPO_ROOT, "dist", "server.js");
}

function defaultCorpus(): string {
    for (const candidate of [path.join(REPO_ROOT, "node_modules"), path.resolve("node_modules")]) if (fs.existsSync(candidate)) return candidate;
    throw new BenchUsageError("No node_modules directory to take source files from; pass --corpus DIR");
}

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
    /** The model's tokenizer, for the prompt stability analysis (models with infill tokens). */
    tokenizer?: PromptTokenizer;
    dispose?: () => Promise<void>;
}

/**
 * What the peak RSS may be: the model file and its KV cache (two sequences) + 250 MB; with a separate
 * chat model, both files and each model's one sequence + 300 MB.
 */
async function memoryBudget(model: ModelFacts, options: BenchOptions): Promise<{ modelBytes: number; kvBytes: number; overheadMb: number } | undefined> {
    if (model.kvBytes === undefined) return undefined;
    if (!options.chatModel) return { modelBytes: model.bytes, kvBytes: model.kvBytes, overheadMb: 250 };
    const chat = await modelFacts(path.resolve(options.chatModel), options.contextSize);
    await chat.dispose?.();
    if (chat.kvBytes === undefined) return undefined;
    return { modelBytes: model.bytes + chat.bytes, kvBytes: (model.kvBytes + chat.kvBytes) / SERVER_SEQUENCES, overheadMb: 300 };
}

async function modelFacts(modelPath: string, contextSize: number): Promise<ModelFacts> {
    const bytes = fs.statSync(modelPath).size;
    const facts: ModelFacts = { path: modelPath, bytes, name: path.basename(modelPath) };
    try {
        const { getLlama, readGgufFileInfo, LlamaLogLevel } = await import("node-llama-cpp");
        const info = await readGgufFileInfo(modelPath, { readTensorInfo: false });
        const arch = info.architectureMetadata as {
            block_count?: number;
            embedding_length?: number;
            attention?: { head_count?: number; head_count_kv?: number | number[] };
        };
        facts.nLayer = arch.block_count;
        facts.nEmbd = arch.embedding_length;
        facts.nHead = arch.attention?.head_count;
        const kv = arch.attention?.head_count_kv;
        facts.nHeadKv = typeof kv === "number" ? kv : Array.isArray(kv) ? kv[0] : facts.nHead;
        const general = (info.metadata as { general?: { name?: string; file_type?: number } }).general;
        if (general?.name) facts.name = general.name;
        if (general?.file_type !== undefined)
            facts.fileType =
                ({ 0: "f32", 1: "f16", 2: "q4_0", 7: "q8_0", 15: "q4_K_M" } as Record<number, string>)[general.file_type] ?? `file_type ${general.file_type}`;
        if (facts.nLayer && facts.nEmbd && facts.nHead && facts.nHeadKv) {
            const kvWidth = (facts.nEmbd / facts.nHead) * facts.nHeadKv;
            facts.kvBytes = 2 * facts.nLayer * kvWidth * 2 * contextSize * SERVER_SEQUENCES;
        }
        // The vocabulary alone, to count typed tokens the way the server encodes the typed part.
        const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error, progressLogs: false });
        const vocab = await llama.loadModel({ modelPath, vocabOnly: true });
        const tokenizer = {
            encode: (value: string): Token[] => vocab.tokenize(value, false) as Token[],
            encodeInfilling: (value: string) => encodeInfilling(tokenizer.encode, value),
        };
        facts.countTokens = (text) => tokenizer.encodeInfilling(text).length;
        const { bos, infill } = vocab.tokens;
        if (bos !== null && infill.prefix !== null && infill.suffix !== null && infill.middle !== null) {
            const special: SpecialTokenIds = { bos, prefix: infill.prefix, suffix: infill.suffix, middle: infill.middle };
            facts.tokenizer = {
                countTokens: (text, leadingSpace) => (leadingSpace ? tokenizer.encode(text) : tokenizer.encodeInfilling(text)).length,
                encode: (request) => encodePiecesSync(infillPieces(request), tokenizer, special),
            };
        }
        facts.dispose = () => vocab.dispose();
    } catch (error) {
        process.stderr.write(
            `bench: could not read the model's metadata or vocabulary (${error instanceof Error ? error.message : String(error)}); typed tokens are counted as characters\n`,
        );
    }
    return facts;
}

function settingsFor(mode: ModeName, options: BenchOptions, modelPath: string, threads: ThreadSetting): Record<string, unknown> {
    const completion: Record<string, unknown> = { maxTokens: options.maxTokens };
    if (mode === "no-reuse") completion.reuseCache = false;
    if (mode === "psm" || mode === "psm-line" || mode === "spm") completion.fimFormat = mode;
    if (mode === "no-extra") completion.extraContextShare = 0;
    if (mode === "full-prompt") completion.coldPromptMs = 0;
    if (mode === "no-prepare") completion.prepareNext = false;
    return {
        model: { path: modelPath },
        engine: {
            ...(threads === "default" ? {} : { threads }),
            contextSize: options.contextSize,
            gpu: options.gpu,
            ...(mode === "no-predict" ? { tokenPrediction: false } : {}),
        },
        completion,
        ...(options.chatModel ? { chat: { model: { path: path.resolve(options.chatModel) } } } : {}),
        log: { level: options.verbose ? "info" : "warn" },
    };
}

function backendFor(mode: ModeName, threads: ThreadSetting, options: BenchOptions, modelPath: string, onLog?: (line: string) => void): Backend {
    const label = runLabel(mode, threads);
    if ((LSP_MODES as readonly string[]).includes(mode)) {
        return new LspBackend({ label, serverJs: options.serverJs ?? defaultServerJs(), settings: settingsFor(mode, options, modelPath, threads), onLog });
    }
    return new LlamaServerBackend({
        label,
        bin: options.llamaServerBin!,
        modelPath,
        contextSize: options.contextSize,
        threads: threads === "default" ? undefined : threads,
        maxTokens: options.maxTokens,
        spmInfill: mode === "llama-server-spm",
        cachePrompt: mode !== "llama-server-nocache",
        sampling: options.llamaServerSampling,
        extraArgs: options.llamaServerArgs,
        onLog,
    });
}

const CHAT_QUESTION =
    "Explain, step by step and with code examples, how a JavaScript event loop schedules timers, promises and I/O callbacks, and what that means for a language server that must answer every keystroke quickly.";

/**
 * A small file (~400 tokens): long enough that the warm-up request is a real prompt evaluation (this
 * server measures its prompt speed on evaluations of 64 tokens or more, as it would on the first file
 * an editor opens), short enough to cost little.
 */
const WARM_UP_SOURCE =
    Array.from({ length: 30 }, (_, index) => `const value${index} = compute(${index}, "item ${index}");\n`).join("") + "function add(a, b) {\n    \n}\n";

/** One request on a small document of its own (warm-up, or to leave another prompt in the cache); not measured. */
async function complete(backend: Backend, uri: string): Promise<RequestResult> {
    await backend.open(uri, "javascript", WARM_UP_SOURCE);
    const request = backend.request(uri, { line: 31, character: 4 });
    const result = await request.done;
    await backend.attachServerNumbers?.([{ sentAtEpoch: request.sentAtEpoch, result }]);
    backend.close(uri);
    return result;
}

interface ModeRun {
    mode: ModeName;
    threads: ThreadSetting;
    backend: Backend;
    result: ModeResult;
}

/** One replay of one script on one mode: requests, then the server's numbers for them, then typed tokens. */
async function replayOn(
    run: ModeRun,
    script: ReplayScript,
    index: number,
    phase: "idle" | "chat",
    replayOptions: ReplayOptions & Pick<BenchOptions, "typist" | "lookMs">,
    model: ModelFacts,
    log: (line: string) => void,
): Promise<void> {
    const { backend, result } = run;
    const mode = result.name;
    const chatRuns: Promise<ChatRunResult>[] = [];
    let chatting = phase === "chat";
    let current: ReturnType<NonNullable<Backend["chat"]>> | undefined;
    if (chatting) {
        // Start as cold as the idle replay did (after the warm-up document): the completion cache holds another prompt.
        await complete(backend, `file:///bench/${encodeURIComponent(mode)}/chat-reset.js`);
        // Keep a chat answer streaming for the whole replay: start another when one ends.
        const startChat = (): void => {
            if (!chatting) return;
            current = backend.chat!(CHAT_QUESTION, 1024);
            chatRuns.push(current.done);
            void current.done.then(() => startChat());
        };
        startChat();
        await sleep(1000); // the chat prompt is evaluated and streaming has begun
    }
    const uri = `file:///bench/${encodeURIComponent(mode)}/${phase}/${index}/${path.basename(script.relPath)}`;
    const logs =
        replayOptions.typist === "accept" && phase === "idle"
            ? await replayAccepting(
                  backend,
                  script,
                  index,
                  { lookMs: replayOptions.lookMs, debounceMs: replayOptions.debounceMs, pauseMaxMs: replayOptions.pauseMaxMs },
                  { mode, uri },
              )
            : await replay(backend, script, index, replayOptions, { mode, phase, uri });
    if (chatting) {
        chatting = false;
        current?.cancel();
        result.chatRuns = [...(result.chatRuns ?? []), ...(await Promise.all(chatRuns))];
    }
    await backend.attachServerNumbers?.(logs.map((entry) => ({ sentAtEpoch: entry.sentAtEpoch, result: entry.result })));
    annotateTyped(logs, script.keystrokes, model.countTokens ?? ((text) => text.length));
    result.logs.push(...logs);
    const answered = logs.filter((entry) => entry.result?.outcome === "answered");
    const median = answered.map((entry) => entry.result!.latencyMs).sort((a, b) => a - b)[Math.floor(answered.length / 2)];
    log(
        `  ${mode}: ${phase} ${script.id}: ${logs.length} requests, ${answered.length} answered${median === undefined ? "" : `, median ${median.toFixed(0)} ms`}`,
    );
}

/**
 * Runs the modes side by side: every stack is started (and warmed up) first, then each script is
 * replayed on one mode after the other, so that other work on the machine falls on all modes alike;
 * the order of the modes rotates from script to script, so no mode always goes first. Only one
 * stack works at a time; the others sit idle.
 */
async function runModes(
    scripts: readonly ReplayScript[],
    options: BenchOptions,
    model: ModelFacts,
    replayOptions: ReplayOptions & Pick<BenchOptions, "typist" | "lookMs">,
    log: (line: string) => void,
): Promise<ModeResult[]> {
    const runs: ModeRun[] = options.threads.flatMap((threads) =>
        options.modes.map((mode) => ({
            mode,
            threads,
            backend: backendFor(mode, threads, options, model.path, options.verbose ? log : undefined),
            result: {
                name: runLabel(mode, threads),
                kind: (LSP_MODES as readonly string[]).includes(mode) ? "lsp" : "llama-server",
                description: MODE_DESCRIPTIONS[mode],
                threadSetting: threads,
                logs: [],
                peakRssKb: 0,
                startMs: 0,
                serverNumbers: true,
                notes: [],
            } satisfies ModeResult,
        })),
    );
    const loadStart = os.loadavg()[0]!;
    if (loadStart > 0.5) log(`bench: note: the machine is busy (1-minute load average ${loadStart.toFixed(2)}); timings will be slower and noisier`);
    try {
        for (const { backend, result } of runs) {
            const started = performance.now();
            await backend.start();
            result.startMs = performance.now() - started;
            // Warm-up: one request on a small document, so the first measured request does not pay for page faults.
            const warmResult = await complete(backend, `file:///bench/${encodeURIComponent(result.name)}/warmup.js`);
            log(`  ${result.name}: started in ${(result.startMs / 1000).toFixed(1)} s (pid ${backend.pid}), warm-up ${warmResult.latencyMs.toFixed(0)} ms`);
        }
        for (const [index, script] of scripts.entries()) {
            for (const run of rotated(runs, index)) await replayOn(run, script, index, "idle", replayOptions, model, log);
        }
        if (options.chat) {
            for (const run of runs)
                if (run.mode === "shipped" && run.threads === options.threads[0] && run.backend.chat)
                    await replayOn(run, scripts[0]!, 0, "chat", replayOptions, model, log);
        }
        for (const { backend, result } of runs) {
            result.engine = backend.engineFacts?.();
            if (backend instanceof LspBackend && !backend.statsAvailable) {
                result.serverNumbers = false;
                result.notes!.push("the server did not answer codellama/stats: no per-request token counts or engine times");
            }
        }
    } finally {
        for (const { backend, result } of runs) {
            const { peakRssKb } = await backend.stop().catch(() => ({ peakRssKb: 0 }));
            result.peakRssKb = peakRssKb;
        }
    }
    const loadEnd = os.loadavg()[0]!;
    for (const { result } of runs) result.loadAverage = { start: loadStart, end: loadEnd };
    return runs.map((run) => run.result);
}

/** The summary of `mode` at the headline thread setting (the first of --threads). */
function headline(summaries: readonly ModeSummary[], mode: ModeName, options: BenchOptions): ModeSummary | undefined {
    return summaries.find((summary) => summary.name === runLabel(mode, options.threads[0]!));
}

export interface BenchRun {
    model: Omit<ModelFacts, "countTokens" | "dispose" | "tokenizer">;
    stability: StabilityResult[];
    modes: ModeResult[];
    summaries: ModeSummary[];
    targets: Target[];
}

/** Runs every mode on every model; prints progress on stderr and the tables on stdout. */
export async function runBench(
    options: BenchOptions,
    out: (text: string) => void = (text) => process.stdout.write(text),
    log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<BenchRun[]> {
    const corpusDir = options.corpus ?? defaultCorpus();
    // Your own --corpus directory gives every package in it; the default one a fixed list (see CORPUS_NPM_PACKAGES).
    const files = collectSourceFiles(corpusDir, options.corpus ? {} : { packages: CORPUS_NPM_PACKAGES });
    const picked = pickFunctions(files, { count: options.functions, seed: options.seed });
    if (picked.length === 0) throw new Error(`No replayable functions found in ${corpusDir}`);
    const budgets = splitBudget(options.keystrokes, picked.length);
    const scripts = picked.map((entry, index) => replayScript(entry, budgets[index]!));
    log(
        `bench: ${files.length} source files in ${corpusDir}; replaying ${scripts.length} functions, ${scripts.reduce((sum, s) => sum + s.keystrokes.length, 0)} keystrokes per mode at ${options.cps} chars/s`,
    );
    for (const script of scripts)
        log(
            `  ${script.id} (${script.packageName}@${script.packageVersion}, ${script.license}; lines ${script.startLine}-${script.endLine} of ${script.totalLines}; ${script.keystrokes.length} keystrokes)`,
        );
    const replayOptions = {
        cps: options.cps,
        debounceMs: options.debounceMs,
        pause: options.pause,
        pauseMaxMs: options.pauseMaxMs,
        restMs: options.restMs,
        typist: options.typist,
        lookMs: options.lookMs,
    };

    if (options.cliComplete) {
        await runCliTiming(scripts[0]!, options, out, log);
        return [];
    }

    const runs: BenchRun[] = [];
    for (const modelPath of options.models) {
        const model = await modelFacts(path.resolve(modelPath), options.contextSize);
        log(`bench: model ${model.path} (${(model.bytes / 2 ** 20).toFixed(0)} MB${model.fileType ? `, ${model.fileType}` : ""})`);
        let modes: ModeResult[];
        let stability: StabilityResult[] = [];
        try {
            if (model.tokenizer) {
                const started = performance.now();
                stability = await promptStability(
                    model.tokenizer,
                    options.contextSize,
                    scripts,
                    {
                        maxTokens: options.maxTokens,
                        prefixShare: SETTINGS["completion.prefixShare"].default,
                        suffixShare: SETTINGS["completion.suffixShare"].default,
                        extraContextShare: SETTINGS["completion.extraContextShare"].default,
                        reuseCache: true,
                    },
                    FIM_FORMATS,
                );
                log(`bench: prompt stability of ${FIM_FORMATS.join(", ")} over every keystroke in ${((performance.now() - started) / 1000).toFixed(1)} s`);
            }
            modes = await runModes(scripts, options, model, replayOptions, log);
        } finally {
            await model.dispose?.();
        }
        const summaries = modes.map(summarizeMode);
        const targets = evaluateTargets({
            shipped: headline(summaries, "shipped", options),
            llamaServer: headline(summaries, "llama-server", options),
            withoutPreparation: headline(summaries, "no-prepare", options),
            memoryBudgetBytes: await memoryBudget(model, options),
        });
        const { countTokens: _count, dispose: _dispose, tokenizer: _tokenizer, ...facts } = model;
        runs.push({ model: facts, stability, modes, summaries, targets });
        out(
            `\nModel ${model.name} (${path.basename(model.path)}, ${(model.bytes / 2 ** 20).toFixed(0)} MB${model.fileType ? `, ${model.fileType}` : ""}), threads ${options.threads.join(", ")} (targets: ${options.threads[0]}), context ${options.contextSize}, max ${options.maxTokens} tokens, ${options.cps} chars/s${options.restMs > 0 ? `, ${options.restMs} ms at rest before typing each function` : ""}\n\n`,
        );
        out(`${formatTable(SUMMARY_HEADERS, summaries.map(summaryRow))}\n\n`);
        const acceptRows = summaries.map(acceptRow).filter((row) => row !== undefined);
        if (acceptRows.length > 0)
            out(
                `The accept typist (looks ${options.lookMs} ms at each suggestion, then Tab or, every other time, a keystroke):\n\n${formatTable(ACCEPT_HEADERS, acceptRows)}\n\n`,
            );
        if (stability.length > 0) {
            out("Prompt stability (this server's prompt at every keystroke, previous keystroke's prompt cached; no timing):\n\n");
            out(`${formatTable(STABILITY_HEADERS, stability.map(stabilityRow))}\n\n`);
        }
        for (const summary of summaries) {
            if (summary.chat)
                out(
                    `${summary.name}: while a chat answer streams (${summary.chat.chatTokensPerS.toFixed(1)} chat tokens/s), completion p50 ${summary.chat.chatLatencyMs.p50.toFixed(0)} ms vs ${summary.chat.idleLatencyMs.p50.toFixed(0)} ms idle (${summary.chat.ratio.toFixed(2)}×)\n`,
                );
        }
        out(`${targetsTable(targets)}\n`);
        for (const mode of modes) for (const note of mode.notes ?? []) out(`note (${mode.name}): ${note}\n`);
    }

    if (options.json) {
        const document = {
            benchmark: "codellama typing replay (issue #5)",
            date: new Date().toISOString(),
            machine: machineInfo(),
            options: {
                ...options,
                json: undefined,
                help: undefined,
                llamaServerCommand: options.llamaServerBin
                    ? [
                          options.llamaServerBin,
                          ...llamaServerArgs(
                              {
                                  modelPath: "MODEL",
                                  contextSize: options.contextSize,
                                  threads: options.threads[0] === "default" ? undefined : options.threads[0],
                                  extraArgs: options.llamaServerArgs,
                              },
                              0,
                          ),
                      ].join(" ")
                    : undefined,
            },
            defaults: { fimFormat: SETTINGS["completion.fimFormat"].default, reuseCache: SETTINGS["completion.reuseCache"].default },
            corpus: scripts.map(({ before: _before, after: _after, keystrokes, ...meta }) => ({
                ...meta,
                keystrokes: keystrokes.length,
                typed: keystrokes.join(""),
            })),
            runs: runs.map((run) => ({
                model: run.model,
                targets: run.targets,
                stability: run.stability.map((entry) => jsonSummary(entry)),
                modes: run.modes.map((mode, index) => ({
                    name: mode.name,
                    kind: mode.kind,
                    description: mode.description,
                    threadSetting: mode.threadSetting,
                    engine: mode.engine,
                    startMs: round(mode.startMs, 0),
                    peakRssMb: round(mode.peakRssKb / 1024, 1),
                    serverNumbers: mode.serverNumbers,
                    loadAverage: mode.loadAverage,
                    notes: mode.notes,
                    chatRuns: mode.chatRuns,
                    summary: jsonSummary(run.summaries[index]!),
                    requests: mode.logs.map((entry) => requestJson(entry)),
                })),
            })),
        };
        fs.mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
        fs.writeFileSync(options.json, `${JSON.stringify(document, null, 1)}\n`);
        log(`bench: wrote ${options.json}`);
    }
    return runs;
}

/** --cli-complete: `codellama complete` at the start of the script's function body, per model and thread setting. */
async function runCliTiming(script: ReplayScript, options: BenchOptions, out: (text: string) => void, log: (line: string) => void): Promise<void> {
    // The function's first line typed: the cursor starts its body.
    const firstLine = script.keystrokes.findIndex((key) => key.includes("\n"));
    const prefix = script.before + script.indent + script.keystrokes.slice(0, firstLine < 0 ? undefined : firstLine + 1).join("");
    const lines = prefix.split("\n");
    const position = { line: lines.length, character: lines.at(-1)!.length + 1 };
    const cliJs = path.join(path.dirname(options.serverJs ?? defaultServerJs()), "cli.js");
    const json: unknown[] = [];
    for (const modelPath of options.models) {
        log(`bench: codellama complete on ${modelPath} at ${script.id} (${position.line}:${position.character}), ${options.runs} runs per setting`);
        const results = await timeCliComplete(
            {
                cliJs,
                modelPath: path.resolve(modelPath),
                text: prefix + script.after,
                position,
                settings: options.threads,
                runs: options.runs,
                maxTokens: options.maxTokens,
                contextSize: options.contextSize,
                gpu: options.gpu,
            },
            log,
        );
        const target = cliTimingTarget(results);
        out(`\ncodellama complete, ${path.basename(modelPath)}, max ${options.maxTokens} tokens, ${options.runs} runs per setting\n\n`);
        out(`${formatTable(CLI_TIMING_HEADERS, cliTimingRows(results))}\n\n`);
        out(`${targetsTable([target])}\n`);
        json.push({ model: modelPath, results, target });
    }
    if (options.json) {
        fs.mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
        fs.writeFileSync(
            options.json,
            `${JSON.stringify({ benchmark: "codellama complete at each thread setting", date: new Date().toISOString(), machine: machineInfo(), script: script.id, runs: json }, null, 1)}\n`,
        );
        log(`bench: wrote ${options.json}`);
    }
}

function targetsTable(targets: readonly Target[]): string {
    return formatTable(
        ["target", "goal", "measured", "met"],
        targets.map((target) => [target.name, target.target, target.measured, target.met === undefined ? "not measured" : target.met ? "yes" : "NO"]),
    );
}

export const STABILITY_HEADERS = [
    "fimFormat",
    "keystrokes",
    "prompt tok p50",
    "in-line eval p50",
    "in-line eval p95",
    "new-line eval p50",
    "in-line full re-evals",
    "build ms p50",
] as const;

export function stabilityRow(entry: StabilityResult): (string | number)[] {
    return [
        entry.format,
        entry.keystrokes,
        cell(entry.promptTokens.p50),
        cell(entry.withinLine.p50),
        cell(entry.withinLine.p95),
        cell(entry.newLine.p50),
        `${entry.fullReevaluations}/${entry.withinLineCount}`,
        cell(entry.buildMs.p50, 1),
    ];
}

function requestJson(entry: RequestLog): unknown {
    const result = entry.result;
    return {
        phase: entry.phase,
        script: entry.script,
        keystroke: entry.keystroke,
        key: entry.key,
        atPause: entry.atPause,
        ...(entry.after ? { after: entry.after } : {}),
        line: entry.position.line + 1,
        character: entry.position.character + 1,
        outcome: result?.outcome,
        latencyMs: result ? round(result.latencyMs, 2) : null,
        ...(result?.server
            ? {
                  source: result.server.source,
                  serverOutcome: result.server.outcome,
                  promptTokens: result.server.promptTokens,
                  evaluatedTokens: result.server.evaluatedTokens,
                  reusedTokens: result.server.reusedTokens,
                  generatedTokens: result.server.generatedTokens,
                  engineMs: round(result.server.engineMs, 2),
                  serverLatencyMs: result.server.serverLatencyMs === undefined ? undefined : round(result.server.serverLatencyMs, 2),
              }
            : {}),
        typedSinceEvaluation: entry.typedSinceEvaluation,
        typedTokens: entry.typedTokens,
        withinLine: isWithinLine(entry),
        error: result?.error,
    };
}

/** `npm run bench -- ARGS` after bench/main.ts prepared the models; returns the exit code. */
export async function benchCommand(argv: readonly string[]): Promise<number> {
    let options: BenchOptions;
    try {
        options = parseBenchArgs(argv, process.env);
    } catch (error) {
        if (error instanceof BenchUsageError) {
            process.stderr.write(`bench: ${error.message}\n\n${BENCH_USAGE}`);
            return 2;
        }
        throw error;
    }
    if (options.help) {
        process.stdout.write(BENCH_USAGE);
        return 0;
    }
    await runBench(options);
    return 0;
}

/** `items` starting at `offset` (modulo its length) and wrapping around. */
export function rotated<T>(items: readonly T[], offset: number): T[] {
    const start = items.length === 0 ? 0 : offset % items.length;
    return [...items.slice(start), ...items.slice(0, start)];
}
