// The built-in engine's threads as a user gets them: calibrated at the first load, shown in
// codellama/status and the log; a setting above the CPU count is used and warned about once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { usableCpus } from "../../server/src/engine/threads.js";
import { isState, startServer, testSettings } from "../../tools/lspClient.js";
import { ensureRandomModel } from "../../tools/tinyCodellama/index.js";

const cpus = usableCpus().count;

describe("engine threads", () => {
    it("engine.threads 0: every usable CPU while it measures, then the fastest counts; a completion meanwhile is answered", async () => {
        const server = await startServer({ settings: testSettings(await ensureRandomModel(), { engine: { threads: 0 } }) });
        try {
            const ready = await server.waitForStatus(isState("ready"));
            assert.deepEqual(ready.threads, { prompt: cpus, generation: cpus, source: "calibrating", cpus });
            server.open("file:///t.js", "function add(a, b) {\n    \n}\n");
            assert.ok(Array.isArray((await server.complete("file:///t.js", 1, 4)).items));
            const calibrated = await server.waitForStatus((status) => status.threads?.source === "calibrated", 120_000);
            const { prompt, generation } = calibrated.threads!;
            for (const count of [prompt, generation]) assert.ok(count >= 1 && count <= cpus, `${count} of ${cpus} CPUs`);
            assert.ok(calibrated.promptTokensPerSecond! > 0 && calibrated.generationTokensPerSecond! > 0);
            assert.ok(
                server.logs.some((log) => /^Threads: .*, calibrated in \d+ ms/.test(log.message)),
                "the log says the threads and speeds",
            );
        } finally {
            await server.stop();
        }
    });

    it("a setting above the CPU count is used, and warned about once", async () => {
        const threads = cpus + 2;
        const settings = testSettings(await ensureRandomModel(), { engine: { threads } });
        const server = await startServer({ settings });
        try {
            const ready = await server.waitForStatus(isState("ready"));
            assert.deepEqual(ready.threads, { prompt: threads, generation: threads, source: "setting", cpus });
            // Another engine setting reloads the model with the same thread count.
            server.setSettings({ ...settings, engine: { threads, contextSize: 512 } });
            await server.nextStatus(isState("ready"));
            const warnings = server.logs.filter((log) => log.message.startsWith(`codellama.engine.threads is ${threads}, more than the ${cpus} CPU`));
            assert.equal(warnings.length, 1);
        } finally {
            await server.stop();
        }
    });
});
