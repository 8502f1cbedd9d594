/**
 * Getting a model in place: the first-run offer (download the default model or pick a local GGUF
 * file), the file picker, and the fixes offered when the configured model cannot be used. The
 * download itself runs in the server, which shows its progress (cancellable) as work-done progress.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { downloadModelRequest, type ServerStatus } from "../../shared/src/protocol.js";
import { modelPath, SECTION, setModelPath } from "./config.js";
import { errorMessage } from "./errorMessage.js";

const DOWNLOAD = "Download";
const SELECT_FILE = "Select Model File…";
const SHOW_LOGS = "Show Logs";
const RETRY = "Retry";

export class ModelSetup {
    /** Problems already put in front of the user; cleared once a model is ready. */
    private readonly shown = new Set<string>();

    constructor(
        private readonly client: LanguageClient,
        private readonly output: vscode.LogOutputChannel,
    ) {}

    /** Reacts to each pushed status: offers the download on first run, and a fix for a broken model. */
    onStatus(status: ServerStatus): void {
        if (status.state === "ready") this.shown.clear();
        // The user cancelled the download or load: the status bar says so, no pop-up on top of it.
        if (status.state !== "error" || status.error === "cancelled") return;
        const key = `${status.error}\n${status.message}`;
        if (this.shown.has(key)) return;
        this.shown.add(key);
        if (status.error === "model-not-downloaded") void this.offerModel();
        else void this.reportProblem(status);
    }

    /** First run: no model yet. */
    async offerModel(): Promise<void> {
        const uri = vscode.workspace.getConfiguration(SECTION).get<string>("model.uri", "");
        const name = uri.split("/").pop() || uri;
        const choice = await vscode.window.showInformationMessage(
            `Code Llama needs a model to complete code: download the default model (${name}) or select a GGUF file you already have.`,
            DOWNLOAD,
            SELECT_FILE,
        );
        if (choice === DOWNLOAD) await this.download();
        else if (choice === SELECT_FILE) await this.selectModelFile();
    }

    /** Asks the server to download `codellama.model.uri` and load it; it reports progress itself. */
    async download(): Promise<void> {
        if (modelPath()) {
            const choice = await vscode.window.showWarningMessage(
                `codellama.model.path is set (${modelPath()}), so a downloaded model would not be used. Clear it and download the default model?`,
                "Clear and Download",
            );
            if (!choice) return;
            await setModelPath("");
        }
        if (!this.client.isRunning()) {
            void vscode.window.showErrorMessage("Code Llama: the language server is not running. Run \"Code Llama: Restart Server\" first.");
            return;
        }
        try {
            await this.client.sendRequest(downloadModelRequest);
        } catch (error) {
            this.output.error(`Download request failed: ${errorMessage(error)}`);
        }
    }

    /**
     * Lets the user pick a .gguf file (or takes `file`, for scripts and keybindings) and writes it to
     * `codellama.model.path` in the user settings; the server reloads on the configuration change.
     */
    async selectModelFile(file?: vscode.Uri | string): Promise<string | undefined> {
        let selected = typeof file === "string" ? file : file?.fsPath;
        if (!selected) {
            const current = modelPath();
            const picked = await vscode.window.showOpenDialog({
                title: "Select a Code Llama GGUF model",
                openLabel: "Use This Model",
                canSelectMany: false,
                canSelectFolders: false,
                filters: { "GGUF models": ["gguf"], "All files": ["*"] },
                ...(current ? { defaultUri: vscode.Uri.file(current) } : {}),
            });
            selected = picked?.[0]?.fsPath;
        }
        if (!selected) return undefined;
        await setModelPath(selected);
        return selected;
    }

    private async reportProblem(status: ServerStatus): Promise<void> {
        const retry = status.error === "download-failed" || status.error === "offline";
        const actions = retry ? [RETRY, SELECT_FILE, SHOW_LOGS] : [SELECT_FILE, SHOW_LOGS];
        const choice = await vscode.window.showErrorMessage(`Code Llama: ${status.message}`, ...actions);
        if (choice === RETRY) await this.download();
        else if (choice === SELECT_FILE) await this.selectModelFile();
        else if (choice === SHOW_LOGS) this.output.show(true);
    }
}
