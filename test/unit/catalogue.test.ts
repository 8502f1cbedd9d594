import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CATALOGUE, memoryNeeded, modelChoices, rolesText } from "../../server/src/model/catalogue.js";

const GB = 1e9;
const byLabel = (memoryBytes = 64 * GB) => new Map(modelChoices([], memoryBytes).map((choice) => [choice.label, choice]));

describe("the model catalogue", () => {
    it("lists the family: Code Llama 7B-70B base, Instruct and Python, Llama 2 Chat 7B/13B/70B, as TheBloke's Q4_K_M files", () => {
        assert.equal(CATALOGUE.length, 15);
        assert.equal(CATALOGUE[0]!.uri, "hf:TheBloke/CodeLlama-7B-Instruct-GGUF/codellama-7b-instruct.Q4_K_M.gguf");
        assert.ok(CATALOGUE.some((entry) => entry.uri === "hf:TheBloke/CodeLlama-70B-hf-GGUF/codellama-70b-hf.Q4_K_M.gguf"));
        assert.ok(CATALOGUE.some((entry) => entry.uri === "hf:TheBloke/CodeLlama-34B-Python-GGUF/codellama-34b-python.Q4_K_M.gguf"));
        assert.ok(CATALOGUE.some((entry) => entry.uri === "hf:TheBloke/Llama-2-13B-Chat-GGUF/llama-2-13b-chat.Q4_K_M.gguf"));
    });
    it("memory: the weights, a 4,096-token KV cache for completion and for chat, 0.5 GB more", () => {
        // Code Llama 7B: 32 layers x 32 KV heads x 128 x 2 (K, V) x 2 bytes = 512 KiB a token; two 4,096-token sequences are 4 GiB.
        assert.equal(memoryNeeded(4_081_095_360, 524_288), 4_081_095_360 + 4_294_967_296 + 500_000_000);
        assert.equal(byLabel().get("Code Llama 7B Instruct")!.memoryBytes, 8_876_062_656);
        // 34B's grouped-query attention (8 KV heads) keeps its cache small: 192 KiB a token.
        assert.equal(byLabel().get("Code Llama 34B Instruct")!.memoryBytes, Math.round(20.22 * GB + 196_608 * 8192 + 0.5 * GB));
    });
    it("the roles each can play", () => {
        const roles = (label: string) => rolesText(byLabel().get(label)!.roles);
        assert.equal(roles("Code Llama 7B Instruct"), "completion (fills in the middle), chat");
        assert.equal(roles("Code Llama 13B"), "completion (fills in the middle)");
        assert.equal(roles("Code Llama 34B Instruct"), "completion (continues the code), chat");
        assert.equal(roles("Code Llama 70B Instruct"), "completion (continues the code), chat (70B format)");
        assert.equal(roles("Code Llama 7B Python"), "completion (continues the code)");
        assert.equal(roles("Llama 2 70B Chat"), "completion (continues the code), chat");
    });
    it("what fits this machine's memory", () => {
        const on16 = byLabel(16 * GB);
        assert.equal(on16.get("Code Llama 7B Instruct")!.fits, true);
        assert.equal(on16.get("Code Llama 13B Instruct")!.fits, true);
        assert.equal(on16.get("Code Llama 34B Instruct")!.fits, false);
    });
    it("the local files first, with their roles; a catalogue file already there is marked downloaded", () => {
        const local = {
            path: "/models/codellama-7b-instruct.Q4_K_M.gguf",
            bytes: 4 * GB,
            facts: {
                name: "codellama_codellama-7b-instruct-hf",
                fileName: "codellama-7b-instruct.Q4_K_M.gguf",
                parameterCount: 0,
                infillTokens: true,
                stepToken: false,
                bosEos: true,
            },
            kvBytesPerToken: 524_288,
        };
        const [first, ...rest] = modelChoices([local], 16 * GB);
        assert.deepEqual(first, {
            label: "codellama_codellama-7b-instruct-hf",
            path: local.path,
            fileBytes: 4 * GB,
            downloaded: true,
            roles: { fillInTheMiddle: true, chat: true, chatFormat: "llama2" },
            memoryBytes: 4 * GB + 4_294_967_296 + 500_000_000,
            fits: true,
        });
        assert.equal(rest.find((choice) => choice.label === "Code Llama 7B Instruct")!.downloaded, true);
        assert.equal(rest.find((choice) => choice.label === "Code Llama 13B Instruct")!.downloaded, false);
    });
});
