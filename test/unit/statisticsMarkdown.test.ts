import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { statisticsMarkdown } from "../../client/src/statisticsMarkdown.js";
import type { CompletionRecord } from "../../shared/src/protocol.js";

describe("statisticsMarkdown", () => {
    it("shows the user's suggestion counts since they began, then the server's statistics", () => {
        const record = (source: CompletionRecord["source"], evaluatedTokens: number, reusedTokens: number): CompletionRecord => ({
            receivedAt: 0,
            latencyMs: 10,
            source,
            outcome: "answered",
            promptTokens: evaluatedTokens + reusedTokens,
            reusedTokens,
            evaluatedTokens,
            generatedTokens: 3,
            engineMs: 9,
            queuedMs: 0,
            heldMs: 0,
            engineStartedAt: 0,
        });
        const markdown = statisticsMarkdown(
            {
                requests: 10,
                answered: 8,
                cancelled: 2,
                shown: 8,
                accepted: 2,
                partiallyAccepted: 1,
                prepared: 1,
                latencyMs: { p50: 41.6, p95: 120.2 },
                promptTokens: { requests: 3, evaluatedP50: 3, reusedP50: 900 },
                recent: [
                    record("model", 2, 900),
                    record("model", 3, 901),
                    { ...record("model", 500, 0), coldCut: true },
                    record("typed-through", 0, 0),
                    record("prepared", 0, 0),
                ],
                predictions: { completion: { validated: 3, refuted: 9 }, chat: { validated: 0, refuted: 0 } },
            },
            { shown: 20, accepted: 5, partiallyAccepted: 3, dismissed: 12, since: Date.UTC(2026, 10, 20, 12) },
        );
        assert.match(
            markdown,
            /## Your suggestions since 2026-11-20\n\n\| \| \|\n\|---\|---\|\n\| shown \| 20 \|\n\| accepted \(Tab\) \| 5 \(25 %\) \|\n\| partially accepted \(a word or a line at a time\) \| 3 \|\n\| dismissed \(Escape, typing something else, moving away\) \| 12 \(60 %\) \|\n/,
        );
        assert.match(markdown, /## The server, since it started/);
        assert.doesNotMatch(markdown, /\| shown \| 8 \|/, "the server's own count of answers is not the user's");
        assert.match(markdown, /\| latency p50 \/ p95 \| 42 ms \/ 120 ms \|/);
        assert.match(markdown, /median of the last 3\) \| 3 \/ 900 \|/);
        assert.match(
            markdown,
            /\| answered without the model \(typed-through, repeated\) \| 1 of the last 5 \|/,
            "a prepared answer is counted on its own row",
        );
        assert.match(markdown, /cold cache \(`completion.coldPromptMs`\) \| 1 of the last 3 \|/);
        assert.match(markdown, /prepared while you looked \(`completion.prepareNext`\) \| 1 \|/);
        assert.match(markdown, /completions \/ chat \| 25 % of 12 \/ – of 0 \|/);
    });
});
