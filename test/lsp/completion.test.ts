// The built server over stdio with the real engine on generated models: what an editor sees.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { CancellationTokenSource, ErrorCodes, LSPErrorCodes, type ResponseError } from "vscode-languageserver-protocol/node";
import { type CompletionRecord, cancelLoadNotification, statsRequest } from "../../shared/src/protocol.js";
import { assertOnlyLspFrames, isState, type ServerUnderTest, startServer, testSettings, waitUntil } from "../../tools/lspClient.js";
import { CODE_ANSWER, ensureRandomModel, ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";

let scripted: string;
let random: string;
before(async () => {
    scripted = await ensureTinyModel();
    // Random weights never hit end-of-generation early, so a generation runs as long as maxTokens says.
    random = await ensureRandomModel();
});

const SOURCE = "function add(a, b) {\n    \n}\n";

describe("inline completion over LSP", () => {
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(scripted) });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    it("reports ready with the model and device", () => {
        const ready = server.statuses.find(isState("ready"))!;
        assert.equal(ready.device, "cpu");
        assert.equal(ready.health, "ok");
        assert.match(ready.model ?? "", /tiny/);
        assert.ok(
            server.statuses.some((s) => s.state === "loading"),
            "a loading state came first",
        );
    });

    it("answers with the model's scripted fill-in-the-middle completion at the cursor", async () => {
        server.open("file:///add.js", SOURCE);
        const result = await server.complete("file:///add.js", 1, 4);
        assert.deepEqual(result.items, [
            {
                insertText: FIM_ANSWER,
                range: { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } },
                command: { title: "Code Llama: suggestion accepted", command: "codellama.completionAccepted" },
            },
        ]);
    });

    it("keeps the insert range right after emoji (UTF-16 positions)", async () => {
        server.open("file:///emoji.ts", "if (s === '😀🎉') {\n    \n}\n");
        const result = await server.complete("file:///emoji.ts", 1, 4);
        assert.equal(result.items[0]!.insertText, FIM_ANSWER);
        assert.deepEqual(result.items[0]!.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } });
        // "const s = '" is 11 UTF-16 units and each emoji 2: after "';" and four spaces is character 21.
        server.open("file:///emoji-line.ts", "const s = '😀🎉';    \n");
        const sameLine = await server.complete("file:///emoji-line.ts", 0, 21);
        assert.equal(sameLine.items[0]!.insertText, FIM_ANSWER);
        assert.deepEqual(sameLine.items[0]!.range, { start: { line: 0, character: 21 }, end: { line: 0, character: 21 } });
    });

    it("clamps a position past the end and completes empty files", async () => {
        server.open("file:///empty.py", "", "python");
        const empty = await server.complete("file:///empty.py", 0, 0);
        assert.equal(empty.items[0]!.insertText, FIM_ANSWER);
        const past = await server.complete("file:///add.js", 99, 99);
        assert.deepEqual(past.items[0]!.range!.start, { line: 3, character: 0 });
    });

    it("rejects a document that was never opened with InvalidParams, and keeps serving", async () => {
        await assert.rejects(
            server.complete("file:///nope.ts", 0, 0),
            (error: ResponseError<unknown>) => error.code === ErrorCodes.InvalidParams && /not open/.test(error.message),
        );
        assert.equal((await server.complete("file:///add.js", 1, 4)).items[0]!.insertText, FIM_ANSWER);
    });

    it("never logs document contents at the default log level", async () => {
        const secret = "const SECRET_TOKEN_4711 = 1;\n";
        const quiet = await startServer({ settings: testSettings(scripted, { log: { level: "info" } }) });
        try {
            await quiet.waitForStatus(isState("ready"));
            quiet.open("file:///secret.ts", secret);
            await quiet.complete("file:///secret.ts", 1, 0);
            assert.ok(quiet.logs.length > 0, "the server logs at info level");
            assert.ok(!quiet.logs.some((log) => log.message.includes("SECRET_TOKEN_4711")), "no document text in the log");
        } finally {
            await quiet.stop();
        }
    });

    it("writes nothing but LSP frames to stdout", () => {
        assert.ok(assertOnlyLspFrames(server.stdout()) > 5);
    });
});

