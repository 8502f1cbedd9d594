/**
 * The code a prompt is about: the selection, or with none the enclosing function/block (document
 * symbols), or the lines around the cursor; and the placeholder values for it ({{selection}},
 * {{language}}, {{file}}, {{diagnostics}}, {{input}}).
 */
import * as vscode from "vscode";
import type { Placeholder, PromptValues } from "../../../shared/src/prompts/template.js";
import { diagnosticsText } from "./diagnosticList.js";
import { enclosingSymbolRange, type LineRange, type SymbolNode, surroundingLines } from "./enclosingBlock.js";

export interface PromptTarget {
    document: vscode.TextDocument;
    range: vscode.Range;
}

/** How a command names its target: a range of a document (code actions, tests, other extensions). */
export interface TargetArgument {
    uri: vscode.Uri | string;
    range?: vscode.Range | LineRange;
    /** Take the function/block around `range` instead of the range itself (a diagnostic's few characters). */
    expand?: boolean;
}

export function isTargetArgument(value: unknown): value is TargetArgument {
    if (typeof value !== "object" || value === null || value instanceof vscode.Uri) return false;
    const uri = (value as { uri?: unknown }).uri;
    return typeof uri === "string" || uri instanceof vscode.Uri;
}

const toRange = (range: vscode.Range | LineRange): vscode.Range =>
    new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character);

/** The target of a command: the argument's, else the active editor's selection (or block around the cursor). */
export async function resolveTarget(argument?: TargetArgument): Promise<PromptTarget | undefined> {
    if (argument) {
        const uri = typeof argument.uri === "string" ? vscode.Uri.parse(argument.uri, true) : argument.uri;
        const document = await vscode.workspace.openTextDocument(uri);
        const range = argument.range ? document.validateRange(toRange(argument.range)) : undefined;
        if (range && !range.isEmpty && !argument.expand) return { document, range };
        return { document, range: await enclosingBlock(document, range?.start ?? new vscode.Position(0, 0)) };
    }
    const editor = vscode.window.activeTextEditor;
    if (!editor) return undefined;
    const { document, selection } = editor;
    if (!selection.isEmpty) return { document, range: new vscode.Range(selection.start, selection.end) };
    return { document, range: await enclosingBlock(document, selection.active) };
}

/** The function/block around `position`: the document's symbols, else the lines around it. */
export async function enclosingBlock(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Range> {
    let symbols: (vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined;
    try {
        symbols = await vscode.commands.executeCommand<(vscode.DocumentSymbol | vscode.SymbolInformation)[] | undefined>(
            "vscode.executeDocumentSymbolProvider",
            document.uri,
        );
    } catch {
        symbols = undefined; // no symbol provider for this language
    }
    const nodes: SymbolNode[] = (symbols ?? []).map((symbol) => ("location" in symbol ? { kind: symbol.kind, range: symbol.location.range } : symbol));
    const range =
        enclosingSymbolRange(nodes, position) ??
        surroundingLines(
            Array.from({ length: document.lineCount }, (_, line) => document.lineAt(line).text),
            position.line,
        );
    return document.validateRange(toRange(range));
}

/**
 * The placeholder values `used` needs for `target`; undefined when the user cancelled the
 * {{input}} box.
 */
export async function promptValues(used: readonly Placeholder[], target: PromptTarget | undefined, templateName: string): Promise<PromptValues | undefined> {
    const values: PromptValues = {};
    if (target) {
        values.selection = target.document.getText(target.range);
        values.language = target.document.languageId;
        values.file = vscode.workspace.asRelativePath(target.document.uri, false);
        if (used.includes("diagnostics")) values.diagnostics = diagnosticsText(vscode.languages.getDiagnostics(target.document.uri), target.range);
    }
    if (used.includes("input")) {
        const input = await vscode.window.showInputBox({ title: `Code Llama: ${templateName}`, prompt: "What should Code Llama do?", ignoreFocusOut: true });
        if (input === undefined) return undefined;
        values.input = input;
    }
    return values;
}
