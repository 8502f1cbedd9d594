// `codellama` with models of each kind: chat from a separate chat model, completion from a model
// that continues the code, a chat model that cannot load told in the terminal's words.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ensureTinyModel, FIM_ANSWER, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/cli.js");

describe("codellama with a separate chat model and models of each kind", () => {
    let home: string;
    let completionModel: string;
    let chatModel: string;
    let llama2: string;
    const run = (...args: string[]) =>
        spawnSync(process.execPath, [CLI, ...args, "--threads", "1", "--context-size", "1024"], {
            encoding: "utf8",
            env: { ...process.env, HOME: home, TMPDIR: home, XDG_CACHE_HOME: path.join(home, ".cache") },
        });
    before(async () => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-cli-models-"));
        completionModel = await ensureTinyModel();
        chatModel = await ensureTinyModel({
            name: "chat-34b",
            identity: { name: "CodeLlama 34B Instruct", sizeLabel: "34B", finetune: "Instruct" },
            scripts: [{ name: "instruct", after: "]", answer: " XYZ.", end: "eos" }],
        });
        llama2 = await ensureTinyModel({
            name: "llama-2-7b-chat",
            vocab: "llama-2",
            codellamaVocab: true,
            identity: { name: "LLaMA v2", sizeLabel: "7B", finetune: "Chat" },
        });
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

    it("codellama models lists the local files with their roles, then the family", () => {
        const dir = path.join(home, "models");
        fs.mkdirSync(dir);
        fs.copyFileSync(llama2, path.join(dir, "llama-2-7b-chat.Q4_K_M.gguf"));
        const listed = run("models", "--models-dir", dir, "--json");
        assert.equal(listed.status, 0, listed.stderr);
        const choices = JSON.parse(listed.stdout) as {
            label: string;
            path?: string;
            downloaded: boolean;
            roles: { fillInTheMiddle: boolean; chat: boolean };
        }[];
        assert.deepEqual(choices[0], {
            ...choices[0],
            label: "LLaMA v2",
            path: path.join(dir, "llama-2-7b-chat.Q4_K_M.gguf"),
            downloaded: true,
            roles: { fillInTheMiddle: false, chat: true, chatFormat: "llama2" },
        });
        assert.equal(choices.find((choice) => choice.label === "Llama 2 7B Chat")?.downloaded, true);
        assert.equal(choices.length, 16);
        const table = run("models", "--models-dir", dir);
        assert.match(table.stdout, /^Model +Quant +File +Memory +Roles +Fits +Path or download$/m);
        assert.match(
            table.stdout,
            /^Code Llama 7B Instruct +Q4_K_M +4\.1 GB +8\.9 GB +completion \(fills in the middle\), chat +(yes|no) +hf:TheBloke\/CodeLlama-7B-Instruct-GGUF\/codellama-7b-instruct\.Q4_K_M\.gguf$/m,
        );
    });

    it("a chat model that cannot load is told with flags", () => {
        const missing = path.join(home, "no-chat.gguf");
        const chat = run("chat", "--model", completionModel, "--chat-model", missing, "hi");
        assert.equal(chat.status, 1);
        assert.equal(
            chat.stderr,
            `codellama: Chat model: Model file not found: ${missing}. Pass --chat-model PATH to a local GGUF file, or leave it out to chat with the completion model.\n`,
        );
    });
});
