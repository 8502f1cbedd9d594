/**
 * The chat side of the extension in one place, for extension.ts to start: the session and its
 * history, the panel, the commands (Explain, Debug, Run Prompt…, chat history), the prompt files,
 * the "Ask Code Llama to fix" quick fix and the fix preview.
 */
import * as vscode from "vscode";
import { COMMANDS } from "../../../shared/src/commands.js";
import { FixPreview } from "../fix/fixPreview.js";
import { AskToFixProvider } from "../prompts/askToFix.js";
import { registerChatCommands } from "../prompts/promptCommands.js";
import { PromptLibrary } from "../prompts/promptLibrary.js";
import type { StatusPresentation } from "../statusDisplay.js";
import { type ChatChange, type ChatClient, ChatSession } from "./chatSession.js";
import { CHAT_VIEW_ID, ChatView, type ServerNotice } from "./chatView.js";
import type { Chat, ChatSummary, ChatTurn } from "./conversation.js";
import { ChatHistory } from "./history.js";
import type { ChatViewState } from "./messages.js";

/** The chat part of the extension's API (for other extensions and the tests). */
export interface ChatApi {
    readonly current: Chat;
    readonly busy: boolean;
    /** Asks in the current chat as the panel's input box does; resolves with the finished answer. */
    ask(text: string): Promise<ChatTurn>;
    stop(): Promise<void>;
    newChat(): void;
    open(id: string): Chat | undefined;
    list(): ChatSummary[];
    readonly onDidChange: vscode.Event<ChatChange>;
    /** Resolves once the history is stored. */
    flush(): Promise<void>;
    /** What the panel is sent to show. */
    viewState(): ChatViewState;
    readonly viewVisible: boolean;
}

export interface ChatStatusSource {
    readonly presentation: StatusPresentation;
    readonly onDidChange: vscode.Event<StatusPresentation>;
}

/** The line above the chat input while the model cannot answer; none when it can. */
export function chatNotice(presentation: StatusPresentation): string | undefined {
    if (presentation.kind === "ready" || presentation.kind === "completing" || presentation.kind === "disabled") return undefined;
    return presentation.tooltip.split("\n")[0];
}

export function activateChat(context: vscode.ExtensionContext, client: ChatClient, output: vscode.LogOutputChannel, status: ChatStatusSource): ChatApi {
    const history = new ChatHistory(context.globalState);
    const session = new ChatSession(client, history, output);
    const fixes = new FixPreview(session, output);
    const notice: ServerNotice = {
        get current() {
            return chatNotice(status.presentation);
        },
        onDidChange: status.onDidChange,
    };
    const view = new ChatView(context.extensionUri, session, notice, (turnId, code) => fixes.previewTurn(turnId, code), output);
    const library = new PromptLibrary(output);
    context.subscriptions.push(
        session,
        fixes,
        view,
        library,
        vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, view),
        vscode.languages.registerCodeActionsProvider([{ scheme: "file" }, { scheme: "untitled" }], new AskToFixProvider(COMMANDS.debug), {
            providedCodeActionKinds: AskToFixProvider.providedCodeActionKinds,
        }),
        ...registerChatCommands({ session, view, library }),
    );
    return {
        get current() {
            return session.current;
        },
        get busy() {
            return session.busy;
        },
        ask: (text) => session.ask(text),
        stop: () => session.stop(),
        newChat: () => void session.newChat(),
        open: (id) => session.open(id),
        list: () => session.list(),
        onDidChange: session.onDidChange,
        flush: () => session.flush(),
        viewState: () => view.state(),
        get viewVisible() {
            return view.visible;
        },
    };
}
