/** The `codellama` command: `serve` runs the language server, `complete` prints one completion, `chat` answers, `models` lists the models to pick. */
import fs from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { TextDocument } from "vscode-languageserver-textdocument";
import { formatBytes } from "../../../shared/src/byteSize.js";
import type { ChatMessage } from "../../../shared/src/prompts/template.js";
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import { answerChat } from "../chat/chatService.js";
import { completeAt } from "../completion/generation.js";
import { resolveConfig } from "../config/resolve.js";
import type { InferenceEngine } from "../engine/inference.js";
import { formatTable } from "../eval/report.js";
import { errorMessage, Logger, type LogSink } from "../log/logger.js";
import { problemLogger } from "../lsp/problemText.js";
import { runLanguageServer } from "../lsp/run.js";
import { SERVER_VERSION } from "../lsp/server.js";
import { modelChoices, rolesText } from "../model/catalogue.js";
import { localModels } from "../model/localModels.js";
import { ModelManager } from "../model/modelManager.js";
import { defaultModelsDirectory } from "../model/paths.js";
import { CONFIG_FLAGS, configFlagsHelp, configFromFlags } from "./configFlags.js";
import { evalCommand } from "./evalCommand.js";
import { terminalProgress } from "./terminalProgress.js";
import { UsageError } from "./usageError.js";

export { configFromFlags };

const USAGE = `Usage:
  codellama serve --stdio                 Run the language server (LSP 3.18) on stdio
  codellama complete --file FILE --position LINE:COL [options]
                                          Print the completion suggested at LINE:COL (1-based)
  codellama chat [options] ["question"]   Stream Code Llama Instruct's answer (question from stdin
                                          when not given)
  codellama models [--models-dir DIR] [--json]
                                          The models to pick from: the Code Llama and Llama 2
                                          family (size, variant, quantization, download size,
                                          memory needed, roles, whether it fits this machine)
                                          and the .gguf files in the models directory
  codellama eval --model FILE [--repo DIR | --holes FILE] [options]
                                          Suggestion quality on your code: holes cut from the
                                          files git tracks in DIR (default .), completed by the
                                          model and compared with what the file has; a table per
                                          hole class (exact, edit similarity, time, tokens)
  codellama --version | --help

Options for complete and chat:
${configFlagsHelp()}
  --json                  Print a JSON object with the result and its statistics
  --system TEXT           chat: the system prompt

Options for eval (and the model options above):
  --per-class N           Holes of each class in each language (default 5)
  --classes LIST          Only these hole classes (comma-separated; docs/quality.md lists them)
  --seed N                Seed of the choice of holes (default 1)
  --holes FILE            The holes npm run eval wrote, instead of --repo
  --json                  Print every hole's result as JSON instead of the table
`;

const OPTIONS = {
    help: { type: "boolean", short: "h" },
    version: { type: "boolean", short: "v" },
    stdio: { type: "boolean" },
    "node-ipc": { type: "boolean" },
    socket: { type: "string" },
    "client-process-id": { type: "string" },
    ...Object.fromEntries(CONFIG_FLAGS.map((flag) => [flag.flag, { type: "string" } as const])),
    file: { type: "string" },
    position: { type: "string" },
    json: { type: "boolean" },
    system: { type: "string" },
    repo: { type: "string" },
    holes: { type: "string" },
    "per-class": { type: "string" },
    classes: { type: "string" },
    seed: { type: "string" },
} as const;

/** Terminal users want the message, not a timestamped log line. */
const cliSink: LogSink = (level, message) => process.stderr.write(level === "error" ? `codellama: ${message}\n` : `codellama ${level}: ${message}\n`);

export async function main(argv: string[]): Promise<number> {
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
        case "models":
            return models(values);
        case "eval":
            return evalCommand(values, (work) => withEngine(values, work));
        default:
            throw new UsageError(`Unknown command: ${command}`);
    }
}

type Values = Record<string, string | boolean | undefined>;

