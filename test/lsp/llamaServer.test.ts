// The llama-server backend against a real llama.cpp server on loopback, serving a generated model.
// The server is built once from the llama.cpp source node-llama-cpp ships (scripts/build-llama-server.sh).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DidChangeTextDocumentNotification } from "vscode-languageserver-protocol/node";
import { type ChatParams, chatDeltaProgress, chatRequest, statsRequest } from "../../shared/src/protocol.js";
import { freePort, type RunningLlamaServer, startLlamaServer } from "../../tools/llamaServer.js";
import { isState, type ServerUnderTest, startServer } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";

describe("llama-server backend", () => {
    let llama: RunningLlamaServer;
    let server: ServerUnderTest;

    before(async () => {
        const model = await ensureTinyModel();
        llama = await startLlamaServer({
            args: (port) => ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-np", "2", "-c", "2048", "-t", "1", "--no-webui"],
        });
        server = await startServer({
            settings: { engine: { backend: "llama-server", serverUrl: llama.url, serverSlot: 0, threads: 1 }, log: { level: "debug" } },
        });
    });

    after(async () => {
        await server?.stop();
        await llama?.stop();
    });

    it("connects and reports the server's model", async () => {
        const ready = await server.waitForStatus(isState("ready"));
        assert.match(ready.device ?? "", /^llama-server http:\/\/127\.0\.0\.1:/);
        assert.match(ready.model ?? "", /tiny-scripted/);
    });

    it("completes with the same FIM prompt, built from token ids, and reuses the server's cache while typing", async () => {
        server.open("file:///s.js", "function add(a, b) {\n    \n}\n");
        const first = await server.complete("file:///s.js", 1, 4);
        assert.equal(first.items[0]!.insertText, FIM_ANSWER);
        void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri: "file:///s.js", version: 2 },
            contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "// sum\n" }],
        });
        await server.complete("file:///s.js", 2, 4);
        const [, second] = (await server.connection.sendRequest(statsRequest)).recent.slice(-2);
        assert.ok(second!.reusedTokens > 0, "the server reused its cached prompt");
        assert.ok(second!.evaluatedTokens < second!.promptTokens);
    });

    it("streams a chat answer", async () => {
        const deltas: string[] = [];
        const subscription = server.connection.onProgress(chatDeltaProgress, "remote-chat", ({ delta }) => {
            deltas.push(delta);
        });
        const answer = await server.connection.sendRequest(chatRequest, {
            messages: [{ role: "user", content: "hello" }],
            partialResultToken: "remote-chat",
        } as ChatParams);
        subscription.dispose();
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
        assert.equal(deltas.join(""), answer.content);
    });

    it("says so when the server goes away, and recovers when it is back", async () => {
        await llama.stop();
        const down = server.nextStatus(isState("error"));
        server.open("file:///t.js", "function add(a, b) {\n    \n}\n");
        await assert.rejects(server.complete("file:///t.js", 1, 4), /llama\.cpp server/);
        const status = await down;
        assert.equal(status.error, "server-unreachable");
        assert.match(status.message, /codellama\.engine\.serverUrl/);
    });
});

describe("llama-server backend, nothing listening", () => {
    it("fails fast with a clear status naming the URL", async () => {
        const port = await freePort();
        const server = await startServer({ settings: { engine: { backend: "llama-server", serverUrl: `http://127.0.0.1:${port}` } } });
        try {
            const status = await server.waitForStatus(isState("error"));
            assert.equal(status.error, "server-unreachable");
            assert.match(status.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        } finally {
            await server.stop();
        }
    });
});
