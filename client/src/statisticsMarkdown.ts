import type { CompletionStats } from "../../shared/src/protocol.js";
import type { SuggestionCounts } from "./suggestionStatistics.js";

/**
 * The statistics as Markdown (pure, so it can be unit-tested): the user's suggestion counts since
 * `counts.since` first, then what the server measured since it started.
 */
export function statisticsMarkdown(stats: CompletionStats, counts: SuggestionCounts): string {
    const models = stats.recent.filter((record) => record.source === "model" && record.outcome !== "cancelled");
    const withoutModel = stats.recent.filter((record) => record.source === "typed-through" || record.source === "cache").length;
    const { promptTokens } = stats;
    const percent = (part: number, whole: number): string => (whole ? `${Math.round((100 * part) / whole)} %` : "–");
    const confirmed = (counts: { validated: number; refuted: number } | undefined): string =>
        counts ? `${percent(counts.validated, counts.validated + counts.refuted)} of ${counts.validated + counts.refuted}` : "–";
    return [
        "# Code Llama: completion statistics",
        "",
        "Counted on this machine; nothing leaves it.",
        "",
        `## Your suggestions since ${new Date(counts.since).toISOString().slice(0, 10)}`,
        "",
        "| | |",
        "|---|---|",
        `| shown | ${counts.shown} |`,
        `| accepted (Tab) | ${counts.accepted} (${percent(counts.accepted, counts.shown)}) |`,
        `| partially accepted (a word or a line at a time) | ${counts.partiallyAccepted} |`,
        `| dismissed (Escape, typing something else, moving away) | ${counts.dismissed} (${percent(counts.dismissed, counts.shown)}) |`,
        "",
        "## The server, since it started",
        "",
        "| | |",
        "|---|---|",
        `| requests | ${stats.requests} |`,
        `| answered | ${stats.answered} |`,
        `| cancelled (a newer keystroke came first) | ${stats.cancelled} |`,
        `| latency p50 / p95 | ${Math.round(stats.latencyMs.p50)} ms / ${Math.round(stats.latencyMs.p95)} ms |`,
        `| prompt tokens evaluated / reused (median of the last ${promptTokens.requests}) | ${Math.round(promptTokens.evaluatedP50)} / ${Math.round(promptTokens.reusedP50)} |`,
        `| answered without the model (typed-through, repeated) | ${withoutModel} of the last ${stats.recent.length} |`,
        `| answered from a prompt cut short for a cold cache (\`completion.coldPromptMs\`) | ${models.filter((record) => record.coldCut).length} of the last ${models.length} |`,
        `| answered at once after Tab, prepared while you looked (\`completion.prepareNext\`) | ${stats.prepared} |`,
        `| guessed tokens the model confirmed (speculative decoding): completions / chat | ${confirmed(stats.predictions?.completion)} / ${confirmed(stats.predictions?.chat)} |`,
        "",
    ].join("\n");
}
