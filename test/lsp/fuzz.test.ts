// Protocol fuzzing: thousands of malformed and random-but-well-framed JSON-RPC messages on the
// server's stdin. It must never exit, must answer every request it could parse with a result or an
// LSP error, and must still complete correctly afterwards.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { seededRandom } from "../../server/src/eval/seededRandom.js";
import { SERVER_JS, testSettings } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";

const MESSAGES = 3000;

const METHODS = [
    "textDocument/inlineCompletion",
    "codellama/chat",
    "codellama/status",
    "codellama/stats",
    "workspace/executeCommand",
    "textDocument/completion",
    "textDocument/hover",
    "initialize",
    "no/such/method",
    "$/unknown",
    "",
    "codellama/",
];
const NOTIFICATIONS = [
    "textDocument/didOpen",
    "textDocument/didChange",
    "textDocument/didClose",
    "workspace/didChangeConfiguration",
    "initialized",
    "$/cancelRequest",
    "$/setTrace",
    "bogus/notification",
];

function randomValue(next: () => number, depth = 0): unknown {
    const pick = Math.floor(next() * (depth > 2 ? 6 : 9));
    switch (pick) {
        case 0:
            return null;
        case 1:
            return next() < 0.5;
        case 2:
            return Math.floor(next() * 2 ** 31) * (next() < 0.3 ? -1 : 1);
        case 3:
            return next() * 1e6;
        case 4:
            return "x".repeat(Math.floor(next() * 40)) + "\u{1F600}\u0000\uD800";
        case 5:
            return next() < 0.02 ? "y".repeat(1_000_000) : "file:///doc.ts";
        case 6:
            return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
        default: {
            const keys = [
                "textDocument",
                "position",
                "uri",
                "line",
                "character",
                "messages",
                "role",
                "content",
                "contentChanges",
                "text",
                "range",
                "settings",
                "command",
                "id",
                "capabilities",
            ];
            return Object.fromEntries(
                Array.from({ length: Math.floor(next() * 5) }, () => [keys[Math.floor(next() * keys.length)]!, randomValue(next, depth + 1)]),
            );
        }
    }
}

/** Plausible but wrong params for the methods the server knows. */
function nearMiss(next: () => number): unknown {
    const variants = [
        { textDocument: { uri: "file:///open.ts" }, position: { line: -1, character: 0 } },
        { textDocument: { uri: "file:///open.ts" }, position: { line: 1e9, character: 1e9 } },
        { textDocument: { uri: "file:///never-opened.ts" }, position: { line: 0, character: 0 } },
        { textDocument: { uri: 42 }, position: "here" },
        { messages: [{ role: "user", content: 7 }] },
        { messages: [{ role: "assistant", content: "x" }], maxTokens: -3 },
        { textDocument: { uri: "file:///open.ts", version: "v" }, contentChanges: [{ range: { start: { line: 0, character: 0 } }, text: 5 }] },
        { textDocument: { uri: "file:///open.ts", languageId: "typescript", version: 1, text: "const a = 1;\n".repeat(next() < 0.5 ? 1 : 50_000) } },
        { command: "codellama.unknown", arguments: [1, 2] },
    ];
    return variants[Math.floor(next() * variants.length)];
}

