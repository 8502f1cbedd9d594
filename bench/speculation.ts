/**
 * `npm run bench:speculation [-- options]`: speculative decoding (issue #16) on generated models whose
 * greedy answers copy from their prompts (tools/tinyCodellama/copyingScripts.ts), the engine called
 * directly. Each case runs on an engine decoding one token at a time and on one decoding
 * speculatively, alternately, several rounds; it reports generation speed (tokens after the first,
 * per second of generation: prompt evaluation is left out), the speculative/plain ratio (median of
 * the rounds' ratios) and whether both answers were identical.
 *
 *   chat-rewrite   a chat answer that rewrites a 60-line code block of the question (input lookup)
 *   chat-no-copy   the same answer to a question without the block: it copies nothing (input lookup)
 *   infill-line    a completion that repeats a line of the prompt (input lookup)
 *   chat-draft     the no-copy answer with a 7x smaller model of the same vocabulary as the draft
 *
 * And what alternatives would cost (several suggestions per request, VS Code's Alt+] / Alt+[): on the
 * typing benchmark's random perf q4_0 model, the latency of one suggestion after a keystroke against
 * that suggestion plus two more, each branching from the cached prompt with another first token.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { EmbeddedEngine } from "../server/src/engine/embeddedEngine.js";
import type { Generation } from "../server/src/engine/inference.js";
import { infillPieces } from "../server/src/engine/promptFormat.js";
import { formatTable } from "../server/src/eval/report.js";
import { Logger } from "../server/src/log/logger.js";
import {
    copyingModel,
    ensureTinyModel,
    NO_COPY_QUESTION,
    REPEAT_LINE_INFILL,
    REWRITE_QUESTION,
    TENSOR_TYPES,
    type TensorType,
} from "../tools/tinyCodellama/index.js";
import { machineInfo } from "./proc.js";
import { round, summarize } from "./stats.js";

const USAGE = `Usage: npm run bench:speculation -- [options]
  --rounds N     runs of each case on each engine (default 5)
  --threads N    CPU threads of every engine (default 1)
  --type T       tensor type of the generated models: ${TENSOR_TYPES.join(", ")} (default f32)
  --json FILE    write every run and the summary as JSON
`;

interface Case {
    name: string;
    /** What the case shows, and the issue's target for the ratio. */
    goal: string;
    target: (ratio: number) => boolean;
    speculative: "lookup" | "draft";
    /** Answers per measurement, for short ones: a few milliseconds of other load would swing one. */
    repeat?: number;
    run(engine: EmbeddedEngine): Promise<Generation>;
}

const CASES: readonly Case[] = [
    {
        name: "chat-rewrite",
        goal: ">= 2x",
        target: (ratio) => ratio >= 2,
        speculative: "lookup",
        run: (engine) => engine.chat(REWRITE_QUESTION, { maxTokens: 400 }),
    },
    {
        name: "chat-no-copy",
        goal: ">= 0.95x",
        target: (ratio) => ratio >= 0.95,
        speculative: "lookup",
        run: (engine) => engine.chat(NO_COPY_QUESTION, { maxTokens: 400 }),
    },
    {
        name: "infill-line",
        goal: ">= 1.5x",
        target: (ratio) => ratio >= 1.5,
        speculative: "lookup",
        repeat: 8,
        run: (engine) => engine.infill(REPEAT_LINE_INFILL, { maxTokens: 64 }),
    },
    { name: "chat-draft", goal: "report", target: () => true, speculative: "draft", run: (engine) => engine.chat(NO_COPY_QUESTION, { maxTokens: 400 }) },
];

/** Tokens after the first, per second after the first, over `generations`: the decoding speed speculation changes. */
function generationSpeed(generations: readonly Pick<Generation, "generatedTokens" | "totalMs" | "promptMs">[]): number {
    const ms = generations.reduce((sum, generation) => sum + generation.totalMs - generation.promptMs, 0);
    const tokens = generations.reduce((sum, generation) => sum + generation.generatedTokens - 1, 0);
    return tokens > 0 && ms > 0 ? (tokens * 1000) / ms : Number.NaN;
}

/** Tokens each suggestion generates in the alternatives measurement: a line's worth (random weights never end a suggestion themselves). */
const SUGGESTION_TOKENS = 16;
const ALTERNATIVES = 2;

/**
 * One keystroke's suggestion alone, then the same with ALTERNATIVES more branching from the cached
 * prompt (the branch token is arbitrary here: the cost does not depend on which), and what a second
 * sequence would pay to read the prompt before it could branch in parallel (node-llama-cpp cannot
 * copy a sequence's cache). Milliseconds, wall clock.
 */