describe("prompt formats and line breaks", () => {
    it("suffix-prefix-middle: a prefix ending in '{' gets the scripted block body, in the file's CRLF", async () => {
        const server = await startServer({ settings: testSettings(scripted, { completion: { fimFormat: "spm" } }) });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///crlf.ts", "function add(a, b) {\r\n}\r\n");
            const result = await server.complete("file:///crlf.ts", 0, 20);
            assert.equal(result.items[0]!.insertText, CODE_ANSWER.replace(/\n/g, "\r\n"));
        } finally {
            await server.stop();
        }
    });
});

describe("cancellation", () => {
    const maxTokens = 2000;
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(random, { completion: { maxTokens }, engine: { contextSize: 4096 } }) });
        await server.waitForStatus(isState("ready"));
    });
    // Each test its own document: a repeated request would be answered from the suggestion cache.
    let documents = 0;
    const freshDocument = (): string => {
        const uri = `file:///long-${documents++}.ts`;
        server.open(uri, SOURCE);
        return uri;
    };
    after(() => server.stop());

    const generated = async (): Promise<CompletionRecord[]> => (await server.connection.sendRequest(statsRequest)).recent;

    it("runs to maxTokens when nobody cancels (the baseline)", async () => {
        await server.complete(freshDocument(), 1, 4);
        assert.deepEqual(
            (await generated()).map((g) => [g.generatedTokens, g.outcome]),
            [[maxTokens, "answered"]],
        );
    });

    it("$/cancelRequest stops the generation early and answers RequestCancelled", async () => {
        const source = new CancellationTokenSource();
        const completing = server.nextStatus((status) => status.completing, 30_000);
        const request = server.complete(freshDocument(), 1, 4, source.token);
        await completing;
        const idle = server.nextStatus((status) => !status.completing && status.state === "ready");
        source.cancel();
        await assert.rejects(request, (error: ResponseError<unknown>) => error.code === LSPErrorCodes.RequestCancelled);
        await idle;
        const cancelled = (await generated()).at(-1)!;
        assert.equal(cancelled.outcome, "cancelled");
        assert.ok(cancelled.generatedTokens < maxTokens, `generated ${cancelled.generatedTokens} of ${maxTokens} tokens`);
    });

    it("a newer request supersedes an older one still generating", async () => {
        const completing = server.nextStatus((status) => status.completing, 30_000);
        const first = server.complete(freshDocument(), 1, 4);
        await completing;
        const second = server.complete(freshDocument(), 1, 4);
        await assert.rejects(first, (error: ResponseError<unknown>) => error.code === LSPErrorCodes.RequestCancelled);
        assert.equal((await second).items.length, 1);
    });
});

