import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ServerNumbers } from "../../bench/backend.js";
import { parseProcStatus } from "../../bench/proc.js";
import type { RequestLog } from "../../bench/replay.js";
import { acceptRow, evaluateTargets, formatMarkdownTable, type ModeResult, SUMMARY_HEADERS, summarizeMode, summaryRow } from "../../bench/report.js";
import { formatTable } from "../../server/src/eval/report.js";

function request(
    keystroke: number,
    outcome: "answered" | "cancelled",
    latencyMs: number,
    server?: Partial<ServerNumbers>,
    extra: Partial<RequestLog> = {},
): RequestLog {
    return {
        mode: "m",
        phase: "idle",
        script: 0,
        keystroke,
        key: "x",
        position: { line: 0, character: keystroke },
        sentAtEpoch: keystroke,
        atPause: true,
        result: {
            outcome,
            latencyMs,
            server: server
                ? {
                      source: "model",
                      promptTokens: 1000,
                      reusedTokens: 990,
                      evaluatedTokens: 10,
                      generatedTokens: 64,
                      engineMs: 100,
                      serverLatencyMs: 101,
                      ...server,
                  }
                : undefined,
        },
        ...extra,
    };
}

function mode(
    name: string,
    kind: "lsp" | "llama-server",
    logs: RequestLog[],
    threadSetting: ModeResult["threadSetting"] = "default",
    engine?: ModeResult["engine"],
): ModeResult {
    return { name, kind, description: name, threadSetting, engine, logs, peakRssKb: 512 * 1024, startMs: 1000, serverNumbers: true };
}

