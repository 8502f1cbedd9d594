import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Backend, RequestResult, ServerNumbers } from "../../bench/backend.js";
import type { ReplayScript } from "../../bench/corpus.js";
import { matchRecords } from "../../bench/lspBackend.js";
import { advance, annotateTyped, isPausePoint, isWithinLine, type RequestLog, replay, replayAccepting, startPosition } from "../../bench/replay.js";
import { BenchUsageError, parseBenchArgs, rotated, runLabel } from "../../bench/run.js";
import { CURSOR_REST_MS } from "../../shared/src/protocol.js";

describe("bench replay", () => {
    it("pauses at the end of a word, after a line break and after the last keystroke", () => {
        const keys = ["i", "f", " ", "(", "a", ")", "\n    ", "b"];
        assert.deepEqual(
            keys.map((_, index) => isPausePoint(keys, index, "word")),
            [false, true, false, false, true, false, true, true],
        );
        assert.deepEqual(
            keys.map((_, index) => isPausePoint(keys, index, "line")),
            [false, false, false, false, false, false, true, true],
        );
        assert.deepEqual(
            keys.map((_, index) => isPausePoint(keys, index, "none")),
            [false, false, false, false, false, false, false, true],
        );
    });
    it("moves the cursor over typed text", () => {
        assert.deepEqual(advance({ line: 3, character: 4 }, "ab"), { line: 3, character: 6 });
        assert.deepEqual(advance({ line: 3, character: 4 }, "\n    "), { line: 4, character: 4 });
        assert.deepEqual(advance({ line: 3, character: 4 }, "x\ny\nzz"), { line: 5, character: 2 });
        assert.deepEqual(startPosition({ before: "a\nb\n", indent: "  " }), { line: 2, character: 2 });
    });

    const numbers = (evaluatedTokens: number, source: ServerNumbers["source"] = "model"): ServerNumbers => ({
        source,
        promptTokens: 100,
        reusedTokens: 100 - evaluatedTokens,
        evaluatedTokens,
        generatedTokens: 8,
        engineMs: 10,
    });
    const log = (keystroke: number, server?: ServerNumbers): RequestLog => ({
        mode: "m",
        phase: "idle",
        script: 0,
        keystroke,
        key: "",
        position: { line: 0, character: keystroke },
        sentAtEpoch: keystroke,
        atPause: false,
        result: { outcome: "answered", latencyMs: 1, server } satisfies RequestResult,
    });
    it("sets what was typed since the last evaluated request against the evaluated tokens", () => {
        const keys = ["c", "o", "n", "s", "t", "\n", "x"];
        const logs = [
            log(0, numbers(1800)),
            log(1, numbers(0)),
            log(2, numbers(3)),
            log(3),
            log(4, numbers(2, "typed-through")),
            log(4, numbers(4)),
            log(6, numbers(9)),
        ];
        annotateTyped(logs, keys, (text) => text.length);
        assert.deepEqual(
            logs.map((entry) => entry.typedSinceEvaluation),
            [undefined, undefined, "on", undefined, undefined, "st", "\nx"],
        );
        assert.deepEqual(
            logs.map((entry) => entry.typedTokens),
            [undefined, undefined, 2, undefined, undefined, 2, 2],
        );
        assert.deepEqual(logs.map(isWithinLine), [false, false, true, false, false, true, false]);
    });
});

describe("bench: pairing requests with the server's records", () => {
    it("pairs in order when every request has a record", () => {
        const records = [
            { receivedAt: 30, id: "c" },
            { receivedAt: 10, id: "a" },
            { receivedAt: 20, id: "b" },
        ];
        assert.deepEqual(
            matchRecords([9, 19, 29], records).map((record) => record?.id),
            ["a", "b", "c"],
        );
    });
    it("leaves a request the server dropped without a record", () => {
        const records = [
            { receivedAt: 11, id: "a" },
            { receivedAt: 31, id: "c" },
        ];
        assert.deepEqual(
            matchRecords([10, 20, 30], records).map((record) => record?.id),
            ["a", undefined, "c"],
        );
    });
    it("never pairs a record with a request sent after it arrived", () => {
        assert.deepEqual(
            matchRecords([10, 20], [{ receivedAt: 5, id: "early" }]).map((record) => record?.id),
            [undefined, undefined],
        );
    });
});

