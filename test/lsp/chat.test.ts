// codellama/chat over LSP with the real engine on generated models.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CancellationTokenSource, ErrorCodes, ExecuteCommandRequest, LSPErrorCodes, type ResponseError } from "vscode-languageserver-protocol/node";
import { type ChatAnswer, type ChatParams, chatDeltaProgress, chatRequest, warmCacheNotification } from "../../shared/src/protocol.js";
import { isState, type ServerUnderTest, startServer, testSettings, waitUntil } from "../../tools/lspClient.js";
import { ensureRandomModel, ensureTinyModel, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";

let nextToken = 0;
/** Sends codellama/chat with a partialResultToken and collects the streamed deltas. */
function chat(
    server: ServerUnderTest,
    params: Omit<ChatParams, "partialResultToken">,
    source?: CancellationTokenSource,
    onDelta?: (delta: string) => void,
): { deltas: string[]; answer: Promise<ChatAnswer> } {
    const partialResultToken = `chat-${nextToken++}`;
    const deltas: string[] = [];
    const subscription = server.connection.onProgress(chatDeltaProgress, partialResultToken, ({ delta }) => {
        deltas.push(delta);
        onDelta?.(delta);
    });
    const answer = server.connection.sendRequest(chatRequest, { ...params, partialResultToken }, source?.token).finally(() => subscription.dispose());
    return { deltas, answer };
}

describe("codellama/chat", () => {
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(await ensureTinyModel(), { engine: { contextSize: 256 } }) });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    it("streams the scripted Instruct answer; the deltas concatenate to the final content", async () => {
        const { deltas, answer } = chat(server, {
            messages: [
                { role: "system", content: "Be brief." },
                { role: "user", content: "Write add(a, b)" },
            ],
        });
        const result = await answer;
        assert.equal(result.content, INSTRUCT_CHAT_ANSWER);
        assert.equal(deltas.join(""), result.content);
        assert.ok(deltas.length > 3);
        assert.equal(result.stopReason, "end-of-generation");
        assert.equal(result.usage.droppedMessages, 0);
        assert.ok(result.usage.promptTokens > 10);
        assert.equal(result.usage.completionTokens, 12);
    });

    it("leaves out the oldest turns when the conversation does not fit the context, and says so", async () => {
        const long = "word ".repeat(60);
        const messages: ChatParams["messages"] = [{ role: "system", content: "Be brief." }];
        for (let turn = 0; turn < 4; turn++) messages.push({ role: "user", content: `${turn}: ${long}` }, { role: "assistant", content: long });
        messages.push({ role: "user", content: "And now?" });
        const result = await chat(server, { messages, maxTokens: 32 }).answer;
        assert.ok(result.usage.droppedMessages >= 2 && result.usage.droppedMessages % 2 === 0, `dropped ${result.usage.droppedMessages}`);
        assert.ok(result.usage.promptTokens <= 256 - 32);
        assert.equal(result.content, INSTRUCT_CHAT_ANSWER);
    });

    it("rejects malformed conversations with InvalidParams", async () => {
        for (const messages of [[], [{ role: "assistant", content: "hi" }], [{ role: "user", content: 1 }], "nope"]) {
            await assert.rejects(
                server.connection.sendRequest(chatRequest, { messages } as unknown as ChatParams),
                (error: ResponseError<unknown>) => error.code === ErrorCodes.InvalidParams,
            );
        }
    });
});