async function measureAlternatives(
    engine: EmbeddedEngine,
    source: string,
): Promise<{ first: number; withAlternatives: number; secondSequencePrompt: number; promptTokens: number }> {
    const middle = Math.floor(source.length / 2);
    const prompt = engine.encode(
        infillPieces({ format: "psm-line", context: "", prefix: source.slice(0, middle), suffix: source.slice(middle), middle: "    " }),
    );
    const typed = [...prompt, prompt.at(-1)! + 1];
    const time = async (work: () => Promise<unknown>): Promise<number> => {
        const started = performance.now();
        await work();
        return performance.now() - started;
    };
    await engine.generate("completion", prompt, { maxTokens: 0 });
    const first = await time(() => engine.generate("completion", typed, { maxTokens: SUGGESTION_TOKENS }));
    await engine.generate("completion", prompt, { maxTokens: 0 });
    const withAlternatives = await time(async () => {
        await engine.generate("completion", typed, { maxTokens: SUGGESTION_TOKENS });
        for (let branch = 1; branch <= ALTERNATIVES; branch++)
            await engine.generate("completion", [...typed, 300 + branch], { maxTokens: SUGGESTION_TOKENS - 1 });
    });
    await engine.generate("chat", [1, 300, 301], { maxTokens: 1 });
    const secondSequencePrompt = await time(() => engine.generate("chat", typed, { maxTokens: 1 }));
    return { first, withAlternatives, secondSequencePrompt, promptTokens: typed.length };
}

