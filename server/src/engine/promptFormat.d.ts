import type { FimFormat } from "../../../shared/src/settings.js";
export type Token = number;
/** The control tokens a Code Llama FIM prompt is made of. */
export interface FimSpecialTokens {
    bos: Token;
    prefix: Token;
    suffix: Token;
    middle: Token;
}
/**
 * Builds the token sequence Code Llama was trained on, from token ids (the text "<PRE>" does not
 * tokenize to the control token). Mirrors Meta's reference `infilling_prompt_tokens`:
 *   psm:      [BOS, PRE] + encode(prefix) + [SUF] + encode_infilling(suffix) + [MID]
 *   spm:      [BOS, PRE, SUF] + encode_infilling(suffix) + [MID] + encode(prefix)
 *   psm-line: [BOS, PRE] + encode(prefix up to a line start) + [SUF] + encode_infilling(suffix)
 *             + [MID] + encode_infilling(the text from that line start to the cursor)
 * psm-line is a valid PSM example whose middle starts at a line start (the cursor's line, or an
 * earlier one while typing line after line, see buildCompletionPrompt): typing only appends tokens,
 * so the cached prompt stays valid. `prefixTokens` come from `encode` (with
 * SentencePiece's implicit leading space); `suffixTokens` and `middleTokens` from `encodeInfilling`.
 */
export declare function buildFimPrompt(format: FimFormat, special: FimSpecialTokens, prefixTokens: readonly Token[], suffixTokens: readonly Token[], middleTokens?: readonly Token[]): Token[];
/** Tokens that only the FIM layout adds around prefix and suffix (BOS, PRE, SUF, MID). */
export declare const FIM_OVERHEAD_TOKENS = 4;
/**
 * Meta's `encode_infilling`: encode "☺" + text and drop the sentinel's tokens, so the text gets no
 * implicit leading space. The sentinel is a character that merges with nothing after it.
 */
export declare function encodeInfilling(tokenize: (text: string) => Token[], text: string): Token[];
/** encodeInfilling for a tokenizer that answers asynchronously (a remote server's). */
export declare function encodeInfillingAsync(tokenize: (text: string) => Promise<Token[]>, text: string): Promise<Token[]>;
export declare const INFILL_SENTINEL = "\u263A";
