// The openai backend against llama-server's OpenAI-compatible /v1 endpoints (a real server on loopback).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type ChatParams, chatRequest } from "../../shared/src/protocol.js";
import { promptText } from "../../server/src/engine/remote/openai.js";
import { ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";
import { isState, type ServerUnderTest, startServer } from "../../tools/lspClient.js";
import { freePort, llamaServerBinary, waitForHealth } from "../../tools/llamaServer.js";

describe("openai backend (llama-server's /v1)", () => {
    let llama: ChildProcess;
    let home: string;
    let server: ServerUnderTest;

    before(async () => {
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        home = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-openai-"));
        llama = spawn(llamaServerBinary(), ["-m", await ensureTinyModel(), "--host", "127.0.0.1", "--port", String(port), "-np", "1", "-c", "2048", "-t", "1", "--no-webui"], { stdio: "ignore", env: { ...process.env, HOME: home, TMPDIR: home } });
        await waitForHealth(url, llama);
        server = await startServer({ settings: { engine: { backend: "openai", serverUrl: `${url}/v1`, contextSize: 2048 } } });
        await server.waitForStatus(isState("ready"));
    });

    after(async () => {
        await server?.stop();
        if (llama?.pid && llama.exitCode === null && llama.signalCode === null) process.kill(llama.pid, "SIGKILL");
        fs.rmSync(home, { recursive: true, force: true });
    });

    it("writes the FIM prompt as text with the model's control-token texts", () => {
        assert.equal(promptText([-1, -3, 32, 97, -4, 10, 125, -5]), "<s>\u2581<PRE> a\u2581<SUF>\n}\u2581<MID>");
    });

    it("completes through /v1/completions", async () => {
        server.open("file:///o.js", "function add(a, b) {\n    \n}\n");
        const result = await server.complete("file:///o.js", 1, 4);
        assert.equal(result.items[0]!.insertText, FIM_ANSWER);
    });

    it("chats through /v1/chat/completions", async () => {
        const answer = await server.connection.sendRequest(chatRequest, { messages: [{ role: "user", content: "hello" }] } as ChatParams);
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
    });
});
