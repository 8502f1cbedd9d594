/**
 * The API key of a shared inference server (`codellama.engine.backend` "llama-server" / "openai"),
 * kept in VS Code's SecretStorage (the OS keychain), never in a settings file. It reaches the
 * language server as its CODELLAMA_API_KEY environment variable.
 */
import * as vscode from "vscode";
import { COMMANDS } from "../../shared/src/commands.js";

const SECRET = "codellama.serverApiKey";

export function readServerKey(context: vscode.ExtensionContext): Thenable<string | undefined> {
    return context.secrets.get(SECRET);
}

/** "Code Llama: Set Server API Key" (an empty value removes it); restarts the server to use it. */
export function registerServerKeyCommand(context: vscode.ExtensionContext, restartServer: () => Promise<void>): vscode.Disposable {
    return vscode.commands.registerCommand(COMMANDS.setServerApiKey, async () => {
        const key = await vscode.window.showInputBox({
            title: "Code Llama: API key of the inference server",
            prompt: "Stored in VS Code's secret storage (the OS keychain), never in settings. Leave empty to remove it.",
            password: true,
            ignoreFocusOut: true,
        });
        if (key === undefined) return;
        if (key) await context.secrets.store(SECRET, key);
        else await context.secrets.delete(SECRET);
        await restartServer();
    });
}
