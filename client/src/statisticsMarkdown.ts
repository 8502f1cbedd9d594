import type { CompletionStats } from "../../shared/src/protocol.js";

/** The statistics as Markdown (pure, so it can be unit-tested). */
export function statisticsMarkdown(stats: CompletionStats): string {
    const models = stats.recent.filter((record) => record.source === "model" && record.outcome !== "cancelled");
    const withoutModel = stats.recent.filter((record) => record.source !== "model").length;
    const { promptTokens } = stats;
    const percent = (part: number, whole: number): string => (whole ? `${Math.round((100 * part) / whole)} %` : "–");
    const confirmed = (counts: { validated: number; refuted: number } | undefined): string => (counts ? `${percent(counts.validated, counts.validated + counts.refuted)} of ${counts.validated + counts.refuted}` : "–");
    return [
        "# Code Llama: completion statistics",
        "",
        "Counted on this machine since the server started; nothing leaves it.",
        "",
        "| | |",
        "|---|---|",
        `| requests | ${stats.requests} |`,
        `| answered | ${stats.answered} |`,
        `| cancelled (a newer keystroke came first) | ${stats.cancelled} |`,
        `| suggestions shown | ${stats.shown} |`,
        `| accepted | ${stats.accepted} (${percent(stats.accepted, stats.shown)}) |`,
        `| partially accepted (next word) | ${stats.partiallyAccepted} |`,
        `| latency p50 / p95 | ${Math.round(stats.latencyMs.p50)} ms / ${Math.round(stats.latencyMs.p95)} ms |`,
        `| prompt tokens evaluated / reused (median of the last ${promptTokens.requests}) | ${Math.round(promptTokens.evaluatedP50)} / ${Math.round(promptTokens.reusedP50)} |`,
        `| answered without the model (typed-through, repeated) | ${withoutModel} of the last ${stats.recent.length} |`,
        `| answered from a prompt cut short for a cold cache (\`completion.coldPromptMs\`) | ${models.filter((record) => record.coldCut).length} of the last ${models.length} |`,
        `| answered at once after Tab, prepared while you looked (\`completion.prepareNext\`) | ${stats.prepared} |`,
        `| guessed tokens the model confirmed (speculative decoding): completions / chat | ${confirmed(stats.predictions?.completion)} / ${confirmed(stats.predictions?.chat)} |`,
        "",
    ].join("\n");
}
