/** The `codellama` command: `serve` runs the language server, `complete` prints one completion. */
import fs from "node:fs";
import { parseArgs } from "node:util";
import { TextDocument } from "vscode-languageserver-textdocument";
import { fromDotted, resolveConfig } from "../config/resolve.js";
import { type CodeLlamaConfig, DEFAULT_MODEL_URI } from "../config/schema.js";
import { answerChat } from "../chat/chatService.js";
import type { ChatMessage } from "../chat/instructPrompt.js";
import type { InferenceEngine } from "../engine/inference.js";
import { completeAt } from "../completion/completer.js";
import { problemText } from "../audience/problemText.js";
import { ModelManager } from "../engine/modelManager.js";
import { errorMessage, Logger, type LogSink } from "../log/logger.js";
import { runLanguageServer } from "../lsp/run.js";
import { SERVER_VERSION } from "../lsp/server.js";
import { terminalProgress } from "./terminalProgress.js";
import { benchCommand } from "../bench/run.js";

const USAGE = `Usage:
  codellama serve --stdio                 Run the language server (LSP 3.18) on stdio
  codellama complete --file FILE --position LINE:COL [options]
                                          Print the completion suggested at LINE:COL (1-based)
  codellama chat [options] ["question"]   Stream Code Llama Instruct's answer (question from stdin
                                          when not given)
  codellama bench --model FILE [options]  Typing-replay benchmark (codellama bench --help)
  codellama --version | --help

Options for complete and chat:
  --model PATH            Local GGUF model (default: download ${DEFAULT_MODEL_URI}
                          on first use into the per-user cache)
  --model-uri URI         Model to download when no --model is given
  --models-dir DIR        Where downloaded models are kept
  --gpu MODE              auto | cuda | vulkan | metal | off (default auto)
  --gpu-layers N          Layers on the GPU, -1 = as many as fit (default -1)
  --threads N             CPU threads, 0 = automatic (default 0)
  --context-size N        Context size in tokens (default 4096)
  --max-tokens N          Most tokens to generate (default 128)
  --fim-format FORMAT     psm | spm (default psm)
  --log-level LEVEL       error | warn | info | debug (default warn)
  --json                  Print a JSON object with the result and its statistics
  --system TEXT           chat: the system prompt
`;

const OPTIONS = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
    stdio: { type: "boolean" },
    "node-ipc": { type: "boolean" },
    socket: { type: "string" },
    "client-process-id": { type: "string" },
    model: { type: "string" },
    "model-uri": { type: "string" },
    "models-dir": { type: "string" },
    gpu: { type: "string" },
    "gpu-layers": { type: "string" },
    threads: { type: "string" },
    "context-size": { type: "string" },
    "max-tokens": { type: "string" },
    "fim-format": { type: "string" },
    "log-level": { type: "string" },
    file: { type: "string" },
    position: { type: "string" },
    json: { type: "boolean" },
    system: { type: "string" },
} as const;

class UsageError extends Error {}

/** Terminal users want the message, not a timestamped log line. */
const cliSink: LogSink = (level, message) => process.stderr.write(level === "error" ? `codellama: ${message}\n` : `codellama ${level}: ${message}\n`);

