/**
 * The model's tokenizer as Meta's reference code uses it: `encode` (with SentencePiece's implicit
 * leading space) and `encode_infilling` (without it), for an engine that tokenizes here (node-llama-cpp)
 * or asks its server (llama-server's /tokenize).
 */

/** A token id of the model's vocabulary. */
export type Token = number;

/** Text to tokens; a remote engine's tokenizer answers asynchronously. */
export type Encoder = (text: string) => Token[] | Promise<Token[]>;

export interface Tokenizer {
    /** Tokens of `text` with SentencePiece's implicit leading space (Meta's `encode`). */
    encode: Encoder;
    /** Tokens of `text` without it (Meta's `encode_infilling`). */
    encodeInfilling: Encoder;
}

/**
 * Meta's `encode_infilling`: encode "☺" + text and drop the sentinel's tokens, so the text gets no
 * implicit leading space. The sentinel is a character that merges with nothing after it.
 */
export function encodeInfilling(tokenize: (text: string) => Token[], text: string): Token[] {
    if (text === "") return [];
    return withoutSentinel(tokenize(INFILL_SENTINEL), tokenize(INFILL_SENTINEL + text)) ?? tokenize(text);
}

/** encodeInfilling for a tokenizer that answers asynchronously (a remote server's). */
export async function encodeInfillingAsync(tokenize: (text: string) => Promise<Token[]>, text: string): Promise<Token[]> {
    if (text === "") return [];
    const [sentinel, tokens] = await Promise.all([tokenize(INFILL_SENTINEL), tokenize(INFILL_SENTINEL + text)]);
    return withoutSentinel(sentinel, tokens) ?? tokenize(text);
}

/** The tokens after the sentinel's; undefined when the sentinel merged with the text (a vocabulary unlike Code Llama's). */
function withoutSentinel(sentinel: readonly Token[], tokens: readonly Token[]): Token[] | undefined {
    return sentinel.every((token, index) => tokens[index] === token) ? tokens.slice(sentinel.length) : undefined;
}

export const INFILL_SENTINEL = "\u263A";

/**
 * Remembers the tokens of recently encoded texts, least recently used first out. While typing, the
 * prompt builder encodes the same texts on every keystroke (the lines above the cursor's line, the
 * suffix, snippets of other files, and the probes that cut them to their budgets), so a keystroke
 * within a line costs map lookups instead of tokenizing ~16,000 characters a dozen times. An
 * asynchronous (remote) tokenizer's pending answer is shared, and forgotten if it fails.
 */
export function memoizeEncoder<Result extends Token[] | Promise<Token[]>>(encode: (text: string) => Result, capacity = 64): (text: string) => Result {
    const recent = new Map<string, Result>();
    return (text) => {
        const hit = recent.get(text);
        if (hit !== undefined) {
            recent.delete(text);
            recent.set(text, hit);
            return hit;
        }
        const tokens = encode(text);
        recent.set(text, tokens);
        if (recent.size > capacity) recent.delete(recent.keys().next().value!);
        if (tokens instanceof Promise) tokens.catch(() => recent.get(text) === tokens && recent.delete(text));
        return tokens;
    };
}
