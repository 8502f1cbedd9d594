// Engine faults: each gives a clear message naming the cause and the fix, the server stays up, and
// fixing the setting recovers without a restart.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isState, startServer, testSettings } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";

describe("engine faults", () => {
    it("a context that cannot be allocated, then a GPU backend that is not there; fixing each recovers", async () => {
        // 134M parameters: a million-token context (two sequences) needs far more memory than any test machine has.
        const perf = await ensureTinyModel({ preset: "perf", type: "q4_0" });
        const server = await startServer({ settings: testSettings(perf, { engine: { contextSize: 1_000_000 } }) });
        try {
            const context = await server.waitForStatus(isState("error"));
            assert.equal(context.error, "context-failed");
            assert.match(context.message, /1000000-token context/);
            assert.match(context.message, /codellama\.engine\.contextSize/);

            const scripted = await ensureTinyModel();
            // Metal does not exist on Linux; CUDA binaries do not load without an NVIDIA driver.
            const gpu = process.platform === "darwin" ? "vulkan" : "metal";
            const unavailable = server.nextStatus((status) => status.error === "gpu-unavailable");
            server.setSettings(testSettings(scripted, { engine: { gpu } }));
            const status = await unavailable;
            assert.match(status.message, new RegExp(`The ${gpu} GPU backend is not available`));
            assert.match(status.message, /codellama\.engine\.gpu/);

            const ready = server.nextStatus(isState("ready"));
            server.setSettings(testSettings(scripted, { engine: { gpu: "off" } }));
            assert.equal((await ready).device, "cpu");
            server.open("file:///f.js", "function add(a, b) {\n    \n}\n");
            assert.equal((await server.complete("file:///f.js", 1, 4)).items[0]!.insertText, FIM_ANSWER);
        } finally {
            await server.stop();
        }
    });
});
