/**
 * `codellama eval` through a real model: each hole as a document, completed at the cursor by
 * completeAt as the editor would ask for it, the shown suggestion judged against the file's text;
 * with the time to suggestion, the tokens evaluated and the memory, so models, quantizations and
 * context sizes can be compared on the user's own code and machine.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { TextDocument } from "vscode-languageserver-textdocument";
import { completeAt } from "../completion/generation.js";
import type { CompletionSettings } from "../completion/promptLayout.js";
import { percentile } from "../completion/stats.js";
import type { InferenceEngine } from "../engine/inference.js";
import { HOLE_CLASSES, type HoleClass } from "./holes.js";
import { editSimilarity, judge, type Outcome } from "./metrics.js";
import type { HoleSource, SourcedHole } from "./oracleRun.js";
import { formatTable, percent } from "./report.js";

export interface ModelHoleResult extends HoleSource {
    class: HoleClass;
    line: number;
    column: number;
    ideal: string;
    shown: string;
    outcome: Outcome;
    broken: boolean;
    similarity: number;
    /** From the request to the suggestion (prompt evaluation and generation). */
    ms: number;
    promptTokens: number;
    evaluatedTokens: number;
    generatedTokens: number;
}

export interface ModelEvalReport {
    model: InferenceEngine["info"];
    results: ModelHoleResult[];
    /** Highest resident set size seen, in MiB (the model's weights and caches included). */
    peakRssMiB: number;
}

/** Runs every hole through `engine`; `onProgress(done, total)` after each. Errors of one hole are the caller's to see: they stop the run. */
export async function runModelEval(
    engine: InferenceEngine,
    holes: readonly SourcedHole[],
    settings: CompletionSettings,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
): Promise<ModelEvalReport> {
    const results: ModelHoleResult[] = [];
    let peakRss = process.memoryUsage().rss;
    for (const { source, hole } of holes) {
        if (signal?.aborted) break;
        const document = TextDocument.create(pathToFileURL(path.resolve(source.file)).href, source.language, 1, hole.before + hole.after);
        const completion = await completeAt(engine, document, document.positionAt(hole.before.length), settings, signal);
        const { outcome, broken } = judge(completion.text, hole.ideal);
        results.push({
            ...source,
            class: hole.class,
            line: hole.line,
            column: hole.column,
            ideal: hole.ideal,
            shown: completion.text,
            outcome,
            broken,
            similarity: editSimilarity(completion.text, hole.ideal),
            ms: completion.generation.totalMs,
            promptTokens: completion.prompt.tokens,
            evaluatedTokens: completion.generation.evaluatedTokens,
            generatedTokens: completion.generation.generatedTokens,
        });
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
        onProgress?.(results.length, holes.length);
    }
    return { model: engine.info, results, peakRssMiB: Math.round(peakRss / 2 ** 20) };
}

/** One row per class and a total: exact share, mean edit similarity, outcomes, time to suggestion and tokens. */
export function modelTable(report: ModelEvalReport): string {
    const rowOf = (label: string, results: readonly ModelHoleResult[]) => {
        const count = (outcome: Outcome) => results.filter((result) => result.outcome === outcome).length;
        const ms = results.map((result) => result.ms);
        const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
        return [
            label,
            String(results.length),
            percent(count("exact"), results.length),
            mean(results.map((result) => result.similarity)).toFixed(3),
            percent(count("cut-short"), results.length),
            percent(count("ran-over"), results.length),
            percent(count("wrong"), results.length),
            String(results.filter((result) => result.broken).length),
            percentile(ms, 50).toFixed(0),
            percentile(ms, 95).toFixed(0),
            mean(results.map((result) => result.evaluatedTokens)).toFixed(0),
        ];
    };
    const rows = HOLE_CLASSES.filter((cls) => report.results.some((result) => result.class === cls)).map((cls) =>
        rowOf(
            cls,
            report.results.filter((result) => result.class === cls),
        ),
    );
    rows.push(rowOf("all", report.results));
    const { model } = report;
    return (
        `${model.modelName} (${model.modelPath}) on ${model.device}, ${model.gpuLayers}/${model.totalLayers} layers on the GPU, context ${model.contextSize}, peak RSS ${report.peakRssMiB} MiB\n\n` +
        `${formatTable(["class", "holes", "exact", "similarity", "cut short", "ran over", "wrong", "broken", "p50 ms", "p95 ms", "evaluated"], rows)}\n`
    );
}
