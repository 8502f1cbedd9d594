/** What the code block buttons of the chat panel do in the editor: insert at the cursor, replace the selection. */
import * as vscode from "vscode";

/** The editor the user was working in (focus is in the chat panel when a button is clicked). */
function targetEditor(): vscode.TextEditor | undefined {
    return vscode.window.activeTextEditor ?? vscode.window.visibleTextEditors[0];
}

/** Inserts `code` at each cursor of the editor; returns false when no editor is open. */
export async function insertAtCursor(code: string): Promise<boolean> {
    const editor = targetEditor();
    if (!editor) {
        void vscode.window.showInformationMessage("Code Llama: open an editor to insert the code into.");
        return false;
    }
    const applied = await editor.edit((edit) => {
        for (const selection of editor.selections) edit.insert(selection.active, code);
    });
    if (applied) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    return applied;
}

/** Replaces the editor's selections with `code`; returns false when nothing is selected. */
export async function replaceSelection(code: string): Promise<boolean> {
    const editor = targetEditor();
    const selections = editor?.selections.filter((selection) => !selection.isEmpty) ?? [];
    if (!editor || selections.length === 0) {
        void vscode.window.showInformationMessage("Code Llama: select the code to replace first.");
        return false;
    }
    const applied = await editor.edit((edit) => {
        for (const selection of selections) edit.replace(selection, code);
    });
    if (applied) await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    return applied;
}
