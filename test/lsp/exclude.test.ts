// codellama.completion.exclude on the built server: a secret file gets no completions and no
// warm-ups, and its text never reaches another file's prompt (opened, edited or copied), whatever
// the client does. Prompts are measured by their token counts (codellama/stats); the files are short
// enough that a snippet of them fits the budget.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { DidChangeTextDocumentNotification } from "vscode-languageserver-protocol/node";
import { didCopyNotification, warmCacheNotification } from "../../shared/src/protocol.js";
import { isState, recent, type ServerUnderTest, startServer, testSettings, typist, waitUntil } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";

const SOURCE = "function add(a, b) {\n    \n}\n// 0\n";
const lines = (prefix: string): string => Array.from({ length: 4 }, (_, index) => `${prefix}_${index}=value-${index}-of-a-secret`).join("\n") + "\n";

describe("completion.exclude (secrets stay out of prompts)", () => {
    let model: string;
    before(async () => {
        model = await ensureTinyModel();
    });

    /** The prompt size of a fresh completion in add.js (its last digit changed first, so that no cached answer is reused and the size stays). */
    async function promptTokens(server: ServerUnderTest, version: number): Promise<number> {
        void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri: "file:///w/add.js", version },
            contentChanges: [{ range: { start: { line: 3, character: 3 }, end: { line: 3, character: 4 } }, text: String(version) }],
        });
        const answer = await server.complete("file:///w/add.js", 1, 4);
        assert.equal(answer.items[0]!.insertText, FIM_ANSWER);
        const record = (await recent(server)).at(-1)!;
        assert.equal(record.source, "model");
        return record.promptTokens;
    }

    it("a .env file: no completion, no warm-up, and neither opening, editing nor copying it adds it to another file's prompt", async () => {
        const server = await startServer({ settings: testSettings(model, { completion: { extraContextShare: 0.2 } }) });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///w/add.js", SOURCE, "javascript");
            const alone = await promptTokens(server, 2);

            server.open("file:///w/.env", lines("API_KEY"), "dotenv");
            const editEnv = typist(server, "file:///w/.env");
            editEnv(5, 0, "X");
            await server.connection.sendNotification(didCopyNotification, {
                textDocument: { uri: "file:///w/.env" },
                range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } },
            });
            assert.equal(await promptTokens(server, 3), alone, "the secret reached add.js's prompt");

            const records = (await recent(server)).length;
            assert.deepEqual(await server.complete("file:///w/.env", 3, 0), { items: [] });
            assert.equal((await recent(server)).length, records, "the model was never asked about .env");
            await server.connection.sendNotification(warmCacheNotification, { textDocument: { uri: "file:///w/.env" }, position: { line: 3, character: 0 } });
            await new Promise((resolve) => setTimeout(resolve, 500));
            assert.ok(!server.logs.some((log) => log.message.startsWith("warm cache file:///w/.env")), "a warm-up read .env");

            // The same steps with a file that is not excluded do reach the prompt (the measure works).
            server.open("file:///w/config.js", lines("const value"), "javascript");
            const withOther = await promptTokens(server, 4);
            assert.ok(withOther > alone + 20, `config.js added ${withOther - alone} tokens`);

            // Excluding it later drops the snippet it already left.
            server.setSettings(testSettings(model, { completion: { extraContextShare: 0.2, exclude: [".env*", "config.js"] } }));
            await waitUntil(() => server.logs.some((log) => log.message.includes("Configuration changed: completion.exclude")), "the new exclude list");
            assert.equal(await promptTokens(server, 5), alone);
        } finally {
            await server.stop();
        }
    });

    it("an empty list excludes nothing; a pattern with a slash matches the path in the workspace (or the whole path outside it)", async () => {
        const server = await startServer({ settings: testSettings(model, { completion: { exclude: [] } }), rootUri: "file:///w" });
        try {
            await server.waitForStatus(isState("ready"));
            server.open("file:///w/.env", SOURCE);
            assert.equal((await server.complete("file:///w/.env", 1, 4)).items[0]!.insertText, FIM_ANSWER);
            server.setSettings(testSettings(model, { completion: { exclude: ["deploy/**", "**/outside/*.js"] } }));
            await waitUntil(() => server.logs.some((log) => log.message.includes("Configuration changed: completion.exclude")), "the new exclude list");
            for (const uri of ["file:///w/deploy/prod.js", "file:///elsewhere/outside/x.js"]) {
                server.open(uri, SOURCE);
                assert.deepEqual(await server.complete(uri, 1, 4), { items: [] }, uri);
            }
            server.open("file:///w/src/deploy/prod.js", SOURCE);
            assert.equal((await server.complete("file:///w/src/deploy/prod.js", 1, 4)).items[0]!.insertText, FIM_ANSWER);
        } finally {
            await server.stop();
        }
    });
});
