/**
 * Text of Code Llama's control tokens and SentencePiece markers. A model sometimes spells them out as
 * ordinary text; what follows is never part of the code, so the completion ends there.
 */
const SPECIAL_TOKEN_TEXT = /\u2581?<(?:PRE|SUF|MID|EOT)>|<\/?s>|<unk>|\[\/?INST\]|<<\/?SYS>>/;

export interface PostprocessOptions {
    /** Line break of the document at the cursor; the model writes "\n". */
    eol: "\n" | "\r\n";
}

/** Turns raw model text into what the editor shows, or "" when nothing is worth showing. */
export function postprocessCompletion(raw: string, options: PostprocessOptions): string {
    let text = cutAtSpecialTokenText(raw);
    text = trimTrailingBlankLines(text);
    if (text.trim() === "") return "";
    return options.eol === "\r\n" ? text.replace(/\r?\n/g, "\r\n") : text;
}

export function cutAtSpecialTokenText(text: string): string {
    const match = SPECIAL_TOKEN_TEXT.exec(text);
    return match ? text.slice(0, match.index) : text;
}

/** Drops trailing whitespace-only lines and trailing spaces of the last line, which only add noise. */
export function trimTrailingBlankLines(text: string): string {
    return text.replace(/\s+$/, "");
}
