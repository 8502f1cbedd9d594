// The llama-server backend against a real llama.cpp server on loopback, serving a generated model.
// The server is built once from the llama.cpp source node-llama-cpp ships (scripts/build-llama-server.sh).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { DidChangeTextDocumentNotification } from "vscode-languageserver-protocol/node";
import { type ChatParams, chatDeltaProgress, chatRequest, statsRequest } from "../../shared/src/protocol.js";
import { ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";
import { isState, type ServerUnderTest, startServer } from "../../tools/lspClient.js";
import { freePort, llamaServerBinary, waitForHealth } from "../../tools/llamaServer.js";

describe("llama-server backend", () => {
    let llama: ChildProcess;
    let home: string;
    let url: string;
    let server: ServerUnderTest;

    before(async () => {
        const binary = llamaServerBinary();
        const model = await ensureTinyModel();
        const port = await freePort();
        url = `http://127.0.0.1:${port}`;
        home = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-llama-server-"));
        llama = spawn(binary, ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-np", "2", "-c", "2048", "-t", "1", "--no-webui"], {
            stdio: "ignore",
            env: { ...process.env, HOME: home, TMPDIR: home },
        });
        await waitForHealth(url, llama);
        server = await startServer({ settings: { engine: { backend: "llama-server", serverUrl: url, serverSlot: 0, threads: 1 }, log: { level: "debug" } } });
    });

    after(async () => {
        await server?.stop();
        if (llama?.pid && llama.exitCode === null && llama.signalCode === null) process.kill(llama.pid, "SIGKILL");
        fs.rmSync(home, { recursive: true, force: true });
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
        const answer = await server.connection.sendRequest(chatRequest, { messages: [{ role: "user", content: "hello" }], partialResultToken: "remote-chat" } as ChatParams);
        subscription.dispose();
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
        assert.equal(deltas.join(""), answer.content);
    });

    it("says so when the server goes away, and recovers when it is back", async () => {
        if (llama.pid) process.kill(llama.pid, "SIGKILL");
        await new Promise((resolve) => llama.once("exit", resolve));
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
