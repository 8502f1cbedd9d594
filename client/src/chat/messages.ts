/**
 * Messages between the chat webview (client/src/webview/) and the extension, declared once for
 * both sides. The webview holds no state of its own: the extension sends the whole view on "state"
 * and each changed turn on "turn"; the webview sends what the user did.
 */
import type { Chat, ChatSummary, ChatTurn } from "./conversation.js";

/** What the panel shows. */
export interface ChatViewState {
    chat: Chat;
    history: ChatSummary[];
    /** An answer is being generated (Stop is offered, Send is not). */
    busy: boolean;
    /** The active editor has a non-empty selection ("Replace selection" is offered). */
    hasSelection: boolean;
    /** Shown above the input when the model cannot answer now (loading, no model, server stopped). */
    notice?: string;
}

export type ToWebview =
    | { type: "state"; state: ChatViewState }
    | { type: "turn"; chatId: string; turn: ChatTurn; busy: boolean }
    | { type: "editor"; hasSelection: boolean }
    | { type: "focusInput" };

export type FromWebview =
    | { type: "ready" }
    | { type: "send"; text: string }
    | { type: "stop" }
    | { type: "newChat" }
    | { type: "openChat"; id: string }
    | { type: "deleteChat"; id: string }
    | { type: "copy"; code: string }
    | { type: "insert"; code: string }
    | { type: "replaceSelection"; code: string }
    | { type: "previewFix"; turnId: string; code: string }
    | { type: "openLink"; href: string };

const FROM_WEBVIEW_TYPES = new Set([
    "ready",
    "send",
    "stop",
    "newChat",
    "openChat",
    "deleteChat",
    "copy",
    "insert",
    "replaceSelection",
    "previewFix",
    "openLink",
]);

/** Checks a message from the webview (it renders untrusted text: trust nothing it sends). */
export function parseFromWebview(value: unknown): FromWebview | undefined {
    if (typeof value !== "object" || value === null) return undefined;
    const message = value as Record<string, unknown>;
    if (typeof message.type !== "string" || !FROM_WEBVIEW_TYPES.has(message.type)) return undefined;
    const strings: Record<string, string[]> = {
        send: ["text"],
        openChat: ["id"],
        deleteChat: ["id"],
        copy: ["code"],
        insert: ["code"],
        replaceSelection: ["code"],
        previewFix: ["turnId", "code"],
        openLink: ["href"],
    };
    for (const key of strings[message.type] ?? []) if (typeof message[key] !== "string") return undefined;
    return message as FromWebview;
}

/** Links in answers open outside VS Code, and only these kinds. */
export function isOpenableLink(href: string): boolean {
    try {
        const url = new URL(href);
        return url.protocol === "https:" || url.protocol === "http:";
    } catch {
        return false;
    }
}
