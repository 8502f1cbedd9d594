/**
 * Speculative decoding: a predictor proposes the next few tokens, the model evaluates them in one
 * batch with the token it is generating, and keeps those its own greedy choice confirms. The output
 * is the same as one token at a time; it is faster when the guesses hold, because verifying several
 * tokens in one batch costs less per token than evaluating them one by one (reading the weights once
 * for the batch), and slower by the wasted verification when they do not.
 *
 * Two predictors (node-llama-cpp's): input lookup, which finds the last generated tokens in the
 * prompt and proposes what followed them there (answers that repeat their input: a fix rewriting the
 * user's code, an explanation quoting it, a completion copying a line), and a draft sequence of a
 * smaller model of the same vocabulary, which guesses ahead on its own.
 */
import {
    type ControlledEvaluateInputItem,
    DraftSequenceTokenPredictor,
    type EvaluationPriority,
    InputLookupTokenPredictor,
    type LlamaContextSequence,
    type Token as LlamaToken,
} from "node-llama-cpp";
import type { Token } from "./tokenizer.js";

/** Tokens proposed and how many of them the model confirmed, since the sequence was created. */
export interface PredictionCounts {
    validated: number;
    refuted: number;
}

/** At least this many of the last generated tokens must be found in the prompt: a single token (a space, a bracket) matches almost anywhere. */
const LOOKUP_PATTERN_TOKENS = 2;
/** Fewest and most tokens input lookup proposes at once, and where it starts. */
const LOOKUP_MIN_TOKENS = 2;
const LOOKUP_MAX_TOKENS = 16;
const LOOKUP_START_TOKENS = 8;
/** Most tokens a draft model proposes at once (node-llama-cpp's default). */
const DRAFT_MAX_TOKENS = 16;

/**
 * How many tokens to propose next, learnt from how proposals fared on the sequence (across its
 * generations): twice as many after a proposal that held entirely (a copy is under way), the same
 * after one that held at least half way or that the answer's end cut short (the copy was right to
 * its end: the next answer that copies is done in one batch), half as many after one that broke off
 * early (so proposals that keep failing cost little), within [min, max].
 */
export class PredictionLength {
    private current: number;

    constructor(
        private readonly min = LOOKUP_MIN_TOKENS,
        private readonly max = LOOKUP_MAX_TOKENS,
        start = LOOKUP_START_TOKENS,
    ) {
        this.current = start;
    }

    /** Tokens the next proposal may have. */
    get tokens(): number {
        return this.current;
    }

    /** The last proposal had `proposed` tokens, of which the first `confirmed` were what the model generated; `ended`: the token after them ended the answer. */
    settle(proposed: number, confirmed: number, ended: boolean): void {
        if (proposed === 0) return;
        if (confirmed >= proposed) this.current = Math.min(this.max, this.current * 2);
        else if (!ended && confirmed * 2 < proposed) this.current = Math.max(this.min, Math.floor(this.current / 2));
    }
}

export type PredictionSource = "input" | "draft" | "none";

/** What a decode does, for its thread count: evaluate (the rest of) a prompt, or generate. */
export type DecodeWork = "prompt" | "generation";

/**
 * Speculative decoding on one sequence. What proposes tokens is chosen per generation: the draft
 * model when one is attached, else input lookup in the prompt (when enabled), else nothing (then the
 * engine decodes one token at a time, as without this). node-llama-cpp's predictors propose;
 * verification is done here with `controlledEvaluate`, because node-llama-cpp 3.22.1's own
 * speculative loop confirms at most the first proposed token of each batch (its list of validated
 * tokens is never filled), which makes every longer proposal wasted work.
 */
export class Speculation {
    private readonly lookup = new InputLookupTokenPredictor({
        patternLength: { min: LOOKUP_PATTERN_TOKENS },
        predictionLength: { min: 1, max: LOOKUP_MAX_TOKENS },
    });
    private draft: DraftSequenceTokenPredictor | undefined;
    private readonly length = new PredictionLength();
    private readonly counts: PredictionCounts = { validated: 0, refuted: 0 };

    constructor(private readonly lookupEnabled: boolean) {}

    /** What proposes tokens in the next generation. */
    get source(): PredictionSource {
        return this.draft && !this.draft.draftSequence.disposed ? "draft" : this.lookupEnabled ? "input" : "none";
    }

    /** Proposed tokens so far, and how many the model confirmed. */
    get predictions(): PredictionCounts {
        return { ...this.counts };
    }

    /** Proposes with `sequence` (a draft model's, same vocabulary) from now on; undefined goes back to input lookup. */
    useDraft(sequence: LlamaContextSequence | undefined): void {
        this.draft?.dispose();
        this.draft = sequence ? new DraftSequenceTokenPredictor(sequence, { maxTokens: DRAFT_MAX_TOKENS }) : undefined;
    }

