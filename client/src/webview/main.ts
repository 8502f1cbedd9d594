/**
 * The chat panel's script, in the webview. A view of the state the extension sends: the message
 * list, the input box (Enter sends, Shift+Enter starts a new line), Stop, New chat and the list of
 * past chats. Messages are untrusted Markdown: they reach the DOM only through createRenderer()
 * (markdown-it, then DOMPurify), and links are never followed here: the extension opens http(s) ones.
 */
import type { ChatSummary, ChatTurn, TurnDisplay } from "../chat/conversation.js";
import type { ChatViewState, FromWebview, ToWebview } from "../chat/messages.js";
import { codeFence } from "./markdown.js";
import { createRenderer } from "./render.js";

interface VsCodeApi {
    postMessage(message: FromWebview): void;
    getState(): { draft?: string } | undefined;
    setState(state: { draft?: string }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const render = createRenderer(window);
const post = (message: FromWebview): void => vscode.postMessage(message);

const byId = <T extends HTMLElement>(id: string): T => {
    const element = document.getElementById(id);
    if (!element) throw new Error(`#${id} is missing`);
    return element as T;
};
const titleElement = byId<HTMLHeadingElement>("chat-title");
const messages = byId<HTMLElement>("messages");
const notice = byId<HTMLDivElement>("notice");
const form = byId<HTMLFormElement>("composer");
const input = byId<HTMLTextAreaElement>("input");
const sendButton = byId<HTMLButtonElement>("send");
const stopButton = byId<HTMLButtonElement>("stop");
const newChatButton = byId<HTMLButtonElement>("new-chat");
const historyButton = byId<HTMLButtonElement>("show-history");
const historyPanel = byId<HTMLElement>("history");
const historyList = byId<HTMLUListElement>("history-list");

let state: ChatViewState | undefined;

// Reports blocked attempts (there should be none: the sanitiser leaves nothing to block). The
// end-to-end XSS test reads the count.
let cspViolations = 0;
document.addEventListener("securitypolicyviolation", () => {
    document.body.dataset.cspViolations = String(++cspViolations);
});

window.addEventListener("message", (event: MessageEvent<ToWebview>) => {
    const message = event.data;
    switch (message?.type) {
        case "state":
            state = message.state;
            renderAll();
            break;
        case "turn":
            if (!state || state.chat.id !== message.chatId) return;
            state.busy = message.busy;
            upsertTurn(message.turn);
            renderBusy();
            break;
        case "editor":
            if (state) state.hasSelection = message.hasSelection;
            document.body.classList.toggle("has-selection", message.hasSelection);
            break;
        case "focusInput":
            input.focus();
            break;
    }
});

// --- rendering ------------------------------------------------------------------------------

function renderAll(): void {
    if (!state) return;
    titleElement.textContent = state.chat.title;
    document.body.classList.toggle("has-selection", state.hasSelection);
    const nearBottom = isNearBottom();
    messages.replaceChildren(...(state.chat.turns.length ? state.chat.turns.map(turnElement) : [emptyHint()]));
    if (nearBottom) scrollToBottom();
    renderHistory(state.history);
    renderBusy();
    notice.hidden = !state.notice;
    notice.textContent = state.notice ?? "";
}

function renderBusy(): void {
    const busy = state?.busy ?? false;
    stopButton.hidden = !busy;
    sendButton.disabled = busy;
    form.setAttribute("aria-busy", String(busy));
}

function upsertTurn(turn: ChatTurn): void {
    if (!state) return;
    const index = state.chat.turns.findIndex((t) => t.id === turn.id);
    if (index >= 0) state.chat.turns[index] = turn;
    else state.chat.turns.push(turn);
    const nearBottom = isNearBottom();
    const element = turnElement(turn);
    const existing = messages.querySelector(`[data-turn-id="${CSS.escape(turn.id)}"]`);
    if (existing) existing.replaceWith(element);
    else {
        messages.querySelector(".empty-hint")?.remove();
        messages.append(element);
    }
    if (nearBottom) scrollToBottom();
}

function emptyHint(): HTMLElement {
    const hint = document.createElement("p");
    hint.className = "empty-hint";
    hint.textContent = "Ask Code Llama a question, or select code and run “Code Llama: Explain” or “Code Llama: Debug”.";
    return hint;
}

const ROLE_NAMES = { user: "You", assistant: "Code Llama" } as const;
const STATUS_TEXT: Record<string, string> = {
    streaming: "Generating…",
    stopped: "Stopped.",
    interrupted: "The answer was interrupted",
    error: "No answer",
};

function turnElement(turn: ChatTurn): HTMLElement {
    const article = document.createElement("article");
    article.className = `turn turn-${turn.role}${turn.status ? ` status-${turn.status}` : ""}`;
    article.dataset.turnId = turn.id;
    article.setAttribute("aria-label", ROLE_NAMES[turn.role]);

    const header = document.createElement("div");
    header.className = "turn-role";
    header.textContent = ROLE_NAMES[turn.role];
    article.append(header);

    if (turn.role === "user" && turn.display) article.append(...displayedRequest(turn, turn.display));
    else article.append(markdownBody(turn.content, turn));

    if (turn.status && turn.status !== "done") {
        const status = document.createElement("div");
        status.className = "turn-status";
        status.setAttribute("role", turn.status === "streaming" ? "status" : "note");
        status.textContent = turn.error
            ? `${STATUS_TEXT[turn.status]}: ${turn.error}`
            : `${STATUS_TEXT[turn.status]}${turn.status === "interrupted" ? "." : ""}`;
        article.append(status);
    }
    return article;
}

function markdownBody(markdown: string, turn: ChatTurn): HTMLElement {
    const body = document.createElement("div");
    body.className = "markdown-body";
    // The one place where HTML enters the DOM: sanitised by createRenderer().
    body.innerHTML = render(markdown);
    decorateCodeBlocks(body, turn);
    return body;
}

/**
 * A question from a prompt template (Explain, Debug...): its title and the code it is about; the
 * instructions to the model behind a button.
 */
function displayedRequest(turn: ChatTurn, display: TurnDisplay): HTMLElement[] {
    const title = document.createElement("p");
    title.className = "request-title";
    title.textContent = display.title;
    const parts: HTMLElement[] = [title];
    if (display.code !== undefined) parts.push(markdownBody(codeFence(display.code, display.language), turn));
    const full = markdownBody(turn.content, turn);
    full.classList.add("full-prompt");
    full.id = `prompt-${turn.id}`;
    full.hidden = true;
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "prompt-toggle";
    toggle.setAttribute("aria-controls", full.id);
    const show = (expanded: boolean): void => {
        full.hidden = !expanded;
        toggle.setAttribute("aria-expanded", String(expanded));
        toggle.textContent = expanded ? "Hide the prompt sent to the model" : "Show the prompt sent to the model";
    };
    toggle.addEventListener("click", () => show(full.hidden));
    show(false);
    parts.push(toggle, full);
    return parts;
}

/**
 * Gives each code block its toolbar: Copy; in answers also Insert at cursor, Replace selection and
 * Apply Fix… (the user's own code, quoted in a question, is only copied).
 */
function decorateCodeBlocks(body: HTMLElement, turn: ChatTurn): void {
    for (const pre of Array.from(body.querySelectorAll("pre"))) {
        const codeElement = pre.querySelector("code");
        // markdown-it keeps the line break that ends the block: not part of the code.
        const code = ((codeElement ?? pre).textContent ?? "").replace(/\r?\n$/, "");
        const language = /(?:^|\s)language-([\w+#.-]+)/.exec(codeElement?.className ?? "")?.[1];
        const block = document.createElement("div");
        block.className = "code-block";
        const toolbar = document.createElement("div");
        toolbar.className = "code-toolbar";
        toolbar.setAttribute("role", "toolbar");
        toolbar.setAttribute("aria-label", language ? `${language} code` : "Code");
        if (language) {
            const label = document.createElement("span");
            label.className = "code-language";
            label.textContent = language;
            toolbar.append(label);
        }
        toolbar.append(actionButton("Copy", "Copy code", () => post({ type: "copy", code })));
        if (turn.role === "assistant") {
            toolbar.append(
                actionButton("Insert", "Insert code at the cursor", () => post({ type: "insert", code })),
                actionButton(
                    "Replace selection",
                    "Replace the editor selection with this code",
                    () => post({ type: "replaceSelection", code }),
                    "needs-selection",
                ),
            );
        }
        if (turn.role === "assistant" && turn.fixTarget && turn.status !== "streaming") {
            toolbar.append(
                actionButton("Apply Fix…", "Preview this code as a fix, then apply it", () => post({ type: "previewFix", turnId: turn.id, code }), "apply-fix"),
            );
        }
        pre.replaceWith(block);
        pre.tabIndex = 0; // scrollable: reachable by keyboard
        pre.setAttribute("aria-label", "Code");
        block.append(toolbar, pre);
    }
}

function actionButton(text: string, label: string, run: () => void, className = ""): HTMLButtonElement {
    const button = document.createElement("button");
    button.type = "button";
    button.className = `code-action ${className}`.trim();
    button.textContent = text;
    button.title = label;
    button.setAttribute("aria-label", label);
    button.addEventListener("click", run);
    return button;
}

function renderHistory(history: readonly ChatSummary[]): void {
    const items = history.map((entry) => {
        const item = document.createElement("li");
        item.className = "history-item";
        if (entry.id === state?.chat.id) item.classList.add("current");
        const open = document.createElement("button");
        open.type = "button";
        open.className = "history-open";
        open.dataset.chatId = entry.id;
        const title = document.createElement("span");
        title.className = "history-title";
        title.textContent = entry.title;
        const date = document.createElement("span");
        date.className = "history-date";
        date.textContent = new Date(entry.updatedAt).toLocaleString();
        open.append(title, date);
        open.setAttribute("aria-label", `Open chat: ${entry.title}`);
        open.addEventListener("click", () => {
            post({ type: "openChat", id: entry.id });
            toggleHistory(false);
            input.focus();
        });
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "history-delete";
        remove.textContent = "Delete";
        remove.setAttribute("aria-label", `Delete chat: ${entry.title}`);
        remove.addEventListener("click", () => post({ type: "deleteChat", id: entry.id }));
        item.append(open, remove);
        return item;
    });
    if (items.length === 0) {
        const empty = document.createElement("li");
        empty.className = "history-empty";
        empty.textContent = "No past chats yet.";
        items.push(empty);
    }
    historyList.replaceChildren(...items);
}

function toggleHistory(show = historyPanel.hidden): void {
    historyPanel.hidden = !show;
    historyButton.setAttribute("aria-expanded", String(show));
    if (show) historyList.querySelector<HTMLButtonElement>("button")?.focus();
}

function isNearBottom(): boolean {
    return messages.scrollHeight - messages.scrollTop - messages.clientHeight < 40;
}

function scrollToBottom(): void {
    messages.scrollTop = messages.scrollHeight;
}

// --- user input -----------------------------------------------------------------------------

function send(): void {
    const text = input.value;
    if (!text.trim() || state?.busy) return;
    post({ type: "send", text });
    input.value = "";
    vscode.setState({ draft: "" });
}

form.addEventListener("submit", (event) => {
    event.preventDefault();
    send();
});
input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
    } else if (event.key === "Escape" && state?.busy) {
        post({ type: "stop" });
    }
});
input.addEventListener("input", () => vscode.setState({ draft: input.value }));
stopButton.addEventListener("click", () => {
    post({ type: "stop" });
    input.focus();
});
newChatButton.addEventListener("click", () => {
    post({ type: "newChat" });
    toggleHistory(false);
    input.focus();
});
historyButton.addEventListener("click", () => toggleHistory());
historyPanel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
        toggleHistory(false);
        historyButton.focus();
    }
});

// Links in messages: never navigate the webview; the extension opens http(s) links in the browser.
const openLink = (event: MouseEvent): void => {
    const link = (event.target as Element | null)?.closest?.("a");
    if (!link || !messages.contains(link)) return;
    event.preventDefault();
    const href = link.getAttribute("href");
    if (href) post({ type: "openLink", href });
};
messages.addEventListener("click", openLink);
messages.addEventListener("auxclick", openLink);

input.value = vscode.getState()?.draft ?? "";
post({ type: "ready" });
