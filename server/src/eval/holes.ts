/**
 * Holes cut from real source files, in the situations where a suggestion has to know where to stop.
 * Each hole is the document with a piece of the file taken out at the cursor; the piece is the ideal
 * suggestion. Classes are told apart from the layout (indentation, brackets, the opener at a line's
 * end), not by parsing: a file's odd corners give a few odd holes, not an error. Pure.
 */

import { type EvalLanguage, FAMILY, type LanguageFamily } from "./languages.js";
import { splitIntoPieces } from "./tokens.js";

export const HOLE_CLASSES = [
    "line-rest",
    "line-mid-word",
    "call-args",
    "statement-rest",
    "blank-line",
    "blank-line-col0",
    "block-closed",
    "block-open",
    "function-body",
    "multi-line-statement",
] as const;
export type HoleClass = (typeof HOLE_CLASSES)[number];

/**
 * Where a hole is in its file (offsets into the normalised text): the document is
 * text[0, cursor) + afterPrefix + text[afterStart, end), the ideal suggestion text[cursor, truthEnd).
 * text[truthEnd, afterStart) is what the file had there that the document leaves out (the rest of a
 * line after an auto-closed bracket, not typed yet; the closing line of a block-open hole is in the truth).
 */
export interface HoleSpec {
    class: HoleClass;
    cursor: number;
    truthEnd: number;
    afterStart: number;
    /** Text the editor put after the cursor (an auto-closed bracket). */
    afterPrefix: string;
}

export interface Hole extends HoleSpec {
    /** 1-based line and column (UTF-16 code units) of the cursor. */
    line: number;
    column: number;
    before: string;
    after: string;
    /** The suggestion that is right: exactly what the file had at the cursor. */
    ideal: string;
    /** What the file had between the ideal and the document's text after the cursor (see HoleSpec). */
    dropped: string;
}

/** Longest ideal, in pieces, so that a model with the default 128-token limit has room to run on past it. */
export const MAX_IDEAL_PIECES = 96;
const MAX_IDEAL_LINES = 16;
const MAX_STATEMENT_LINES = 8;

/** Line breaks "\n" and no trailing whitespace on any line: what the holes and the documents are cut from. */
export function normaliseSource(text: string): string {
    return text.replace(/\r\n?/g, "\n").replace(/[ \t\f\v]+$/gm, "");
}

interface Line {
    start: number;
    /** Offset of the line's "\n" (or of the text's end). */
    end: number;
    text: string;
    lead: string;
    indent: number;
    blank: boolean;
    /** Real code: not blank, not a comment, not inside a block comment or multi-line string, not a preprocessor line or decorator. */
    code: boolean;
    /** Open minus closed brackets outside strings and comments. */
    delta: number;
    /** Parentheses and square brackets open at the line's start (braces left out: they open blocks). */
    parenDepth: number;
    /** The line's code with strings blanked and comments cut, trimmed at the end. */
    bare: string;
}

const OPEN = "([{";
const CLOSE = ")]}";

