import type { Token } from "./promptFormat.js";

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
