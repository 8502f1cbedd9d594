/** The "Code Llama" commands of the palette and of the status bar menu. */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { COMMANDS } from "../../shared/src/commands.js";
import { completionsEnabled, setCompletionsEnabled } from "./config.js";
import { errorMessage } from "./errorMessage.js";
import { type FixAction, fixActions, SELECT_FILE, SELECT_MODEL, SHOW_LOG } from "./modelFixes.js";
import { selectModel } from "./modelPicker.js";
import type { ModelSetup } from "./modelSetup.js";
import type { StatusBar } from "./statusBar.js";

export interface CommandContext {
    client: LanguageClient;
    output: vscode.LogOutputChannel;
    statusBar: StatusBar;
    modelSetup: ModelSetup;
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
    const register = (id: string, run: (...args: never[]) => unknown): vscode.Disposable => vscode.commands.registerCommand(id, run);
    return [
        // Flips completions for every language; returns the new value.
        register(COMMANDS.toggleCompletions, async () => {
            const enabled = !completionsEnabled();
            await setCompletionsEnabled(enabled);
            return enabled;
        }),
        // Flips completions for one language (default: the active editor's); returns the new value.
        register(COMMANDS.toggleCompletionsForLanguage, async (languageId?: string) => {
            const language = languageId ?? vscode.window.activeTextEditor?.document.languageId;
            if (!language) {
                void vscode.window.showInformationMessage("Code Llama: open a file to turn completions on or off for its language.");
                return undefined;
            }
            const enabled = !completionsEnabled({ languageId: language });
            await setCompletionsEnabled(enabled, language);
            return enabled;
        }),
        register(COMMANDS.triggerCompletion, async () => {
            const document = vscode.window.activeTextEditor?.document;
            if (document && !completionsEnabled(document)) {
                const choice = await vscode.window.showInformationMessage(`Code Llama completions are off for ${document.languageId}.`, "Turn On");
                if (choice) await setCompletionsEnabled(true, document.languageId);
                return;
            }
            await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
        }),
        register(COMMANDS.selectModel, () => selectModel(ctx.client, ctx.output)),
        register(COMMANDS.selectModelFile, (file?: vscode.Uri | string) => ctx.modelSetup.selectModelFile(file)),
        register(COMMANDS.downloadModel, () => ctx.modelSetup.download()),
        register(COMMANDS.showLogs, () => ctx.output.show(true)),
        register(COMMANDS.restartServer, () => restartServer(ctx)),
        register(COMMANDS.showMenu, () => showMenu(ctx)),
    ];
}

async function restartServer(ctx: CommandContext): Promise<void> {
    try {
        if (ctx.client.needsStop()) await ctx.client.restart();
        else await ctx.client.start();
    } catch (error) {
        ctx.output.error(`Restarting the server failed: ${errorMessage(error)}`);
        ctx.output.show(true);
    }
}

interface MenuItem extends vscode.QuickPickItem {
    run(): unknown;
}

/** The status bar item's menu: the fixes first when something is wrong, then the switches and the log. */
async function showMenu(ctx: CommandContext): Promise<void> {
    const document = vscode.window.activeTextEditor?.document;
    const item = (action: FixAction): MenuItem => ({
        label: `$(${action.icon}) ${action.label}`,
        run: () => vscode.commands.executeCommand(action.command, ...(action.args ?? [])),
    });
    const fixes = fixActions(ctx.statusBar.serverStatus);
    const items: MenuItem[] = fixes.map(item);
    items.push(item(SELECT_MODEL));
    if (!fixes.includes(SELECT_FILE)) items.push(item(SELECT_FILE));
    const everywhere = completionsEnabled();
    items.push({
        label: everywhere ? "$(circle-slash) Disable Completions" : "$(check) Enable Completions",
        description: "all languages",
        run: () => setCompletionsEnabled(!everywhere),
    });
    if (document) {
        const here = completionsEnabled(document);
        items.push({
            label: here ? `$(circle-slash) Disable Completions for ${document.languageId}` : `$(check) Enable Completions for ${document.languageId}`,
            run: () => setCompletionsEnabled(!here, document.languageId),
        });
    }
    items.push(item(SHOW_LOG), { label: "$(debug-restart) Restart Server", run: () => restartServer(ctx) });
    const picked = await vscode.window.showQuickPick(items, { title: `Code Llama: ${ctx.statusBar.presentation.summary}` });
    await picked?.run();
}
