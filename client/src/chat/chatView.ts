/**
 * The chat panel: a webview view in the "Code Llama" activity-bar container. Sends the session's
 * state to the webview and carries out what the user does there. Everything the webview sends is
 * checked (parseFromWebview); links open outside VS Code and only for http(s).
 */
import * as vscode from "vscode";
import { errorMessage } from "../errorMessage.js";
import type { ChatSession } from "./chatSession.js";
import { insertAtCursor, replaceSelection } from "./codeBlockActions.js";
import { type ChatViewState, type FromWebview, isOpenableLink, parseFromWebview, type ToWebview } from "./messages.js";
import { chatHtml, newNonce } from "./webviewHtml.js";

export const CHAT_VIEW_ID = "codellama.chat";

/** Why the model cannot answer right now (from the server status), for the line above the input. */
export interface ServerNotice {
    readonly current: string | undefined;
    readonly onDidChange: vscode.Event<unknown>;
}

/** What "Apply Fix…" on a code block does (fixPreview.ts). */
export type PreviewFix = (turnId: string, code: string) => Promise<unknown>;

export class ChatView implements vscode.WebviewViewProvider, vscode.Disposable {
    private view: vscode.WebviewView | undefined;
    private readonly disposables: vscode.Disposable[] = [];
    private readonly viewDisposables: vscode.Disposable[] = [];

    constructor(
        private readonly extensionUri: vscode.Uri,
        private readonly session: ChatSession,
        private readonly notice: ServerNotice,
        private readonly previewFix: PreviewFix,
        private readonly output: vscode.LogOutputChannel,
    ) {
        this.disposables.push(
            session.onDidChange((change) => {
                if (change.kind === "turn") this.post({ type: "turn", chatId: change.chatId, turn: change.turn, busy: session.busy });
                else this.postState();
            }),
            notice.onDidChange(() => this.postState()),
            vscode.window.onDidChangeTextEditorSelection(() => this.post({ type: "editor", hasSelection: hasSelection() })),
            vscode.window.onDidChangeActiveTextEditor(() => this.post({ type: "editor", hasSelection: hasSelection() })),
        );
    }

    /** Whether the webview is showing (it exists only while its view is visible). */
    get visible(): boolean {
        return this.view?.visible ?? false;
    }

    resolveWebviewView(view: vscode.WebviewView): void {
        this.view = view;
        const scripts = vscode.Uri.joinPath(this.extensionUri, "dist", "webview");
        const media = vscode.Uri.joinPath(this.extensionUri, "media");
        view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [scripts, media] };
        view.webview.html = chatHtml({
            cspSource: view.webview.cspSource,
            nonce: newNonce(),
            scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(scripts, "chat.js")).toString(),
            styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, "chat.css")).toString(),
        });
        for (const disposable of this.viewDisposables.splice(0)) disposable.dispose();
        this.viewDisposables.push(
            view.webview.onDidReceiveMessage((message: unknown) => {
                const parsed = parseFromWebview(message);
                if (!parsed) {
                    this.output.warn(`Chat panel: ignored an unexpected message ${JSON.stringify(message)?.slice(0, 200)}`);
                    return;
                }
                this.handle(parsed).catch((error: unknown) => this.output.error(`Chat panel: ${parsed.type} failed: ${errorMessage(error)}`));
            }),
            view.onDidDispose(() => {
                if (this.view === view) this.view = undefined;
            }),
        );
    }

    /** Shows the panel (creating it) and puts the cursor in the input box. */
    async reveal(focusInput = true): Promise<void> {
        await vscode.commands.executeCommand(`${CHAT_VIEW_ID}.focus`);
        if (focusInput) this.post({ type: "focusInput" });
    }

    state(): ChatViewState {
        return {
            chat: this.session.current,
            history: this.session.list(),
            busy: this.session.busy,
            hasSelection: hasSelection(),
            ...(this.notice.current ? { notice: this.notice.current } : {}),
        };
    }

    private async handle(message: FromWebview): Promise<void> {
        switch (message.type) {
            case "ready":
                this.postState();
                return;
            case "send":
                if (message.text.trim()) await this.session.ask(message.text);
                return;
            case "stop":
                await this.session.stop();
                return;
            // Leaving a chat stops its answer (it is kept, marked stopped).
            case "newChat":
                await this.session.stop();
                this.session.newChat();
                return;
            case "openChat":
                if (message.id !== this.session.current.id) await this.session.stop();
                this.session.open(message.id);
                return;
            case "deleteChat":
                await this.session.delete(message.id);
                return;
            case "copy":
                await vscode.env.clipboard.writeText(message.code);
                vscode.window.setStatusBarMessage("Code Llama: code copied", 2000);
                return;
            case "insert":
                await insertAtCursor(message.code);
                return;
            case "replaceSelection":
                await replaceSelection(message.code);
                return;
            case "previewFix":
                await this.previewFix(message.turnId, message.code);
                return;
            case "openLink":
                if (isOpenableLink(message.href)) await vscode.env.openExternal(vscode.Uri.parse(message.href, true));
                else this.output.warn(`Chat panel: not opening ${JSON.stringify(message.href.slice(0, 200))}: only http(s) links open`);
                return;
        }
    }

    private postState(): void {
        this.post({ type: "state", state: this.state() });
    }

    private post(message: ToWebview): void {
        // A hidden view has no webview to talk to; it asks for the state again ("ready") when shown.
        void this.view?.webview.postMessage(message);
    }

    dispose(): void {
        for (const disposable of [...this.disposables, ...this.viewDisposables]) disposable.dispose();
    }
}

function hasSelection(): boolean {
    const editor = vscode.window.activeTextEditor;
    return editor?.selections.some((selection) => !selection.isEmpty) ?? false;
}
