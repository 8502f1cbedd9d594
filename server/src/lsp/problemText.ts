/**
 * The words for a model problem's remedy, chosen for who reads them: a VS Code user is told about VS
 * Code commands and settings, another editor's user about the settings and requests of the language
 * server, a terminal user about command-line flags. Plain text: notifications, LSP messages and
 * terminals show no Markdown. The LSP server and the CLI (the two edges that know their reader) use it.
 */
import type { ModelFix, ModelProblem } from "../../../shared/src/modelErrors.js";
import type { Logger } from "../log/logger.js";
import type { ModelState } from "../model/modelManager.js";

/** Who reads the server's messages. */
export type Audience = "vscode" | "lsp" | "cli";

const SELECT_FILE = 'select a GGUF model file you already have ("Code Llama: Select Model File…")';

const FIX_TEXT: Record<Audience, Record<ModelFix, string>> = {
    vscode: {
        "choose-model": 'Select another GGUF model file ("Code Llama: Select Model File…").',
        "choose-chat-model": "Set codellama.chat.model.path to another GGUF file, or empty it to chat with the completion model.",
        "download-again": `Download it again ("Code Llama: Download Default Model"), or ${SELECT_FILE}.`,
        "lighter-load":
            "Put fewer layers on the GPU (setting codellama.engine.gpuLayers), turn the GPU off (codellama.engine.gpu), or select a smaller model file.",
        "gpu-setting": 'Set codellama.engine.gpu to "auto" or "off".',
        "smaller-context": "Lower the context size (setting codellama.engine.contextSize).",
        "approve-download": `Download it ("Code Llama: Download Default Model"), or ${SELECT_FILE}.`,
        "go-online": `Connect to the internet and try again, or ${SELECT_FILE}.`,
        "model-uri": `Set codellama.model.uri to an https URL or hf:owner/repo/file.gguf, or ${SELECT_FILE}.`,
        "start-server": 'Start the server, correct codellama.engine.serverUrl, or set codellama.engine.backend to "embedded" to run the model in VS Code.',
        "server-model": "Set codellama.engine.serverModel to a model the server runs.",
        "api-key": 'Enter the key with "Code Llama: Set Server API Key".',
        retry: "Download the model or select a model file to try again (click Code Llama in the status bar).",
    },
    lsp: {
        "choose-model": "Set codellama.model.path to a local Code Llama GGUF file.",
        "choose-chat-model": "Set codellama.chat.model.path to a local GGUF file, or empty it to chat with the completion model.",
        "download-again": "Download it again (the codellama/downloadModel request), or set codellama.model.path to a local GGUF file.",
        "lighter-load": 'Set fewer GPU layers (codellama.engine.gpuLayers), codellama.engine.gpu to "off", or codellama.model.path to a smaller GGUF file.',
        "gpu-setting": 'Set codellama.engine.gpu to "auto" or "off".',
        "smaller-context": "Lower codellama.engine.contextSize.",
        "approve-download":
            "Approve the download (the codellama/downloadModel request), set codellama.model.autoDownload to true, or set codellama.model.path to a local GGUF file.",
        "go-online": "Connect to the internet, or set codellama.model.path to a local GGUF file.",
        "model-uri": "Set codellama.model.uri to an https URL or hf:owner/repo/file.gguf, or codellama.model.path to a local GGUF file.",
        "start-server": 'Start the server, correct codellama.engine.serverUrl, or set codellama.engine.backend to "embedded".',
        "server-model": "Set codellama.engine.serverModel to a model the server runs.",
        "api-key": "Put the key in the CODELLAMA_API_KEY environment variable of the language server.",
        retry: "Send codellama/downloadModel or codellama/reloadModel to try again.",
    },
    cli: {
        "choose-model": "Pass --model PATH to a local Code Llama GGUF file.",
        "choose-chat-model": "Pass --chat-model PATH to a local GGUF file, or leave it out to chat with the completion model.",
        "download-again": "Run the command again to download it again, or pass --model PATH to a local GGUF file.",
        "lighter-load": "Pass fewer --gpu-layers, --gpu off, or --model PATH to a smaller GGUF file.",
        "gpu-setting": "Pass --gpu auto or --gpu off.",
        "smaller-context": "Pass a smaller --context-size.",
        "approve-download": "Run the command again to download it, or pass --model PATH to a local GGUF file.",
        "go-online": "Connect to the internet, or pass --model PATH to a local GGUF file.",
        "model-uri": "Pass --model-uri with an https URL or hf:owner/repo/file.gguf, or --model PATH to a local GGUF file.",
        "start-server": "Start the server, or run the model here with --model PATH.",
        "server-model": "Name a model the server runs.",
        "api-key": "Set the CODELLAMA_API_KEY environment variable.",
        retry: "Run the command again.",
    },
};

/** What happened and what to do about it, for `audience`. */
export function problemText(problem: ModelProblem, audience: Audience): string {
    return `${problem.message} ${FIX_TEXT[audience][problem.fix]}`;
}

/** The reader of an LSP connection: the Code Llama extension for VS Code announces itself (`codellamaStatus`); any other client gets the language server's own terms. */
export function lspAudience(experimental: { codellamaStatus?: boolean } | undefined): Audience {
    return experimental?.codellamaStatus === true ? "vscode" : "lsp";
}

/** A model waiting for the user's approval, or stopped by the user, is not a failure. */
export function isFailure(problem: ModelProblem): boolean {
    return problem.code !== "model-not-downloaded" && problem.code !== "cancelled";
}

/**
 * A model manager listener that logs each new problem once (not again when only `completing` changes), in
 * the words of `audience()`: an error, or a warning when it is no failure.
 */
export function problemLogger(logger: Logger, audience: () => Audience): (state: ModelState) => void {
    let logged: ModelProblem | undefined;
    let loggedChat: ModelProblem | undefined;
    const log = (problem: ModelProblem, prefix = ""): void => {
        const text = prefix + problemText(problem, audience());
        if (isFailure(problem)) logger.error(text);
        else logger.warn(text);
    };
    return (state) => {
        const problem = state.phase === "failed" ? state.problem : undefined;
        if (problem && problem !== logged) log(problem);
        logged = problem;
        // A separate chat model that failed: completions work on, chat says why.
        const chatProblem = state.phase === "ready" && state.chat?.phase === "failed" ? state.chat.problem : undefined;
        if (chatProblem && chatProblem !== loggedChat) log(chatProblem, "Chat model: ");
        loggedChat = chatProblem;
    };
}
