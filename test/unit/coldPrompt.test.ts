import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextDocument } from "vscode-languageserver-textdocument";
import { affordablePrompt, affordablePromptTokens, COLD_PROMPT_MIN_TOKENS } from "../../server/src/completion/coldPrompt.js";
import { buildCompletionPrompt, type CompletionPrompt, type CompletionSettings, type PromptSettings } from "../../server/src/completion/promptLayout.js";
import { reusableTokens } from "../../server/src/engine/embeddedEngine.js";
import type { InferenceEngine } from "../../server/src/engine/inference.js";
import { encodePiecesSync, type InfillRequest, infillPieces } from "../../server/src/engine/promptFormat.js";
import { PromptSpeed } from "../../server/src/engine/promptSpeed.js";
import type { Token } from "../../server/src/engine/tokenizer.js";
import { CODE_LLAMA_7B_INSTRUCT } from "../fixtures/modelRoles.js";

/** One token per UTF-16 unit; ids above the special tokens. */
const charTokens = (text: string): Token[] => Array.from(text, (ch) => ch.charCodeAt(0) + 10);
const encode = (request: InfillRequest): Token[] =>
    encodePiecesSync(infillPieces(request), { encode: charTokens, encodeInfilling: charTokens }, { bos: 1, prefix: 2, suffix: 3, middle: 4 });
const counter = { countTokens: (text: string) => charTokens(text).length };
/** A prompt with the tokens this engine encodes it to. */
const withTokens = (prompt: CompletionPrompt) => ({ ...prompt, tokens: encode(prompt.request) });

/** An engine whose completion cache holds `cache.tokens` and that reads prompts at `cache.tokensPerSecond`. */
function engineWithCache(cache: { tokens: Token[]; tokensPerSecond?: number }): Pick<InferenceEngine, "info" | "countTokens" | "promptCost"> {
    return {
        info: { modelPath: "m.gguf", modelName: "m", roles: CODE_LLAMA_7B_INSTRUCT, device: "cpu", gpuLayers: 0, totalLayers: 1, contextSize: 4096, loadMs: 0 },
        ...counter,
        promptCost: (request) => {
            const prompt = encode(request);
            return { uncachedTokens: prompt.length - reusableTokens(cache.tokens, prompt), tokensPerSecond: cache.tokensPerSecond };
        },
    };
}

const settings: PromptSettings & Pick<CompletionSettings, "coldPromptMs"> = {
    maxTokens: 64,
    coldPromptMs: 1000,
    layout: "psm-line",
    prefixShare: 0.5,
    suffixShare: 0.125,
    reuseCache: true,
    extraContextShare: 0,
};
// 4,400 characters (tokens) above the cursor: more than the full prefix budget.
const TEXT = "let x = 1;\n".repeat(400) + "function f() {\n    \n}\n" + "g();\n".repeat(50);
const CURSOR = { line: 401, character: 4 };
const documentV1 = TextDocument.create("file:///a.js", "javascript", 1, TEXT);
const fullPrompt = async () => withTokens(await buildCompletionPrompt(counter, 4096, documentV1, CURSOR, settings));

describe("affordablePromptTokens", () => {
    it("is what the engine reads in the time limit, never below the minimum", () => {
        assert.equal(affordablePromptTokens(2000, 1500), 3000);
        assert.equal(affordablePromptTokens(100, 1500), COLD_PROMPT_MIN_TOKENS);
        assert.equal(affordablePromptTokens(undefined, 1500), COLD_PROMPT_MIN_TOKENS);
    });
    it("has no limit when the time limit is 0", () => {
        assert.equal(affordablePromptTokens(100, 0), Number.POSITIVE_INFINITY);
    });
});

