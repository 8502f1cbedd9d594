import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EngineInfo } from "../../server/src/engine/inference.js";
import { progressView, serverStatus } from "../../server/src/lsp/status.js";

const info: EngineInfo = { modelPath: "/m/cl.gguf", modelName: "CodeLlama 7B", device: "cuda", gpuLayers: 20, totalLayers: 33, contextSize: 4096, loadMs: 900 };

describe("serverStatus: the model manager's state as codellama/status", () => {
    it("says where the model runs when ready, with the engine's threads and speeds (rounded)", () => {
        assert.deepEqual(serverStatus({ phase: "ready", backend: "embedded", info, completing: true }), {
            state: "ready", health: "ok", message: "CodeLlama 7B (CUDA, 20/33 layers)", model: "CodeLlama 7B", device: "cuda", gpuLayers: 20, completing: true,
        });
        assert.equal(serverStatus({ phase: "ready", backend: "embedded", info: { ...info, device: "cpu", gpuLayers: 0 }, completing: false }).message, "CodeLlama 7B (CPU)");
        assert.equal(serverStatus({ phase: "ready", backend: "llama-server", info: { ...info, device: "llama-server http://h:8080" }, completing: false }).message, "CodeLlama 7B (llama-server http://h:8080)");
        const cpu = { ...info, device: "cpu", gpuLayers: 0 };
        assert.deepEqual(serverStatus({ phase: "ready", backend: "embedded", info: cpu, completing: false, threads: { prompt: 2, generation: 1, source: "calibrated", cpus: 2 }, promptTokensPerSecond: 1234.56, generationTokensPerSecond: 58.26 }), {
            state: "ready", health: "ok", message: "CodeLlama 7B (CPU)", model: "CodeLlama 7B", device: "cpu", gpuLayers: 0, completing: false,
            threads: { prompt: 2, generation: 1, source: "calibrated", cpus: 2 }, promptTokensPerSecond: 1235, generationTokensPerSecond: 58.3,
        });
        const fallback = serverStatus({ phase: "ready", backend: "embedded", info: { ...info, fallback: "GPU memory ran out" }, completing: false });
        assert.deepEqual([fallback.health, fallback.message], ["warning", "CodeLlama 7B (CUDA, 20/33 layers): GPU memory ran out"]);
    });
    it("reports downloads and loads with their progress", () => {
        assert.deepEqual(serverStatus({ phase: "downloading", uri: "hf:o/r/f.gguf", downloadedBytes: 0, totalBytes: 0, completing: false }), { state: "downloading", health: "ok", message: "Downloading hf:o/r/f.gguf", progress: 0, completing: false });
        assert.deepEqual(serverStatus({ phase: "downloading", uri: "hf:o/r/f.gguf", downloadedBytes: 1048576 * 100, totalBytes: 1048576 * 400, completing: false }), { state: "downloading", health: "ok", message: "Downloading model 25% (100 MiB / 400 MiB)", progress: 0.25, completing: false });
        assert.deepEqual(serverStatus({ phase: "loading", completing: false }), { state: "loading", health: "ok", message: "Loading model", progress: 0, completing: false });
        assert.deepEqual(serverStatus({ phase: "loading", fraction: 0.4, completing: false }), { state: "loading", health: "ok", message: "Loading model 40%", progress: 0.4, completing: false });
        assert.deepEqual(serverStatus({ phase: "connecting", url: "http://h:8080", completing: false }), { state: "loading", health: "ok", message: "Connecting to http://h:8080", completing: false });
        assert.deepEqual(progressView({ phase: "loading", fraction: 0.5, completing: false }), { title: "Code Llama: loading model", fraction: 0.5, message: "50%" });
    });
    it("tells a model waiting for approval and a cancelled load from a failure", () => {
        assert.deepEqual(serverStatus({ phase: "failed", code: "model-not-downloaded", message: "Not downloaded yet.", completing: false }), { state: "error", health: "warning", message: "Not downloaded yet.", error: "model-not-downloaded", completing: false });
        assert.deepEqual(serverStatus({ phase: "failed", code: "cancelled", message: "Model download or load cancelled.", completing: false }), {
            state: "error", health: "warning", message: "Model download or load cancelled. Run \"Code Llama: Download Default Model\" or select a model file to try again.", error: "cancelled", completing: false,
        });
        assert.equal(serverStatus({ phase: "failed", code: "not-gguf", message: "x is not a GGUF model file", completing: false }).health, "error");
    });
});