const frame = (body: string): Buffer => Buffer.concat([Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n`), Buffer.from(body)]);

describe("protocol fuzzing over stdio", () => {
    let child: ChildProcess;
    let home: string;
    const responses = new Map<number | string, { result?: unknown; error?: { code: number; message: string } }>();
    let settings: Record<string, unknown>;

    before(async () => {
        settings = testSettings(await ensureTinyModel(), { log: { level: "warn" } });
        home = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-fuzz-"));
        child = spawn(process.execPath, [SERVER_JS, "--stdio"], { stdio: ["pipe", "pipe", "ignore"], env: { ...process.env, HOME: home, TMPDIR: home } });
        let buffer = Buffer.alloc(0);
        child.stdout!.on("data", (chunk: Buffer) => {
            buffer = Buffer.concat([buffer, chunk]);
            for (;;) {
                const headerEnd = buffer.indexOf("\r\n\r\n");
                if (headerEnd < 0) return;
                const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())![1]);
                if (buffer.length < headerEnd + 4 + length) return;
                const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
                buffer = buffer.subarray(headerEnd + 4 + length);
                if (message.method && message.id !== undefined) {
                    // The server asks the client something (configuration, progress): answer like an editor.
                    const result = message.method === "workspace/configuration" ? message.params.items.map(() => settings) : null;
                    child.stdin!.write(frame(JSON.stringify({ jsonrpc: "2.0", id: message.id, result })));
                } else if (message.id !== undefined && !message.method) {
                    responses.set(message.id, message);
                }
            }
        });
    });

    after(() => {
        if (child.exitCode === null && child.pid) process.kill(child.pid, "SIGKILL");
        fs.rmSync(home, { recursive: true, force: true });
    });

    it(`survives ${MESSAGES} malformed and random messages and answers every request`, async () => {
        const next = seededRandom(20261122);
        const expected = new Set<number>();
        let id = 0;
        const send = (message: object): void => {
            child.stdin!.write(frame(JSON.stringify({ jsonrpc: "2.0", ...message })));
        };
        const request = (method: string, params: unknown): void => {
            expected.add(++id);
            send({ id, method, params });
        };

        // Out of order: requests before initialize.
        request("textDocument/inlineCompletion", { textDocument: { uri: "file:///a.ts" }, position: { line: 0, character: 0 } });
        request("codellama/stats", null);
        send({ method: "initialized", params: {} });
        request("initialize", { processId: null, rootUri: null, capabilities: { workspace: { configuration: true } } });
        send({ method: "initialized", params: {} });
        send({
            method: "textDocument/didOpen",
            params: { textDocument: { uri: "file:///open.ts", languageId: "typescript", version: 1, text: "function add(a, b) {\n    \n}\n" } },
        });

        let sent = 6;
        for (; sent < MESSAGES; sent++) {
            const roll = next();
            if (roll < 0.05) child.stdin!.write(`Content-Length: ${next() < 0.5 ? "abc" : "-5"}\r\n\r\n{}`);
            else if (roll < 0.08) child.stdin!.write("X-Garbage: 1\r\nNo colon here\r\n\r\n");
            else if (roll < 0.12) child.stdin!.write(frame(next() < 0.5 ? "{not json" : "[1, 2, 3"));
            else if (roll < 0.15) child.stdin!.write(frame(JSON.stringify({ jsonrpc: "1.0", idd: 5, methodd: 3 })));
            else if (roll < 0.45) request(METHODS[Math.floor(next() * METHODS.length)]!, next() < 0.5 ? randomValue(next) : nearMiss(next));
            else {
                const method = NOTIFICATIONS[Math.floor(next() * NOTIFICATIONS.length)]!;
                send({ method, params: next() < 0.5 ? randomValue(next) : nearMiss(next) });
            }
            // Let the server breathe now and then, as a real client would.
            if (sent % 200 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        }
        console.log(`fuzz: ${sent} messages sent, ${expected.size} of them parseable requests`);

        const deadline = Date.now() + 120_000;
        while ([...expected].some((requestId) => !responses.has(requestId)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        const missing = [...expected].filter((requestId) => !responses.has(requestId));
        assert.deepEqual(missing, [], "every request got a response");
        for (const requestId of expected) {
            const response = responses.get(requestId)!;
            assert.ok(
                "result" in response || (response.error && Number.isInteger(response.error.code) && typeof response.error.message === "string"),
                `response ${requestId} is a result or an LSP error`,
            );
        }
        assert.equal(child.exitCode, null, "the server is still running");

        // And it still works.
        send({
            method: "textDocument/didOpen",
            params: { textDocument: { uri: "file:///after.js", languageId: "javascript", version: 1, text: "function add(a, b) {\n    \n}\n" } },
        });
        for (let attempt = 0; attempt < 100; attempt++) {
            const finalId = `final-${attempt}`;
            send({
                id: finalId,
                method: "textDocument/inlineCompletion",
                params: { textDocument: { uri: "file:///after.js" }, position: { line: 1, character: 4 } },
            });
            while (!responses.has(finalId)) await new Promise((resolve) => setTimeout(resolve, 20));
            const items = (responses.get(finalId)!.result as { items: { insertText: string }[] } | undefined)?.items ?? [];
            if (items.length > 0) {
                assert.equal(items[0]!.insertText, FIM_ANSWER);
                return;
            }
            // The fuzzed configuration changes may have the model reloading: wait for it.
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
        assert.fail("no completion after fuzzing");
    });
});
