import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { conversationProblem, fitConversation } from "../../server/src/chat/instructPrompt.js";
import { chatPieces, chatStopTokens, encodePieces, instructPieces, type SpecialTokenIds } from "../../server/src/engine/promptFormat.js";
import { TextStream } from "../../server/src/engine/textStream.js";
import type { Encoder } from "../../server/src/engine/tokenizer.js";
import type { ChatMessage } from "../../shared/src/prompts/template.js";

/** The Instruct prompt's tokens, as an engine with this encoder encodes it. */
const buildInstructPrompt = (messages: readonly ChatMessage[], encoder: Encoder, ids: SpecialTokenIds): Promise<number[]> =>
    encodePieces(instructPieces(messages), { encode: encoder, encodeInfilling: encoder }, ids);

// A toy encoder that keeps the text visible: one "token" per encoded string, the text as a marker.
const texts: string[] = [];
const encode = (text: string): number[] => {
    texts.push(text);
    return [1000 + texts.length - 1];
};
const decode = (tokens: number[]): (string | number)[] => tokens.map((token) => (token >= 1000 ? texts[token - 1000]! : token));
const special = { bos: 1, eos: 2 };

describe("buildInstructPrompt", () => {
    it("is Meta's Llama 2 chat format: system folded into the first turn, finished turns closed with EOS", async () => {
        const messages: ChatMessage[] = [
            { role: "system", content: "Answer in Python." },
            { role: "user", content: "  Reverse a list \n" },
            { role: "assistant", content: " Use reversed(). " },
            { role: "user", content: "And a string?" },
        ];
        assert.deepEqual(decode(await buildInstructPrompt(messages, encode, special)), [
            // Meta strips the folded text as a whole, so the user text's leading spaces stay inside.
            1,
            "[INST] <<SYS>>\nAnswer in Python.\n<</SYS>>\n\n  Reverse a list [/INST] Use reversed(). ",
            2,
            1,
            "[INST] And a string? [/INST]",
        ]);
    });
    it("without a system message", async () => {
        assert.deepEqual(decode(await buildInstructPrompt([{ role: "user", content: "hi" }], encode, special)), [1, "[INST] hi [/INST]"]);
    });
});

describe("Code Llama 70B's turn format", () => {
    const STEP = 3; // 32015 in Code Llama 70B; below the toy encoder's text markers here
    const build = (messages: readonly ChatMessage[]): Promise<number[]> =>
        encodePieces(chatPieces({ messages, format: "codellama-70b" }), { encode, encodeInfilling: encode }, { ...special, step: STEP });
    it("is Meta's dialog_prompt_tokens: an empty system message first, a header and a body per message, <step> after each, the reply header", async () => {
        assert.deepEqual(decode(await build([{ role: "user", content: "  Reverse a list \n" }])), [
            1,
            " Source: system",
            STEP,
            " Source: user",
            "\n\n Reverse a list",
            STEP,
            " Source: assistant\nDestination: user",
            "\n\n ",
        ]);
    });
    it("keeps the system message and earlier turns, each closed with <step>", async () => {
        assert.deepEqual(
            decode(
                await build([
                    { role: "system", content: "Answer in Python." },
                    { role: "user", content: "hi" },
                    { role: "assistant", content: " Hello. " },
                    { role: "user", content: "bye" },
                ]),
            ),
            [
                1,
                " Source: system",
                "\n\n Answer in Python.",
                STEP,
                " Source: user",
                "\n\n hi",
                STEP,
                " Source: assistant",
                "\n\n Hello.",
                STEP,
                " Source: user",
                "\n\n bye",
                STEP,
                " Source: assistant\nDestination: user",
                "\n\n ",
            ],
        );
    });
    it("stops at <step>; Llama 2's format at the end of generation only", () => {
        assert.deepEqual(chatStopTokens("codellama-70b"), ["step"]);
        assert.deepEqual(chatStopTokens("llama2"), []);
    });
    it("names what a vocabulary without <step> lacks", async () => {
        await assert.rejects(
            encodePieces(chatPieces({ messages: [{ role: "user", content: "hi" }], format: "codellama-70b" }), { encode, encodeInfilling: encode }, special),
            /no <step> token/,
        );
    });
    it("Llama 2's format for llama2 (and for none, whose missing BOS/EOS it names)", async () => {
        assert.deepEqual(chatPieces({ messages: [{ role: "user", content: "hi" }], format: "llama2" }), instructPieces([{ role: "user", content: "hi" }]));
        await assert.rejects(
            encodePieces(chatPieces({ messages: [{ role: "user", content: "hi" }], format: "none" }), { encode, encodeInfilling: encode }, {}),
            /no BOS\/EOS/,
        );
    });
});

