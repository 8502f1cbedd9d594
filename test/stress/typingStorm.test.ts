// Typing storm (npm run test:stress): 50 keystrokes a second for 60 seconds against the real server,
// each with a completion request that the next keystroke makes stale, as VS Code does. Prints figures.
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, it } from "node:test";
import { CancellationTokenSource, DidChangeTextDocumentNotification, LSPErrorCodes, type ResponseError } from "vscode-languageserver-protocol/node";
import { statsRequest } from "../../shared/src/protocol.js";
import { isState, type ServerUnderTest, startServer, testSettings } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";

const KEYS_PER_SECOND = Number(process.env.STORM_KEYS_PER_SECOND ?? 50);
const SECONDS = Number(process.env.STORM_SECONDS ?? 60);

function rssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe("typing storm", () => {
    let server: ServerUnderTest;
    before(async () => {
        // Scripted (so the final answer is known) but wide and deep enough that generations take
        // longer than the 20 ms between keystrokes, so stale requests really are cancelled.
        const model = await ensureTinyModel({ name: "storm", nEmbd: 512, nLayer: 8, nHead: 8, nHeadKv: 8, nFf: 2048 });
        server = await startServer({ settings: testSettings(model, { log: { level: "warn" } }) });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    it(`${KEYS_PER_SECOND} keystrokes/s for ${SECONDS} s: every request answered or cancelled, one generation at a time, memory flat`, async () => {
        const uri = "file:///storm.ts";
        const header = "function add(a, b) {\n    \n}\n";
        server.open(uri, header);
        // Warm up, then measure memory from a steady state.
        await server.complete(uri, 1, 4);
        const rssStart = rssMiB(server.process.pid!);

        const text = "const total = values.reduce((sum, value) => sum + value, 0); // typing on and on\n";
        let version = 1;
        let line = 3;
        let character = 0;
        const outcomes = { answered: 0, cancelled: 0, failed: 0 };
        let previous: CancellationTokenSource | undefined;
        const pending: Promise<void>[] = [];
        const keystrokes = KEYS_PER_SECOND * SECONDS;
        const started = Date.now();
        for (let index = 0; index < keystrokes; index++) {
            const ch = text[index % text.length]!;
            void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
                textDocument: { uri, version: ++version },
                contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: ch }],
            });
            if (ch === "\n") {
                line++;
                character = 0;
            } else {
                character++;
            }
            // VS Code cancels the previous request when the next keystroke arrives.
            previous?.cancel();
            const source = new CancellationTokenSource();
            previous = source;
            pending.push(
                server.complete(uri, line, character, source.token).then(
                    () => void outcomes.answered++,
                    (error: ResponseError<unknown>) => void (error.code === LSPErrorCodes.RequestCancelled ? outcomes.cancelled++ : outcomes.failed++),
                ),
            );
            const due = started + ((index + 1) * 1000) / KEYS_PER_SECOND;
            await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
        }
        await Promise.all(pending);
        const elapsed = (Date.now() - started) / 1000;

        // The final request, undisturbed, gets the right answer at a fresh line in the function body.
        void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version: ++version },
            contentChanges: [{ text: header }],
        });
        const final = await server.complete(uri, 1, 4);
        const rssEnd = rssMiB(server.process.pid!);

        const stats = await server.connection.sendRequest(statsRequest);
        const generations = stats.recent
            .filter((record) => record.source === "model" && record.engineStartedAt > 0)
            .map((record) => ({ start: record.engineStartedAt, end: record.engineStartedAt + record.engineMs }))
            .sort((a, b) => a.start - b.start);
        // Both ends come from the engine's own clock; 0.1 ms allows for rounding.
        const overlaps = generations.filter((generation, index) => index > 0 && generation.start < generations[index - 1]!.end - 0.1).length;

        const figures = {
            keystrokes,
            seconds: Number(elapsed.toFixed(1)),
            ...outcomes,
            servedWithoutModel: stats.recent.filter((record) => record.source !== "model").length,
            latencyP50Ms: Math.round(stats.latencyMs.p50),
            latencyP95Ms: Math.round(stats.latencyMs.p95),
            overlappingGenerations: overlaps,
            rssStartMiB: Math.round(rssStart),
            rssEndMiB: Math.round(rssEnd),
        };
        console.log(`typing storm: ${JSON.stringify(figures)}`);

        assert.equal(outcomes.failed, 0, "no request failed");
        assert.equal(outcomes.answered + outcomes.cancelled, keystrokes, "every request answered or cancelled");
        assert.equal(overlaps, 0, "at most one generation in flight");
        assert.ok(rssEnd - rssStart < 100, `memory flat: ${Math.round(rssStart)} MiB -> ${Math.round(rssEnd)} MiB`);
        assert.equal(final.items[0]!.insertText, FIM_ANSWER);
        assert.equal(server.process.exitCode, null);
    });
});
