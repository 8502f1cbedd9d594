// The next suggestion prepared while the user looks at one (completion.prepareNext): after Tab (the
// edit inserting the suggestion, then a request at its end) it is answered without a model call.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DidChangeTextDocumentNotification } from "vscode-languageserver-protocol/node";
import { type CompletionRecord, type CompletionStats, statsRequest } from "../../shared/src/protocol.js";
import { isState, type ServerUnderTest, startServer, testSettings, waitUntil } from "../../tools/lspClient.js";
import { ensureRandomModel, ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";

const SOURCE = "function add(a, b) {\n    \n}\n";
const stats = (server: ServerUnderTest): Promise<CompletionStats> => server.connection.sendRequest(statsRequest);
const last = async (server: ServerUnderTest): Promise<CompletionRecord> => (await stats(server)).recent.at(-1)!;

/** What VS Code sends when the user presses Tab on the suggestion `text` at (line, character). */
function accept(server: ServerUnderTest, uri: string, version: number, line: number, character: number, text: string): void {
    void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text }],
    });
}

/** Resolves once the server logged, after its first `from` log messages, a line matching `pattern`. */
function logged(server: ServerUnderTest, from: number, pattern: RegExp, what: string): Promise<void> {
    return waitUntil(() => server.logs.slice(from).some((log) => pattern.test(log.message)), what);
}

/** Resolves once the preparation that started after the first `from` log messages is done; it is background work: the status never said "completing" for it. */
async function prepared(server: ServerUnderTest, from: { logs: number; statuses: number }): Promise<void> {
    await logged(server, from.logs, /^prepared the next suggestion /, "the preparation to run");
    assert.ok(!server.statuses.slice(from.statuses).some((status) => status.completing), "the status said completing for a preparation");
}

/** Where the server's logs and statuses are now. */
const mark = (server: ServerUnderTest): { logs: number; statuses: number } => ({ logs: server.logs.length, statuses: server.statuses.length });

describe("the next suggestion, prepared before Tab", () => {
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(await ensureTinyModel(), { completion: { prepareNext: true } }) });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    it("answers the request after Tab from the prepared result, without a model call", async () => {
        server.open("file:///tab.js", SOURCE);
        assert.equal((await server.complete("file:///tab.js", 1, 4)).items[0]!.insertText, FIM_ANSWER);
        await prepared(server, mark(server));
        accept(server, "file:///tab.js", 2, 1, 4, FIM_ANSWER);
        // The scripted model ends the line's answer: after it, nothing is worth suggesting.
        assert.deepEqual((await server.complete("file:///tab.js", 1, 4 + FIM_ANSWER.length)).items, []);
        const record = await last(server);
        assert.deepEqual([record.source, record.outcome, record.promptTokens, record.generatedTokens], ["prepared", "empty", 0, 0]);
        assert.equal((await stats(server)).prepared, 1);
        assert.equal(server.statuses.at(-1)!.preparedSuggestions, 1, "the status (its tooltip) counts it too");
    });

    it("is not used for a keystroke other than Tab: the model answers it", async () => {
        server.open("file:///typed.js", SOURCE);
        await server.complete("file:///typed.js", 1, 4);
        await prepared(server, mark(server));
        accept(server, "file:///typed.js", 2, 1, 4, "x");
        await server.complete("file:///typed.js", 1, 5);
        const record = await last(server);
        assert.equal(record.source, "model");
        assert.ok(record.evaluatedTokens > 0);
        assert.equal((await stats(server)).prepared, 1);
    });
});

describe("the request after Tab while the next suggestion is still being prepared", () => {
    it("waits for the preparation instead of starting again", async () => {
        // Random weights generate up to maxTokens: the preparation is still running when Tab comes.
        const server = await startServer({
            settings: testSettings(await ensureRandomModel(), { completion: { prepareNext: true, maxTokens: 300, maxTimeMs: 60_000 } }),
        });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///slow.js", SOURCE);
            const suggestion = (await server.complete("file:///slow.js", 1, 4)).items[0]?.insertText;
            assert.ok(typeof suggestion === "string" && suggestion.length > 0, "the random model suggests something");
            await logged(server, 0, /^preparing the next suggestion file:\/\/\/slow\.js/, "the preparation to start");
            accept(server, "file:///slow.js", 2, 1, 4, suggestion);
            const end = {
                line: 1 + suggestion.split("\n").length - 1,
                character: suggestion.includes("\n") ? suggestion.length - suggestion.lastIndexOf("\n") - 1 : 4 + suggestion.length,
            };
            await server.complete("file:///slow.js", end.line, end.character);
            const records = (await stats(server)).recent;
            assert.deepEqual(
                records.map((record) => record.source),
                ["model", "prepared"],
            );
            assert.notEqual(records[1]!.outcome, "cancelled");
        } finally {
            await server.stop();
        }
    });
});

describe("with completion.prepareNext off", () => {
    it("the request after Tab is a model call", async () => {
        const server = await startServer({ settings: testSettings(await ensureTinyModel()) });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///off.js", SOURCE);
            await server.complete("file:///off.js", 1, 4);
            accept(server, "file:///off.js", 2, 1, 4, FIM_ANSWER);
            await server.complete("file:///off.js", 1, 4 + FIM_ANSWER.length);
            const record = await last(server);
            assert.equal(record.source, "model");
            assert.equal((await stats(server)).prepared, 0);
        } finally {
            await server.stop();
        }
    });
});
