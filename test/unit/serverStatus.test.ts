import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelError } from "../../server/src/engine/errors.js";
import type { EngineInfo } from "../../server/src/engine/inference.js";
import { type ModelUseSettings, progressView, serverStatus as statusFor } from "../../server/src/lsp/status.js";
import type { ModelState } from "../../server/src/model/modelManager.js";
import { CODE_LLAMA_7B_INSTRUCT } from "../fixtures/modelRoles.js";

const serverStatus = (state: ModelState) => statusFor(state, "lsp");

const info: EngineInfo = {
    modelPath: "/m/cl.gguf",
    modelName: "CodeLlama 7B",
    roles: CODE_LLAMA_7B_INSTRUCT,
    device: "cuda",
    gpuLayers: 20,
    totalLayers: 33,
    contextSize: 4096,
    loadMs: 900,
};

describe("serverStatus: the model manager's state as codellama/status", () => {
    it("says where the model runs when ready, with the engine's threads and speeds (rounded)", () => {
        assert.deepEqual(serverStatus({ phase: "ready", backend: "embedded", info, completing: true }), {
            state: "ready",
            health: "ok",
            message: "CodeLlama 7B (CUDA, 20/33 layers)",
            model: "CodeLlama 7B",
            device: "cuda",
            gpuLayers: 20,
            completing: true,
        });
        assert.equal(
            serverStatus({ phase: "ready", backend: "embedded", info: { ...info, device: "cpu", gpuLayers: 0 }, completing: false }).message,
            "CodeLlama 7B (CPU)",
        );
        assert.equal(
            serverStatus({ phase: "ready", backend: "llama-server", info: { ...info, device: "llama-server http://h:8080" }, completing: false }).message,
            "CodeLlama 7B (llama-server http://h:8080)",
        );
        const cpu = { ...info, device: "cpu", gpuLayers: 0 };
        assert.deepEqual(
            serverStatus({
                phase: "ready",
                backend: "embedded",
                info: cpu,
                completing: false,
                threads: { prompt: 2, generation: 1, source: "calibrated", cpus: 2 },
                promptTokensPerSecond: 1234.56,
                generationTokensPerSecond: 58.26,
            }),
            {
                state: "ready",
                health: "ok",
                message: "CodeLlama 7B (CPU)",
                model: "CodeLlama 7B",
                device: "cpu",
                gpuLayers: 0,
                completing: false,
                threads: { prompt: 2, generation: 1, source: "calibrated", cpus: 2 },
                promptTokensPerSecond: 1235,
                generationTokensPerSecond: 58.3,
            },
        );
        const speculation = { preparedSuggestions: 3, predictions: { validated: 40, refuted: 10 } };
        assert.deepEqual(
            statusFor({ phase: "ready", backend: "embedded", info: cpu, completing: false }, "lsp", undefined, speculation),
            {
                state: "ready",
                health: "ok",
                message: "CodeLlama 7B (CPU)",
                model: "CodeLlama 7B",
                device: "cpu",
                gpuLayers: 0,
                completing: false,
                ...speculation,
            },
            "what completion prepared and guessed, while ready",
        );
        assert.deepEqual(
            statusFor({ phase: "loading", file: "f.gguf", completing: false }, "lsp", undefined, speculation),
            { state: "loading", health: "ok", message: "Loading f.gguf", progress: 0, completing: false },
            "not while loading",
        );
        const fallback = serverStatus({ phase: "ready", backend: "embedded", info: { ...info, fallback: "GPU memory ran out" }, completing: false });
        assert.deepEqual([fallback.health, fallback.message], ["warning", "CodeLlama 7B (CUDA, 20/33 layers): GPU memory ran out"]);
    });
    it("notes what the model does other than Code Llama 7B Instruct, with the better choice", () => {
        const ready = (roles: Partial<EngineInfo["roles"]>, uses?: ModelUseSettings) =>
            statusFor(
                { phase: "ready", backend: "embedded", info: { ...info, modelName: "M", roles: { ...info.roles, ...roles } }, completing: false },
                "lsp",
                uses,
            ).notes;
        assert.equal(ready({}), undefined);
        assert.deepEqual(ready({ size: "34B", fim: false }), [
            "Completions continue the code: M was not trained to fill in the middle; a Code Llama 7B or 13B (base or Instruct) fills in between.",
        ]);
        assert.deepEqual(ready({}, { completionMode: "continue", chatFormat: "auto" }), ["Completions continue the code, as codellama.completion.mode says."]);
        assert.deepEqual(
            ready({ family: "llama-2", variant: "chat", fim: false, infillTokens: false }, { completionMode: "fill-in-the-middle", chatFormat: "auto" }),
            [
                "Completions continue the code: M has no fill-in-the-middle tokens, whatever codellama.completion.mode says; a Code Llama 7B or 13B (base or Instruct) fills in between.",
            ],
        );
        assert.deepEqual(ready({ variant: "python", fim: false, instruct: false }), [
            "Completions continue the code: M was not trained to fill in the middle; a Code Llama 7B or 13B (base or Instruct) fills in between.",
            "Chat: M is a base model, not trained to follow instructions; a Code Llama Instruct model (7B, 13B, 34B or 70B) or Llama 2 Chat follows instructions.",
        ]);
        assert.deepEqual(ready({}, { completionMode: "auto", chatFormat: "codellama-70b" }), [
            "Chat uses Llama 2's format: M has no <step> token for Code Llama 70B's, which codellama.chat.format asks for.",
        ]);
    });
    it("reports downloads and loads with their progress", () => {
        assert.deepEqual(serverStatus({ phase: "downloading", uri: "hf:o/r/f.gguf", downloadedBytes: 0, totalBytes: 0, completing: false }), {
            state: "downloading",
            health: "ok",
            message: "Downloading f.gguf",
            progress: 0,
            completing: false,
        });
        assert.deepEqual(serverStatus({ phase: "downloading", uri: "hf:o/r/f.gguf", downloadedBytes: 1e9, totalBytes: 4e9, completing: false }), {
            state: "downloading",
            health: "ok",
            message: "Downloading f.gguf: 1.0 GB of 4.0 GB",
            progress: 0.25,
            completing: false,
        });
        assert.deepEqual(serverStatus({ phase: "loading", file: "f.gguf", completing: false }), {
            state: "loading",
            health: "ok",
            message: "Loading f.gguf",
            progress: 0,
            completing: false,
        });
        assert.deepEqual(serverStatus({ phase: "loading", file: "f.gguf", fraction: 0.4, completing: false }), {
            state: "loading",
            health: "ok",
            message: "Loading f.gguf",
            progress: 0.4,
            completing: false,
        });
        assert.deepEqual(serverStatus({ phase: "connecting", url: "http://h:8080", completing: false }), {
            state: "loading",
            health: "ok",
            message: "Connecting to http://h:8080",
            completing: false,
        });
        assert.deepEqual(progressView({ phase: "loading", file: "f.gguf", fraction: 0.5, completing: false }), {
            title: "Code Llama: loading the model",
            fraction: 0.5,
            message: "f.gguf",
        });
        assert.deepEqual(progressView({ phase: "downloading", uri: "hf:o/r/f.gguf", downloadedBytes: 530e6, totalBytes: 4.1e9, completing: false }), {
            title: "Code Llama: downloading the model",
            fraction: 530e6 / 4.1e9,
            message: "530 MB of 4.1 GB",
        });
    });
    it("tells a model waiting for approval and a cancelled load from a failure, and names the fix", () => {
        const waiting = new ModelError("model-not-downloaded", "The model f.gguf (4.1 GB) is not downloaded yet.", { downloadBytes: 4.1e9 }).problem;
        assert.deepEqual(serverStatus({ phase: "failed", problem: waiting, completing: false }), {
            state: "error",
            health: "warning",
            error: "model-not-downloaded",
            fix: "approve-download",
            downloadBytes: 4.1e9,
            completing: false,
            message:
                "The model f.gguf (4.1 GB) is not downloaded yet. Approve the download (the codellama/downloadModel request), set codellama.model.autoDownload to true, or set codellama.model.path to a local GGUF file.",
        });
        const cancelled = new ModelError("cancelled", "Model download or load cancelled.").problem;
        assert.deepEqual(serverStatus({ phase: "failed", problem: cancelled, completing: false }), {
            state: "error",
            health: "warning",
            error: "cancelled",
            fix: "retry",
            completing: false,
            message: "Model download or load cancelled. Send codellama/downloadModel or codellama/reloadModel to try again.",
        });
        assert.equal(
            serverStatus({ phase: "failed", problem: new ModelError("not-gguf", "x is not a GGUF model file.").problem, completing: false }).health,
            "error",
        );
    });
    it("words a problem for its reader: the VS Code extension hears of its commands", () => {
        const problem = new ModelError("model-not-found", "Model file not found: /m/x.gguf.").problem;
        assert.equal(
            statusFor({ phase: "failed", problem, completing: false }, "vscode").message,
            'Model file not found: /m/x.gguf. Select another GGUF model file ("Code Llama: Select Model File…").',
        );
    });
});
