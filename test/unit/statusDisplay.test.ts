// The status bar item is a pure view of the last server status: every state, exactly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deviceName, presentStatus, type StatusInput } from "../../client/src/statusDisplay.js";
import type { ServerStatus } from "../../shared/src/protocol.js";

const ready: ServerStatus = {
    state: "ready",
    health: "ok",
    message: "CodeLlama 7B (CPU)",
    model: "CodeLlama 7B Instruct",
    device: "cpu",
    gpuLayers: 0,
    completing: false,
};
const input = (server: ServerStatus | undefined, more: Partial<StatusInput> = {}): StatusInput => ({
    server,
    connection: "running",
    completionsEnabled: true,
    ...more,
});

describe("presentStatus", () => {
    it("starting: before the first status and while the client (re)connects", () => {
        for (const view of [
            presentStatus(input(undefined)),
            presentStatus(input(ready, { connection: "starting" })),
            presentStatus(input({ ...ready, state: "starting" })),
        ]) {
            assert.deepEqual(view, {
                kind: "starting",
                text: "$(loading~spin) Code Llama",
                summary: "starting the language server",
                tooltip: "Code Llama: starting the language server",
                severity: "ok",
                command: "codellama.showMenu",
            });
        }
    });

    it("downloading and loading show their percentage", () => {
        const message = "Downloading codellama-7b-instruct.Q4_K_M.gguf: 1.7 of 4.1 GB";
        const downloading = presentStatus(input({ state: "downloading", health: "ok", message, progress: 0.4219, completing: false }));
        assert.deepEqual(downloading, {
            kind: "downloading",
            text: "$(cloud-download) Code Llama 42%",
            summary: message,
            tooltip: message,
            severity: "ok",
            command: "codellama.showMenu",
        });
        const loading = presentStatus(input({ state: "loading", health: "ok", message: "Loading model 99%", progress: 0.999, completing: false }));
        assert.equal(loading.kind, "loading");
        assert.equal(loading.text, "$(loading~spin) Code Llama 99%");
        assert.equal(
            presentStatus(input({ state: "loading", health: "ok", message: "Loading model", completing: false })).text,
            "$(loading~spin) Code Llama 0%",
        );
    });

    it("ready: model name and device", () => {
        assert.deepEqual(presentStatus(input(ready)), {
            kind: "ready",
            text: "$(check) Code Llama: CodeLlama 7B Instruct (CPU)",
            summary: "CodeLlama 7B Instruct on CPU",
            tooltip: "Code Llama: CodeLlama 7B Instruct on CPU. Click for the menu.",
            severity: "ok",
            command: "codellama.showMenu",
        });
        const gpu = presentStatus(input({ ...ready, device: "cuda", gpuLayers: 33 }));
        assert.equal(gpu.text, "$(check) Code Llama: CodeLlama 7B Instruct (CUDA)");
        assert.equal(gpu.tooltip, "Code Llama: CodeLlama 7B Instruct on CUDA GPU (33 layers). Click for the menu.");
        const long = presentStatus(input({ ...ready, model: "codellama-34b-instruct.Q5_K_M-with-a-long-suffix" }));
        assert.equal(long.text, "$(check) Code Llama: codellama-34b-instruct.Q5_K_M-w… (CPU)");
    });

    it("the built-in engine's threads and measured speeds in the tooltip", () => {
        const calibrated = presentStatus(
            input({
                ...ready,
                threads: { prompt: 2, generation: 1, source: "calibrated", cpus: 2 },
                promptTokensPerSecond: 2037,
                generationTokensPerSecond: 58.2,
            }),
        );
        assert.equal(
            calibrated.tooltip,
            "Code Llama: CodeLlama 7B Instruct on CPU.\nThreads: 2 for prompts, 1 for generation (measured fastest on this machine; 2 CPUs usable)\nSpeed: prompt 2037 tokens/s, generation 58.2 tokens/s\n\nClick for the menu.",
        );
        const measuring = presentStatus(input({ ...ready, threads: { prompt: 4, generation: 4, source: "calibrating", cpus: 4 } }));
        assert.equal(
            measuring.tooltip,
            "Code Llama: CodeLlama 7B Instruct on CPU.\nThreads: 4 (one per CPU while measuring the fastest count; 4 CPUs usable)\n\nClick for the menu.",
        );
        const set = presentStatus(
            input({ ...ready, completing: true, threads: { prompt: 8, generation: 8, source: "setting", cpus: 1 }, generationTokensPerSecond: 3 }),
        );
        assert.equal(
            set.tooltip,
            "Code Llama: CodeLlama 7B Instruct on CPU, completing\nThreads: 8 (as set in codellama.engine.threads; 1 CPU usable)\nSpeed: generation 3 tokens/s",
        );
    });

    it("the model's notes in the tooltip, one line each", () => {
        const notes = [
            "Completions continue the code: CodeLlama 34B was not trained to fill in the middle; a Code Llama 7B or 13B (base or Instruct) fills in between.",
        ];
        assert.equal(
            presentStatus(input({ ...ready, model: "CodeLlama 34B", notes })).tooltip,
            `Code Llama: CodeLlama 34B on CPU.\n${notes[0]}\n\nClick for the menu.`,
        );
    });
    it("a separate chat model on its own line, with its threads", () => {
        const chat = {
            state: "ready" as const,
            message: "Chat: CodeLlama 34B Instruct (CPU)",
            model: "CodeLlama 34B Instruct",
            device: "cpu",
            gpuLayers: 0,
            threads: { prompt: 2, generation: 1, source: "cached" as const, cpus: 2 },
        };
        assert.equal(
            presentStatus(input({ ...ready, chat })).tooltip,
            "Code Llama: CodeLlama 7B Instruct on CPU for completions.\nChat: CodeLlama 34B Instruct (CPU), threads: 2 for prompts, 1 for generation\n\nClick for the menu.",
        );
        assert.equal(
            presentStatus(input({ ...ready, chat: { state: "error", message: "Chat model: Model file not found: /c.gguf. Select another…" } })).tooltip,
            "Code Llama: CodeLlama 7B Instruct on CPU for completions.\nChat model: Model file not found: /c.gguf. Select another…\n\nClick for the menu.",
        );
    });
    it("what came ahead of time in the tooltip: suggestions prepared before Tab, guessed tokens confirmed", () => {
        const both = presentStatus(input({ ...ready, preparedSuggestions: 12, predictions: { validated: 289, refuted: 51 } }));
        assert.equal(
            both.tooltip,
            "Code Llama: CodeLlama 7B Instruct on CPU.\nAhead of time: 12 suggestions prepared before Tab, 85 % of 340 guessed tokens confirmed\n\nClick for the menu.",
        );
        const one = presentStatus(input({ ...ready, completing: true, preparedSuggestions: 1, predictions: { validated: 0, refuted: 0 } }));
        assert.equal(one.tooltip, "Code Llama: CodeLlama 7B Instruct on CPU, completing\nAhead of time: 1 suggestion prepared before Tab");
        const guesses = presentStatus(input({ ...ready, preparedSuggestions: 0, predictions: { validated: 0, refuted: 7 } }));
        assert.equal(guesses.tooltip, "Code Llama: CodeLlama 7B Instruct on CPU.\nAhead of time: 0 % of 7 guessed tokens confirmed\n\nClick for the menu.");
        assert.equal(
            presentStatus(input({ ...ready, preparedSuggestions: 0, predictions: { validated: 0, refuted: 0 } })).tooltip,
            "Code Llama: CodeLlama 7B Instruct on CPU. Click for the menu.",
            "nothing ahead yet: no line",
        );
    });

    it("completing while a completion request is in flight", () => {
        assert.deepEqual(presentStatus(input({ ...ready, completing: true })), {
            kind: "completing",
            text: "$(loading~spin) Code Llama: completing",
            summary: "CodeLlama 7B Instruct on CPU, completing",
            tooltip: "Code Llama: CodeLlama 7B Instruct on CPU, completing",
            severity: "ok",
            command: "codellama.showMenu",
        });
    });

    it("disabled for the active editor's language or everywhere", () => {
        const python = presentStatus(input(ready, { completionsEnabled: false, languageId: "python" }));
        assert.deepEqual(python, {
            kind: "disabled",
            text: "$(circle-slash) Code Llama: disabled",
            severity: "ok",
            command: "codellama.showMenu",
            summary: "completions are off for python (CodeLlama 7B Instruct on CPU)",
            tooltip: "Code Llama: completions are off for python (CodeLlama 7B Instruct on CPU). Click for the menu.",
        });
        assert.match(presentStatus(input({ ...ready, completing: true }, { completionsEnabled: false })).tooltip, /off everywhere/);
        // Loading and errors say more than "disabled".
        assert.equal(presentStatus(input({ state: "loading", health: "ok", message: "", completing: false }, { completionsEnabled: false })).kind, "loading");
    });

    it("a file of completion.exclude says why there are no suggestions", () => {
        const view = presentStatus(input(ready, { languageId: "dotenv", excluded: true }));
        assert.equal(view.kind, "disabled");
        assert.equal(view.text, "$(lock) Code Llama: excluded");
        assert.equal(
            view.summary,
            "completions are off for this file (codellama.completion.exclude): it stays out of every prompt (CodeLlama 7B Instruct on CPU)",
        );
        assert.equal(presentStatus(input({ state: "loading", health: "ok", message: "", completing: false }, { excluded: true })).kind, "loading");
    });

    it("no model yet: a call to action whose click offers the download and the file picker", () => {
        const message =
            'The model z.gguf (4.1 GB) is not downloaded yet. Download it ("Code Llama: Download Default Model"), or select a GGUF model file you already have ("Code Llama: Select Model File…").';
        const view = presentStatus(
            input({
                state: "error",
                health: "warning",
                message,
                error: "model-not-downloaded",
                fix: "approve-download",
                downloadBytes: 4.1e9,
                completing: false,
            }),
        );
        assert.deepEqual(view, {
            kind: "needs-model",
            text: "$(cloud-download) Code Llama: Set Up Model",
            summary: "no model yet",
            severity: "warning",
            command: "codellama.showMenu",
            tooltip: `${message}\n\nClick to download the model or to select a GGUF model file you already have.`,
        });
    });

    it("error: the server's message; a click opens the menu (fixes, log), titled with the first sentence", () => {
        const message = 'Model file not found: /m/x.gguf. Select another GGUF model file ("Code Llama: Select Model File…").';
        const view = presentStatus(input({ state: "error", health: "error", message, error: "model-not-found", fix: "choose-model", completing: false }));
        assert.deepEqual(view, {
            kind: "error",
            text: "$(error) Code Llama: error",
            summary: "Model file not found: /m/x.gguf.",
            tooltip: `${message}\n\nClick for the fixes and the log.`,
            severity: "error",
            command: "codellama.showMenu",
        });
    });

    it("a server the client gave up restarting is an error too; its click opens the menu (restart, log)", () => {
        const view = presentStatus(input(ready, { connection: "stopped" }));
        assert.equal(view.kind, "error");
        assert.equal(view.text, "$(error) Code Llama: server stopped");
        assert.equal(view.summary, "the language server stopped");
        assert.equal(view.command, "codellama.showMenu");
    });
});

describe("deviceName", () => {
    it("names the backends", () => {
        assert.deepEqual(["cpu", undefined, "cuda", "vulkan", "metal"].map(deviceName), ["CPU", "CPU", "CUDA", "Vulkan", "Metal"]);
    });
});
