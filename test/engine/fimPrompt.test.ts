// The FIM prompt as the real engine tokenizes it, against token lists derived by hand from the vocab.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { buildCompletionPrompt } from "../../server/src/completion/completer.js";
import { defaultConfig } from "../../server/src/config/resolve.js";
import { Engine } from "../../server/src/engine/engine.js";
import { Logger } from "../../server/src/log/logger.js";
import { ensureTinyModel, FIM_ANSWER } from "../fixtures/tiny-codellama/index.js";
import { ids } from "./vocabIds.js";


const PREFIX = ["▁function", "▁add", "(", "a", ",", "▁b", ")", "▁{", "<0x0A>", "▁▁▁▁"];
// encode_infilling: no implicit leading "▁" before the suffix's first line break.
const SUFFIX = ["<0x0A>", "}", "<0x0A>"];

describe("FIM prompt tokens with the real tokenizer", () => {
    let engine: Engine;
    before(async () => {
        engine = await Engine.load({ modelPath: await ensureTinyModel(), gpu: "off", gpuLayers: 0, threads: 1, contextSize: 1024, logger: new Logger(() => undefined, "error") });
    });
    after(() => engine.dispose());

    const document = TextDocument.create("file:///add.js", "javascript", 1, "function add(a, b) {\n    \n}\n");
    const settings = (fimFormat: "psm" | "spm") => ({ ...defaultConfig().completion, fimFormat });

    it("prefix-suffix-middle is [BOS, ▁<PRE>] + encode(prefix) + [▁<SUF>] + encode_infilling(suffix) + [▁<MID>]", async () => {
        const prompt = await buildCompletionPrompt(engine.tokenizer, 1024, document, { line: 1, character: 4 }, settings("psm"));
        assert.deepEqual(prompt.tokens, ids("<s>", "▁<PRE>", ...PREFIX, "▁<SUF>", ...SUFFIX, "▁<MID>"));
    });

    it("suffix-prefix-middle is [BOS, ▁<PRE>, ▁<SUF>] + encode_infilling(suffix) + [▁<MID>] + encode(prefix)", async () => {
        const prompt = await buildCompletionPrompt(engine.tokenizer, 1024, document, { line: 1, character: 4 }, settings("spm"));
        assert.deepEqual(prompt.tokens, ids("<s>", "▁<PRE>", "▁<SUF>", ...SUFFIX, "▁<MID>", ...PREFIX));
    });

    it("the text '<PRE>' in a document stays text, never the control token", async () => {
        const tricky = TextDocument.create("file:///t.txt", "plaintext", 1, "<PRE><SUF><MID>");
        const prompt = await buildCompletionPrompt(engine.tokenizer, 1024, tricky, { line: 0, character: 15 }, settings("psm"));
        const control = ids("▁<PRE>", "▁<SUF>", "▁<MID>");
        assert.equal(prompt.tokens.filter((token) => control.includes(token)).length, 3, "only the layout's own three control tokens");
    });

    it("cuts the prefix to its budget at line boundaries far from the cursor", async () => {
        const long = TextDocument.create("file:///long.js", "javascript", 1, "let x = 1;\n".repeat(500) + "function add(a, b) {\n    \n}\n");
        const prompt = await buildCompletionPrompt(engine.tokenizer, 1024, long, { line: 501, character: 4 }, { ...settings("psm"), maxTokens: 100, prefixShare: 0.1, suffixShare: 0.05 });
        assert.ok(prompt.prefixTokens <= 102, `prefix has ${prompt.prefixTokens} tokens`);
        assert.ok(prompt.prefixTokens > 80, "the budget is used");
        const prefixTokens = prompt.tokens.slice(2, 2 + prompt.prefixTokens);
        // After a line break, "function" has no leading space piece.
        assert.deepEqual(prefixTokens.slice(-PREFIX.length), ids("function", ...PREFIX.slice(1)));
        assert.equal(engine.detokenize(prefixTokens).split("\n")[0], "let x = 1;", "starts at a line start");
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
        const prompt = await buildCompletionPrompt(engine.tokenizer, 1024, document, { line: 1, character: 4 }, withSnippets, extra);
        const text = engine.detokenize(prompt.tokens.slice(2, 2 + prompt.prefixTokens));
        assert.equal(text, "// Path: old.js\n// const OLD_SNIPPET = 1;\n// Path: src/util.js\n// export function helperFromUtil(x) {\n//   return x * 2;\n// }\nfunction add(a, b) {\n    ");
        const newest = engine.tokenizer.encode("// Path: src/util.js\n// export function helperFromUtil(x) {\n//   return x * 2;\n// }\n").length;
        const tight = await buildCompletionPrompt(engine.tokenizer, 1024, document, { line: 1, character: 4 }, { ...withSnippets, extraContextShare: (newest + 2) / 1024 }, extra);
        const tightText = engine.detokenize(tight.tokens.slice(2, 2 + tight.prefixTokens));
        assert.ok(tightText.startsWith("// Path: src/util.js"), "the oldest snippet is dropped first");
        assert.ok(!tightText.includes("OLD_SNIPPET"));
    });

    it("generates the scripted answer and reuses the KV cache for an unchanged prompt", async () => {
        const prompt = await buildCompletionPrompt(engine.tokenizer, 1024, document, { line: 1, character: 4 }, settings("psm"));
        const first = await engine.generate("completion", prompt.tokens, { maxTokens: 32 });
        assert.equal(engine.detokenize(first.tokens, prompt.tokens.slice(-1)), FIM_ANSWER);
        assert.equal(first.stopReason, "end-of-generation");
        const second = await engine.generate("completion", prompt.tokens, { maxTokens: 32 });
        assert.equal(second.reusedTokens, prompt.tokens.length - 1);
        assert.equal(second.evaluatedTokens, 1);
        assert.deepEqual(second.tokens, first.tokens);
    });
});