export async function main(argv: string[]): Promise<number> {
    // bench has its own flags (server/src/bench/run.ts).
    if (argv[0] === "bench") return benchCommand(argv.slice(1));
    let parsed;
    try {
        parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    } catch (error) {
        throw new UsageError(errorMessage(error));
    }
    const { values, positionals } = parsed;
    if (values.version) {
        process.stdout.write(`${SERVER_VERSION}\n`);
        return 0;
    }
    const command = positionals[0];
    if (values.help || !command) {
        process.stdout.write(USAGE);
        return values.help ? 0 : 2;
    }
    switch (command) {
        case "serve":
            runLanguageServer();
            return -1;
        case "complete":
            return complete(values);
        case "chat":
            return chat(values, positionals.slice(1).join(" "));
        default:
            throw new UsageError(`Unknown command: ${command}`);
    }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

/** Maps CLI flags onto the configuration shape; the resolver validates them like any other layer. */
export function configFromFlags(values: Values): unknown {
    const number = (text: string | undefined): number | string | undefined => (text === undefined ? undefined : Number.isNaN(Number(text)) ? text : Number(text));
    return fromDotted({
        "model.path": values.model,
        "model.uri": values["model-uri"],
        "model.directory": values["models-dir"],
        "engine.gpu": values.gpu,
        "engine.gpuLayers": number(values["gpu-layers"]),
        "engine.threads": number(values.threads),
        "engine.contextSize": number(values["context-size"]),
        "completion.maxTokens": number(values["max-tokens"]),
        "chat.maxTokens": number(values["max-tokens"]),
        "completion.fimFormat": values["fim-format"],
        "log.level": values["log-level"] ?? "warn",
    });
}

/** Parses 1-based "LINE:COL" (as editors show it) into a 0-based LSP position. */
export function parsePosition(text: string): { line: number; character: number } {
    const match = /^(\d+):(\d+)$/.exec(text.trim());
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new UsageError(`--position must be LINE:COL, 1-based (got "${text}")`);
    return { line: Number(match[1]) - 1, character: Number(match[2]) - 1 };
}

/** Loads the model the flags name and runs `work` with it; the manager logs why when it cannot load. */
async function withEngine(values: Values, work: (engine: InferenceEngine, config: CodeLlamaConfig) => Promise<void>): Promise<number> {
    const { config, warnings } = resolveConfig(configFromFlags(values));
    if (warnings.length) throw new UsageError(warnings.join("\n"));
    const logger = new Logger(cliSink, config.log.level);
    const models = new ModelManager({ logger, progress: terminalProgress, allowDownload: true, describe: (problem) => problemText(problem, "cli"), onStatus: () => undefined });
    try {
        await models.configure(config);
        if (!models.engine) return 1;
        await work(models.engine, config);
        return 0;
    } finally {
        await models.dispose();
    }
}

async function chat(values: Values, question: string): Promise<number> {
    const text = question.trim() || (await readStdin()).trim();
    if (!text) throw new UsageError('chat needs a question: codellama chat "How do I reverse a list in Python?"');
    const messages: ChatMessage[] = values.system ? [{ role: "system", content: values.system }, { role: "user", content: text }] : [{ role: "user", content: text }];
    return withEngine(values, async (engine, config) => {
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once("SIGINT", stop);
        try {
            const answer = await answerChat(engine, messages, {
                maxTokens: config.chat.maxTokens,
                signal: controller.signal,
                onDelta: values.json ? undefined : (delta) => process.stdout.write(delta),
            });
            process.stdout.write(values.json ? `${JSON.stringify(answer, null, 2)}\n` : "\n");
        } finally {
            process.off("SIGINT", stop);
        }
    });
}

async function readStdin(): Promise<string> {
    if (process.stdin.isTTY) return "";
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

async function complete(values: Values): Promise<number> {
    if (!values.file || !values.position) throw new UsageError("complete needs --file FILE and --position LINE:COL");
    const position = parsePosition(values.position);
    let text: string;
    try {
        text = fs.readFileSync(values.file, "utf8");
    } catch (error) {
        throw new UsageError(`Cannot read ${values.file}: ${errorMessage(error)}`);
    }
    return withEngine(values, async (engine, config) => {
        const document = TextDocument.create(`file://${values.file}`, "plaintext", 1, text);
        // One answer, no keystrokes to keep up with: the full prompt, however cold the cache.
        const completion = await completeAt(engine, document, position, { ...config.completion, coldPromptMs: 0 });
        if (values.json) {
            process.stdout.write(`${JSON.stringify({ completion: completion.text, position: completion.position, model: engine.info, prompt: completion.prompt, generation: completion.generation }, null, 2)}\n`);
        } else {
            process.stdout.write(completion.text + (completion.text.endsWith("\n") ? "" : "\n"));
        }
    });
}

export async function runCli(argv: string[]): Promise<void> {
    try {
        const code = await main(argv);
        if (code >= 0) process.exitCode = code;
    } catch (error) {
        process.stderr.write(`codellama: ${errorMessage(error)}\n${error instanceof UsageError ? "Run `codellama --help` for usage.\n" : ""}`);
        process.exitCode = error instanceof UsageError ? 2 : 1;
    }
}