/** Another prompt on both sequences, so each run evaluates its prompt from scratch as the one before did. */
async function forgetPrompts(engine: EmbeddedEngine): Promise<void> {
    await engine.generate("completion", [1, 300, 301], { maxTokens: 1 });
    await engine.generate("chat", [1, 300, 301], { maxTokens: 1 });
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            rounds: { type: "string" },
            threads: { type: "string" },
            type: { type: "string" },
            json: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        process.stdout.write(USAGE);
        return;
    }
    const rounds = Number(values.rounds ?? 5);
    const threads = Number(values.threads ?? 1);
    const type = (values.type ?? "f32") as TensorType;
    if (!Number.isInteger(rounds) || rounds < 1 || !Number.isInteger(threads) || threads < 1 || !TENSOR_TYPES.includes(type))
        throw new Error(`bad options\n${USAGE}`);

    const log = (line: string): void => void process.stderr.write(`${line}\n`);
    log("bench: generating or reusing the models...");
    // The target: the perf preset's shape (134M parameters); the draft: 2 layers, 256 wide (18M), the same vocabulary and answers.
    const targetPath = await ensureTinyModel({ name: "copying-perf", ...copyingModel({ preset: "perf", type }) });
    const draftPath = await ensureTinyModel({ name: "copying-draft", ...copyingModel({ preset: "perf", type, nEmbd: 256, nLayer: 2, nHead: 4, nFf: 512 }) });
    const logger = new Logger(() => undefined, "error");
    const load = (modelPath: string, tokenPrediction: boolean): Promise<EmbeddedEngine> =>
        EmbeddedEngine.load({
            modelPath,
            gpu: "off",
            gpuLayers: 0,
            threads: { prompt: threads, generation: threads },
            contextSize: 2048,
            tokenPrediction,
            logger,
        });
    const plain = await load(targetPath, false);
    const lookup = await load(targetPath, true);
    const drafted = await load(targetPath, false);
    const draft = await load(draftPath, false);
    await drafted.useDraft(draft);
    // As the typing benchmark runs it: a 4096-token context, a prompt of ~2,000 tokens of real code.
    const typingModel = await EmbeddedEngine.load({
        modelPath: await ensureTinyModel({ preset: "perf", type: "q4_0" }),
        gpu: "off",
        gpuLayers: 0,
        threads: { prompt: threads, generation: threads },
        contextSize: 4096,
        logger,
    });
    const alternativesSource = fs.readFileSync(new URL("../server/src/completion/service.ts", import.meta.url), "utf8").slice(0, 7000);
    const alternatives: Awaited<ReturnType<typeof measureAlternatives>>[] = [];
    const loadStart = os.loadavg()[0]!;

    const runs: { case: string; round: number; engine: string; tokens: number; tokensPerSecond: number; promptMs: number; totalMs: number; text: string }[] =
        [];
    try {
        for (let roundIndex = 0; roundIndex < rounds; roundIndex++) {
            for (const entry of CASES) {
                const speculative = entry.speculative === "draft" ? drafted : lookup;
                // Alternate which engine goes first, so that load drifting over a round falls on both.
                const order: [string, EmbeddedEngine][] =
                    roundIndex % 2 === 0
                        ? [
                              ["plain", plain],
                              ["speculative", speculative],
                          ]
                        : [
                              ["speculative", speculative],
                              ["plain", plain],
                          ];
                for (const [label, engine] of order) {
                    const generations: Generation[] = [];
                    for (let answer = 0; answer < (entry.repeat ?? 1); answer++) {
                        await forgetPrompts(engine);
                        generations.push(await entry.run(engine));
                    }
                    const generation = generations.at(-1)!;
                    runs.push({
                        case: entry.name,
                        round: roundIndex,
                        engine: label,
                        tokens: generation.generatedTokens,
                        tokensPerSecond: generationSpeed(generations),
                        promptMs: generation.promptMs,
                        totalMs: generation.totalMs,
                        text: generation.text,
                    });
                }
            }
            alternatives.push(await measureAlternatives(typingModel, alternativesSource));
            log(`  round ${roundIndex + 1}/${rounds} done`);
        }
    } finally {
        await drafted.useDraft(undefined);
        for (const engine of [plain, lookup, drafted, draft, typingModel]) await engine.dispose();
    }

    const predictions = { lookup: lookup.tokenPredictions(), draft: drafted.tokenPredictions() };
    const rows = CASES.map((entry) => {
        const of = (label: string): typeof runs => runs.filter((run) => run.case === entry.name && run.engine === label);
        const plainRuns = of("plain");
        const speculativeRuns = of("speculative");
        const ratio = summarize(plainRuns.map((run, index) => speculativeRuns[index]!.tokensPerSecond / run.tokensPerSecond)).p50;
        const identical = plainRuns.every((run, index) => run.text === speculativeRuns[index]!.text);
        return {
            case: entry.name,
            tokens: plainRuns[0]!.tokens,
            plain: summarize(plainRuns.map((run) => run.tokensPerSecond)).p50,
            speculative: summarize(speculativeRuns.map((run) => run.tokensPerSecond)).p50,
            ratio,
            goal: entry.goal,
            met: entry.target(ratio),
            identical,
        };
    });
    const acceptance = (counts: { validated: number; refuted: number }): string =>
        counts.validated + counts.refuted > 0
            ? `${Math.round((100 * counts.validated) / (counts.validated + counts.refuted))} % of ${counts.validated + counts.refuted}`
            : "none proposed";
    process.stdout.write(
        `\nSpeculative decoding, ${path.basename(targetPath)} (draft ${path.basename(draftPath)}), ${threads} thread(s), ${rounds} rounds, load average ${loadStart.toFixed(2)} -> ${os.loadavg()[0]!.toFixed(2)}\n\n`,
    );
    process.stdout.write(
        `${formatTable(
            ["case", "tokens", "plain tok/s", "speculative tok/s", "ratio", "goal", "met", "same output"],
            rows.map((row) => [
                row.case,
                row.tokens,
                row.plain.toFixed(1),
                row.speculative.toFixed(1),
                `${row.ratio.toFixed(2)}×`,
                row.goal,
                row.met ? "yes" : "NO",
                row.identical ? "yes" : "NO",
            ]),
        )}\n\n`,
    );
    process.stdout.write(
        `proposed tokens confirmed: input lookup, chat ${acceptance(predictions.lookup.chat)}, completion ${acceptance(predictions.lookup.completion)}; draft, chat ${acceptance(predictions.draft.chat)}\n`,
    );
    const median = (pick: (entry: (typeof alternatives)[number]) => number): number => summarize(alternatives.map(pick)).p50;
    const alternativesRatio = median((entry) => entry.withAlternatives / entry.first);
    process.stdout.write(
        `\nAlternatives (perf q4_0, ${alternatives[0]!.promptTokens}-token prompt cached, ${SUGGESTION_TOKENS} tokens each): one suggestion ${median((entry) => entry.first).toFixed(0)} ms, with ${ALTERNATIVES} branched alternatives ${median((entry) => entry.withAlternatives).toFixed(0)} ms = ${alternativesRatio.toFixed(2)}× (goal ≤ 1.3×: ${alternativesRatio <= 1.3 ? "yes" : "NO"}); a second sequence would first read the prompt: ${median((entry) => entry.secondSequencePrompt).toFixed(0)} ms\n`,
    );
    if (values.json) {
        fs.mkdirSync(path.dirname(path.resolve(values.json)), { recursive: true });
        fs.writeFileSync(
            values.json,
            `${JSON.stringify({ benchmark: "codellama speculative decoding (issue #16)", date: new Date().toISOString(), machine: machineInfo(), options: { rounds, threads, type }, loadAverage: { start: loadStart, end: os.loadavg()[0] }, models: { target: targetPath, draft: draftPath }, summary: rows.map((row) => ({ ...row, plain: round(row.plain), speculative: round(row.speculative), ratio: round(row.ratio, 2) })), predictions, alternatives: { runs: alternatives.map((entry) => ({ ...entry, first: round(entry.first), withAlternatives: round(entry.withAlternatives), secondSequencePrompt: round(entry.secondSequencePrompt) })), ratio: round(alternativesRatio, 2) }, runs: runs.map(({ text: _text, ...run }) => ({ ...run, tokensPerSecond: round(run.tokensPerSecond) })) }, null, 1)}\n`,
        );
        log(`bench: wrote ${values.json}`);
    }
}

await main();
