/**
 * Getting a model in place: the first-run offer (download the default model, naming its size, or
 * pick a local GGUF file), the file picker, and a notification for a model that cannot be used,
 * with its fixes, which closes once the problem is gone. The download itself runs in the server;
 * loadProgress.ts shows its progress.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { formatBytes } from "../../shared/src/byteSize.js";
import { downloadModelRequest, type ServerStatus } from "../../shared/src/protocol.js";
import { type ClosableNotification, showClosableNotification } from "./closableNotification.js";
import { modelPath, SECTION, setModelPath } from "./config.js";
import { errorMessage } from "./errorMessage.js";
import { commandLink, fixActions, SHOW_LOG } from "./modelFixes.js";

const SELECT_FILE = "Select Model File…";

export class ModelSetup {
    /** Problems already put in front of the user; cleared once a model is ready. */
    private readonly shown = new Set<string>();
    /** The notification of the current problem, closed when the problem is gone. */
    private problem: { key: string; notification: ClosableNotification } | undefined;

    constructor(
        private readonly client: LanguageClient,
        private readonly output: vscode.LogOutputChannel,
    ) {}

    /** Reacts to each pushed status: offers the download on first run, and the fixes for a broken model. */
    onStatus(status: ServerStatus): void {
        const key = status.state === "error" ? `${status.error}\n${status.message}` : undefined;
        if (this.problem && this.problem.key !== key) {
            this.problem.notification.close();
            this.problem = undefined;
        }
        if (status.state === "ready") this.shown.clear();
        // The user cancelled the download or load: the status bar says so, no pop-up on top of it.
        if (key === undefined || status.error === "cancelled" || this.shown.has(key)) return;
        this.shown.add(key);
        if (status.error === "model-not-downloaded") void this.offerModel(status.downloadBytes);
        else this.reportProblem(status, key);
    }

    /**
     * First run: no model yet. VS Code moves the notification into the notification center after a
     * while; the status bar item stays a call to action until there is a model.
     */
    async offerModel(downloadBytes?: number): Promise<void> {
        const uri = vscode.workspace.getConfiguration(SECTION).get<string>("model.uri", "");
        const name = uri.split("/").pop() || uri;
        const size = downloadBytes ? formatBytes(downloadBytes) : undefined;
        const download = size ? `Download (${size})` : "Download";
        const choice = await vscode.window.showInformationMessage(
            `Code Llama needs a model to complete code: download the default model, ${name}${size ? ` (${size})` : ""}, or select a GGUF model file you already have.`,
            download,
            SELECT_FILE,
        );
        if (choice === download) await this.download();
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
            void vscode.window.showErrorMessage('Code Llama: the language server is not running. Run "Code Llama: Restart Server" first.');
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
                filters: { "GGUF models": ["gguf"] },
                ...(current ? { defaultUri: vscode.Uri.file(current) } : {}),
            });
            selected = picked?.[0]?.fsPath;
        }
        if (!selected) return undefined;
        await setModelPath(selected);
        return selected;
    }

    /** The problem and its fixes (as links: a notification the extension can close has no buttons), until it is gone. */
    private reportProblem(status: ServerStatus, key: string): void {
        const links = [...fixActions(status), SHOW_LOG].map(commandLink).join(" ");
        this.problem = { key, notification: showClosableNotification(`Code Llama: ${status.message} ${links}`) };
    }
}
