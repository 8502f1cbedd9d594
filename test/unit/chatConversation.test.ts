// The chat's pure rules (client/src/chat/conversation.ts, history.ts, messages.ts, webviewHtml.ts,
// codeBlocks.ts): what is sent, titles, restoring cut-off answers, the history's cap, the
// webview's messages and Content-Security-Policy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeBlocksOf } from "../../client/src/chat/codeBlocks.js";
import { type Chat, type ChatTurn, isChat, lineSpan, newChat, requestMessages, restoredChat, titleFrom } from "../../client/src/chat/conversation.js";
import { ChatHistory, type KeyValueStore } from "../../client/src/chat/history.js";
import { isOpenableLink, parseFromWebview } from "../../client/src/chat/messages.js";
import { chatHtml, contentSecurityPolicy, newNonce } from "../../client/src/chat/webviewHtml.js";

let ids = 0;
const user = (content: string): ChatTurn => ({ id: `t${ids++}`, role: "user", content });
const assistant = (content: string, status: ChatTurn["status"] = "done"): ChatTurn => ({ id: `t${ids++}`, role: "assistant", content, status });
const chatWith = (turns: ChatTurn[], extra: Partial<Chat> = {}): Chat => ({ ...newChat(`c${ids++}`, 1000), turns, ...extra });

describe("requestMessages", () => {
    it("sends the system message, then the turns alternating, ending with the question", () => {
        const chat = chatWith([user("q1"), assistant("a1"), user("q2")], { system: "Be brief." });
        assert.deepEqual(requestMessages(chat), [
            { role: "system", content: "Be brief." },
            { role: "user", content: "q1" },
            { role: "assistant", content: "a1" },
            { role: "user", content: "q2" },
        ]);
    });

    it("keeps stopped and interrupted answers (the user saw them), drops failed ones with their question", () => {
        const chat = chatWith([
            user("q1"),
            assistant("part", "stopped"),
            user("q2"),
            assistant("", "error"),
            user("q3"),
            assistant("cut", "interrupted"),
            user("q4"),
        ]);
        assert.deepEqual(
            requestMessages(chat).map((m) => `${m.role}:${m.content}`),
            ["user:q1", "assistant:part", "user:q3", "assistant:cut", "user:q4"],
        );
    });

    it("of two questions in a row only the later counts", () => {
        assert.deepEqual(requestMessages(chatWith([user("q1"), user("q2")])), [{ role: "user", content: "q2" }]);
    });
});

describe("titles, restoring, shape", () => {
    it("names the lines a range covers; a selection of whole lines ends before the next one", () => {
        const range = (startLine: number, endLine: number, endCharacter: number) => ({
            start: { line: startLine, character: 0 },
            end: { line: endLine, character: endCharacter },
        });
        assert.equal(lineSpan(range(3, 3, 5)), "line 4");
        assert.equal(lineSpan(range(2, 9, 1)), "lines 3–10");
        assert.equal(lineSpan(range(2, 10, 0)), "lines 3–10");
        assert.equal(lineSpan(range(2, 3, 0)), "line 3");
        assert.equal(lineSpan(range(2, 2, 0)), "line 3");
    });

    it("titles a chat by the first line that says something, shortened", () => {
        assert.equal(titleFrom("\n\n## Why does `add` fail?\nmore"), "Why does add fail?");
        assert.equal(titleFrom("   "), "New chat");
        const long = titleFrom("x".repeat(100));
        assert.equal(long.length, 60);
        assert.ok(long.endsWith("…"));
    });

    it("marks an answer that was still streaming when stored as interrupted, keeping its text", () => {
        const chat = chatWith([user("q"), assistant("half an ans", "streaming")]);
        const restored = restoredChat(chat);
        assert.equal(restored.turns[1]!.status, "interrupted");
        assert.equal(restored.turns[1]!.content, "half an ans");
        assert.match(restored.turns[1]!.error!, /window closed/);
        assert.equal(chat.turns[1]!.status, "streaming", "the stored value is not changed");
    });

    it("recognises stored chats and rejects damaged ones", () => {
        assert.equal(isChat(chatWith([user("q")])), true);
        assert.equal(isChat({ id: "x", title: "t", createdAt: 1, updatedAt: 1, turns: [{ role: "robot", content: "", id: "1" }] }), false);
        assert.equal(isChat(null), false);
        assert.equal(isChat("chat"), false);
    });
});

class MapStore implements KeyValueStore {
    readonly map = new Map<string, unknown>();
    get<T>(key: string): T | undefined {
        return this.map.get(key) as T | undefined;
    }
    update(key: string, value: unknown): Thenable<void> {
        if (value === undefined) this.map.delete(key);
        else this.map.set(key, structuredClone(value));
        return Promise.resolve();
    }
}

