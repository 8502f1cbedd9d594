// Completion while typing: KV-cache reuse, bursts of keystrokes, typed-through suggestions and
// post-processing, on the built server with generated models.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DidCloseTextDocumentNotification, LSPErrorCodes, type ResponseError } from "vscode-languageserver-protocol/node";
import { COLD_PROMPT_MIN_TOKENS } from "../../server/src/completion/coldPrompt.js";
import { didCopyNotification, statsRequest, warmCacheNotification } from "../../shared/src/protocol.js";
import { isState, recent, type ServerUnderTest, startServer, testSettings, typist, waitUntil } from "../../tools/lspClient.js";
import { DEFAULT_SCRIPTS, ensureTinyModel, FIM_ANSWER, FIM_PIECES } from "../../tools/tinyCodellama/index.js";

const SOURCE = "function add(a, b) {\n    \n}\n\nconsole.log(add(1, 2));\n";

describe("KV-cache reuse while typing within a line", () => {
    for (const [format, expectation] of [
        ["psm-line", "only the typed tokens"],
        ["psm", "the whole suffix again"],
    ] as const) {
        it(`${format}: each keystroke evaluates ${expectation}`, async () => {
            const server = await startServer({ settings: testSettings(await ensureTinyModel(), { completion: { fimFormat: format } }) });
            try {
                await server.waitForStatus(isState("ready"));
                server.open("file:///t.js", SOURCE);
                const type = typist(server, "file:///t.js");
                await server.complete("file:///t.js", 1, 4);
                const word = "const";
                for (let index = 0; index < word.length; index++) {
                    type(1, 4 + index, word[index]!);
                    await server.complete("file:///t.js", 1, 5 + index);
                }
                const typing = (await recent(server)).slice(1).filter((record) => record.source === "model");
                assert.equal(typing.length, word.length);
                const evaluated = typing.map((record) => record.evaluatedTokens);
                if (format === "psm-line") {
                    // One character typed: at most that character's tokens plus a re-tokenized boundary.
                    assert.ok(
                        evaluated.every((count) => count <= 1 + 4),
                        `evaluated ${evaluated}`,
                    );
                    assert.ok(typing.every((record) => record.reusedTokens >= record.promptTokens - 5));
                } else {
                    assert.ok(
                        evaluated.every((count) => count >= 5),
                        `psm re-evaluates the suffix: ${evaluated}`,
                    );
                }
            } finally {
                await server.stop();
            }
        });
    }
});

describe("warming the cache where the cursor rests (codellama/warmCache)", () => {
    // Enough code that a cold prompt costs hundreds of tokens.
    const LONG = "let x = 1;\n".repeat(60) + SOURCE;
    const warmed = (server: ServerUnderTest, uri: string) =>
        waitUntil(() => server.logs.some((log) => log.message.startsWith(`warm cache ${uri}:62:5 done`)), "the warm-up finished");

    for (const warmCache of [true, false]) {
        it(warmCache ? "the first request at a warmed cursor evaluates one token" : "completion.warmCache false leaves the cache cold", async () => {
            const server = await startServer({ settings: testSettings(await ensureTinyModel(), { completion: { warmCache } }) });
            try {
                await server.waitForStatus(isState("ready"));
                server.open("file:///warm.js", LONG);
                await server.connection.sendNotification(warmCacheNotification, {
                    textDocument: { uri: "file:///warm.js" },
                    position: { line: 61, character: 4 },
                });
                if (warmCache) await warmed(server, "file:///warm.js");
                else await new Promise((resolve) => setTimeout(resolve, 500));
                assert.equal((await server.complete("file:///warm.js", 61, 4)).items[0]!.insertText, FIM_ANSWER);
                const record = (await recent(server)).at(-1)!;
                assert.ok(record.promptTokens > 300, `prompt of ${record.promptTokens} tokens`);
                assert.equal(record.evaluatedTokens, warmCache ? 1 : record.promptTokens);
            } finally {
                await server.stop();
            }
        });
    }

    it("ignores warm-ups for unknown documents and bad positions, and keeps serving", async () => {
        const server = await startServer({ settings: testSettings(await ensureTinyModel()) });
        try {
            await server.waitForStatus(isState("ready"));
            await server.connection.sendNotification(warmCacheNotification, {
                textDocument: { uri: "file:///never-opened.js" },
                position: { line: 0, character: 0 },
            });
            await server.connection.sendNotification(warmCacheNotification.method, { textDocument: { uri: 7 }, position: { line: -1 } });
            server.open("file:///ok.js", SOURCE);
            assert.equal((await server.complete("file:///ok.js", 1, 4)).items[0]!.insertText, FIM_ANSWER);
        } finally {
            await server.stop();
        }
    });
});

