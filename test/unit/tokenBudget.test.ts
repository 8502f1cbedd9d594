import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
    capBudgets,
    cutAtLineBoundary,
    fimBudgets,
    fitToBudget,
    MAX_CHARS_PER_TOKEN,
    splitLinesKeepingBreaks,
} from "../../server/src/completion/tokenBudget.js";

/** One token per character, so budgets are easy to reason about. */
const charTokens = (text: string): number => [...text].length;
let calls = 0;
const countingTokens = (text: string): number => {
    calls++;
    return charTokens(text);
};

describe("fitToBudget", () => {
    const text = "line one\nline two\nline three\n";

    it("keeps text that fits", async () => {
        assert.equal((await fitToBudget(text, 100, "end", charTokens)).text, text);
    });
    it("drops whole lines far from the cursor: the start of a prefix", async () => {
        const fitted = await fitToBudget(text, 19, "end", charTokens);
        assert.equal(fitted.text, "line three\n");
        assert.equal(fitted.tokens, 11);
    });
    it("drops whole lines far from the cursor: the end of a suffix", async () => {
        assert.equal((await fitToBudget(text, 20, "start", charTokens)).text, "line one\nline two\n");
    });
    it("cuts inside the line next to the cursor only when that line alone is too long", async () => {
        assert.equal((await fitToBudget("far\nabcdefghij", 4, "end", charTokens)).text, "ghij");
        assert.equal((await fitToBudget("abcdefghij\nfar", 4, "start", charTokens)).text, "abcd");
    });
    it("returns nothing for a zero budget", async () => {
        assert.deepEqual(await fitToBudget(text, 0, "end", charTokens), { text: "", tokens: 0 });
    });
    it("tokenizes a window around the cursor, not a huge document, a logarithmic number of times", async () => {
        const huge = "x = 1;\n".repeat(200_000);
        calls = 0;
        let longest = 0;
        const fitted = await fitToBudget(huge, 100, "end", (t) => {
            longest = Math.max(longest, t.length);
            return countingTokens(t);
        });
        assert.equal(fitted.text, "x = 1;\n".repeat(14));
        assert.ok(longest <= 100 * MAX_CHARS_PER_TOKEN, `tokenized ${longest} characters`);
        assert.ok(calls <= 12, `tokenized ${calls} times`);
    });
    it("never splits a surrogate pair", async () => {
        assert.equal((await fitToBudget("a😀b😀c", 2, "end", charTokens)).text, "😀c");
        assert.equal((await fitToBudget("a😀b😀c", 2, "start", charTokens)).text, "a😀");
    });
});

describe("cutAtLineBoundary", () => {
    it("drops the partial far line of the window", async () => {
        assert.equal(cutAtLineBoundary("aaaa\nbbbb\ncc", 8, "end"), "bbbb\ncc");
        assert.equal(cutAtLineBoundary("aa\nbbbb\ncccc", 8, "start"), "aa\nbbbb\n");
    });
    it("keeps a window without line breaks as it is", async () => {
        assert.equal(cutAtLineBoundary("abcdefgh", 3, "end"), "fgh");
    });
});

describe("splitLinesKeepingBreaks", () => {
    it("keeps each line's break", async () => {
        assert.deepEqual(splitLinesKeepingBreaks("a\nb\n"), ["a\n", "b\n"]);
        assert.deepEqual(splitLinesKeepingBreaks("a\nb"), ["a\n", "b"]);
    });
});

describe("fimBudgets", () => {
    it("gives each side its share of the context", async () => {
        assert.deepEqual(fimBudgets({ contextSize: 4096, maxTokens: 128, prefixShare: 0.5, suffixShare: 0.2, overhead: 4 }), {
            prefix: 2048,
            suffix: 819,
            extra: 0,
        });
    });
    it("never exceeds what the context leaves after generation", async () => {
        assert.deepEqual(fimBudgets({ contextSize: 512, maxTokens: 400, prefixShare: 0.9, suffixShare: 0.9, overhead: 4 }), {
            prefix: 0,
            suffix: 108,
            extra: 0,
        });
    });
});

describe("fimBudgets with snippets of other files", () => {
    it("gives snippets their share only from what prefix and suffix leave", async () => {
        assert.deepEqual(fimBudgets({ contextSize: 4096, maxTokens: 128, prefixShare: 0.5, suffixShare: 0.2, extraShare: 0.1, overhead: 4 }), {
            prefix: 2048,
            suffix: 819,
            extra: 409,
        });
        assert.deepEqual(fimBudgets({ contextSize: 1000, maxTokens: 100, prefixShare: 0.6, suffixShare: 0.25, extraShare: 0.5, overhead: 4 }), {
            prefix: 600,
            suffix: 250,
            extra: 46,
        });
    });
});

describe("capBudgets", () => {
    it("shrinks prefix and suffix in proportion and leaves snippets out", () => {
        assert.deepEqual(capBudgets({ prefix: 2048, suffix: 512, extra: 409 }, 640), { prefix: 512, suffix: 128, extra: 0 });
    });
    it("never grows a budget", () => {
        assert.deepEqual(capBudgets({ prefix: 100, suffix: 50, extra: 20 }, 1000), { prefix: 100, suffix: 50, extra: 0 });
    });
    it("a cap below zero leaves nothing", () => {
        assert.deepEqual(capBudgets({ prefix: 100, suffix: 50, extra: 20 }, -3), { prefix: 0, suffix: 0, extra: 0 });
    });
});
