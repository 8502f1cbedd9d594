/**
 * "Code Llama: Select Model…": the server's model choices (codellama/models: the Code Llama and
 * Llama 2 family and the .gguf files in the models directory) in a quick pick, then the role the
 * chosen model plays (completions, or chat beside the completion model). A local file is used at
 * once; a download is asked for first, then the server downloads and loads it. The items and the
 * settings are pure functions of the choices (modelPickItems.ts); this is VS Code's UI.
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { formatBytes } from "../../shared/src/byteSize.js";
import type { ModelChoice } from "../../shared/src/modelChoice.js";
import { downloadModelRequest, modelsRequest } from "../../shared/src/protocol.js";
import { SECTION } from "./config.js";
import { errorMessage } from "./errorMessage.js";
import { pickItems, rolesLabel, settingsFor } from "./modelPickItems.js";

export async function selectModel(client: LanguageClient, output: vscode.LogOutputChannel): Promise<void> {
    if (!client.isRunning()) {
        void vscode.window.showErrorMessage('Code Llama: the language server is not running. Run "Code Llama: Restart Server" first.');
        return;
    }
    let choices: ModelChoice[];
    try {
        choices = await client.sendRequest(modelsRequest);
    } catch (error) {
        output.error(`Could not list the models: ${errorMessage(error)}`);
        return;
    }
    const picked = await vscode.window.showQuickPick(pickItems(choices), {
        title: "Code Llama: Select Model",
        placeHolder: "A model for completions or chat",
        matchOnDescription: true,
        matchOnDetail: true,
    });
    if (!picked) return;
    const { choice } = picked;
    const completion = { label: "For completions", description: choice.roles.chat ? "and chat, unless a chat model is set" : "", role: "completion" as const };
    const chat = { label: "For chat, Explain and Debug", description: "beside the completion model", role: "chat" as const };
    const role = choice.roles.chat
        ? (await vscode.window.showQuickPick([completion, chat], { title: `Code Llama: Use ${choice.label}`, placeHolder: rolesLabel(choice.roles) }))?.role
        : "completion";
    if (!role) return;
    if (!choice.path && !choice.downloaded) {
        const download = `Download (${formatBytes(choice.fileBytes)})`;
        const answer = await vscode.window.showInformationMessage(
            `Download ${choice.label} (${choice.quantization}, ${formatBytes(choice.fileBytes)}) from Hugging Face? It needs ${formatBytes(choice.memoryBytes)} of memory.`,
            { modal: true },
            download,
        );
        if (answer !== download) return;
    }
    const config = vscode.workspace.getConfiguration(SECTION);
    for (const [key, value] of Object.entries(settingsFor(choice, role))) await config.update(key, value, vscode.ConfigurationTarget.Global);
    // The server reloads on the configuration change; a download it needs the consent for, given above.
    if (!choice.path) await client.sendRequest(downloadModelRequest);
}
