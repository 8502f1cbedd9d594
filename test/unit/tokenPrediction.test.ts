import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LlamaContextSequence } from "node-llama-cpp";
import type { Token } from "../../server/src/engine/tokenizer.js";
import { AcceptanceWindow, type PredictionCounts, PredictionLength, Speculation, vocabularyMismatch } from "../../server/src/engine/tokenPrediction.js";

describe("how many tokens input lookup proposes", () => {
    it("starts at the initial length, doubles after a proposal that held, and stays within the maximum", () => {
        const length = new PredictionLength(2, 16, 4);
        assert.equal(length.tokens, 4);
        length.settle(4, 4, false);
        assert.equal(length.tokens, 8);
        length.settle(8, 8, false);
        length.settle(16, 16, false);
        assert.equal(length.tokens, 16);
    });

    it("keeps the length after a proposal that held at least half way, or that the answer's end cut short", () => {
        const length = new PredictionLength(2, 16, 8);
        length.settle(8, 4, false);
        assert.equal(length.tokens, 8);
        length.settle(8, 0, true);
        assert.equal(length.tokens, 8, "a copy right up to the answer's end");
    });

    it("halves after a proposal that broke off early, not below the minimum", () => {
        const length = new PredictionLength(2, 16, 8);
        length.settle(8, 3, false);
        assert.equal(length.tokens, 4);
        length.settle(4, 0, false);
        length.settle(2, 0, false);
        assert.equal(length.tokens, 2);
    });

    it("ignores steps without a proposal", () => {
        const length = new PredictionLength(2, 16, 8);
        length.settle(0, 0, false);
        assert.equal(length.tokens, 8);
    });
});

describe("a draft model's vocabulary", () => {
    const llama = { kind: "llama", tokens: ["<unk>", "<s>", "</s>", "▁a"] };

    it("fits when the tokenizer and every token are the same", () => {
        assert.equal(vocabularyMismatch(llama, { kind: "llama", tokens: [...llama.tokens] }), undefined);
    });

    it("says what differs: the tokenizer, the size, or the first token that differs", () => {
        assert.equal(vocabularyMismatch(llama, { ...llama, kind: "gpt2" }), "its tokenizer is gpt2, the model's llama");
        assert.equal(vocabularyMismatch(llama, { ...llama, tokens: llama.tokens.slice(0, 3) }), "it has 3 tokens, the model 4");
        assert.equal(vocabularyMismatch(llama, { ...llama, tokens: ["<unk>", "<s>", "</s>", "▁b"] }), 'token 3 is "▁b" in it, "▁a" in the model');
    });
});

/**
 * A sequence of a scripted model (each token's successor is fixed; 17 ends the answer) that logs
 * every decode, so that the order of decodes and thread choices can be read exactly.
 */
class ScriptedSequence {
    readonly contextTokens: Token[] = [];
    readonly contextSize = 1024;
    readonly disposed = false;
    readonly model = { isEogToken: (token: Token): boolean => token === END };
    constructor(
        private readonly log: string[],
        private readonly successor: (token: Token) => Token = scripted,
        private readonly name = "",
    ) {}

    get nextTokenIndex(): number {
        return this.contextTokens.length;
    }

    async *evaluate(tokens: readonly Token[]): AsyncGenerator<Token, void, undefined> {
        for (let input = tokens; ; ) {
            this.log.push(`${this.name}evaluate ${input.join(",")}`);
            this.contextTokens.push(...input);
            const next = this.successor(input.at(-1)!);
            yield next;
            input = [next];
        }
    }

    async *evaluateWithMetadata(tokens: readonly Token[]): AsyncGenerator<{ token: Token; confidence: number }, void, undefined> {
        for await (const token of this.evaluate(tokens)) yield { token, confidence: 1 };
    }

    async evaluateWithoutGeneratingNewTokens(tokens: readonly Token[]): Promise<void> {
        this.log.push(`${this.name}evaluate ${tokens.join(",")}`);
        this.contextTokens.push(...tokens);
    }

    async controlledEvaluate(items: readonly (Token | [Token, { generateNext?: { token?: boolean } }])[]): Promise<({ next: { token: Token } } | undefined)[]> {
        const tokens = items.map((item) => (Array.isArray(item) ? item[0] : item));
        this.log.push(`${this.name}batch ${tokens.join(",")}`);
        this.contextTokens.push(...tokens);
        return items.map((item) => (Array.isArray(item) && item[1].generateNext?.token ? { next: { token: this.successor(item[0]) } } : undefined));
    }

    async eraseContextTokenRanges(ranges: readonly { start: number; end: number }[]): Promise<void> {
        for (const { start, end } of ranges) {
            this.log.push(`${this.name}erase ${start}-${end}`);
            this.contextTokens.splice(start, end - start);
        }
    }
}

const END = 2;
/** 10 → 11 → … → 17 → END: the prompt below goes on with 10 after 17, so a guess that copies it breaks there. */
const scripted = (token: Token): Token => (token >= 10 && token < 17 ? token + 1 : END);
const PROMPT: readonly Token[] = [10, 11, 12, 13, 14, 15, 16, 17, 10, 11];