describe("bad models and configuration changes", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-bad-models-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("a missing model file: error status and message, empty answers; fixing the path recovers without a restart", async () => {
        const missing = path.join(dir, "missing.gguf");
        const server = await startServer({ settings: testSettings(missing), showsStatus: false });
        try {
            const error = await server.waitForStatus(isState("error"));
            assert.equal(error.error, "model-not-found");
            assert.equal(error.fix, "choose-model");
            // An editor other than VS Code is told about the server's settings.
            assert.equal(error.message, `Model file not found: ${missing}. Set codellama.model.path to a local Code Llama GGUF file.`);
            await waitUntil(() => server.messages.some((m) => m.type === 1 && m.message.includes("missing.gguf")));
            server.open("file:///a.ts", SOURCE);
            assert.deepEqual(await server.complete("file:///a.ts", 1, 4), { items: [] });

            server.setSettings(testSettings(scripted));
            await server.waitForStatus(isState("ready"));
            assert.equal((await server.complete("file:///a.ts", 1, 4)).items[0]!.insertText, FIM_ANSWER);
        } finally {
            await server.stop();
        }
    });

    it("the VS Code extension is told in VS Code's words, and shows the one progress display itself", async () => {
        const missing = path.join(dir, "missing-for-vscode.gguf");
        const server = await startServer({ settings: testSettings(missing) });
        try {
            const error = await server.waitForStatus(isState("error"));
            assert.equal(error.message, `Model file not found: ${missing}. Select another GGUF model file ("Code Llama: Select Model File…").`);
            server.setSettings(testSettings(scripted));
            await server.waitForStatus(isState("ready"));
            const loading = server.statuses.filter(isState("loading"));
            assert.ok(loading.length > 0);
            assert.ok(
                loading.every((status) => status.message === `Loading ${path.basename(scripted)}`),
                JSON.stringify(loading),
            );
            assert.deepEqual(server.progressTokens, [], "no work-done progress beside the status");
            assert.deepEqual(server.messages, [], "no window/showMessage beside the status");
        } finally {
            await server.stop();
        }
    });

    it("codellama/cancelLoad stops a load in progress; the status says how to try again", async () => {
        const server = await startServer({ settings: testSettings(scripted) });
        try {
            await server.waitForStatus(isState("ready"));
            const cancelled = server.nextStatus((status) => status.error === "cancelled");
            server.setSettings(testSettings(scripted, { engine: { contextSize: 2048 } }));
            await server.nextStatus(isState("loading"));
            await server.connection.sendNotification(cancelLoadNotification);
            const status = await cancelled;
            assert.equal(status.health, "warning");
            assert.equal(
                status.message,
                "Model download or load cancelled. Download the model or select a model file to try again (click Code Llama in the status bar).",
            );
        } finally {
            await server.stop();
        }
    });

    it("a file that is not GGUF and a truncated GGUF each give a clear error; the server stays up", async () => {
        const notGguf = path.join(dir, "notes.gguf");
        fs.writeFileSync(notGguf, "just some text, not a model\n");
        const truncated = path.join(dir, "truncated.gguf");
        const bytes = fs.readFileSync(scripted);
        fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));

        const server = await startServer({ settings: testSettings(notGguf) });
        try {
            const first = await server.waitForStatus(isState("error"));
            assert.equal(first.error, "not-gguf");
            assert.match(first.message, /not a GGUF model file/);

            const second = server.nextStatus(isState("error"));
            server.setSettings(testSettings(truncated));
            assert.equal((await second).error, "corrupt-model");
            assert.match((await second).message, /truncated\.gguf.*not within the file bounds/);

            server.setSettings(testSettings(scripted));
            await server.waitForStatus(isState("ready"));
        } finally {
            await server.stop();
        }
    });

    it("changing the model or engine settings reloads the model; other changes do not", async () => {
        const server = await startServer({ settings: testSettings(scripted) });
        try {
            await server.waitForStatus(isState("ready"));
            const loadsBefore = server.statuses.filter(isState("loading")).length;
            server.setSettings(testSettings(scripted, { completion: { maxTokens: 64 } }));
            server.setSettings(testSettings(scripted, { engine: { contextSize: 2048 } }));
            await waitUntil(() => server.statuses.filter(isState("ready")).length >= 2);
            const loadsAfter = server.statuses.filter((s) => s.state === "loading" && s.progress === 0).length;
            assert.equal(loadsAfter, 2, "one reload for the engine change, none for the completion change");
            assert.ok(loadsBefore >= 1);
            server.open("file:///b.ts", SOURCE);
            assert.equal((await server.complete("file:///b.ts", 1, 4)).items[0]!.insertText, FIM_ANSWER);
        } finally {
            await server.stop();
        }
    });

    it("the default model, not downloaded and offline: asks before downloading, then fails fast naming the alternative", async () => {
        const server = await startServer({ settings: { engine: { threads: 1 } }, showsStatus: false, pickAction: "Download" });
        try {
            const waiting = await server.waitForStatus(isState("error"));
            assert.equal(waiting.error, "model-not-downloaded");
            assert.equal(waiting.health, "warning");
            const failed = await server.waitForStatus((s) => s.error === "offline" || s.error === "download-failed");
            assert.match(failed.message, /CodeLlama-7B-Instruct-GGUF/);
            assert.match(failed.message, /--model PATH|codellama\.model\.path/);
            assert.equal(server.questions.length, 1);
            assert.deepEqual(server.questions[0]!.actions, [{ title: "Download" }]);
        } finally {
            await server.stop();
        }
    });
});
