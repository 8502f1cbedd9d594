/**
 * Applying a Debug answer's code block: first as a diff preview (the current file against the file
 * with the fix, a virtual document), then, when the user accepts, as a WorkspaceEdit of just the
 * range the question was about. One name for each action everywhere: "Apply Fix…" on a code block
 * opens the preview; "Apply Fix" (the notification's button, the check mark in the diff editor's
 * title, `codellama.acceptFix`) applies it; "Discard Fix" closes the preview.
 */
import * as vscode from "vscode";
import { COMMANDS } from "../../../shared/src/commands.js";
import type { ChatSession } from "../chat/chatSession.js";
import { codeBlocksOf } from "../chat/codeBlocks.js";
import type { FixTarget } from "../chat/conversation.js";
import { fixReplacement, replaceRange } from "./fixedText.js";

export const FIX_SCHEME = "codellama-fix";
/** The actions' names, as package.json's titles of COMMANDS.acceptFix and .discardFix say them. */
const APPLY_FIX = "Apply Fix";
const DISCARD_FIX = "Discard Fix";
/** Context key: a fix preview is open (shows the accept/discard buttons). */
const PENDING_CONTEXT = "codellama.fixPending";

interface PendingFix {
    documentUri: vscode.Uri;
    proposedUri: vscode.Uri;
    range: vscode.Range;
    version: number;
    replacement: string;
}

export class FixPreview implements vscode.TextDocumentContentProvider, vscode.Disposable {
    private readonly contents = new Map<string, string>();
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    private readonly disposables: vscode.Disposable[];
    private pending: PendingFix | undefined;
    private previews = 0;

    readonly onDidChange = this.changed.event;

    constructor(
        private readonly session: ChatSession,
        private readonly output: vscode.LogOutputChannel,
    ) {
        this.disposables = [
            vscode.workspace.registerTextDocumentContentProvider(FIX_SCHEME, this),
            vscode.commands.registerCommand(COMMANDS.previewFix, (code?: string) => this.previewLatest(code)),
            vscode.commands.registerCommand(COMMANDS.acceptFix, () => this.accept()),
            vscode.commands.registerCommand(COMMANDS.discardFix, () => this.discard()),
        ];
    }

    provideTextDocumentContent(uri: vscode.Uri): string {
        return this.contents.get(uri.toString()) ?? "";
    }

    /** "Apply Fix…" on a code block of an answer in the current chat. */
    async previewTurn(turnId: string, code: string): Promise<boolean> {
        const turn = this.session.current.turns.find((t) => t.id === turnId);
        if (!turn?.fixTarget) {
            void vscode.window.showInformationMessage("Code Llama: this answer is not about code in a file; use Insert or Replace selection instead.");
            return false;
        }
        return this.preview(turn.fixTarget, code);
    }

    /** `codellama.previewFix`: the last code block (or `code`) of the current chat's latest Debug answer. */
    async previewLatest(code?: string): Promise<boolean> {
        const turn = [...this.session.current.turns].reverse().find((t) => t.role === "assistant" && t.fixTarget && t.status !== "streaming");
        const block = code ?? (turn ? codeBlocksOf(turn.content).at(-1)?.code : undefined);
        if (!turn?.fixTarget || block === undefined) {
            void vscode.window.showInformationMessage(
                "Code Llama: no fix to apply. Run “Code Llama: Debug” on the code first; its answer's code block can then be applied.",
            );
            return false;
        }
        return this.preview(turn.fixTarget, block);
    }

    /** Opens the diff of the fix and offers to apply it. Resolves once the diff shows. */
    async preview(target: FixTarget, code: string): Promise<boolean> {
        const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(target.uri, true));
        const range = locate(document, target);
        const name = vscode.workspace.asRelativePath(document.uri);
        if (!range) {
            void vscode.window.showWarningMessage(
                `Code Llama: the code the answer is about has changed in ${name}. Select it and run “Code Llama: Debug” again.`,
            );
            return false;
        }
        const replacement = fixReplacement({
            original: document.getText(range),
            linePrefix: document.lineAt(range.start.line).text.slice(0, range.start.character),
            code,
            eol: document.eol === vscode.EndOfLine.CRLF ? "\r\n" : "\n",
        });
        const proposed = replaceRange(document.getText(), document.offsetAt(range.start), document.offsetAt(range.end), replacement);
        const proposedUri = vscode.Uri.from({ scheme: FIX_SCHEME, path: document.uri.path, query: `preview=${++this.previews}` });
        this.contents.set(proposedUri.toString(), proposed);
        const pending: PendingFix = { documentUri: document.uri, proposedUri, range, version: document.version, replacement };
        this.pending = pending;
        await vscode.commands.executeCommand("vscode.diff", document.uri, proposedUri, `${name} ↔ Code Llama's fix`, { preview: true });
        await vscode.commands.executeCommand("setContext", PENDING_CONTEXT, true);
        void vscode.window.showInformationMessage(`Apply Code Llama's fix to ${name}?`, APPLY_FIX, DISCARD_FIX).then((choice) => {
            if (this.pending !== pending) return;
            if (choice === APPLY_FIX) void this.accept();
            else if (choice === DISCARD_FIX) void this.discard();
        });
        return true;
    }

    /** Applies the previewed fix; false when there is none or the file changed meanwhile. */
    async accept(): Promise<boolean> {
        const pending = this.pending;
        if (!pending) return false;
        const document = await vscode.workspace.openTextDocument(pending.documentUri);
        if (document.version !== pending.version) {
            void vscode.window.showWarningMessage(
                `Code Llama: ${vscode.workspace.asRelativePath(document.uri)} changed after the preview; preview the fix again.`,
            );
            await this.discard();
            return false;
        }
        const edit = new vscode.WorkspaceEdit();
        edit.replace(pending.documentUri, pending.range, pending.replacement);
        const applied = await vscode.workspace.applyEdit(edit);
        if (!applied) this.output.warn(`Applying the fix to ${document.uri.toString()} was refused`);
        await this.discard();
        if (applied) {
            const end = document.positionAt(document.offsetAt(pending.range.start) + pending.replacement.length);
            await vscode.window.showTextDocument(document, { selection: new vscode.Range(pending.range.start, end) });
        }
        return applied;
    }

    /** Closes the preview without changing anything. */
    async discard(): Promise<void> {
        const pending = this.pending;
        this.pending = undefined;
        await vscode.commands.executeCommand("setContext", PENDING_CONTEXT, false);
        const tabs = vscode.window.tabGroups.all
            .flatMap((group) => group.tabs)
            .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === FIX_SCHEME);
        if (tabs.length) await vscode.window.tabGroups.close(tabs);
        if (pending) this.contents.delete(pending.proposedUri.toString());
    }

    dispose(): void {
        for (const disposable of this.disposables) disposable.dispose();
        this.changed.dispose();
    }
}

/** Where the question's code is now: its range if unchanged, else its only occurrence in the file. */
function locate(document: vscode.TextDocument, target: FixTarget): vscode.Range | undefined {
    const [startLine, startCharacter, endLine, endCharacter] = target.range;
    const range = document.validateRange(new vscode.Range(startLine, startCharacter, endLine, endCharacter));
    if (document.getText(range) === target.text) return range;
    const text = document.getText();
    const first = text.indexOf(target.text);
    if (first < 0 || text.indexOf(target.text, first + 1) >= 0 || target.text === "") return undefined;
    return new vscode.Range(document.positionAt(first), document.positionAt(first + target.text.length));
}
