// The openai backend against llama-server's OpenAI-compatible /v1 endpoints (a real server on loopback).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { infillPieces } from "../../server/src/engine/promptFormat.js";
import { promptText } from "../../server/src/engine/remote/openai.js";
import { type ChatParams, chatRequest } from "../../shared/src/protocol.js";
import { type RunningLlamaServer, startLlamaServer } from "../../tools/llamaServer.js";
import { isState, type ServerUnderTest, startServer } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";

describe("openai backend (llama-server's /v1)", () => {
    let llama: RunningLlamaServer;
    let server: ServerUnderTest;

    before(async () => {
        const model = await ensureTinyModel();
        llama = await startLlamaServer({
            args: (port) => ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-np", "1", "-c", "2048", "-t", "1", "--no-webui"],
        });
        server = await startServer({ settings: { engine: { backend: "openai", serverUrl: `${llama.url}/v1`, contextSize: 2048 } } });
        await server.waitForStatus(isState("ready"));
    });

    after(async () => {
        await server?.stop();
        await llama?.stop();
    });

    it("writes the FIM prompt as text with the model's control-token texts", () => {
        assert.equal(
            promptText(infillPieces({ format: "psm", context: "", prefix: "a", suffix: "\n}", middle: "" })),
            "<s>\u2581<PRE> a\u2581<SUF>\n}\u2581<MID>",
        );
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
