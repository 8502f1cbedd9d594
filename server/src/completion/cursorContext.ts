import type { TextDocument } from "vscode-languageserver-textdocument";

export interface Position {
    line: number;
    character: number;
}

export interface CursorContext {
    /** Text before the cursor, at most `maxPrefixChars`, line breaks normalised to "\n". */
    prefix: string;
    /** Text after the cursor, at most `maxSuffixChars`, line breaks normalised to "\n". */
    suffix: string;
    /** The cursor as a valid position in the document (clamped, never inside a line break or surrogate pair). */
    position: Position;
    /** The line break style to give the completion. */
    eol: "\n" | "\r\n";
    /** The document line `prefix` starts at, when it starts at a line start (else undefined). */
    prefixStartLine: number | undefined;
}

/**
 * Splits a document at an LSP position (UTF-16 code units). Only windows of the given sizes around
 * the cursor are copied and normalised, so the cost does not grow with the document. The prefix
 * starts at `prefixFromLine` when that line is above the cursor and within `maxPrefixChars`.
 */
export function cursorContext(
    document: TextDocument,
    position: Position,
    maxPrefixChars: number,
    maxSuffixChars: number,
    prefixFromLine?: number,
): CursorContext {
    const text = document.getText();
    let offset = document.offsetAt(position);
    if (offset > 0 && offset < text.length && isLowSurrogate(text.charCodeAt(offset)) && isHighSurrogate(text.charCodeAt(offset - 1))) offset--;
    const cursor = document.positionAt(offset);
    let prefixStart = Math.max(0, offset - maxPrefixChars);
    if (prefixStart > 0 && isLowSurrogate(text.charCodeAt(prefixStart))) prefixStart++;
    let prefixStartLine = prefixStart === 0 ? 0 : undefined;
    if (prefixFromLine !== undefined && prefixFromLine >= 0 && prefixFromLine <= cursor.line) {
        const lineStart = document.offsetAt({ line: prefixFromLine, character: 0 });
        if (lineStart >= prefixStart) {
            prefixStart = lineStart;
            prefixStartLine = prefixFromLine;
        }
    }
    let suffixEnd = Math.min(text.length, offset + maxSuffixChars);
    if (suffixEnd < text.length && isLowSurrogate(text.charCodeAt(suffixEnd))) suffixEnd--;
    return {
        prefix: normaliseLineBreaks(text.slice(prefixStart, offset)),
        suffix: normaliseLineBreaks(text.slice(offset, suffixEnd)),
        position: cursor,
        eol: lineBreakAt(text, offset),
        prefixStartLine,
    };
}

/** The line break of the cursor's line, else of the line before it, else "\n". */
export function lineBreakAt(text: string, offset: number): "\n" | "\r\n" {
    let index = text.indexOf("\n", offset);
    if (index < 0) index = text.lastIndexOf("\n", offset - 1);
    return index > 0 && text.charCodeAt(index - 1) === 13 ? "\r\n" : "\n";
}

export function normaliseLineBreaks(text: string): string {
    return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}

function isHighSurrogate(code: number): boolean {
    return code >= 0xd800 && code <= 0xdbff;
}

export function isLowSurrogate(code: number): boolean {
    return code >= 0xdc00 && code <= 0xdfff;
}