/** Parses 1-based "LINE:COL" (as editors show it) into a 0-based LSP position. */
export function parsePosition(text: string): { line: number; character: number } {
    const match = /^(\d+):(\d+)$/.exec(text.trim());
    if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) throw new UsageError(`--position must be LINE:COL, 1-based (got "${text}")`);
    return { line: Number(match[1]) - 1, character: Number(match[2]) - 1 };
}

/** Loads the model(s) the flags name and runs `work` with the one for `role`; when it cannot load, logs why and what to do, in flags. */
async function withEngine(
    values: Values,
    work: (engine: InferenceEngine, config: CodeLlamaConfig) => Promise<void>,
    role: "completion" | "chat" = "completion",
): Promise<number> {
    const { config, warnings } = resolveConfig(configFromFlags(values));
    if (warnings.length) throw new UsageError(warnings.join("\n"));
    const logger = new Logger(cliSink, config.log.level);
    const models = new ModelManager({ logger, progress: terminalProgress, allowDownload: true, onState: problemLogger(logger, () => "cli") });
    try {
        await models.configure(config);
        const engine = role === "chat" ? models.chat : models.engine;
        if (!engine) return 1;
        await work(engine, config);
        // The first run of a model on this machine measures the fastest thread count once the work is
        // done, so that the next run starts with it.
        await models.whenCalibrated();
        return 0;
    } finally {
        await models.dispose();
    }
}

async function chat(values: Values, question: string): Promise<number> {
    const text = question.trim() || (await readStdin()).trim();
    if (!text) throw new UsageError('chat needs a question: codellama chat "How do I reverse a list in Python?"');
    const messages: ChatMessage[] =
        typeof values.system === "string"
            ? [
                  { role: "system", content: values.system },
                  { role: "user", content: text },
              ]
            : [{ role: "user", content: text }];
    return withEngine(
        values,
        async (engine, config) => {
            const controller = new AbortController();
            const stop = (): void => controller.abort();
            process.once("SIGINT", stop);
            try {
                const answer = await answerChat(engine, messages, {
                    maxTokens: config.chat.maxTokens,
                    format: config.chat.format,
                    signal: controller.signal,
                    onDelta: values.json ? undefined : (delta) => process.stdout.write(delta),
                });
                process.stdout.write(values.json ? `${JSON.stringify(answer, null, 2)}\n` : "\n");
            } finally {
                process.off("SIGINT", stop);
            }
        },
        "chat",
    );
}

/** `codellama models`: the same choices as the editor's "Select Model…", as a table (or JSON). */
async function models(values: Values): Promise<number> {
    const { config, warnings } = resolveConfig(configFromFlags(values));
    if (warnings.length) throw new UsageError(warnings.join("\n"));
    const choices = modelChoices(await localModels(config.model.directory || defaultModelsDirectory()), os.totalmem());
    if (values.json) {
        process.stdout.write(`${JSON.stringify(choices, null, 2)}\n`);
        return 0;
    }
    const rows = choices.map((choice) => [
        choice.label,
        choice.quantization ?? "",
        formatBytes(choice.fileBytes),
        formatBytes(choice.memoryBytes),
        rolesText(choice.roles),
        choice.fits ? "yes" : "no",
        choice.path ?? (choice.downloaded ? `${choice.uri} (downloaded)` : (choice.uri ?? "")),
    ]);
    process.stdout.write(
        `${formatTable(["Model", "Quant", "File", "Memory", "Roles", "Fits", "Path or download"], rows)}\n\nMemory: the weights and a 4,096-token context for completion and for chat; this machine has ${formatBytes(os.totalmem())}.\n`,
    );
    return 0;
}

async function readStdin(): Promise<string> {
    if (process.stdin.isTTY) return "";
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
}

async function complete(values: Values): Promise<number> {
    if (typeof values.file !== "string" || typeof values.position !== "string") throw new UsageError("complete needs --file FILE and --position LINE:COL");
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
            process.stdout.write(
                `${JSON.stringify({ completion: completion.text, position: completion.position, model: engine.info, speed: engine.speed?.(), prompt: completion.prompt, generation: completion.generation }, null, 2)}\n`,
            );
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
