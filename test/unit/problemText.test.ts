// The words for a model problem: each client hears of its own commands, settings or flags only.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelError, type ModelFix } from "../../server/src/engine/errors.js";
import { Logger, type LogLevel } from "../../server/src/log/logger.js";
import { type Audience, lspAudience, problemLogger, problemText } from "../../server/src/lsp/problemText.js";

const FIXES: ModelFix[] = [
    "choose-model",
    "choose-chat-model",
    "download-again",
    "lighter-load",
    "gpu-setting",
    "smaller-context",
    "approve-download",
    "go-online",
    "model-uri",
    "start-server",
    "server-model",
    "api-key",
    "retry",
];
const text = (fix: ModelFix, audience: Audience): string => problemText({ code: "load-failed", message: "It broke.", fix }, audience);

describe("problemText", () => {
    it("says what happened, then the remedy in the reader's words", () => {
        const problem = new ModelError("model-not-found", "Model file not found: /m/x.gguf.").problem;
        assert.equal(problemText(problem, "vscode"), 'Model file not found: /m/x.gguf. Select another GGUF model file ("Code Llama: Select Model File…").');
        assert.equal(problemText(problem, "lsp"), "Model file not found: /m/x.gguf. Set codellama.model.path to a local Code Llama GGUF file.");
        assert.equal(problemText(problem, "cli"), "Model file not found: /m/x.gguf. Pass --model PATH to a local Code Llama GGUF file.");
    });

    it("the first-run question names the download's size and both ways out", () => {
        const problem = new ModelError("model-not-downloaded", "The model codellama-7b-instruct.Q4_K_M.gguf (4.1 GB) is not downloaded yet.", {
            downloadBytes: 4_081_095_360,
        }).problem;
        assert.deepEqual(problem, {
            code: "model-not-downloaded",
            message: "The model codellama-7b-instruct.Q4_K_M.gguf (4.1 GB) is not downloaded yet.",
            fix: "approve-download",
            downloadBytes: 4_081_095_360,
        });
        assert.equal(
            problemText(problem, "vscode"),
            'The model codellama-7b-instruct.Q4_K_M.gguf (4.1 GB) is not downloaded yet. Download it ("Code Llama: Download Default Model"), or select a GGUF model file you already have ("Code Llama: Select Model File…").',
        );
    });

    for (const fix of FIXES) {
        it(`${fix}: VS Code hears of no CLI flag, LSP request or Markdown; the others of no VS Code command`, () => {
            const vscode = text(fix, "vscode");
            assert.doesNotMatch(vscode, /`|--[a-z]|codellama\/|\(CLI\)|CODELLAMA_API_KEY/, vscode);
            const lsp = text(fix, "lsp");
            assert.doesNotMatch(lsp, /`|--[a-z]|Code Llama: |VS Code/, lsp);
            const cli = text(fix, "cli");
            assert.doesNotMatch(cli, /`|Code Llama: |codellama\.|codellama\/|VS Code/, cli);
            for (const words of [vscode, lsp, cli]) assert.match(words, /^It broke\. [A-Z].*\.$/);
        });
    }

    it("the VS Code extension announces itself; any other client is a plain LSP client", () => {
        assert.equal(lspAudience({ codellamaStatus: true }), "vscode");
        assert.equal(lspAudience({}), "lsp");
        assert.equal(lspAudience(undefined), "lsp");
    });
});

describe("ModelError", () => {
    it("carries the usual remedy for its code unless told another", () => {
        assert.equal(new ModelError("corrupt-model", "x").fix, "download-again");
        assert.equal(new ModelError("server-unreachable", "x").fix, "start-server");
        assert.equal(new ModelError("server-unreachable", "x", { fix: "api-key" }).fix, "api-key");
        assert.deepEqual(new ModelError("offline", "Cannot download.").problem, { code: "offline", message: "Cannot download.", fix: "go-online" });
    });
});

describe("problemLogger", () => {
    it("logs each new problem once in the reader's words: a failure as an error, a wait for the user as a warning", () => {
        const lines: [LogLevel, string][] = [];
        const log = problemLogger(new Logger((level, message) => lines.push([level, message])), () => "cli");
        const missing = new ModelError("model-not-found", "Model file not found: /m/x.gguf.").problem;
        log({ phase: "failed", problem: missing, completing: false });
        log({ phase: "failed", problem: missing, completing: true });
        log({ phase: "failed", problem: missing, completing: false });
        log({ phase: "loading", file: "x.gguf", completing: false });
        log({ phase: "failed", problem: new ModelError("cancelled", "Model download or load cancelled.").problem, completing: false });
        assert.deepEqual(lines, [
            ["error", "Model file not found: /m/x.gguf. Pass --model PATH to a local Code Llama GGUF file."],
            ["warn", "Model download or load cancelled. Run the command again."],
        ]);
    });
});
