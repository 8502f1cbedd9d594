// A client without inline completion (like Neovim 0.7): completion items, and chat / explain
// through workspace/executeCommand.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CompletionItem, CompletionRequest, ExecuteCommandRequest } from "vscode-languageserver-protocol/node";
import type { ChatAnswer } from "../../shared/src/protocol.js";
import { isState, type ServerUnderTest, startServer, testSettings } from "../../tools/lspClient.js";
import { ensureTinyModel, FIM_ANSWER, FIM_WORD_REST, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";

describe("a client without inline completion", () => {
    let server: ServerUnderTest;
    before(async () => {
        server = await startServer({ settings: testSettings(await ensureTinyModel()), inlineCompletion: false, showsStatus: false });
        await server.waitForStatus(isState("ready"));
    });
    after(() => server.stop());

    it("is offered textDocument/completion as well as inline completion, and the chat commands", () => {
        assert.ok(server.capabilities.completionProvider);
        assert.equal(server.capabilities.inlineCompletionProvider, true);
        assert.deepEqual(
            server.capabilities.executeCommandProvider?.commands.filter((command) => command.startsWith("codellama.lsp.")),
            ["codellama.lsp.chat", "codellama.lsp.explain"],
        );
    });

    it("gets the suggestion as a completion item that inserts it at the cursor", async () => {
        server.open("file:///n.js", "function add(a, b) {\n    \n}\n");
        const items = (await server.connection.sendRequest(CompletionRequest.type, {
            textDocument: { uri: "file:///n.js" },
            position: { line: 1, character: 4 },
        })) as CompletionItem[];
        assert.equal(items.length, 1);
        assert.equal(items[0]!.label, FIM_ANSWER);
        assert.deepEqual(items[0]!.textEdit, { range: { start: { line: 1, character: 4 }, end: { line: 1, character: 4 } }, newText: FIM_ANSWER });
    });

    it("mid-word, the item replaces the typed word, so clients that filter by it keep the item", async () => {
        server.open("file:///w.js", "function add(a, b) {\n    ret\n}\n");
        const items = (await server.connection.sendRequest(CompletionRequest.type, {
            textDocument: { uri: "file:///w.js" },
            position: { line: 1, character: 7 },
        })) as CompletionItem[];
        assert.equal(items.length, 1);
        const edit = items[0]!.textEdit as { range: { start: { character: number }; end: { character: number } }; newText: string };
        assert.equal(edit.range.start.character, 4);
        assert.equal(edit.range.end.character, 7);
        assert.equal(edit.newText, `ret${FIM_WORD_REST}`);
        assert.equal(items[0]!.filterText, edit.newText);
    });

    it("chats and explains through workspace/executeCommand", async () => {
        const chat = (await server.connection.sendRequest(ExecuteCommandRequest.type, {
            command: "codellama.lsp.chat",
            arguments: ["What does add do?"],
        })) as ChatAnswer;
        assert.equal(chat.content, INSTRUCT_CHAT_ANSWER);
        const explain = (await server.connection.sendRequest(ExecuteCommandRequest.type, {
            command: "codellama.lsp.explain",
            arguments: [{ uri: "file:///n.js", range: { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } } }],
        })) as ChatAnswer;
        assert.equal(explain.content, INSTRUCT_CHAT_ANSWER);
        assert.ok(explain.usage.promptTokens > chat.usage.promptTokens, "the explain prompt carries the code");
        await assert.rejects(
            server.connection.sendRequest(ExecuteCommandRequest.type, { command: "codellama.lsp.explain", arguments: [{ uri: "file:///closed.js" }] }),
            /open document/,
        );
    });
});

describe("a client with inline completion", () => {
    it("is not offered completion items (VS Code would show the suggestion twice)", async () => {
        const server = await startServer({ settings: testSettings(await ensureTinyModel()) });
        try {
            assert.equal(server.capabilities.completionProvider, undefined);
        } finally {
            await server.stop();
        }
    });
});