describe("PromptSpeed", () => {
    it("averages measured evaluations and ignores short ones", () => {
        const speed = new PromptSpeed(64, 0.5);
        assert.equal(speed.tokensPerSecond, undefined);
        speed.record(10, 1);
        assert.equal(speed.tokensPerSecond, undefined);
        speed.record(256, 1000);
        assert.equal(speed.tokensPerSecond, 256);
        speed.record(512, 1000);
        assert.equal(speed.tokensPerSecond, 384);
        speed.record(512, 0);
        assert.equal(speed.tokensPerSecond, 384);
    });
    it("sizes prompt chunks to about a quarter second of work, within 32..256 tokens", () => {
        const speed = new PromptSpeed(64, 1);
        assert.equal(speed.chunkTokens(), 64);
        speed.record(400, 1000);
        assert.equal(speed.chunkTokens(), 100);
        speed.record(100, 1000);
        assert.equal(speed.chunkTokens(), 32);
        speed.record(10000, 1000);
        assert.equal(speed.chunkTokens(), 256);
    });
});

describe("affordablePrompt: a cold cache gets a prompt the engine reads quickly", () => {
    it("cuts a cold prompt to the minimum before the speed is measured, and marks it", async () => {
        const full = await fullPrompt();
        assert.ok(full.tokens.length > 1500, `full prompt ${full.tokens.length}`);
        const cut = withTokens(await affordablePrompt(engineWithCache({ tokens: [] }), documentV1, CURSOR, settings, {}));
        // The prefix is cut to PREFIX_REFILL_SHARE of its share, as any prompt whose top moves.
        assert.ok(cut.tokens.length <= COLD_PROMPT_MIN_TOKENS && cut.tokens.length > COLD_PROMPT_MIN_TOKENS * 0.75, `cut prompt ${cut.tokens.length}`);
        assert.equal(cut.anchor.coldCut, COLD_PROMPT_MIN_TOKENS);
        // The text nearest the cursor stays: the cut prompt ends like the full one.
        assert.deepEqual(cut.tokens.slice(-8), full.tokens.slice(-8));
    });

    it("cuts to what the engine reads in coldPromptMs at its measured speed", async () => {
        const cut = withTokens(await affordablePrompt(engineWithCache({ tokens: [], tokensPerSecond: 1000 }), documentV1, CURSOR, settings, {}));
        assert.ok(cut.tokens.length <= 1000 && cut.tokens.length > 750, `cut prompt ${cut.tokens.length}`);
    });

    it("keeps the full prompt when the cache holds it, when coldPromptMs is 0, or when cache reuse is off", async () => {
        const full = await fullPrompt();
        const cold = engineWithCache({ tokens: [] });
        for (const [engine, custom] of [
            [engineWithCache({ tokens: full.tokens }), settings],
            [cold, { ...settings, coldPromptMs: 0 }],
            [cold, { ...settings, reuseCache: false }],
        ] as const) {
            const prompt = withTokens(await affordablePrompt(engine, documentV1, CURSOR, custom, {}));
            assert.deepEqual(prompt.tokens, full.tokens);
            assert.equal(prompt.anchor.coldCut, undefined);
        }
    });

    it("typing below a cut top keeps the cut prompt (cached) on a slow engine and grows it on a fast one", async () => {
        const cut = withTokens(await affordablePrompt(engineWithCache({ tokens: [] }), documentV1, CURSOR, settings, {}));
        const documentV2 = TextDocument.create("file:///a.js", "javascript", 2, TEXT.replace("{\n    \n}", "{\n    r\n}"));
        const typed = { line: 401, character: 5 };

        const slow = withTokens(
            await affordablePrompt(engineWithCache({ tokens: cut.tokens, tokensPerSecond: 10 }), documentV2, typed, settings, { anchor: cut.anchor }),
        );
        assert.equal(slow.anchor.coldCut, COLD_PROMPT_MIN_TOKENS);
        assert.equal(slow.anchor.prefixStartLine, cut.anchor.prefixStartLine);
        assert.deepEqual(slow.tokens.slice(0, cut.tokens.length - 1), cut.tokens.slice(0, -1));

        const fast = withTokens(
            await affordablePrompt(engineWithCache({ tokens: cut.tokens, tokensPerSecond: 1e6 }), documentV2, typed, settings, { anchor: cut.anchor }),
        );
        assert.equal(fast.anchor.coldCut, undefined);
        assert.deepEqual(fast.tokens, encode((await buildCompletionPrompt(counter, 4096, documentV2, typed, settings)).request));
    });
});