/** Splits the file into lines with what the hole finder needs, following strings and comments across lines. */
function scanLines(text: string, family: LanguageFamily): Line[] {
    const lines: Line[] = [];
    let state: "code" | "block-comment" | "string" = "code";
    let stringQuote = "";
    let parenDepth = 0;
    let start = 0;
    while (start <= text.length) {
        let end = text.indexOf("\n", start);
        if (end < 0) end = text.length;
        const lineText = text.slice(start, end);
        const lead = /^[ \t]*/.exec(lineText)![0];
        const startsInside = state !== "code";
        let delta = 0;
        let parenDelta = 0;
        let bare = "";
        // `bare` keeps the line's columns: string contents and comments become spaces.
        for (let index = 0; index < lineText.length; index++) {
            const ch = lineText[index]!;
            const rest = lineText.slice(index, index + 3);
            if (state === "block-comment") {
                if (lineText.startsWith("*/", index)) {
                    state = "code";
                    bare += " ";
                    index++;
                }
                bare += " ";
                continue;
            }
            if (state === "string") {
                const closes = ch !== "\\" && lineText.startsWith(stringQuote, index);
                const skip = ch === "\\" ? 2 : closes ? stringQuote.length : 1;
                if (closes) state = "code";
                bare += " ".repeat(skip);
                index += skip - 1;
                continue;
            }
            if (family === "brace" && rest.startsWith("/*")) {
                state = "block-comment";
                bare += "  ";
                index++;
                continue;
            }
            if ((family === "brace" && rest.startsWith("//")) || (family !== "brace" && ch === "#" && (index === 0 || /\s/.test(lineText[index - 1]!)))) break;
            if (ch === '"' || ch === "'" || ch === "`") {
                const triple = family === "python" && (rest === '"""' || rest === "'''");
                stringQuote = triple ? rest : ch;
                const close = findStringEnd(lineText, index + stringQuote.length, stringQuote);
                // Only triple-quoted strings and template literals run on past the line's end.
                if (close < 0 && (triple || ch === "`")) {
                    state = "string";
                    bare += ch + " ".repeat(lineText.length - index - 1);
                    break;
                }
                const stop = close < 0 ? lineText.length : close + stringQuote.length;
                bare += ch + " ".repeat(Math.max(0, stop - index - 2)) + (stop - index >= 2 ? ch : "");
                index = stop - 1;
                continue;
            }
            if (OPEN.includes(ch)) {
                delta++;
                if (ch !== "{") parenDelta++;
            } else if (CLOSE.includes(ch)) {
                delta--;
                if (ch !== "}") parenDelta--;
            }
            bare += ch;
        }
        const trimmed = lineText.trim();
        const blank = trimmed === "";
        const comment =
            family === "brace" ? /^(?:\/\/|\/\*|\*|#)/.test(trimmed) : trimmed.startsWith("#") || (family === "python" && /^[rbuf]*("""|''')/i.test(trimmed));
        const decorator = family !== "shell" && trimmed.startsWith("@");
        lines.push({
            start,
            end,
            text: lineText,
            lead,
            indent: indentColumns(lead),
            blank,
            code: !blank && !startsInside && !comment && !decorator && bare.trim() !== "",
            delta,
            parenDepth,
            bare: bare.trimEnd(),
        });
        parenDepth = Math.max(0, parenDepth + parenDelta);
        start = end + 1;
    }
    return lines;
}

function findStringEnd(line: string, from: number, quote: string): number {
    for (let index = from; index < line.length; index++) {
        if (line[index] === "\\") index++;
        else if (line.startsWith(quote, index)) return index;
    }
    return -1;
}

function indentColumns(lead: string): number {
    let width = 0;
    for (const ch of lead) width = ch === "\t" ? width + 4 - (width % 4) : width + 1;
    return width;
}

const OPENER: Readonly<Record<LanguageFamily, RegExp>> = {
    brace: /(?:\{|=>)$/,
    python: /:$/,
    shell: /(?:^|[\s;])(?:then|do|else)$|\{$/,
};
/** A line that only closes the block it is the last line of: what a block-open hole leaves out and the model must write. */
const PURE_CLOSER: Readonly<Record<LanguageFamily, RegExp | undefined>> = {
    brace: /^\s*\}[);,]*$/,
    python: undefined,
    shell: /^\s*(?:fi|done|esac|\})$/,
};
/** Lines that go on the statement above them, so no statement starts there. */
const CONTINUATION_START =
    /^\s*(?:[)\]}{.]|else\b|elif\b|except\b|finally\b|catch\b|case\b|default\b|fi\b|done\b|esac\b|then\b|do\b|in\b|\?|:|&&|\|\||\+|-(?!-)|\*(?!\/)|\/(?![/*])|=)/;
/** A line that makes the statement above it go on (rather than end): a brace below a header, else, an operator. */
const NEXT_CONTINUES = /^\s*(?:[{.?:]|else\b|elif\b|except\b|finally\b|catch\b|&&|\|\||\+|-(?!-)|\*(?!\/)|\/(?![/*])|=)/;
/** A line ending like this goes on on the next one. */
const CONTINUATION_END = /(?:[,+\-*/%=&|?\\.([]|\bthen|\bdo|&&|\|\|)$/;
const CONTROL =
    /^\s*(?:if|for|foreach|while|switch|catch|with|return|else|do|try|synchronized|using|lock|fixed|unchecked|checked|sizeof|typeof|new|when|match|elif|until|case)\b/;
const FUNCTION_HEADER: Readonly<Record<LanguageFamily, RegExp>> = {
    brace: /\bfunction\b|=>\s*\{?$|^\s*(?:[\w$<>[\],.*&:~?]+\s+)*[*&]*[\w$~][\w$]*\s*(?:<[^>]*>)?\s*\([^;]*\)\s*(?:const|noexcept|override|final|throws\s+[\w.,\s]+|:\s*[^{;=]+)*\s*\{?$/,
    python: /^\s*(?:async\s+)?def\s/,
    shell: /^\s*(?:function\s+[\w:.-]+(?:\s*\(\s*\))?|[\w:.-]+\s*\(\s*\))\s*\{?$/,
};

/**
 * Every hole the file offers, at most one of each class per line (a cursor column where a class
 * allows several, chosen with `random`).
 */
export function holeCandidates(text: string, language: EvalLanguage, random: () => number): HoleSpec[] {
    const family = FAMILY[language];
    const lines = scanLines(text, family);
    const specs: HoleSpec[] = [];
    const nextNonBlank = (index: number): Line | undefined => {
        for (let next = index + 1; next < lines.length; next++) if (!lines[next]!.blank) return lines[next];
        return undefined;
    };
    const previousCode = (index: number): Line | undefined => {
        for (let previous = index - 1; previous >= 0; previous--) if (lines[previous]!.code) return lines[previous];
        return undefined;
    };
    const statementStart = (index: number): boolean => {
        const line = lines[index]!;
        if (!line.code || line.parenDepth !== 0 || CONTINUATION_START.test(line.text)) return false;
        const previous = previousCode(index);
        return previous === undefined || !CONTINUATION_END.test(previous.bare);
    };
    /** The last line of the simple (non-block) statement starting at `index`, or undefined. */
    const statementEnd = (index: number): number | undefined => {
        const first = lines[index]!;
        if (OPENER[family].test(first.bare)) return undefined;
        let depth = 0;
        for (let line = index; line < Math.min(lines.length, index + MAX_STATEMENT_LINES); line++) {
            const current = lines[line]!;
            // Continuation lines are deeper; only a closing bracket may come back to the statement's indentation.
            if (line > index && (!current.code || current.indent < first.indent || (current.indent === first.indent && !/^\s*[)\]}]/.test(current.text))))
                return undefined;
            depth += current.delta;
            if (depth < 0) return undefined;
            if (depth === 0 && !CONTINUATION_END.test(current.bare)) {
                if (OPENER[family].test(current.bare)) return undefined;
                const next = nextNonBlank(line);
                // Code must follow: at the end of a file more lines would be as right as none.
                return next !== undefined && next.indent <= first.indent && !NEXT_CONTINUES.test(next.text) ? line : undefined;
            }
        }
        return undefined;
    };
    const add = (cls: HoleClass, cursor: number, truthEnd: number, afterStart = truthEnd, afterPrefix = ""): void => {
        const ideal = text.slice(cursor, truthEnd);
        if (ideal.trim() === "" || ideal.split("\n").length > MAX_IDEAL_LINES || splitIntoPieces(ideal).length > MAX_IDEAL_PIECES) return;
        specs.push({ class: cls, cursor, truthEnd, afterStart, afterPrefix });
    };

    for (let index = 0; index < lines.length; index++) {
        const line = lines[index]!;
        // A brace on a line of its own opens the block of the header above it.
        if (line.code && line.parenDepth === 0 && line.bare.trim() === "{") blockHole(lines, index, family, add);
        if (!statementStart(index)) continue;
        const content = line.start + line.lead.length;
        const end = statementEnd(index);
        if (end === index) {
            const next = nextNonBlank(index);
            const code = line.text.slice(line.lead.length);
            const boundary = pick(wordBoundaries(code), random);
            if (boundary !== undefined) add("line-rest", content + boundary, line.end);
            const midWord = pick(midWordPositions(code), random);
            if (midWord !== undefined) add("line-mid-word", content + midWord, line.end);
            const call = pick(callArguments(line.bare.slice(line.lead.length)), random);
            if (call !== undefined) add("call-args", content + call.open + 1, content + call.close, line.end, ")");
            if (line.indent > 0 && next !== undefined && next.indent === line.indent) {
                add("blank-line", content, line.end);
                add("blank-line-col0", line.start, line.end);
            }
        } else if (end !== undefined) {
            const boundary = pick(wordBoundaries(line.text.slice(line.lead.length)), random);
            if (boundary !== undefined) add("statement-rest", content + boundary, lines[end]!.end);
            add("multi-line-statement", content, lines[end]!.end);
        } else if (OPENER[family].test(line.bare)) {
            blockHole(lines, index, family, add);
        }
    }
    return specs;
}

/** The block after the opener at the end of line `index`: its body, and its closing line when the language has one. */
function blockHole(lines: readonly Line[], index: number, family: LanguageFamily, add: (cls: HoleClass, cursor: number, truthEnd: number) => void): void {
    const opener = lines[index]!;
    let closing = index + 1;
    let lastBody = -1;
    for (; closing < lines.length; closing++) {
        const line = lines[closing]!;
        if (line.blank) continue;
        if (line.indent <= opener.indent) break;
        lastBody = closing;
    }
    if (lastBody < 0 || closing >= lines.length || !lines.slice(index + 1, lastBody + 1).some((line) => line.code)) return;
    const closer = lines[closing]!;
    if (family === "brace" && !closer.text.trimStart().startsWith("}")) return;
    const header = opener.bare.trim() === "{" ? (lines[index - 1]?.bare ?? "") : opener.bare;
    const isFunction = FUNCTION_HEADER[family].test(header) && !CONTROL.test(header);
    add(isFunction ? "function-body" : "block-closed", opener.end, lines[lastBody]!.end);
    if (!isFunction && PURE_CLOSER[family]?.test(closer.text)) add("block-open", opener.end, closer.end);
}

/** Cursor columns between a word and what follows or precedes it, with code on both sides. */
function wordBoundaries(code: string): number[] {
    const positions: number[] = [];
    for (let column = 1; column < code.length - 1; column++) {
        const before = /\w/.test(code[column - 1]!);
        const after = /\w/.test(code[column]!);
        if (before !== after && code[column] !== " " && /\w/.test(code.slice(column))) positions.push(column);
    }
    return positions;
}

/** Cursor columns inside a word of four or more letters, two letters in at least. */
function midWordPositions(code: string): number[] {
    const positions: number[] = [];
    for (const match of code.matchAll(/[A-Za-z_]\w{3,}/g)) {
        for (let offset = 2; offset < match[0].length; offset++) positions.push(match.index + offset);
    }
    return positions;
}

/** Calls with their arguments on the line: the column of "(" (right after a name) and of its ")". */
function callArguments(bare: string): { open: number; close: number }[] {
    const calls: { open: number; close: number }[] = [];
    for (let open = 1; open < bare.length; open++) {
        if (bare[open] !== "(" || !/\w/.test(bare[open - 1]!)) continue;
        let depth = 0;
        for (let close = open; close < bare.length; close++) {
            if (OPEN.includes(bare[close]!)) depth++;
            else if (CLOSE.includes(bare[close]!) && --depth === 0) {
                if (close > open + 1 && bare[close] === ")") calls.push({ open, close });
                break;
            }
        }
    }
    return calls;
}

function pick<T>(items: readonly T[], random: () => number): T | undefined {
    return items.length === 0 ? undefined : items[Math.floor(random() * items.length)];
}

/** The hole's document and ideal, cut from the normalised text it was found in. */
export function cutHole(text: string, spec: HoleSpec): Hole {
    const before = text.slice(0, spec.cursor);
    const lineStart = before.lastIndexOf("\n") + 1;
    let line = 1;
    for (let index = before.indexOf("\n"); index >= 0; index = before.indexOf("\n", index + 1)) line++;
    return {
        ...spec,
        line,
        column: spec.cursor - lineStart + 1,
        before,
        after: spec.afterPrefix + text.slice(spec.afterStart),
        ideal: text.slice(spec.cursor, spec.truthEnd),
        dropped: text.slice(spec.truthEnd, spec.afterStart),
    };
}