describe("a cold cache (completion.coldPromptMs)", () => {
    it("cuts the first prompt short, keeps it while typing, and reads the full context after a pause", async () => {
        // The cap is the minimum (COLD_PROMPT_MIN_TOKENS) whatever the measured speed; the full prompt is ~500 tokens.
        const server = await startServer({ settings: testSettings(await ensureTinyModel(), { completion: { coldPromptMs: 1 } }) });
        const uri = "file:///cold.js";
        try {
            await server.waitForStatus(isState("ready"));
            server.open(uri, "let x = 1;\n".repeat(200) + SOURCE);
            assert.equal((await server.complete(uri, 201, 4)).items[0]!.insertText, FIM_ANSWER);
            const type = typist(server, uri);
            type(201, 4, "r");
            await server.complete(uri, 201, 5);
            const [cold, typed] = (await recent(server)).slice(-2);
            assert.ok(cold!.promptTokens <= COLD_PROMPT_MIN_TOKENS && cold!.coldCut === true, `cold prompt: ${JSON.stringify(cold)}`);
            assert.ok(typed!.promptTokens <= COLD_PROMPT_MIN_TOKENS + 2 && typed!.evaluatedTokens <= 2, `typed: ${JSON.stringify(typed)}`);

            await waitUntil(() => server.logs.some((log) => log.message.startsWith(`warm cache ${uri}:202:6 done`)), "the full context was read after a pause");
            type(201, 5, "e");
            await server.complete(uri, 201, 6);
            const grown = (await recent(server)).at(-1)!;
            assert.ok(grown.promptTokens > 400 && grown.coldCut === undefined, `full prompt: ${JSON.stringify(grown)}`);
            assert.ok(grown.evaluatedTokens <= 2, `evaluated ${grown.evaluatedTokens}`);
        } finally {
            await server.stop();
        }
    });
});

describe("snippets of other files", () => {
    it("lines copied from another file (codellama/didCopy) go into the prompt before the code", async () => {
        const server = await startServer({ settings: testSettings(await ensureTinyModel(), { completion: { extraContextShare: 0.1 } }) });
        try {
            await server.waitForStatus(isState("ready"));
            // The top 30 lines of the other file, a snippet once it is opened, are more than 0.1 × 1024 tokens.
            server.open("file:///w/values.js", Array.from({ length: 80 }, (_, index) => `export const value${index} = ${index};`).join("\n") + "\n");
            server.open("file:///w/add.js", SOURCE);
            await server.complete("file:///w/add.js", 1, 4);
            const before = (await recent(server)).at(-1)!.promptTokens;
            await server.connection.sendNotification(didCopyNotification, {
                textDocument: { uri: "file:///w/values.js" },
                range: { start: { line: 50, character: 0 }, end: { line: 52, character: 10 } },
            });
            await server.connection.sendNotification(didCopyNotification.method, { textDocument: { uri: "file:///w/values.js" }, range: "lines 1-3" });
            // An edit at the end, so that the suggestion cache does not answer the same request again.
            typist(server, "file:///w/add.js")(5, 0, "\n");
            await server.complete("file:///w/add.js", 1, 4);
            const after = (await recent(server)).at(-1)!;
            assert.equal(after.source, "model");
            const added = after.promptTokens - before;
            assert.ok(added > 20 && added < 100, `the three copied lines added ${added} tokens`);
            assert.equal(after.reusedTokens, 2, "the snippet comes first: only <s> ▁<PRE> stay cached");
        } finally {
            await server.stop();
        }
    });
});

describe("snippets of closed files", () => {
    it("leave the prompts of other files when their file is closed", async () => {
        const server = await startServer({ settings: testSettings(await ensureTinyModel(), { completion: { extraContextShare: 0.1 } }) });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///w/values.js", "export const answer = 42;\nexport const question = 6 * 7;\n");
            server.open("file:///w/add.js", SOURCE);
            await server.complete("file:///w/add.js", 1, 4);
            const withSnippet = (await recent(server)).at(-1)!.promptTokens;
            await server.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri: "file:///w/values.js" } });
            // An edit at the end, so that the suggestion cache does not answer the same request again.
            typist(server, "file:///w/add.js")(5, 0, "\n");
            await server.complete("file:///w/add.js", 1, 4);
            const withoutSnippet = (await recent(server)).at(-1)!;
            assert.equal(withoutSnippet.source, "model");
            assert.ok(
                withoutSnippet.promptTokens < withSnippet - 10,
                `prompt of ${withSnippet} tokens with the snippet, ${withoutSnippet.promptTokens} after closing its file`,
            );
        } finally {
            await server.stop();
        }
    });
});

describe("typing line after line in a long file", () => {
    it("evaluates only the typed text: neither the prompt's top nor the suffix moves at a line break", async () => {
        // The text above the cursor is longer than the prefix budget (0.5 × 1024 tokens).
        const above = "let x = 1;\n".repeat(200);
        const server = await startServer({ settings: testSettings(await ensureTinyModel()) });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///top.js", above + SOURCE);
            const type = typist(server, "file:///top.js");
            await server.complete("file:///top.js", 201, 4);
            for (const [index, line] of ["a++;", "b++;", "a--;"].entries()) {
                for (const [offset, ch] of [...line].entries()) type(201 + index, 4 + offset, ch);
                type(201 + index, 4 + line.length, "\n    ");
                await server.complete("file:///top.js", 202 + index, 4);
            }
            const records = (await recent(server)).filter((record) => record.source === "model");
            assert.equal(records.length, 4);
            assert.ok(records[0]!.promptTokens > 400, `a long prompt: ${records[0]!.promptTokens} tokens`);
            // A line typed is "a++;", a line break and four spaces: about 6 tokens.
            const evaluated = records.slice(1).map((record) => record.evaluatedTokens);
            assert.ok(
                evaluated.every((count) => count <= 10),
                `evaluated after each line break: ${evaluated}`,
            );
        } finally {
            await server.stop();
        }
    });
});

