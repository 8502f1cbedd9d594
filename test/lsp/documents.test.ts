// Huge and odd documents: completion stays within its token budget and never throws.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DidChangeTextDocumentNotification } from "vscode-languageserver-protocol/node";
import { statsRequest } from "../../shared/src/protocol.js";
import { isState, type ServerUnderTest, startServer, testSettings } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";

const CONTEXT = 1024;

describe("huge and odd documents", () => {
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(await ensureTinyModel(), { engine: { contextSize: CONTEXT } }) });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    /** Completes at a position and returns the server's record of it. */
    async function completeAndMeasure(uri: string, line: number, character: number) {
        const result = await server.complete(uri, line, character);
        assert.ok(Array.isArray(result.items));
        const record = (await server.connection.sendRequest(statsRequest)).recent.at(-1)!;
        assert.equal(record.outcome === "error", false);
        assert.ok(record.promptTokens <= CONTEXT - 128, `prompt of ${record.promptTokens} tokens fits the context`);
        return { result, record };
    }

    it("a 10 MB, 200,000-line file: edits and completions in the middle", async () => {
        const line = "    const value = compute(index, 42); // a line of about fifty chars\n";
        const text = line.repeat(150_000) + "function add(a, b) {\n    \n}\n" + line.repeat(50_000);
        assert.ok(text.length > 10_000_000);
        server.open("file:///huge.ts", text);
        const { result } = await completeAndMeasure("file:///huge.ts", 150_001, 4);
        assert.equal(result.items[0]!.insertText, FIM_ANSWER);
        for (let index = 0; index < 3; index++) {
            void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
                textDocument: { uri: "file:///huge.ts", version: 2 + index },
                contentChanges: [{ range: { start: { line: 100_000, character: 0 }, end: { line: 100_000, character: 0 } }, text: "x" }],
            });
            await completeAndMeasure("file:///huge.ts", 150_001, 4);
        }
    });

    it("a minified one-line 2 MB file", async () => {
        const text = "var a=function(b,c){return b+c};".repeat(65_000);
        server.open("file:///min.js", text);
        await completeAndMeasure("file:///min.js", 0, 1_000_000);
        await completeAndMeasure("file:///min.js", 0, text.length);
    });

    it("a binary file opened as text, NUL characters and invalid surrogate pairs", async () => {
        const bytes = Buffer.from(Array.from({ length: 200_000 }, (_, index) => (index * 7919 + 13) % 256));
        server.open("file:///blob.bin", bytes.toString("latin1"), "plaintext");
        await completeAndMeasure("file:///blob.bin", 0, 100_000);
        server.open("file:///odd.ts", "const a = '\u0000\u0000';\nconst b = '\uD800x\uDC00y\uDBFF';\nlet c = \n");
        await completeAndMeasure("file:///odd.ts", 1, 13);
        await completeAndMeasure("file:///odd.ts", 2, 8);
    });

    it("mixed CRLF and LF line breaks", async () => {
        server.open("file:///mixed.ts", "function add(a, b) {\r\n    \n}\r\n");
        const { result } = await completeAndMeasure("file:///mixed.ts", 1, 4);
        assert.equal(result.items[0]!.insertText, FIM_ANSWER);
    });
});
