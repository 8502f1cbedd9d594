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
 * smaller model of the same vocabulary, which guesses ahead greedily when asked.
 */
import {
    type ControlledEvaluateInputItem,
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

/** What a decode does, for its thread count: evaluate (the rest of) a prompt, or generate; and on which model, the target or its draft. */
export interface DecodeKind {
    work: "prompt" | "generation";
    model: "target" | "draft";
}

/** Runs one decode in its turn (the engine's scheduler: typing first, one decode at a time) with the threads of its kind. */
export type DecodeStep = <T>(kind: DecodeKind, decode: () => Promise<T>) => Promise<T>;

/** Guesses below this probability end a draft's proposal (node-llama-cpp's default for its draft predictor). */
const DRAFT_MIN_CONFIDENCE = 0.6;
/** A draft catches up with a prompt in chunks of this many tokens, each a step of its own, so that typing waits for one chunk at most. */
const DRAFT_PROMPT_CHUNK = 256;

/**
 * Whether a proposer's guesses pay for their checks in one answer: false once fewer than `minRate`
 * of the last `window` guessed tokens were confirmed (a full window), and from then on for the rest
 * of the answer, so that a poor draft costs one window of failed checks and then plain decoding.
 */
export class AcceptanceWindow {
    private readonly outcomes: boolean[] = [];
    private failed = false;

    constructor(
        private readonly window = 32,
        private readonly minRate = 0.3,
    ) {}

    /** Still worth guessing. */
    get paying(): boolean {
        return !this.failed;
    }

    /** A proposal of `proposed` tokens of which the first `confirmed` held. */
    record(proposed: number, confirmed: number): void {
        for (let index = 0; index < proposed; index++) this.outcomes.push(index < confirmed);
        this.outcomes.splice(0, Math.max(0, this.outcomes.length - this.window));
        if (this.outcomes.length === this.window && this.outcomes.filter(Boolean).length < this.minRate * this.window) this.failed = true;
    }
}

/** What proposes tokens during one answer. */
interface Proposer {
    /** Up to `count` tokens to follow `state()` (the target's tokens so far, the last one not evaluated yet; built only when needed). */
    propose(state: () => readonly Token[], count: number): Promise<readonly Token[]>;
    /** The target generated `tokens` after the state of the last proposal. */
    generated(tokens: readonly Token[]): void;
    stop(): void;
}

/**
 * A draft model's sequence guessing ahead greedily, only when asked and each decode a step of the
 * target's: the draft runs inside the target's turns (never while the user types) and never beside
 * the target's own decode. Its cache keeps what it has of the target's tokens; a wrong guess is
 * erased when the next proposal starts. A state longer than the draft's context gets no proposal.
 */
class DraftProposer implements Proposer {
    constructor(
        private readonly sequence: LlamaContextSequence,
        private readonly step: DecodeStep,
        private readonly evaluationPriority: EvaluationPriority,
    ) {}

    async propose(target: () => readonly Token[], count: number): Promise<readonly Token[]> {
        const { sequence, step } = this;
        const state = target();
        if (state.length + count > sequence.contextSize) return [];
        const cached = sequence.contextTokens as readonly Token[];
        let kept = 0;
        while (kept < Math.min(cached.length, state.length - 1) && cached[kept] === state[kept]) kept++;
        if (kept < sequence.nextTokenIndex) await sequence.eraseContextTokenRanges([{ start: kept, end: sequence.nextTokenIndex }]);
        let rest = state.slice(kept);
        while (rest.length > DRAFT_PROMPT_CHUNK + 1) {
            const chunk = rest.slice(0, DRAFT_PROMPT_CHUNK);
            await step({ work: "prompt", model: "draft" }, () =>
                sequence.evaluateWithoutGeneratingNewTokens(chunk as LlamaToken[], { evaluationPriority: this.evaluationPriority }),
            );
            rest = rest.slice(DRAFT_PROMPT_CHUNK);
        }
        const guesses: Token[] = [];
        const run = sequence.evaluateWithMetadata(rest as LlamaToken[], { confidence: true }, { temperature: 0, evaluationPriority: this.evaluationPriority });
        try {
            while (guesses.length < count) {
                const next = await step({ work: guesses.length === 0 && rest.length > 1 ? "prompt" : "generation", model: "draft" }, () => run.next());
                if (next.done === true || next.value.confidence < DRAFT_MIN_CONFIDENCE) break;
                guesses.push(next.value.token);
                if (sequence.model.isEogToken(next.value.token)) break;
            }
        } finally {
            await run.return();
        }
        return guesses;
    }

    generated(): void {}

    stop(): void {}
}

/** Input lookup (node-llama-cpp's): what followed the last generated tokens in the prompt. */
class LookupProposer implements Proposer {
    private constructor(private readonly lookup: InputLookupTokenPredictor) {}

    static async start(lookup: InputLookupTokenPredictor, prompt: readonly Token[], state: readonly Token[]): Promise<LookupProposer> {
        lookup.updateInputTokens(prompt as LlamaToken[]);
        await lookup.reset({ stateTokens: state as LlamaToken[] });
        return new LookupProposer(lookup);
    }

    async propose(_state: () => readonly Token[], count: number): Promise<readonly Token[]> {
        return (await this.lookup.predictTokens()).slice(0, count);
    }

    generated(tokens: readonly Token[]): void {
        this.lookup.pushTokens(tokens as LlamaToken[]);
    }

    stop(): void {
        this.lookup.stop();
    }
}

/**
 * Speculative decoding on one sequence. What proposes tokens is chosen per generation: the draft
 * model when one is attached, else input lookup in the prompt (when enabled), else nothing (then the
 * engine decodes one token at a time, as without this). Input lookup is node-llama-cpp's predictor;
 * a draft model is driven here, inside the target's steps (node-llama-cpp's draft predictor guesses
 * on its own beside the target, outside the scheduler, and hands over whatever it has when asked,
 * which on a CPU shared with the target is mostly nothing). Verification is done here with
 * `controlledEvaluate`, because node-llama-cpp 3.22.1's own speculative loop confirms at most the
 * first proposed token of each batch (its list of validated tokens is never filled), which makes
 * every longer proposal wasted work.
 */
export class Speculation {
    private readonly lookup = new InputLookupTokenPredictor({
        patternLength: { min: LOOKUP_PATTERN_TOKENS },
        predictionLength: { min: 1, max: LOOKUP_MAX_TOKENS },
    });
    private draft: LlamaContextSequence | undefined;
    private readonly length = new PredictionLength();
    private readonly counts: PredictionCounts = { validated: 0, refuted: 0 };

    constructor(private readonly lookupEnabled: boolean) {}

    /** What proposes tokens in the next generation. */
    get source(): PredictionSource {
        return this.draft && !this.draft.disposed ? "draft" : this.lookupEnabled ? "input" : "none";
    }

    /** Proposed tokens so far, and how many the model confirmed. */
    get predictions(): PredictionCounts {
        return { ...this.counts };
    }

    /** Proposes with `sequence` (a draft model's, same vocabulary) from now on; undefined goes back to input lookup. */
    useDraft(sequence: LlamaContextSequence | undefined): void {
        this.draft = sequence;
    }

    /**
     * Evaluates `pending` (the rest of the prompt) on `sequence` and yields the greedy tokens after
     * it, as `sequence.evaluate` with temperature 0 would. While nothing is proposed (always, with
     * source "none") the tokens come from one such `evaluate` run; a step with a proposal evaluates
     * the token being generated and the proposed ones in one batch (`controlledEvaluate`) and yields
     * the model's token after each while they hold. The tokens yielded are always the model's own
     * choices; a proposal only decides how many one batch yields. At most `maxTokens` are proposed
     * in all; none once the answer's guesses stop paying (AcceptanceWindow). Every decode, the
     * target's and the draft's, runs through `step` with its kind: "prompt" for the prompt's rest
     * with the first token (and a draft catching up with it), "generation" for every later one.
     */
    async *decode(
        sequence: LlamaContextSequence,
        pending: readonly Token[],
        options: { prompt: readonly Token[]; maxTokens: number; evaluationPriority: EvaluationPriority; step: DecodeStep },
    ): AsyncGenerator<Token, void, undefined> {
        const { evaluationPriority, step } = options;
        const isEndOfGeneration = (token: Token): boolean => sequence.model.isEogToken(token as LlamaToken);
        const target = (work: DecodeKind["work"]): DecodeKind => ({ work, model: "target" });
        const source = this.source;
        const state = (input: readonly Token[]): Token[] => [...(sequence.contextTokens as Token[]), ...input];
        const proposer: Proposer | undefined =
            source === "draft"
                ? new DraftProposer(this.draft!, step, evaluationPriority)
                : source === "input"
                  ? await LookupProposer.start(this.lookup, options.prompt, state(pending))
                  : undefined;
        const acceptance = new AcceptanceWindow();
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
                const proposal =
                    proposer && acceptance.paying && room > 0 ? await proposer.propose(() => state(input), Math.min(room, this.length.tokens)) : [];
                let generated: Token[];
                if (proposal.length === 0) {
                    plain ??= sequence.evaluate(input as LlamaToken[], { temperature: 0, yieldEogToken: true, evaluationPriority });
                    const run = plain;
                    const next = await step(target(yielded === 0 ? "prompt" : "generation"), () => run.next());
                    if (next.done === true) return;
                    generated = [next.value];
                } else {
                    // The token the run yielded last is not evaluated yet: the batch starts with it.
                    await plain?.return();
                    plain = undefined;
                    generated = await step(target("generation"), () => this.verify(sequence, input, proposal, evaluationPriority, isEndOfGeneration));
                    acceptance.record(proposal.length, generated.length - 1);
                }
                proposer?.generated(generated);
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
