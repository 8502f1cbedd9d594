// Models of each kind over LSP: the roles read from the file decide how completions are asked for.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { chatRequest, modelsRequest } from "../../shared/src/protocol.js";
import { isState, recent, type ServerUnderTest, startServer, testSettings, waitUntil } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";

const SOURCE = "function add(a, b) {\n    \n}\n";

describe("a model not trained to fill in the middle (Code Llama 34B Instruct, as TheBloke names it)", () => {
    let server: ServerUnderTest;
    let fillsIn: ServerUnderTest;
    let codellama34b: string;
    before(async () => {
        codellama34b = await ensureTinyModel({ name: "34b-instruct", identity: { name: "codellama_codellama-34b-instruct-hf" } });
        [server, fillsIn] = await Promise.all([
            startServer({ settings: testSettings(codellama34b) }),
            startServer({ settings: testSettings(await ensureTinyModel()) }),
        ]);
        await Promise.all([server.waitForStatus(isState("ready")), fillsIn.waitForStatus(isState("ready"))]);
    });
    after(() => Promise.all([server.stop(), fillsIn.stop()]));

    it("says in the status that completions continue the code, naming the better choice", () => {
        const ready = server.statuses.find(isState("ready"))!;
        assert.deepEqual(ready.notes, [
            "Completions continue the code: codellama_codellama-34b-instruct-hf was not trained to fill in the middle; a Code Llama 7B or 13B (base or Instruct) fills in between.",
        ]);
        assert.equal(fillsIn.statuses.find(isState("ready"))!.notes, undefined);
    });

    it("completes from the text before the cursor: BOS and the prefix, no infill tokens, no suffix", async () => {
        for (const each of [server, fillsIn]) each.open("file:///add.js", SOURCE);
        const [continued, filled] = await Promise.all([server.complete("file:///add.js", 1, 4), fillsIn.complete("file:///add.js", 1, 4)]);
        assert.equal(continued.items[0]!.insertText, FIM_ANSWER);
        assert.equal(filled.items[0]!.insertText, FIM_ANSWER);
        const [continuedPrompt, filledPrompt] = [(await recent(server)).at(-1)!.promptTokens, (await recent(fillsIn)).at(-1)!.promptTokens];
        // Fill in the middle adds ▁<PRE> ▁<SUF> ▁<MID> and the suffix "\n}\n" (three byte tokens: <0x0A> } <0x0A>).
        assert.equal(filledPrompt - continuedPrompt, 3 + 3);
    });

    it("completion.mode fill-in-the-middle forces the infill layout (the vocabulary has the tokens), and the note goes", async () => {
        const noted = server.nextStatus((status) => status.state === "ready" && status.notes === undefined);
        server.setSettings(testSettings(codellama34b, { completion: { mode: "fill-in-the-middle" } }));
        await noted;
        const forced = await server.complete("file:///add.js", 1, 4);
        assert.equal(forced.items[0]!.insertText, FIM_ANSWER);
        assert.equal((await recent(server)).at(-1)!.promptTokens, (await recent(fillsIn)).at(-1)!.promptTokens);
    });
});

describe("Llama 2 Chat (32,000 tokens, no infill tokens)", () => {
    let server: ServerUnderTest;
    before(async () => {
        const llama2 = await ensureTinyModel({
            name: "llama-2-7b-chat",
            vocab: "llama-2",
            codellamaVocab: true,
            identity: { name: "LLaMA v2", sizeLabel: "7B", finetune: "Chat" },
        });
        modelsDir = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-models-dir-"));
        fs.copyFileSync(llama2, path.join(modelsDir, "llama-2-7b-chat.Q4_K_M.gguf"));
        server = await startServer({ settings: testSettings(llama2, { model: { directory: modelsDir } }), showsStatus: false });
        await server.waitForStatus(isState("ready"));
    });
    let modelsDir: string;
    after(async () => {
        await server.stop();
        fs.rmSync(modelsDir, { recursive: true, force: true });
    });

    it("codellama/models: the models directory's file with its roles first, then the family, the catalogue's copy marked downloaded", async () => {
        const choices = await server.connection.sendRequest(modelsRequest);
        assert.deepEqual(
            [choices[0]!.label, choices[0]!.path, choices[0]!.roles],
            ["LLaMA v2", path.join(modelsDir, "llama-2-7b-chat.Q4_K_M.gguf"), { fillInTheMiddle: false, chat: true, chatFormat: "llama2" }],
        );
        assert.equal(choices.find((choice) => choice.label === "Llama 2 7B Chat")?.downloaded, true);
        assert.equal(choices.find((choice) => choice.label === "Code Llama 7B Instruct")?.downloaded, false);
    });

    it("completes by continuing the code, keystroke after keystroke, without an error", async () => {
        server.open("file:///add.js", SOURCE);
        for (let round = 0; round < 3; round++) assert.equal((await server.complete("file:///add.js", 1, 4)).items[0]?.insertText, FIM_ANSWER);
        assert.deepEqual(
            server.messages.filter((message) => message.type === 1),
            [],
        );
        assert.match(
            server.statuses.find(isState("ready"))!.notes?.[0] ?? "",
            /^Completions continue the code: LLaMA v2 was not trained to fill in the middle/,
        );
    });

    it("chats in Llama 2's format", async () => {
        const answer = await server.connection.sendRequest(chatRequest, { messages: [{ role: "user", content: "Write add(a, b)" }] });
        assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
    });
});

describe("a base model used for chat", () => {
    it("answers, and warns once (log and message) naming the Instruct models", async () => {
        const base = await ensureTinyModel({ name: "7b-base", identity: { name: "codellama_codellama-7b-hf" } });
        const server = await startServer({ settings: testSettings(base), showsStatus: false });
        try {
            await server.waitForStatus(isState("ready"));
            for (let question = 0; question < 2; question++) {
                const answer = await server.connection.sendRequest(chatRequest, { messages: [{ role: "user", content: "Write add(a, b)" }] });
                assert.equal(answer.content, INSTRUCT_CHAT_ANSWER);
            }
            const warning =
                "Code Llama: Chat: codellama_codellama-7b-hf is a base model, not trained to follow instructions; a Code Llama Instruct model (7B, 13B, 34B or 70B) or Llama 2 Chat follows instructions.";
            await waitUntil(() => server.questions.length > 0, "the warning");
            assert.deepEqual(
                [...server.messages, ...server.questions].filter((message) => message.type === 2).map((message) => message.message),
                [warning],
            );
            assert.equal(server.logs.filter((log) => log.message.includes("is a base model")).length, 1, "logged once");
        } finally {
            await server.stop();
        }
    });
});
