/**
 * The "Ask Code Llama to fix" quick fix, offered on errors and warnings: runs Debug on the function
 * or block around the problem, with the problems in it.
 */
import * as vscode from "vscode";
import type { TargetArgument } from "./promptTarget.js";

export const ASK_TO_FIX_TITLE = "Ask Code Llama to fix";

export class AskToFixProvider implements vscode.CodeActionProvider {
    static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

    constructor(private readonly debugCommand: string) {}

    provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
        const diagnostics = context.diagnostics.filter((diagnostic) => diagnostic.severity <= vscode.DiagnosticSeverity.Warning);
        if (diagnostics.length === 0) return [];
        const action = new vscode.CodeAction(ASK_TO_FIX_TITLE, vscode.CodeActionKind.QuickFix);
        action.diagnostics = diagnostics;
        const range = diagnostics.map((diagnostic) => diagnostic.range).reduce((all, next) => all.union(next));
        const argument: TargetArgument = { uri: document.uri, range, expand: true };
        action.command = { command: this.debugCommand, title: ASK_TO_FIX_TITLE, arguments: [argument] };
        return [action];
    }
}