describe("bench report", () => {
    it("summarizes answered latency, tokens, overhead and within-line evaluation", () => {
        const summary = summarizeMode(
            mode("shipped", "lsp", [
                request(0, "answered", 200, { evaluatedTokens: 1000, reusedTokens: 0 }),
                request(1, "cancelled", 50, { evaluatedTokens: 3 }, { typedSinceEvaluation: "a", typedTokens: 1 }),
                request(2, "answered", 110, { evaluatedTokens: 4 }, { typedSinceEvaluation: "b", typedTokens: 1 }),
                request(3, "answered", 5, { source: "typed-through", evaluatedTokens: 0, engineMs: 0, serverLatencyMs: 1 }),
                request(4, "answered", 120, undefined),
            ]),
        );
        assert.equal(summary.requests, 5);
        assert.equal(summary.answered, 4);
        assert.equal(summary.cancelled, 1);
        assert.equal(summary.answeredFromCache, 1);
        assert.equal(summary.evaluatedRequests, 3);
        assert.equal(summary.latencyMs.p50, 115);
        assert.equal(summary.evaluatedTokens.p50, 4);
        assert.equal(summary.withinLine.evaluatedTokens.n, 2);
        assert.equal(summary.withinLine.excessTokens.p50, 2.5);
        assert.equal(summary.serverOverheadMs.p50, 1);
        assert.equal(summary.clientOverheadMs.p50, 55);
        assert.equal(summary.peakRssMb, 512);
    });
    it("compares the shipped server with the llama-server stack", () => {
        const shipped = summarizeMode(
            mode("shipped", "lsp", [
                request(0, "answered", 100, { evaluatedTokens: 3 }, { typedSinceEvaluation: "ab", typedTokens: 1 }),
                request(1, "answered", 300, {}),
            ]),
        );
        const llama = summarizeMode(mode("llama-server", "llama-server", [request(0, "answered", 400, {}), request(1, "answered", 410, {})]));
        assert.equal(llama.serverOverheadMs.n, 0);
        const targets = evaluateTargets({
            shipped,
            llamaServer: llama,
            memoryBudgetBytes: { modelBytes: 100 * 2 ** 20, kvBytes: 200 * 2 ** 20, overheadMb: 250 },
        });
        const byName = Object.fromEntries(targets.map((target) => [target.name, target]));
        assert.equal(byName["prompt tokens evaluated per keystroke request within a line"]!.met, true);
        assert.equal(byName["median keystroke request → suggestion"]!.met, true); // 200 vs 405
        assert.equal(byName["p95 keystroke request → suggestion"]!.met, false); // 290 vs 409.5
        assert.equal(byName["server overhead beyond the engine"]!.met, true);
        assert.equal(byName["completion while a chat answer streams"]!.met, undefined);
        assert.equal(byName["peak RSS"]!.met, true); // 512 MB ≤ 550 MB
        assert.equal(evaluateTargets({}).length, 0);
    });
    it("counts the wait for superseded work apart from the server's own overhead", () => {
        const summary = summarizeMode(
            mode("shipped", "lsp", [
                request(0, "answered", 900, { engineMs: 100, serverLatencyMs: 702, queuedMs: 600 }),
                request(1, "answered", 120, { engineMs: 100, serverLatencyMs: 104, queuedMs: 0 }),
            ]),
        );
        assert.deepEqual([summary.serverOverheadMs.p50, summary.queuedMs.p50], [3, 300]);
    });
    it("a row names the threads each stack used, whether it chose them, and its measured speeds", () => {
        const own = summaryRow(
            summarizeMode(mode("shipped", "lsp", [], "default", { threads: "2/1", promptTokensPerSecond: 2037.4, generationTokensPerSecond: 58.24 })),
        );
        assert.deepEqual(own.slice(0, 4), ["shipped", "2/1 (default)", "2037", "58.2"]);
        const fixed = summaryRow(summarizeMode(mode("llama-server -t 1", "llama-server", [], 1, { threads: "1" })));
        assert.deepEqual(fixed.slice(0, 4), ["llama-server -t 1", "1", "n/a", "n/a"]);
        assert.deepEqual(summaryRow(summarizeMode(mode("old", "lsp", []))).slice(0, 2), ["old", "? (default)"]);
        assert.equal(SUMMARY_HEADERS.slice(0, 4).join(", "), "mode, threads, prompt tok/s, gen tok/s");
    });
    it("sets the accept typist's requests after Tab against the same without preparation", () => {
        const accepting = (tabMs: number, source: ServerNumbers["source"]): ModeResult =>
            mode(source === "prepared" ? "shipped" : "no-prepare", "lsp", [
                request(0, "answered", 100, {}, { after: "keystroke" }),
                request(1, "answered", tabMs, { source }, { after: "tab" }),
                request(2, "answered", 120, {}, { after: "keystroke" }),
                request(3, "answered", tabMs + 10, { source }, { after: "tab" }),
            ]);
        const shipped = summarizeMode(accepting(20, "prepared"));
        const without = summarizeMode(accepting(190, "model"));
        assert.deepEqual(acceptRow(shipped), ["shipped", "25", "30", 2, 2, "110", "119", 2]);
        assert.equal(acceptRow(summarizeMode(mode("typing", "lsp", [request(0, "answered", 100, {})]))), undefined);
        const target = evaluateTargets({ shipped, withoutPreparation: without }).find((entry) => entry.name === "request after Tab → next suggestion")!;
        assert.equal(target.measured, "25 ms vs 195 ms = 0.13× (after an unpredicted keystroke: 110 ms vs 110 ms)");
        assert.equal(target.met, true);
        assert.equal(evaluateTargets({ shipped }).find((entry) => entry.name === "request after Tab → next suggestion")!.met, undefined);
    });
    it("formats aligned text and markdown tables", () => {
        assert.equal(
            formatTable(
                ["mode", "p50"],
                [
                    ["shipped", 12],
                    ["no-reuse", 1234],
                ],
            ),
            ["mode       p50", "--------  ----", "shipped     12", "no-reuse  1234"].join("\n"),
        );
        assert.equal(formatMarkdownTable(["a", "b|c"], [[1, "x"]]), "| a | b\\|c |\n|---|---|\n| 1 | x |");
    });
    it("reads VmRSS and VmHWM from /proc status", () => {
        assert.deepEqual(parseProcStatus("Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n"), { rssKb: 102400, hwmKb: 204800 });
        assert.equal(parseProcStatus("Name:\tnode\n"), undefined);
    });
});
