import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { llamaServerArgs, numbersFromTimings, TimingTally, threadsFromLog } from "../../bench/llamaServerBackend.js";
import { infillInput, infillPayload, ResultCache, skipsAutomaticRequest, trimSuggestion } from "../../bench/llamaVscode.js";

const doc = ["line0", "line1", "    const x = foo(", "line3", "line4"].join("\n");

describe("llama.vscode /infill requests", () => {
    it("sends the lines above, the typed part of the line as prompt, and the rest below", () => {
        const input = infillInput(doc, { line: 2, character: 18 });
        assert.equal(input.inputPrefix, "line0\nline1\n");
        assert.equal(input.prompt, "    const x = foo(");
        assert.equal(input.inputSuffix, "\nline3\nline4\n");
        assert.equal(input.nIndent, 4);
        assert.equal(input.lineSuffix, "");
    });
    it("cuts to n_prefix lines above and n_suffix lines below", () => {
        const input = infillInput(doc, { line: 2, character: 10 }, { nPrefix: 1, nSuffix: 1 });
        assert.equal(input.inputPrefix, "line1\n");
        assert.equal(input.prompt, "    const ");
        assert.equal(input.inputSuffix, "x = foo(\nline3\n");
        assert.equal(input.lineSuffix, "x = foo(");
    });
    it("sends an empty prompt when only indentation precedes the cursor", () => {
        assert.equal(infillInput("a\n    \nb", { line: 1, character: 4 }).prompt, "");
        assert.equal(infillInput("a\n    \nb", { line: 1, character: 4 }).inputPrefix, "a\n");
    });
    it("handles the first and the last line", () => {
        assert.deepEqual(infillInput("only", { line: 0, character: 2 }), {
            inputPrefix: "\n",
            inputSuffix: "ly\n\n",
            prompt: "on",
            nIndent: 0,
            lineSuffix: "ly",
        });
    });
    it("skips automatic requests with more than 8 characters after the cursor", () => {
        assert.equal(skipsAutomaticRequest(infillInput("abc", { line: 0, character: 3 })), false);
        assert.equal(skipsAutomaticRequest(infillInput("a123456789", { line: 0, character: 1 })), true);
    });
    it("builds llama.vscode's payload with the same max tokens and cache_prompt", () => {
        const payload = infillPayload(infillInput(doc, { line: 2, character: 18 }), { nPredict: 64, sampling: "llama.vscode" });
        assert.deepEqual(payload, {
            input_prefix: "line0\nline1\n",
            input_suffix: "\nline3\nline4\n",
            input_extra: [],
            prompt: "    const x = foo(",
            n_predict: 64,
            top_k: 40,
            top_p: 0.99,
            stream: false,
            samplers: ["top_k", "top_p", "infill"],
            cache_prompt: true,
            n_indent: 4,
        });
        const greedy = infillPayload(infillInput(doc, { line: 2, character: 18 }), { nPredict: 64 });
        assert.deepEqual([greedy.top_k, greedy.samplers, greedy.top_p], [1, ["top_k"], undefined]);
        assert.equal("n_indent" in infillPayload(infillInput("x", { line: 0, character: 1 }), { nPredict: 8, cachePrompt: false }), false);
        assert.equal(infillPayload(infillInput("x", { line: 0, character: 1 }), { nPredict: 8, cachePrompt: false }).cache_prompt, false);
    });
    it("starts llama-server the way llama.vscode documents it", () => {
        assert.deepEqual(llamaServerArgs({ modelPath: "/m.gguf", contextSize: 4096, threads: 1, spmInfill: true, extraArgs: ["-fa", "off"] }, 8012), [
            "-m",
            "/m.gguf",
            "-c",
            "4096",
            "-np",
            "1",
            "--cache-reuse",
            "256",
            "-t",
            "1",
            "-tb",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            "8012",
            "--spm-infill",
            "-fa",
            "off",
        ]);
        // At its own defaults: no -t / -tb.
        assert.deepEqual(llamaServerArgs({ modelPath: "/m.gguf", contextSize: 4096, threads: undefined }, 8012), [
            "-m",
            "/m.gguf",
            "-c",
            "4096",
            "-np",
            "1",
            "--cache-reuse",
            "256",
            "--host",
            "127.0.0.1",
            "--port",
            "8012",
        ]);
    });
    it("reads the threads it runs from its log, and its speeds from the answers' timings", () => {
        assert.equal(threadsFromLog("0.00.522.830 I cmn          init: llama threadpool init, n_threads = 2"), 2);
        assert.equal(threadsFromLog("0.00.720.821 I srv    load_model: initializing, n_slots = 4"), undefined);
        const tally = new TimingTally();
        assert.deepEqual(tally.speeds(), { promptTokensPerSecond: undefined, generationTokensPerSecond: undefined });
        tally.add({ prompt_n: 300, prompt_ms: 200, predicted_n: 64, predicted_ms: 400 });
        tally.add({ prompt_n: 100, prompt_ms: 200, predicted_n: 16, predicted_ms: 400 });
        tally.add({ prompt_n: 3, prompt_ms: 50, predicted_n: 2, predicted_ms: 100 }); // too short to count
        tally.add(undefined);
        assert.deepEqual(tally.speeds(), { promptTokensPerSecond: 1000, generationTokensPerSecond: 100 });
    });
    it("reads evaluated, reused and generated tokens from timings", () => {
        assert.deepEqual(numbersFromTimings({ timings: { prompt_n: 3, cache_n: 1800, predicted_n: 64, prompt_ms: 20, predicted_ms: 500 } }, 530), {
            source: "model",
            promptTokens: 1803,
            reusedTokens: 1800,
            evaluatedTokens: 3,
            generatedTokens: 64,
            engineMs: 520,
            serverLatencyMs: 530,
        });
    });
});

describe("llama.vscode result cache", () => {
    const base = { inputPrefix: "p\n", inputSuffix: "\ns\n" };
    it("answers an identical request", () => {
        const cache = new ResultCache();
        cache.put({ ...base, prompt: "con" }, "st x = 1;");
        assert.equal(cache.lookup({ ...base, prompt: "con" }), "st x = 1;");
        assert.equal(cache.lookup({ ...base, inputSuffix: "other", prompt: "con" }), undefined);
    });
    it("answers a prompt typed through a cached completion with the rest of it", () => {
        const cache = new ResultCache();
        cache.put({ ...base, prompt: "con" }, "st x = 1;");
        assert.equal(cache.lookup({ ...base, prompt: "const x" }), " = 1;");
        assert.equal(cache.lookup({ ...base, prompt: "conx" }), undefined);
    });
    it("forgets the least recently used entry", () => {
        const cache = new ResultCache(2);
        cache.put({ ...base, prompt: "a" }, "1");
        cache.put({ ...base, prompt: "b" }, "2");
        assert.equal(cache.lookup({ ...base, prompt: "a" }), "1");
        cache.put({ ...base, prompt: "c" }, "3");
        assert.equal(cache.size, 2);
        assert.equal(cache.lookup({ ...base, prompt: "b" }), undefined);
        assert.equal(cache.lookup({ ...base, prompt: "a" }), "1");
    });
    it("drops trailing blank lines of a suggestion", () => {
        assert.equal(trimSuggestion("a\nb\n\n  \n"), "a\nb");
        assert.equal(trimSuggestion("\n\n"), "");
    });
});
