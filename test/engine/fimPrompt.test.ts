// The FIM prompt as the real engine tokenizes it, against token lists derived by hand from the vocab.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { buildCompletionPrompt, PREFIX_REFILL_SHARE, type PromptHints, type PromptSettings } from "../../server/src/completion/promptLayout.js";
import { defaultConfig } from "../../server/src/config/resolve.js";
import type { EmbeddedEngine } from "../../server/src/engine/embeddedEngine.js";
import { infillPieces } from "../../server/src/engine/promptFormat.js";
import { ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";
import { loadTestEngine } from "./testEngine.js";
import { ids } from "./vocabIds.js";

const PREFIX = ["▁function", "▁add", "(", "a", ",", "▁b", ")", "▁{", "<0x0A>", "▁▁▁▁"];
// encode_infilling: no implicit leading "▁" before the suffix's first line break.
const SUFFIX = ["<0x0A>", "}", "<0x0A>"];

describe("FIM prompt tokens with the real tokenizer", () => {
    let engine: EmbeddedEngine;
    before(async () => {
        engine = await loadTestEngine(await ensureTinyModel());
    });
    after(() => engine.dispose());

    const document = TextDocument.create("file:///add.js", "javascript", 1, "function add(a, b) {\n    \n}\n");
    const settings = (layout: "psm" | "psm-line" | "spm") => ({ ...defaultConfig().completion, layout });
    /** The prompt laid out for the cursor, with the tokens the engine encodes it to. */
    const build = async (doc: TextDocument, position: { line: number; character: number }, promptSettings: PromptSettings, hints?: PromptHints) => {
        const prompt = await buildCompletionPrompt(engine, 1024, doc, position, promptSettings, hints);
        return { ...prompt, tokens: engine.encode(infillPieces(prompt.request)) };
    };

    it("prefix-suffix-middle is [BOS, ▁<PRE>] + encode(prefix) + [▁<SUF>] + encode_infilling(suffix) + [▁<MID>]", async () => {
        const prompt = await build(document, { line: 1, character: 4 }, settings("psm"));
        assert.deepEqual(prompt.tokens, ids("<s>", "▁<PRE>", ...PREFIX, "▁<SUF>", ...SUFFIX, "▁<MID>"));
    });

    it("suffix-prefix-middle is [BOS, ▁<PRE>, ▁<SUF>] + encode_infilling(suffix) + [▁<MID>] + encode(prefix)", async () => {
        const prompt = await build(document, { line: 1, character: 4 }, settings("spm"));
        assert.deepEqual(prompt.tokens, ids("<s>", "▁<PRE>", "▁<SUF>", ...SUFFIX, "▁<MID>", ...PREFIX));
    });

    it("the text '<PRE>' in a document stays text, never the control token", async () => {
        const tricky = TextDocument.create("file:///t.txt", "plaintext", 1, "<PRE><SUF><MID>");
        const prompt = await build(tricky, { line: 0, character: 15 }, settings("psm"));
        const control = ids("▁<PRE>", "▁<SUF>", "▁<MID>");
        assert.equal(prompt.tokens.filter((token) => control.includes(token)).length, 3, "only the layout's own three control tokens");
    });

    it("psm-line puts the typed part of the cursor's line after [▁<MID>], without a leading space", async () => {
        const prompt = await build(document, { line: 1, character: 4 }, settings("psm-line"));
        assert.deepEqual(prompt.tokens, ids("<s>", "▁<PRE>", ...PREFIX.slice(0, -1), "▁<SUF>", ...SUFFIX, "▁<MID>", "▁▁▁▁"));
    });

    it("psm-line keeps the lines typed one after another after [▁<MID>], so a line break only appends tokens", async () => {
        const first = await build(document, { line: 1, character: 4 }, settings("psm-line"));
        assert.equal(first.anchor.middleStartLine, 1);
        const typedLine = TextDocument.create("file:///add.js", "javascript", 2, "function add(a, b) {\n    a++;\n    \n}\n");
        const next = await build(typedLine, { line: 2, character: 4 }, settings("psm-line"), { anchor: first.anchor });
        assert.equal(next.anchor.middleStartLine, 1, "the middle still starts at the first typed line");
        assert.deepEqual(next.tokens.slice(0, first.tokens.length - 1), first.tokens.slice(0, -1), "everything up to the typed text is unchanged");
        assert.deepEqual(next.tokens.slice(first.tokens.length - 1), ids("▁▁▁", "▁a", "++", ";", "<0x0A>", "▁▁▁▁"));
        // Without the anchor the finished line moves before ▁<SUF>.
        const fresh = await build(typedLine, { line: 2, character: 4 }, settings("psm-line"));
        assert.equal(fresh.anchor.middleStartLine, 2);
        assert.deepEqual(fresh.tokens.slice(-2), ids("▁<MID>", "▁▁▁▁"));
        // The text after the cursor changed (an edit below, or the cursor moved): the middle starts again at the cursor's line.
        const editedBelow = TextDocument.create("file:///add.js", "javascript", 3, "function add(a, b) {\n    a++;\n    \n    b++;\n}\n");
        const moved = await build(editedBelow, { line: 2, character: 4 }, settings("psm-line"), { anchor: next.anchor });
        assert.equal(moved.anchor.middleStartLine, 2);
        assert.deepEqual(moved.tokens.slice(-2), ids("▁<MID>", "▁▁▁▁"));
    });

    it("cuts the prefix at line boundaries far from the cursor, and keeps its top line while typing until it outgrows the budget", async () => {
        const text = "let x = 1;\n".repeat(500) + "function add(a, b) {\n    \n}\n";
        const long = TextDocument.create("file:///long.js", "javascript", 1, text);
        const tight = { ...settings("psm"), maxTokens: 100, prefixShare: 0.1, suffixShare: 0.05 };
        const first = await build(long, { line: 501, character: 4 }, tight);
        // No earlier prompt: the cut leaves a quarter of the budget (102 tokens) to type into.
        assert.ok(
            first.prefixTokens <= 102 * PREFIX_REFILL_SHARE && first.prefixTokens > 102 * PREFIX_REFILL_SHARE - 8,
            `prefix has ${first.prefixTokens} tokens`,
        );
        const prefixTokens = first.tokens.slice(2, 2 + first.prefixTokens);
        // After a line break, "function" has no leading space piece.
        assert.deepEqual(prefixTokens.slice(-PREFIX.length), ids("function", ...PREFIX.slice(1)));
        assert.equal(engine.detokenize(prefixTokens).split("\n")[0], "let x = 1;", "starts at a line start");
        const startLine = 501 - engine.detokenize(prefixTokens).split("\n").length + 1;
        assert.equal(first.anchor.prefixStartLine, startLine);

        // Typing a line below: the top stays, so the new prompt extends the old one up to the cursor's old line ("▁▁▁▁").
        const typed = TextDocument.create(
            "file:///long.js",
            "javascript",
            2,
            text.replace("function add(a, b) {\n    ", "function add(a, b) {\n    a++;\n    "),
        );
        const next = await build(typed, { line: 502, character: 4 }, tight, { anchor: first.anchor });
        assert.equal(next.anchor.prefixStartLine, startLine);
        assert.deepEqual(next.tokens.slice(0, 1 + first.prefixTokens), first.tokens.slice(0, 1 + first.prefixTokens));

        // Typing past the budget moves the top down by a block, once.
        const many = TextDocument.create(
            "file:///long.js",
            "javascript",
            3,
            text.replace("function add(a, b) {\n    ", "function add(a, b) {\n" + "    a++;\n".repeat(12) + "    "),
        );
        const moved = await build(many, { line: 513, character: 4 }, tight, { anchor: { prefixStartLine: startLine } });
        assert.ok(moved.anchor.prefixStartLine! > startLine, `top moved from ${startLine} to ${moved.anchor.prefixStartLine}`);
        assert.ok(moved.prefixTokens <= 102 * PREFIX_REFILL_SHARE);
    });

    it("puts snippets of other files first, as comments with their paths, within their budget", async () => {
        const extra = {
            snippets: [
                { uri: "file:///w/old.js", text: "const OLD_SNIPPET = 1;" },
                { uri: "file:///w/src/util.js", text: "export function helperFromUtil(x) {\n  return x * 2;\n}" },
            ],
            pathOf: (uri: string) => uri.replace("file:///w/", ""),
        };
        const withSnippets = { ...settings("psm"), extraContextShare: 0.1 };
        const prompt = await build(document, { line: 1, character: 4 }, withSnippets, { extra });
        const text = engine.detokenize(prompt.tokens.slice(2, 2 + prompt.prefixTokens));
        assert.equal(
            text,
            "// Path: old.js\n// const OLD_SNIPPET = 1;\n// Path: src/util.js\n// export function helperFromUtil(x) {\n//   return x * 2;\n// }\nfunction add(a, b) {\n    ",
        );
        const newest = engine.tokenizer.encode("// Path: src/util.js\n// export function helperFromUtil(x) {\n//   return x * 2;\n// }\n").length;
        const tight = await build(document, { line: 1, character: 4 }, { ...withSnippets, extraContextShare: (newest + 2) / 1024 }, { extra });
        const tightText = engine.detokenize(tight.tokens.slice(2, 2 + tight.prefixTokens));
        assert.ok(tightText.startsWith("// Path: src/util.js"), "the oldest snippet is dropped first");
        assert.ok(!tightText.includes("OLD_SNIPPET"));
    });

    it("generates the scripted answer and reuses the KV cache for an unchanged prompt", async () => {
        const prompt = await build(document, { line: 1, character: 4 }, settings("psm"));
        const first = await engine.infill(prompt.request, { maxTokens: 32 });
        assert.equal(first.text, FIM_ANSWER);
        assert.equal(first.stopReason, "end-of-generation");
        assert.equal(first.promptTokens, prompt.tokens.length);
        const second = await engine.infill(prompt.request, { maxTokens: 32 });
        assert.equal(second.reusedTokens, prompt.tokens.length - 1);
        assert.equal(second.evaluatedTokens, 1);
        assert.deepEqual([second.text, second.generatedTokens], [first.text, first.generatedTokens]);
    });
});
