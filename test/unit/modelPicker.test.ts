import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { pickItems, settingsFor } from "../../client/src/modelPickItems.js";
import type { ModelChoice } from "../../shared/src/modelChoice.js";

const GB = 1e9;
const download: ModelChoice = {
    label: "Code Llama 34B Instruct",
    uri: "hf:TheBloke/CodeLlama-34B-Instruct-GGUF/codellama-34b-instruct.Q4_K_M.gguf",
    quantization: "Q4_K_M",
    fileBytes: 20.22 * GB,
    memoryBytes: 22.3 * GB,
    fits: false,
    downloaded: false,
    roles: { fillInTheMiddle: false, chat: true, chatFormat: "llama2" },
};
const local: ModelChoice = {
    label: "codellama_codellama-7b-instruct-hf",
    path: "/m/7b.gguf",
    fileBytes: 4.08 * GB,
    memoryBytes: 8.9 * GB,
    fits: true,
    downloaded: true,
    roles: { fillInTheMiddle: true, chat: true, chatFormat: "llama2" },
};

describe("the model quick pick", () => {
    it("names each model with its quantization, download or place, roles, memory and whether it fits", () => {
        assert.deepEqual(
            pickItems([local, download]).map(({ choice: _choice, ...item }) => item),
            [
                {
                    label: "codellama_codellama-7b-instruct-hf",
                    description: "on this computer",
                    detail: "completions (fills in the middle), chat · needs 8.9 GB",
                },
                {
                    label: "$(warning) Code Llama 34B Instruct",
                    description: "Q4_K_M · download 20.2 GB",
                    detail: "completions (continues the code), chat · needs 22.3 GB, more than this computer has",
                },
            ],
        );
        assert.equal(pickItems([{ ...download, downloaded: true, fits: true }])[0]!.description, "Q4_K_M · downloaded");
    });
    it("sets the file, or the download and no file, for the role", () => {
        assert.deepEqual(settingsFor(local, "completion"), { "model.path": "/m/7b.gguf" });
        assert.deepEqual(settingsFor(local, "chat"), { "chat.model.path": "/m/7b.gguf" });
        assert.deepEqual(settingsFor(download, "chat"), { "chat.model.path": "", "chat.model.uri": download.uri });
        assert.deepEqual(settingsFor(download, "completion"), { "model.path": "", "model.uri": download.uri });
    });
});