describe("codellama/chat cancellation and priority", () => {
    let server: ServerUnderTest;
    before(async () => {
        // Random weights: the answer runs until maxTokens.
        const random = await ensureRandomModel();
        server = await startServer({ settings: testSettings(random, { engine: { contextSize: 4096 }, chat: { maxTokens: 2000 } }) });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    it("$/cancelRequest stops the answer at once and keeps what was produced", async () => {
        const source = new CancellationTokenSource();
        let cancelled = false;
        const { deltas, answer } = chat(server, { messages: [{ role: "user", content: "Tell me a long story" }] }, source, () => {
            if (!cancelled && deltas.length >= 5) {
                cancelled = true;
                source.cancel();
            }
        });
        const result = await answer;
        assert.equal(result.stopReason, "cancelled");
        assert.ok(result.usage.completionTokens < 2000, `generated ${result.usage.completionTokens}`);
        assert.ok(result.content.length > 0);
        assert.ok(result.content.startsWith(deltas.slice(0, 5).join("")), "the kept content is what was streamed");
    });

    it("a completion is served while an answer streams", async () => {
        server.open("file:///c.js", "function add(a, b) {\n    \n}\n");
        const { deltas, answer } = chat(server, { messages: [{ role: "user", content: "Another story" }], maxTokens: 1500 });
        while (deltas.length < 3) await new Promise((resolve) => setTimeout(resolve, 10));
        const completion = await server.complete("file:///c.js", 1, 4);
        const deltasWhenCompleted = deltas.length;
        assert.ok(Array.isArray(completion.items));
        const result = await answer;
        assert.equal(result.stopReason, "max-tokens");
        assert.ok(deltasWhenCompleted < deltas.length / 2, `the completion came back after ${deltasWhenCompleted} of ${deltas.length} chat deltas`);
    });
});

describe("a question asked while the model loads", () => {
    // The server asks for its configuration after `initialized` and loads only then: a request sent at
    // once always arrives before the model is ready.
    it("codellama/chat and codellama.lsp.chat are answered after the load", async () => {
        const server = await startServer({ settings: testSettings(await ensureTinyModel()) });
        try {
            assert.ok(!server.statuses.some((status) => status.state === "ready"));
            const { deltas, answer } = chat(server, { messages: [{ role: "user", content: "Write add(a, b)" }] });
            const command = server.connection.sendRequest(ExecuteCommandRequest.type, {
                command: "codellama.lsp.chat",
                arguments: ["What does add do?"],
            }) as Promise<ChatAnswer>;
            assert.equal((await answer).content, INSTRUCT_CHAT_ANSWER);
            assert.equal(deltas.join(""), INSTRUCT_CHAT_ANSWER);
            assert.equal((await command).content, INSTRUCT_CHAT_ANSWER);
            assert.ok(
                server.logs.some((log) => log.message.startsWith("chat: waiting for the model")),
                "the request waited for the load",
            );
            assert.ok(server.statuses.some((status) => status.state === "ready"));
        } finally {
            await server.stop();
        }
    });

    it("is refused with the reason when the load fails or a download waits for consent", async () => {
        for (const [model, reason] of [
            [{ path: "/nonexistent/model.gguf" }, /The model is not ready: Model file not found: \/nonexistent\/model\.gguf/],
            [{ uri: "https://127.0.0.1:9/codellama-missing.gguf" }, /The model is not ready: .*not downloaded/i],
        ] as const) {
            const server = await startServer({ settings: testSettings("", { model }) });
            try {
                await assert.rejects(
                    chat(server, { messages: [{ role: "user", content: "Hi" }] }).answer,
                    (error: ResponseError<unknown>) => error.code === LSPErrorCodes.RequestFailed && reason.test(error.message),
                );
            } finally {
                await server.stop();
            }
        }
    });

    it("a question cancelled while waiting answers with nothing, marked cancelled", async () => {
        const server = await startServer({ settings: testSettings(await ensureTinyModel()) });
        try {
            const source = new CancellationTokenSource();
            const { answer } = chat(server, { messages: [{ role: "user", content: "Hi" }] }, source);
            source.cancel();
            assert.deepEqual(await answer, { content: "", stopReason: "cancelled", usage: { promptTokens: 0, completionTokens: 0, droppedMessages: 0 } });
            await server.waitForStatus(isState("ready"));
            assert.equal((await chat(server, { messages: [{ role: "user", content: "Write add(a, b)" }] }).answer).content, INSTRUCT_CHAT_ANSWER);
        } finally {
            await server.stop();
        }
    });
});

describe('"completing" in the status', () => {
    it("only while a completion request is in flight: not for a chat answer or a cache warm-up", async () => {
        const server = await startServer({ settings: testSettings(await ensureRandomModel(), { engine: { contextSize: 2048 } }) });
        try {
            await server.waitForStatus(isState("ready"));
            const from = server.statuses.length;
            const answer = await chat(server, { messages: [{ role: "user", content: "A story" }], maxTokens: 40 }).answer;
            assert.equal(answer.usage.completionTokens, 40);
            server.open("file:///warm.js", "let x = 1;\n".repeat(40) + "function f() {\n    \n}\n");
            await server.connection.sendNotification(warmCacheNotification, { textDocument: { uri: "file:///warm.js" }, position: { line: 41, character: 4 } });
            await waitUntil(() => server.logs.some((log) => log.message.startsWith("warm cache file:///warm.js:42:5")), "the warm-up finished");
            assert.deepEqual(
                server.statuses.slice(from).filter((status) => status.completing),
                [],
            );

            await server.complete("file:///warm.js", 41, 4);
            const after = server.statuses.slice(from).map((status) => status.completing);
            assert.deepEqual(after.slice(-2), [true, false]);
        } finally {
            await server.stop();
        }
    });
});