describe("typed-through suggestions and bursts", () => {
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(await ensureTinyModel()) });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    it("typing the suggestion on screen is answered with the rest, without the model", async () => {
        server.open("file:///through.js", SOURCE);
        const type = typist(server, "file:///through.js");
        assert.equal((await server.complete("file:///through.js", 1, 4)).items[0]!.insertText, FIM_ANSWER);
        const before = (await recent(server)).length;
        for (const [index, ch] of [..."ret"].entries()) type(1, 4 + index, ch);
        const rest = await server.complete("file:///through.js", 1, 7);
        assert.equal(rest.items[0]!.insertText, FIM_ANSWER.slice(3));
        assert.deepEqual(rest.items[0]!.range!.start, { line: 1, character: 7 });
        const record = (await recent(server)).slice(before).at(-1)!;
        assert.equal(record.source, "typed-through");
        assert.equal(record.generatedTokens, 0);
    });

    it("a burst of keystrokes: every request answered or cancelled, and the last one is right", async () => {
        server.open("file:///burst.js", "function add(a, b) {\n    \n}\n");
        const type = typist(server, "file:///burst.js");
        const before = (await recent(server)).length;
        const requests: Promise<unknown>[] = [];
        const word = "let total = a + b; ";
        for (let index = 0; index < word.length; index++) {
            type(1, 4 + index, word[index]!);
            requests.push(server.complete("file:///burst.js", 1, 5 + index));
        }
        const outcomes = await Promise.allSettled(requests);
        for (const outcome of outcomes) {
            if (outcome.status === "rejected") assert.equal((outcome.reason as ResponseError<unknown>).code, LSPErrorCodes.RequestCancelled);
        }
        assert.equal(outcomes.at(-1)!.status, "fulfilled", "the last keystroke's request is answered");
        const records = (await recent(server)).slice(before);
        assert.equal(records.length, word.length, "every request is accounted for");
        assert.ok(
            records.some((record) => record.outcome === "cancelled"),
            "stale requests were cancelled",
        );
        const stats = await server.connection.sendRequest(statsRequest);
        assert.equal(stats.requests, stats.recent.length);
    });
});

describe("the time cap (completion.maxTimeMs)", () => {
    it("ends a slow answer with its last finished line", async () => {
        // Two lines; "    b++" is spelled "▁▁" + byte " " + "▁b" so no token repeats or triggers.
        const model = await ensureTinyModel({
            name: "two-lines",
            scripts: [
                {
                    name: "fim",
                    after: [FIM_PIECES.middle, "▁▁▁▁"],
                    answer: "return a\n    b++",
                    end: "eot",
                    pieces: ["return", "▁a", "<0x0A>", "▁▁", "<0x20>", "▁b", "++"],
                },
            ],
        });
        for (const [maxTimeMs, expected] of [
            [0, "return a\n    b++"],
            [1, "return a"],
        ] as const) {
            const server = await startServer({ settings: testSettings(model, { completion: { maxTimeMs } }) });
            try {
                await server.waitForStatus(isState("ready"));
                server.open("file:///t.js", SOURCE);
                assert.equal((await server.complete("file:///t.js", 1, 4)).items[0]!.insertText, expected, `maxTimeMs ${maxTimeMs}`);
            } finally {
                await server.stop();
            }
        }
    });
});

describe("post-processing on real answers", () => {
    it("trims what the suffix already has, and never shows control-token text", async () => {
        const fim = DEFAULT_SCRIPTS.find((script) => script.name === "fim")!;
        const model = await ensureTinyModel({
            name: "postprocess",
            scripts: [
                fim,
                // The answer repeats the ");" the editor auto-closed after the cursor.
                { name: "dup", after: "(", answer: "x, y);", end: "eot" },
                // The answer spells out "<EOT>" as plain text and goes on.
                { name: "leak", after: ["=", "▁="], answer: " 42 <EOT> junk", end: "eos" },
            ],
        });
        const server = await startServer({ settings: testSettings(model, { completion: { fimFormat: "spm" } }) });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///p.js", "const sum = add();\nlet x =\n");
            const dup = await server.complete("file:///p.js", 0, 16);
            assert.equal(dup.items[0]!.insertText, "x, y");
            const leak = await server.complete("file:///p.js", 1, 7);
            assert.equal(leak.items[0]!.insertText, " 42");
        } finally {
            await server.stop();
        }
    });
});
