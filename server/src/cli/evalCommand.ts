/** `codellama eval`: holes from a repository (or a holes file of `npm run eval`) through a model, as a table or JSON. */
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import type { InferenceEngine } from "../engine/inference.js";
import { HOLE_CLASSES, type HoleClass } from "../eval/holes.js";
import { readHolesFile } from "../eval/holesFile.js";
import { modelTable, runModelEval } from "../eval/modelRun.js";
import type { SourcedHole } from "../eval/oracleRun.js";
import { collectRepoFiles } from "../eval/repo.js";
import { sampleHoles } from "../eval/sampling.js";
import { terminalBar } from "./terminalProgress.js";
import { UsageError } from "./usageError.js";

export interface EvalFlags {
    repo?: string;
    holes?: string;
    "per-class"?: string;
    seed?: string;
    classes?: string;
    json?: boolean;
}

export type WithEngine = (work: (engine: InferenceEngine, config: CodeLlamaConfig) => Promise<void>) => Promise<number>;

export async function evalCommand(
    flags: EvalFlags,
    withEngine: WithEngine,
    log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<number> {
    const holes = chooseHoles(flags, log);
    if (holes.length === 0) {
        log("codellama eval: no holes to run (no source files with code to cut holes from)");
        return 1;
    }
    return withEngine(async (engine, config) => {
        const controller = new AbortController();
        const stop = (): void => controller.abort();
        process.once("SIGINT", stop);
        const progress = terminalBar(`Evaluating ${holes.length} holes with ${engine.info.modelName}`);
        try {
            // One request per hole and no typing to keep up with: the full prompt, however cold the cache,
            // and the whole answer, however slow the machine (the default time cap follows its speed).
            const report = await runModelEval(
                engine,
                holes,
                { ...config.completion, coldPromptMs: 0, maxTimeMs: 0 },
                (done, total) => progress.report(done / total, `${done}/${total} holes`),
                controller.signal,
            );
            progress.done();
            process.stdout.write(flags.json ? `${JSON.stringify(report, null, 1)}\n` : modelTable(report));
        } finally {
            progress.done();
            process.off("SIGINT", stop);
        }
    });
}

function chooseHoles(flags: EvalFlags, log: (line: string) => void): SourcedHole[] {
    if (flags.holes !== undefined) {
        if (flags.repo !== undefined) throw new UsageError("give --repo or --holes, not both");
        const { holes, skipped } = readHolesFile(flags.holes);
        log(`codellama eval: ${holes.length} holes from ${flags.holes}${skipped ? ` (${skipped} skipped: their file is gone or changed)` : ""}`);
        return holes;
    }
    const perClass = positiveInteger("--per-class", flags["per-class"] ?? "5");
    const seed = positiveInteger("--seed", flags.seed ?? "1");
    const classes = flags.classes === undefined ? undefined : flags.classes.split(",").map((name) => name.trim());
    for (const name of classes ?? [])
        if (!(HOLE_CLASSES as readonly string[]).includes(name)) throw new UsageError(`unknown hole class "${name}"; known: ${HOLE_CLASSES.join(", ")}`);
    const repo = flags.repo ?? ".";
    const { files, skipped, listedBy } = collectRepoFiles(repo);
    const holes = sampleHoles(files, { seed, perClass, classes: classes as HoleClass[] | undefined });
    const skippedText = Object.entries(skipped)
        .filter(([, count]) => count > 0)
        .map(([reason, count]) => `${count} ${reason}`)
        .join(", ");
    log(
        `codellama eval: ${holes.length} holes from ${files.length} source files in ${repo} (${listedBy === "git" ? "tracked by git" : "all files"}${skippedText ? `; skipped ${skippedText}` : ""})`,
    );
    return holes;
}

function positiveInteger(flag: string, text: string): number {
    if (!/^\d+$/.test(text) || Number(text) < 1) throw new UsageError(`${flag} must be a positive integer (got "${text}")`);
    return Number(text);
}
