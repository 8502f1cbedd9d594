/**
 * The chat webview's HTML shell and its Content-Security-Policy. Answers are untrusted model output:
 * the policy allows only the extension's own script (by nonce) and stylesheet, no inline script, no
 * inline style, no remote loads, no frames, forms or plugins; images only from the extension (the
 * renderer shows images of answers as links, so a tracking pixel or a data: image never loads).
 */
import { randomBytes } from "node:crypto";

export interface WebviewHtmlOptions {
    /** `webview.cspSource`. */
    cspSource: string;
    /** `webview.asWebviewUri(...)` of dist/webview/chat.js and media/chat.css, as strings. */
    scriptUri: string;
    styleUri: string;
    /** Fresh for each rendering; `newNonce()`. */
    nonce: string;
}

export function newNonce(): string {
    return randomBytes(18).toString("base64url");
}

export function contentSecurityPolicy({ cspSource, nonce }: Pick<WebviewHtmlOptions, "cspSource" | "nonce">): string {
    return [
        "default-src 'none'",
        `script-src 'nonce-${nonce}'`,
        `style-src ${cspSource}`,
        `font-src ${cspSource}`,
        `img-src ${cspSource}`,
        // Not covered by default-src:
        "base-uri 'none'",
        "form-action 'none'",
    ].join("; ");
}

const escapeAttribute = (value: string): string => value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

export function chatHtml(options: WebviewHtmlOptions): string {
    const csp = contentSecurityPolicy(options);
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(options.styleUri)}">
<title>Code Llama Chat</title>
</head>
<body>
<div id="app" class="app">
  <header class="toolbar" role="toolbar" aria-label="Chat">
    <h1 id="chat-title" class="chat-title">New chat</h1>
    <button type="button" id="new-chat" class="icon-button" title="New chat" aria-label="New chat">+ New</button>
    <button type="button" id="show-history" class="icon-button" title="Past chats" aria-label="Past chats" aria-expanded="false" aria-controls="history">History</button>
  </header>
  <nav id="history" class="history" aria-label="Past chats" hidden>
    <ul id="history-list" class="history-list"></ul>
  </nav>
  <main id="messages" class="messages" role="log" aria-live="polite" aria-label="Conversation" tabindex="0"></main>
  <div id="notice" class="notice" role="status" hidden></div>
  <form id="composer" class="composer" autocomplete="off">
    <label for="input" class="visually-hidden">Ask Code Llama (Enter sends, Shift+Enter starts a new line)</label>
    <textarea id="input" class="input" rows="3" placeholder="Ask Code Llama… (Enter to send, Shift+Enter for a new line)"></textarea>
    <div class="composer-buttons">
      <button type="submit" id="send" class="primary" aria-label="Send">Send</button>
      <button type="button" id="stop" class="secondary" aria-label="Stop generating" hidden>Stop</button>
    </div>
  </form>
</div>
<script nonce="${escapeAttribute(options.nonce)}" src="${escapeAttribute(options.scriptUri)}"></script>
</body>
</html>`;
}
