// `codellama` with models of each kind: chat from a separate chat model, completion from a model
// that continues the code, a chat model that cannot load told in the terminal's words.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/cli.js");

describe("codellama with a separate chat model and models of each kind", () => {
    let home: string;
    let completionModel: string;
    let chatModel: string;
    let llama2: string;
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args, "--threads", "1", "--context-size", "1024"], {
        encoding: "utf8",
        env: { ...process.env, HOME: home, TMPDIR: home, XDG_CACHE_HOME: path.join(home, ".cache") },
    });
    before(async () => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-cli-models-"));
        completionModel = await ensureTinyModel();
        chatModel = await ensureTinyModel({ name: "chat-34b", identity: { name: "CodeLlama 34B Instruct", sizeLabel: "34B", finetune: "Instruct" }, scripts: [{ name: "instruct", after: "]", answer: " XYZ.", end: "eos" }] });
        llama2 = await ensureTinyModel({ name: "llama-2-7b-chat", vocab: "llama-2", codellamaVocab: true, identity: { name: "LLaMA v2", sizeLabel: "7B", finetune: "Chat" } });
    });
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    it("chat answers from --chat-model, completion from --model", () => {
        const chat = run("chat", "--model", completionModel, "--chat-model", chatModel, "Write add(a, b)");
        assert.equal(chat.status, 0, chat.stderr);
        assert.equal(chat.stdout, "XYZ.\n");
        const alone = run("chat", "--model", completionModel, "Write add(a, b)");
        assert.equal(alone.stdout, `${INSTRUCT_CHAT_ANSWER}\n`);
    });

    it("Llama 2 Chat completes by continuing the code", () => {
        const file = path.join(home, "add.js");
        fs.writeFileSync(file, "function add(a, b) {\n    \n}\n");
        const complete = run("complete", "--model", llama2, "--file", file, "--position", "2:5");
        assert.equal(complete.status, 0, complete.stderr);
        assert.equal(complete.stdout, `${FIM_ANSWER}\n`);
    });

    it("a chat model that cannot load is told with flags", () => {
        const missing = path.join(home, "no-chat.gguf");
        const chat = run("chat", "--model", completionModel, "--chat-model", missing, "hi");
        assert.equal(chat.status, 1);
        assert.equal(chat.stderr, `codellama: Chat model: Model file not found: ${missing}. Pass --chat-model PATH to a local GGUF file, or leave it out to chat with the completion model.\n`);
    });
});