describe("ChatHistory", () => {
    it("stores chats newest first, and loads them back", async () => {
        const history = new ChatHistory(new MapStore());
        const a = chatWith([user("first question")], { title: "A", updatedAt: 1 });
        const b = chatWith([user("second question")], { title: "B", updatedAt: 2 });
        await history.save(a);
        await history.save(b);
        assert.deepEqual(
            history.list().map((entry) => entry.title),
            ["B", "A"],
        );
        await history.save(a);
        assert.deepEqual(
            history.list().map((entry) => entry.title),
            ["A", "B"],
        );
        assert.deepEqual(history.load(b.id), b);
        assert.equal(history.latest()?.id, a.id);
    });

    it("does not store empty chats", async () => {
        const history = new ChatHistory(new MapStore());
        await history.save(chatWith([]));
        assert.deepEqual(history.list(), []);
    });

    it("keeps at most `limit` chats, deleting the oldest's data", async () => {
        const store = new MapStore();
        const history = new ChatHistory(store, 3);
        const chats = Array.from({ length: 5 }, (_, index) => chatWith([user(`q${index}`)], { title: `chat ${index}` }));
        for (const chat of chats) await history.save(chat);
        assert.deepEqual(
            history.list().map((entry) => entry.title),
            ["chat 4", "chat 3", "chat 2"],
        );
        assert.equal(history.load(chats[0]!.id), undefined);
        assert.equal(history.load(chats[1]!.id), undefined);
        assert.equal([...store.map.keys()].filter((key) => key.startsWith("codellama.chat.")).length, 3);
    });

    it("deletes a chat; ignores damaged entries", async () => {
        const store = new MapStore();
        const history = new ChatHistory(store);
        const chat = chatWith([user("q")]);
        await history.save(chat);
        await history.delete(chat.id);
        assert.deepEqual(history.list(), []);
        assert.equal(store.map.has(`codellama.chat.${chat.id}`), false);
        store.map.set("codellama.chats", [{ id: "gone", title: "Gone", updatedAt: 1, turns: 1 }, 42]);
        assert.deepEqual(
            history.list().map((entry) => entry.id),
            ["gone"],
        );
        assert.equal(history.load("gone"), undefined);
        assert.equal(history.latest(), undefined);
    });

    it("loads an answer that was streaming as interrupted", async () => {
        const history = new ChatHistory(new MapStore());
        const chat = chatWith([user("q"), assistant("partial", "streaming")]);
        await history.save(chat);
        assert.equal(history.load(chat.id)?.turns[1]?.status, "interrupted");
    });
});

describe("webview messages and HTML", () => {
    it("accepts well-formed messages only", () => {
        assert.deepEqual(parseFromWebview({ type: "send", text: "hi" }), { type: "send", text: "hi" });
        assert.deepEqual(parseFromWebview({ type: "stop" }), { type: "stop" });
        assert.equal(parseFromWebview({ type: "send", text: 1 }), undefined);
        assert.equal(parseFromWebview({ type: "runCommand", command: "x" }), undefined);
        assert.equal(parseFromWebview({ type: "previewFix", turnId: "t" }), undefined);
        assert.equal(parseFromWebview("send"), undefined);
        assert.equal(parseFromWebview(null), undefined);
    });

    it("opens http(s) links only", () => {
        assert.equal(isOpenableLink("https://example.com/x"), true);
        assert.equal(isOpenableLink("http://localhost:8080"), true);
        for (const href of [
            "javascript:alert(1)",
            "command:workbench.action.reloadWindow",
            "file:///etc/passwd",
            "vscode://x",
            "data:text/html,x",
            "relative",
            "",
        ]) {
            assert.equal(isOpenableLink(href), false, href);
        }
    });

    it("has a strict Content-Security-Policy: nonce'd script only, no inline, no remote", () => {
        const csp = contentSecurityPolicy({ cspSource: "https://file+.vscode-resource.vscode-cdn.net", nonce: "abc" });
        assert.equal(
            csp,
            "default-src 'none'; script-src 'nonce-abc'; style-src https://file+.vscode-resource.vscode-cdn.net; font-src https://file+.vscode-resource.vscode-cdn.net; " +
                "img-src https://file+.vscode-resource.vscode-cdn.net; base-uri 'none'; form-action 'none'",
        );
        assert.doesNotMatch(csp, /unsafe|\*|https?:\s|data:/);
    });

    it("loads exactly one script, with the nonce, and no inline script or style", () => {
        const nonce = newNonce();
        assert.match(nonce, /^[A-Za-z0-9_-]{24}$/);
        assert.notEqual(nonce, newNonce());
        const html = chatHtml({
            cspSource: "vscode-resource:",
            nonce,
            scriptUri: "vscode-resource:/dist/webview/chat.js",
            styleUri: "vscode-resource:/media/chat.css",
        });
        assert.equal(html.match(/<script/g)?.length, 1);
        assert.match(html, new RegExp(`<script nonce="${nonce}" src="vscode-resource:/dist/webview/chat.js"></script>`));
        assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
        assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-/);
        assert.match(html, /<textarea id="input"[^>]*>/);
        assert.match(html, /<label for="input"/);
    });
});

describe("codeBlocksOf", () => {
    it("finds fenced and indented blocks, with their language, without the closing line break", () => {
        assert.deepEqual(codeBlocksOf("Fix:\n\n```js\nreturn a + b;\n```\n\nor\n\n    x = 1\n\n~~~\nplain\n~~~"), [
            { language: "js", code: "return a + b;" },
            { language: "", code: "x = 1" },
            { language: "", code: "plain" },
        ]);
        assert.deepEqual(codeBlocksOf("no code `here`"), []);
        assert.deepEqual(codeBlocksOf("```python\nunclosed"), [{ language: "python", code: "unclosed" }]);
    });
});
