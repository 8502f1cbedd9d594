/**
 * A SentencePiece-like splitter: how the oracle cuts an answer into the pieces a Code Llama model
 * streams. It keeps the properties of Code Llama's vocabulary that decide when the stop rules see
 * what: a line break is always a token of its own (byte fallback <0x0A>), so a line is judged the
 * moment it is finished; a space joins the word after it ("▁return"); indentation is a run of spaces
 * (runs of up to 16 are pieces) with the last space on the word; a tab is a byte token; digits are
 * single tokens; punctuation merges in short clusters ("();" "=>"), so a closing bracket the editor
 * auto-closed may arrive glued to what follows it. Words split into chunks of at most six letters, as
 * rare identifiers do. Tokenizing with the real model's vocabulary would need the model; the
 * generated test vocabulary has a few hundred pieces and would stream code almost character by
 * character, which hides the effect of multi-character tokens.
 */
const PIECE = /\n|\t| ?[A-Za-z_]{1,6}| ?\d| ?[^\sA-Za-z_\d]{1,3}| {2,16}(?= \S)| {1,16}(?! )|\s/gu;

export function splitIntoPieces(text: string): string[] {
    return text.match(PIECE) ?? [];
}
