/**
 * Feeds the suggestion tracker what the editor does (edits, cursor moves, editor switches, Escape)
 * and counts each outcome in the user's statistics.
 */
import * as vscode from "vscode";
import { COMMANDS } from "../../shared/src/commands.js";
import type { SuggestionTracker } from "./suggestionTracker.js";

export function watchSuggestions(tracker: SuggestionTracker): vscode.Disposable {
    return vscode.Disposable.from(
        vscode.workspace.onDidChangeTextDocument((event) => {
            tracker.edited(
                event.document.uri.toString(),
                event.contentChanges.map((change) => ({ offset: change.rangeOffset, removed: change.rangeLength, text: change.text })),
            );
        }),
        vscode.window.onDidChangeTextEditorSelection(({ textEditor, selections }) => {
            if (textEditor !== vscode.window.activeTextEditor) return;
            const [selection] = selections;
            const single = selections.length === 1 && selection!.isEmpty;
            tracker.cursorAt(textEditor.document.uri.toString(), single ? textEditor.document.offsetAt(selection!.active) : undefined);
        }),
        vscode.window.onDidChangeActiveTextEditor(() => tracker.dismissed()),
        // Escape while a suggestion shows (package.json's keybinding): VS Code's hide, counted as a dismissal.
        vscode.commands.registerCommand(COMMANDS.dismissSuggestion, async () => {
            await vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
            tracker.dismissed();
        }),
    );
}