describe("conversationProblem", () => {
    it("accepts a valid conversation", async () => {
        assert.equal(
            conversationProblem([
                { role: "system", content: "s" },
                { role: "user", content: "u" },
            ]),
            undefined,
        );
    });
    it("names what is wrong", async () => {
        assert.match(conversationProblem([])!, /non-empty/);
        assert.match(conversationProblem("x")!, /non-empty/);
        assert.match(conversationProblem([{ role: "bot", content: "x" }])!, /role/);
        assert.match(conversationProblem([{ role: "user", content: 3 }])!, /content/);
        assert.match(
            conversationProblem([
                { role: "user", content: "a" },
                { role: "system", content: "s" },
            ])!,
            /first message/,
        );
        assert.match(
            conversationProblem([
                { role: "user", content: "a" },
                { role: "user", content: "b" },
            ])!,
            /alternate/,
        );
        assert.match(
            conversationProblem([
                { role: "user", content: "a" },
                { role: "assistant", content: "b" },
            ])!,
            /last message/,
        );
    });
});

describe("fitConversation", () => {
    const charEncode = (text: string): number[] => [...text].map((ch) => ch.charCodeAt(0));
    const count = async (messages: readonly ChatMessage[]): Promise<number> => (await buildInstructPrompt(messages, charEncode, special)).length;
    const tokensOf = (fitted: { messages: ChatMessage[] }): Promise<number[]> => buildInstructPrompt(fitted.messages, charEncode, special);
    const conversation: ChatMessage[] = [
        { role: "system", content: "S" },
        { role: "user", content: "first question" },
        { role: "assistant", content: "first answer" },
        { role: "user", content: "second question" },
        { role: "assistant", content: "second answer" },
        { role: "user", content: "last" },
    ];
    it("keeps everything that fits", async () => {
        const fitted = await fitConversation(conversation, 10_000, count);
        assert.equal(fitted.droppedMessages, 0);
        assert.deepEqual(await tokensOf(fitted), await buildInstructPrompt(conversation, charEncode, special));
        assert.equal(fitted.promptTokens, (await tokensOf(fitted)).length);
    });
    it("drops the oldest exchanges, never the system prompt or the last user message", async () => {
        const withoutFirst = await buildInstructPrompt([conversation[0]!, ...conversation.slice(3)], charEncode, special);
        const fitted = await fitConversation(conversation, withoutFirst.length, count);
        assert.equal(fitted.droppedMessages, 2);
        assert.deepEqual(await tokensOf(fitted), withoutFirst);
        const minimal = await fitConversation(conversation, 40, count);
        assert.equal(minimal.droppedMessages, 4);
        assert.ok(String.fromCharCode(...(await tokensOf(minimal)).filter((t) => t > 2)).includes("<<SYS>>\nS\n<</SYS>>\n\nlast [/INST]"));
    });
    it("cuts the start of a last message too long on its own", async () => {
        const fitted = await fitConversation([{ role: "user", content: "x".repeat(100) + "END" }], 30, count);
        const tokens = await tokensOf(fitted);
        assert.ok(tokens.length <= 30);
        assert.match(String.fromCharCode(...tokens.slice(1)), /^\[INST\] x+END \[\/INST\]$/);
    });
});

describe("TextStream", () => {
    it("emits deltas and holds back an incomplete multi-byte character", async () => {
        const pieces: Record<number, string> = { 1: "Hé", 2: "\uFFFD", 3: "llo" };
        const decodeAll = (tokens: readonly number[]): string =>
            tokens.at(-1) === 2 ? "Hé\uFFFD" : tokens.length === 3 ? "Hé😀llo" : tokens.map((t) => pieces[t]).join("");
        const stream = new TextStream(decodeAll);
        assert.equal(stream.push([1]), "Hé");
        assert.equal(stream.push([1, 2]), "");
        assert.equal(stream.push([1, 2, 3]), "😀llo");
        assert.equal(stream.finish([1, 2, 3]), "");
    });
});

describe("keptMessages", () => {
    it("drops the oldest messages after the system prompt", async () => {
        const { keptMessages } = await import("../../server/src/chat/instructPrompt.js");
        const messages = [
            { role: "system", content: "s" },
            { role: "user", content: "1" },
            { role: "assistant", content: "2" },
            { role: "user", content: "3" },
        ] as const;
        assert.deepEqual(
            keptMessages([...messages], 2).map((m) => m.content),
            ["s", "3"],
        );
        assert.deepEqual(
            keptMessages([...messages].slice(1), 2).map((m) => m.content),
            ["3"],
        );
    });
});