    /**
     * Evaluates `pending` (the rest of the prompt) on `sequence` and yields the greedy tokens after
     * it, as `sequence.evaluate` with temperature 0 would. While nothing is proposed (always, with
     * source "none") the tokens come from one such `evaluate` run; a step with a proposal evaluates
     * the token being generated and the proposed ones in one batch (`controlledEvaluate`) and yields
     * the model's token after each while they hold. The tokens yielded are always the model's own
     * choices; a proposal only decides how many one batch yields. At most `maxTokens` are proposed
     * in all. `beforeDecode` is called right before each decode this starts, with the kind of work
     * it is: "prompt" for the draft catching up with the prompt and then for the prompt's rest with
     * the first token, "generation" for every later step (one token or a checked batch) and for the
     * draft guessing ahead; the engine sets each one's threads there.
     */
    async *decode(
        sequence: LlamaContextSequence,
        pending: readonly Token[],
        options: { prompt: readonly Token[]; maxTokens: number; evaluationPriority: EvaluationPriority; beforeDecode(work: DecodeWork): void },
    ): AsyncGenerator<Token, void, undefined> {
        const { evaluationPriority, beforeDecode } = options;
        const isEndOfGeneration = (token: Token): boolean => sequence.model.isEogToken(token as LlamaToken);
        const source = this.source;
        const proposer = source === "draft" ? this.draft! : source === "input" ? this.lookup : undefined;
        if (proposer) {
            proposer.updateInputTokens(options.prompt as LlamaToken[]);
            beforeDecode("prompt");
            await proposer.reset({
                targetSequence: sequence,
                stateTokens: [...sequence.contextTokens, ...pending] as LlamaToken[],
                evaluateOptions: { temperature: 0, evaluationPriority },
            });
        }
        // Evaluated next: the rest of the prompt, then the last token yielded.
        let input = pending;
        let yielded = 0;
        // The one-token-at-a-time run, kept while nothing is proposed: each run and each batch costs
        // node-llama-cpp a sampler whose native memory is freed only when the garbage collector runs.
        let plain: AsyncGenerator<LlamaToken, void, undefined> | undefined;
        try {
            for (;;) {
                // Nothing is proposed with the prompt: what follows its tail (a chat turn's closing tag, the infill's <MID>) elsewhere in it is no guess at an answer.
                const room = yielded === 0 ? 0 : Math.min(sequence.contextSize - sequence.nextTokenIndex - input.length, options.maxTokens - yielded - 1);
                const proposal = proposer && room > 0 ? (await proposer.predictTokens()).slice(0, Math.min(room, this.length.tokens)) : [];
                beforeDecode(yielded === 0 ? "prompt" : "generation");
                let generated: Token[];
                if (proposal.length === 0) {
                    plain ??= sequence.evaluate(input as LlamaToken[], { temperature: 0, yieldEogToken: true, evaluationPriority });
                    const next = await plain.next();
                    if (next.done === true) return;
                    generated = [next.value];
                } else {
                    // The token the run yielded last is not evaluated yet: the batch starts with it.
                    await plain?.return();
                    plain = undefined;
                    generated = await this.verify(sequence, input, proposal, evaluationPriority, isEndOfGeneration);
                }
                if (proposer) {
                    // A draft model starts guessing ahead from the new tokens now.
                    beforeDecode("generation");
                    proposer.pushTokens(generated as LlamaToken[]);
                }
                for (const token of generated) {
                    yielded++;
                    yield token;
                }
                input = [generated.at(-1)!];
            }
        } finally {
            await plain?.return();
            proposer?.stop();
        }
    }

    /** Evaluates `input` and the proposal in one batch; the model's tokens after the input's last token and after each proposed token while the proposal held. */
    private async verify(
        sequence: LlamaContextSequence,
        input: readonly Token[],
        proposal: readonly Token[],
        evaluationPriority: EvaluationPriority,
        isEndOfGeneration: (token: Token) => boolean,
    ): Promise<Token[]> {
        const asking = [input.at(-1)!, ...proposal].map((token): ControlledEvaluateInputItem => [token as LlamaToken, { generateNext: { token: true } }]);
        const results = await sequence.controlledEvaluate([...(input.slice(0, -1) as LlamaToken[]), ...asking], { evaluationPriority });
        const generated: Token[] = [];
        for (let index = 0; index <= proposal.length; index++) {
            const token = results[input.length - 1 + index]?.next.token;
            if (token === undefined || token === null) throw new Error("The model returned no next token.");
            generated.push(token);
            if (proposal[index] !== token) break;
        }
        const confirmed = generated.length - 1;
        this.counts.validated += confirmed;
        this.counts.refuted += proposal.length - confirmed;
        this.length.settle(proposal.length, confirmed, isEndOfGeneration(generated.at(-1)!));
        if (confirmed < proposal.length)
            await sequence.eraseContextTokenRanges([{ start: sequence.nextTokenIndex - (proposal.length - confirmed), end: sequence.nextTokenIndex }]);
        return generated;
    }

    dispose(): void {
        this.lookup.dispose();
        this.draft?.dispose();
    }
}

export interface Vocabulary {
    /** The tokenizer's kind (GGUF `tokenizer.ggml.model`, e.g. "llama"). */
    kind: string | undefined;
    /** Token texts by id (GGUF `tokenizer.ggml.tokens`). */
    tokens: readonly string[];
}

/** Why a draft model cannot propose tokens for a target model (they must share the vocabulary: ids mean the same text); undefined when it can. */
export function vocabularyMismatch(target: Vocabulary, draft: Vocabulary): string | undefined {
    if (target.kind !== draft.kind) return `its tokenizer is ${draft.kind ?? "unknown"}, the model's ${target.kind ?? "unknown"}`;
    if (target.tokens.length !== draft.tokens.length) return `it has ${draft.tokens.length} tokens, the model ${target.tokens.length}`;
    const differing = target.tokens.findIndex((text, id) => draft.tokens[id] !== text);
    if (differing >= 0)
        return `token ${differing} is ${JSON.stringify(draft.tokens[differing])} in it, ${JSON.stringify(target.tokens[differing])} in the model`;
    return undefined;
}
