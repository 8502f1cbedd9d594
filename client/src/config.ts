/**
 * The client's view of the `codellama.*` settings. The server pulls the whole section itself
 * (workspace/configuration); the client reads only what its UI needs and writes what its commands
 * change. Keys are the server schema's, so a renamed setting breaks the build.
 */
import * as vscode from "vscode";
import { ExcludeMatcher } from "../../shared/src/exclude.js";
import type { SettingKey } from "../../shared/src/settings.js";

export const SECTION = "codellama";

function settings(scope?: vscode.ConfigurationScope | null): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION, scope);
}

export function affects(event: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
    return event.affectsConfiguration(`${SECTION}.${key}`);
}

/**
 * Whether inline completions are on for a document (or, with a language id, for that language):
 * `codellama.completion.enabled` is language-overridable, e.g. `"[markdown]": { "codellama.completion.enabled": false }`.
 */
export function completionsEnabled(scope?: vscode.TextDocument | { languageId: string }): boolean {
    return settings(scope).get<boolean>("completion.enabled", true);
}

/**
 * Turns completions on or off, for every language or for one. Writes to the workspace settings
 * when they already set the value (a user-level change would be shadowed), else to the user settings.
 */
export async function setCompletionsEnabled(enabled: boolean, languageId?: string): Promise<void> {
    const config = settings(languageId ? { languageId } : undefined);
    const inspected = config.inspect<boolean>("completion.enabled");
    const forLanguage = languageId !== undefined;
    const defined = (value: boolean | undefined, languageValue: boolean | undefined): boolean => (forLanguage ? languageValue : value) !== undefined;
    const target = defined(inspected?.workspaceValue, inspected?.workspaceLanguageValue)
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await config.update("completion.enabled", enabled, target, forLanguage);
}

/** `codellama.model.path`, a machine setting: written to the user (or remote machine) settings only. */
export function modelPath(): string {
    return settings().get<string>("model.path", "");
}

export async function setModelPath(file: string): Promise<void> {
    await settings().update("model.path", file, vscode.ConfigurationTarget.Global);
}

/**
 * Whether a document is one of `codellama.completion.exclude`'s, as the server decides it (the
 * server enforces it; the status bar says why there are no suggestions).
 */
export function isExcluded(document: vscode.TextDocument): boolean {
    const patterns = settings(document).get<string[]>("completion.exclude", []);
    const inWorkspace = vscode.workspace.getWorkspaceFolder(document.uri) !== undefined;
    return new ExcludeMatcher(Array.isArray(patterns) ? patterns : []).matches(
        document.uri.toString(),
        inWorkspace ? vscode.workspace.asRelativePath(document.uri, false) : document.uri.path,
    );
}
