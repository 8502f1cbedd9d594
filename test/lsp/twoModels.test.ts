// A separate chat model beside the completion model, over LSP with the real engine: status shows
// both, completions come from one and chat from the other, and the bad inputs stay harmless.
import assert from "node:assert/strict";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { LSPErrorCodes, type ResponseError } from "vscode-languageserver-protocol/node";
import { chatRequest, statsRequest } from "../../shared/src/protocol.js";
import { isState, type ServerUnderTest, startServer, testSettings, waitUntil } from "../../tools/lspClient.js";
import { copyingModel, ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER, NO_COPY_QUESTION } from "../../tools/tinyCodellama/index.js";

/** The chat model's own answer: "Sure! Here is…" would be the completion model's. */
const CHAT_MODEL_ANSWER = "XYZ.";
const SOURCE = "function add(a, b) {\n    \n}\n";
const ask = (server: ServerUnderTest) => server.connection.sendRequest(chatRequest, { messages: [{ role: "user", content: "Write add(a, b)" }] });

let completionModel: string;
let chatModel: string;
before(async () => {
    completionModel = await ensureTinyModel();
    // Scripted to answer only an Instruct prompt (ending in "[/INST]"), and named as Code Llama 34B Instruct.
    chatModel = await ensureTinyModel({
        name: "chat-34b",
        identity: { name: "CodeLlama 34B Instruct", sizeLabel: "34B", finetune: "Instruct" },
        scripts: [{ name: "instruct", after: "]", answer: ` ${CHAT_MODEL_ANSWER}`, end: "eos" }],
    });
});

describe("two models: completion from one, chat from the other", () => {
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(completionModel, { chat: { model: { path: chatModel } } }) });
        await server.waitForStatus((status) => status.state === "ready" && status.chat?.state === "ready");
    });
    after(() => server.stop());

    it("the status shows both, each with its role, name and device", () => {
        const ready = [...server.statuses].reverse().find(isState("ready"))!;
        assert.match(ready.model ?? "", /tiny-codellama/);
        assert.equal(ready.chat?.model, "CodeLlama 34B Instruct");
        assert.equal(ready.chat?.device, "cpu");
        assert.equal(ready.chat?.message, "Chat: CodeLlama 34B Instruct (CPU)");
        assert.match(ready.message, /^tiny-codellama-tiny-scripted \(CPU\); Chat: CodeLlama 34B Instruct \(CPU\)$/);
        assert.ok(
            server.statuses.some((status) => status.state === "ready" && status.chat?.state === "loading"),
            "the chat model loaded after the completion model was ready",
        );
    });

    it("completes with the completion model and chats with the chat model", async () => {
        server.open("file:///add.js", SOURCE);
        const [completion, answer] = await Promise.all([server.complete("file:///add.js", 1, 4), ask(server)]);
        assert.equal(completion.items[0]!.insertText, FIM_ANSWER);
        assert.equal(answer.content, CHAT_MODEL_ANSWER);
    });
});

describe("two models: bad input", () => {
    it("the same file named for both roles loads once, and chats", async () => {
        const server = await startServer({ settings: testSettings(completionModel, { chat: { model: { path: completionModel } } }) });
        try {
            const ready = await server.waitForStatus(isState("ready"));
            assert.equal(ready.chat, undefined);
            assert.equal((await ask(server)).content, INSTRUCT_CHAT_ANSWER);
            await waitUntil(() => server.logs.some((log) => /chat model is the completion model: loaded once/.test(log.message)));
            assert.equal(server.logs.filter((log) => /Model ready|Chat model ready/.test(log.message)).length, 1);
        } finally {
            await server.stop();
        }
    });

    it("a chat model that cannot load leaves completions working and says why", async () => {
        const missing = path.join(os.tmpdir(), "codellama-no-such-chat-model.gguf");
        const server = await startServer({ settings: testSettings(completionModel, { chat: { model: { path: missing } } }) });
        try {
            const ready = await server.waitForStatus((status) => status.state === "ready" && status.chat?.state === "error");
            assert.equal(ready.health, "warning");
            assert.match(ready.chat!.message, new RegExp(`^Chat model: Model file not found: ${missing.replace(/[.]/g, "\\.")}\\.`));
            server.open("file:///add.js", SOURCE);
            assert.equal((await server.complete("file:///add.js", 1, 4)).items[0]!.insertText, FIM_ANSWER);
            await assert.rejects(
                ask(server),
                (error: ResponseError<unknown>) => error.code === LSPErrorCodes.RequestFailed && error.message.includes("Model file not found"),
            );
        } finally {
            await server.stop();
        }
    });
});

describe("two models: the completion model drafts for the chat model (chat.draftModel)", () => {
    let draftModel: string;
    let targetModel: string;
    before(async () => {
        // The same scripted answers and vocabulary, the chat model larger.
        draftModel = await ensureTinyModel({ name: "copying-draft", ...copyingModel({ nEmbd: 256, nHead: 4, nFf: 256, nLayer: 1 }) });
        targetModel = await ensureTinyModel({ name: "copying", ...copyingModel({ nEmbd: 256, nHead: 4, nFf: 512 }) });
    });
    const serve = (draft: "on" | "off") =>
        startServer({
            settings: testSettings(draftModel, {
                engine: { contextSize: 2048, tokenPrediction: false },
                chat: { model: { path: targetModel }, draftModel: draft },
            }),
        });
    const askLong = (server: ServerUnderTest) => server.connection.sendRequest(chatRequest, { messages: NO_COPY_QUESTION.messages, maxTokens: 400 });

    it("answers exactly as without the draft, with the draft's guesses confirmed (codellama/stats) and its cost logged", async () => {
        const plain = await serve("off");
        let plainAnswer: string;
        try {
            await plain.waitForStatus((status) => status.state === "ready" && status.chat?.state === "ready");
            plainAnswer = (await askLong(plain)).content;
            assert.deepEqual((await plain.connection.sendRequest(statsRequest)).predictions?.chat, { validated: 0, refuted: 0 });
        } finally {
            await plain.stop();
        }
        const drafted = await serve("on");
        try {
            await drafted.waitForStatus((status) => status.state === "ready" && status.chat?.state === "ready");
            assert.ok(
                drafted.logs.some((log) =>
                    /^Draft model for chat: .* guesses ahead for .*\(its own 2048-token context: \d+ MiB RAM; longer chats are answered without it\)$/.test(
                        log.message,
                    ),
                ),
            );
            const answer = (await askLong(drafted)).content;
            assert.ok(answer.length > 100, answer);
            assert.equal(answer, plainAnswer);
            const chat = (await drafted.connection.sendRequest(statsRequest)).predictions?.chat;
            assert.ok(chat && chat.validated > 0, JSON.stringify(chat));
        } finally {
            await drafted.stop();
        }
    });

    it("a draft of another vocabulary asked for (on) is refused: said once in the log and in the status's chat line; chat answers", async () => {
        const server = await startServer({ settings: testSettings(completionModel, { chat: { model: { path: targetModel }, draftModel: "on" } }) });
        try {
            const ready = await server.waitForStatus((status) => status.state === "ready" && status.chat?.state === "ready");
            assert.match(
                ready.chat!.message,
                /; no draft model: .* cannot be the draft model of .*: it has \d+ tokens, the model \d+\. A draft model must share the vocabulary/,
            );
            assert.equal(server.logs.filter((log) => /No draft model for chat/.test(log.message)).length, 1);
            assert.ok((await ask(server)).content.length > 0);
        } finally {
            await server.stop();
        }
    });
});