async function decodeAll(
    lookup: boolean,
    options: { draft?: (token: Token) => Token; successor?: (token: Token) => Token; prompt?: readonly Token[]; maxTokens?: number } = {},
): Promise<{ tokens: Token[]; log: string[]; predictions: PredictionCounts }> {
    const log: string[] = [];
    const speculation = new Speculation(lookup);
    const sequence = new ScriptedSequence(log, options.successor) as unknown as LlamaContextSequence;
    if (options.draft) speculation.useDraft(new ScriptedSequence(log, options.draft, "draft ") as unknown as LlamaContextSequence);
    const prompt = options.prompt ?? PROMPT;
    const tokens: Token[] = [];
    try {
        for await (const token of speculation.decode(sequence, prompt, {
            prompt,
            maxTokens: options.maxTokens ?? 20,
            evaluationPriority: 5,
            step: (kind, decode) => {
                log.push(`${kind.model} ${kind.work}`);
                return decode();
            },
        })) {
            tokens.push(token);
            if (token === END) break;
        }
        return { tokens, log, predictions: speculation.predictions };
    } finally {
        speculation.dispose();
    }
}

describe("the decode loop", () => {
    it("names each decode's work before it: the prompt with the first token, then each generated token", async () => {
        const { tokens, log, predictions } = await decodeAll(false);
        assert.deepEqual(tokens, [12, 13, 14, 15, 16, 17, END]);
        assert.deepEqual(log, [
            "target prompt",
            "evaluate 10,11,12,13,14,15,16,17,10,11",
            ...[12, 13, 14, 15, 16, 17].flatMap((token) => ["target generation", `evaluate ${token}`]),
        ]);
        assert.deepEqual(predictions, { validated: 0, refuted: 0 });
    });

    it("with input lookup: the same tokens, the checked batch at the generation count, the refuted guesses erased", async () => {
        const { tokens, log, predictions } = await decodeAll(true);
        assert.deepEqual(tokens, [12, 13, 14, 15, 16, 17, END]);
        assert.deepEqual(log, ["target prompt", "evaluate 10,11,12,13,14,15,16,17,10,11", "target generation", "batch 12,13,14,15,16,17,10,11", "erase 16-18"]);
        assert.deepEqual(predictions, { validated: 5, refuted: 2 });
    });
});

describe("a draft model in the decode loop", () => {
    it("guesses inside the target's steps, each draft decode a step of its own; the batch checks the guesses", async () => {
        const { tokens, log, predictions } = await decodeAll(false, { draft: scripted });
        assert.deepEqual(tokens, [12, 13, 14, 15, 16, 17, END]);
        assert.deepEqual(log, [
            "target prompt",
            "evaluate 10,11,12,13,14,15,16,17,10,11",
            "draft prompt",
            "draft evaluate 10,11,12,13,14,15,16,17,10,11,12",
            ...[13, 14, 15, 16, 17].flatMap((token) => ["draft generation", `draft evaluate ${token}`]),
            "target generation",
            `batch 12,13,14,15,16,17,${END}`,
        ]);
        assert.deepEqual(predictions, { validated: 6, refuted: 0 });
    });

    it("keeps what the draft has of the answer and erases its wrong guesses before the next proposal", async () => {
        // The draft guesses 13 after 12, then 99 and the end where the answer goes on with 14.
        const { tokens, log, predictions } = await decodeAll(false, { draft: (token) => (token === 13 ? 99 : scripted(token)) });
        assert.deepEqual(tokens, [12, 13, 14, 15, 16, 17, END]);
        assert.deepEqual(predictions, { validated: 5, refuted: 2 });
        assert.deepEqual(log, [
            "target prompt",
            "evaluate 10,11,12,13,14,15,16,17,10,11",
            "draft prompt",
            "draft evaluate 10,11,12,13,14,15,16,17,10,11,12",
            "draft generation",
            "draft evaluate 13",
            "draft generation",
            "draft evaluate 99",
            "target generation",
            `batch 12,13,99,${END}`,
            "erase 12-14",
            // The draft keeps the 12 tokens it shares with the target and drops its 99, then guesses after 14.
            "draft erase 12-13",
            ...[14, 15, 16, 17].flatMap((token) => ["draft generation", `draft evaluate ${token}`]),
            "target generation",
            `batch 14,15,16,17,${END}`,
        ]);
    });

    it("stops guessing for the rest of the answer once its guesses keep failing, and answers the same", async () => {
        const counting = (token: Token): Token => (token < 200 ? token + 1 : END);
        const wrong = (token: Token): Token => token + 2;
        const options = { successor: counting, prompt: [10, 11], maxTokens: 150 };
        const { tokens, predictions } = await decodeAll(false, { ...options, draft: wrong });
        assert.deepEqual(tokens, (await decodeAll(false, options)).tokens);
        // Proposals of 8, 4, then 2 tokens (halved after each failure, at least 2): 32 wrong guesses fill the window.
        assert.deepEqual(predictions, { validated: 0, refuted: 32 });
    });
});

describe("whether guesses pay for their checks in one answer", () => {
    it("pays until a full window of 32 guesses has fewer than 30 % confirmed, then never again", () => {
        const acceptance = new AcceptanceWindow(32, 0.3);
        acceptance.record(31, 0);
        assert.equal(acceptance.paying, true, "31 guesses are not a full window");
        acceptance.record(1, 0);
        assert.equal(acceptance.paying, false);
        acceptance.record(32, 32);
        assert.equal(acceptance.paying, false, "for the rest of the answer");
    });

    it("counts each guessed token, the first `confirmed` of a proposal held, over the last 32 only", () => {
        const acceptance = new AcceptanceWindow(32, 0.3);
        acceptance.record(10, 10);
        acceptance.record(22, 0);
        assert.equal(acceptance.paying, true, "10 of 32 confirmed (31 %)");
        acceptance.record(1, 0);
        assert.equal(acceptance.paying, false, "9 of the last 32 (28 %)");
        const steady = new AcceptanceWindow(32, 0.3);
        for (let index = 0; index < 100; index++) steady.record(8, 3);
        assert.equal(steady.paying, true, "3 of every 8 held (37.5 %)");
    });
});