describe("bench command line", () => {
    it("has defaults that finish in minutes, and adds llama-server when a binary is known", () => {
        const options = parseBenchArgs(["--model", "m.gguf"]);
        assert.deepEqual(options.modes, ["shipped", "no-reuse"]);
        assert.deepEqual(options.threads, ["default", 1]);
        assert.equal(options.maxTokens, 64);
        assert.equal(options.keystrokes, 40);
        assert.deepEqual(parseBenchArgs(["--model", "m.gguf"], { LLAMA_SERVER_BIN: "/bin/ls" }).modes, ["shipped", "no-reuse", "llama-server"]);
        assert.equal(parseBenchArgs(["--model", "m.gguf", "--full"]).keystrokes, 240);
        assert.deepEqual(parseBenchArgs(["--model", "a", "--model", "b", "--modes", "psm-line,shipped", "--cps", "12.5"]).models, ["a", "b"]);
        assert.equal(parseBenchArgs(["--model", "a", "--cps", "12.5"]).cps, 12.5);
        assert.equal(parseBenchArgs(["--model", "a", "--debounce-ms", "0"]).debounceMs, 0);
        assert.equal(parseBenchArgs(["--model", "a"]).restMs, 0);
        assert.equal(parseBenchArgs(["--model", "a", "--rest-ms", "8000"]).restMs, 8000);
        assert.throws(() => parseBenchArgs(["--model", "a", "--rest-ms", "-1"]), BenchUsageError);
    });
    it("thread settings: the stacks' own defaults and fixed counts, the first for the targets", () => {
        assert.deepEqual(parseBenchArgs(["--model", "m", "--threads", "1,default, 4"]).threads, [1, "default", 4]);
        assert.equal(runLabel("shipped", "default"), "shipped");
        assert.equal(runLabel("llama-server", 2), "llama-server -t 2");
    });
    it("rejects what it cannot run", () => {
        assert.throws(() => parseBenchArgs([]), BenchUsageError);
        assert.throws(() => parseBenchArgs(["--model", "m", "--modes", "fast"]), /Unknown mode/);
        assert.throws(() => parseBenchArgs(["--model", "m", "--modes", "llama-server"]), /--llama-server BIN/);
        assert.throws(() => parseBenchArgs(["--model", "m", "--threads", "0"]), /--threads/);
        assert.throws(() => parseBenchArgs(["--model", "m", "--threads", "default,2,default"]), /--threads names a setting twice/);
        assert.throws(() => parseBenchArgs(["--model", "m", "--threads", ","]), /--threads needs/);
        assert.throws(() => parseBenchArgs(["--model", "m", "--pause", "sometimes"]), /--pause/);
        assert.throws(() => parseBenchArgs(["--model", "m", "--bogus"]), BenchUsageError);
        assert.throws(() => parseBenchArgs(["--model", "m", "--typist", "lazy"]), /--typist/);
        assert.throws(() => parseBenchArgs(["--model", "m", "--typist", "accept", "--llama-server", "/bin/ls"]), /this server's modes only/);
        assert.deepEqual(
            Object.entries(parseBenchArgs(["--model", "m", "--typist", "accept", "--look-ms", "800"])).filter(([key]) => key === "typist" || key === "lookMs"),
            [
                ["typist", "accept"],
                ["lookMs", 800],
            ],
        );
        assert.equal(parseBenchArgs(["--help"]).help, true);
    });
});

describe("mode order", () => {
    it("rotates from one replayed function to the next, so no mode always goes first", () => {
        const modes = ["shipped", "psm", "llama-server"];
        assert.deepEqual(
            [0, 1, 2, 3].map((index) => rotated(modes, index)[0]),
            ["shipped", "psm", "llama-server", "shipped"],
        );
        assert.deepEqual(rotated(modes, 1), ["psm", "llama-server", "shipped"]);
        assert.deepEqual(rotated([], 3), []);
    });
});

/** A function of one line between two, typed with `keystrokes`. */
function oneLineScript(keystrokes: string[]): ReplayScript {
    return {
        id: "t",
        relPath: "t.js",
        packageName: "t",
        packageVersion: "1",
        license: "MIT",
        language: "javascript",
        functionName: "f",
        startLine: 2,
        endLine: 2,
        totalLines: 3,
        before: "a\n",
        indent: "  ",
        after: "\nb\n",
        keystrokes,
    };
}

describe("replay with the cursor at rest first", () => {
    const script = oneLineScript(["x", "y"]);
    function recordingBackend(events: string[]): Backend {
        return {
            label: "fake",
            pid: undefined,
            start: async () => undefined,
            open: async () => void events.push("open"),
            change: (edit) => void events.push(`change ${edit.inserted}`),
            request: (_uri, position) => {
                events.push(`request ${position.line}:${position.character}`);
                return { sentAtEpoch: Date.now(), done: Promise.resolve({ outcome: "empty", latencyMs: 1 }), cancel: () => undefined };
            },
            cursorRested: (_uri, position) => void events.push(`rest ${position.line}:${position.character}`),
            close: () => undefined,
            stop: async () => ({ peakRssKb: 0 }),
        };
    }
    const options = { cps: 100, debounceMs: 0, pause: "none" as const, pauseMaxMs: 1000 };

    it("tells the backend where the cursor rests before the first keystroke, as the extension would", async () => {
        const events: string[] = [];
        await replay(recordingBackend(events), script, 0, { ...options, restMs: CURSOR_REST_MS + 10 }, { mode: "m", phase: "idle", uri: "file:///t.js" });
        assert.deepEqual(events.slice(0, 3), ["open", "rest 1:2", "change x"]);
    });
    it("sends nothing when the typist starts at once", async () => {
        const events: string[] = [];
        await replay(recordingBackend(events), script, 0, options, { mode: "m", phase: "idle", uri: "file:///t.js" });
        assert.ok(!events.some((event) => event.startsWith("rest")), events.join(", "));
    });
});

describe("the accept typist", () => {
    const script = oneLineScript(["x", "y", "z", "w", "v"]);

    it("presses Tab on every other suggestion and types the next keystroke otherwise; the editor asks at the cursor after each", async () => {
        const events: string[] = [];
        // Suggestions by request: "SUG" for the 1st, none for the 2nd (the typist types on), "AB\nC" for the 3rd and 4th.
        const answers = ["SUG", "", "AB\nC", "AB\nC", ""];
        const backend: Backend = {
            label: "fake",
            pid: undefined,
            start: async () => undefined,
            open: async () => undefined,
            change: (edit) => void events.push(`change ${JSON.stringify(edit.inserted)} at ${edit.position.line}:${edit.position.character}`),
            request: (_uri, position) => {
                const text = answers[events.filter((event) => event.startsWith("request")).length]!;
                events.push(`request ${position.line}:${position.character}`);
                return {
                    sentAtEpoch: Date.now(),
                    done: Promise.resolve(text ? { outcome: "answered", latencyMs: 1, text } : { outcome: "empty", latencyMs: 1 }),
                    cancel: () => undefined,
                };
            },
            close: () => undefined,
            stop: async () => ({ peakRssKb: 0 }),
        };
        const logs = await replayAccepting(backend, script, 0, { lookMs: 0, debounceMs: 0, pauseMaxMs: 1000 }, { mode: "m", uri: "file:///t.js" });
        assert.deepEqual(events, [
            'change "x" at 1:2',
            "request 1:3",
            'change "SUG" at 1:3',
            "request 1:6",
            'change "y" at 1:6',
            "request 1:7",
            'change "AB\\nC" at 1:7',
            "request 2:1",
            'change "z" at 2:1',
            "request 2:2",
        ]);
        assert.deepEqual(
            logs.map((log) => log.after),
            ["keystroke", "tab", "keystroke", "tab", "keystroke"],
        );
    });
});
