/**
 * How much a completion may span, decided from the text around the cursor before generating, so
 * generation stops as soon as the answer is complete and the editor shows no more than it:
 * - code after the cursor on its line (closing brackets the editor inserted included): the rest of
 *   the line, ending before the model closes the bracket the editor already closed;
 * - a block opener at the end of the line (`{ ( [ :`, `=>`, `then`, `do`, `else`) and an answer that
 *   starts a new line: the block's body, until a line is indented at or left of the opener's line;
 *   when the file does not close the block yet, the closing line (`}`, `fi`...) is part of the answer;
 * - otherwise, when the next line of the file is code at the statement's indentation (the cursor is
 *   between lines that exist): one statement, which ends where its brackets are closed and a line at
 *   its indentation does not go on with it (`else`, a closing bracket, an operator);
 * - otherwise (the end of a block, of the file): lines indented at least as deep as the statement.
 * Lines are judged when finished (followed by a break), and the finished answer's last line too.
 */
export type CompletionScope = LineScope | LinesScope;

export interface LineScope {
    kind: "line";
    /** The closing bracket right after the cursor, which the editor inserted: the answer ends before the model closes it again. */
    closer?: string;
}

export interface LinesScope {
    kind: "lines";
    /** The cursor's line up to the cursor: the answer's first line goes on from it. */
    linePrefix: string;
    /** The cursor's line ends with a block opener. */
    opener?: {
        /** Indentation of the opener's line. */
        indent: number;
        /** How the block's closing line starts, when the file does not close the block yet (the answer then includes it). */
        closer?: string;
    };
    /** Indentation of the first non-blank line after the cursor's line, if one is close by. */
    nextIndent?: number;
}

export interface ScopeSurroundings {
    linePrefix: string;
    lineSuffix: string;
    /** Lines after the cursor's line. */
    nextLines: readonly string[];
}

const BLOCK_OPENER = /(?:[{([:]|=>|(?:^|[^\w$])(?:then|do|else))\s*$/;
const TRAILING_COMMENT = /\s+(?:(?:\/\/|#).*|\/\*.*\*\/\s*)$/;
// biome-ignore lint/suspicious/noThenProperty: a table of shell keywords, never awaited
const CLOSER_OF: Readonly<Record<string, string>> = { "{": "}", "(": ")", "[": "]", then: "fi", do: "done", else: "fi" };
/** A closing line and nothing else: `}` `});` `fi` `done`. */
const CLOSING_LINE = /^\s*(?:[)\]}]+[;,]?|(?:fi|done|esac|end)\b.*)\s*$/;
/** A line at a statement's indentation that goes on with it rather than starting the next one. */
const CONTINUES_STATEMENT = /^\s*(?:[)\]}{.?:]|&&|\|\||else\b|elif\b|except\b|finally\b|catch\b|fi\b|done\b|esac\b|end\b|then\b|do\b|in\b)/;
/** A line ending like this goes on on the next one: an operator, a comma, an open bracket (not `i++`, nor the end of a block comment). */
const CONTINUED_LINE = /(?:[,*%=&|\\([{.]|(?<!\+)\+|(?<!-)-|(?<!\*)\/)\s*$/;

export function completionScope(around: ScopeSurroundings, tabSize = 4): CompletionScope {
    const { linePrefix, lineSuffix, nextLines } = around;
    if (lineSuffix.trim() !== "") {
        const first = lineSuffix.trimStart()[0]!;
        return ")]}".includes(first) ? { kind: "line", closer: first } : { kind: "line" };
    }
    const next = nextLines.find((line) => line.trim() !== "");
    const nextIndent = next === undefined ? undefined : indentWidth(next, tabSize);
    // A comment after the opener (`{ // why`) does not hide it.
    const opener = BLOCK_OPENER.exec(linePrefix.replace(TRAILING_COMMENT, ""));
    if (!opener) return { kind: "lines", linePrefix, nextIndent };
    const indent = indentWidth(linePrefix, tabSize);
    const closer = CLOSER_OF[opener[0].trim().replace(/^[^\w$]*(?=\w)/, "")];
    const closed = closer !== undefined && next !== undefined && nextIndent === indent && next.trimStart().startsWith(closer);
    return { kind: "lines", linePrefix, opener: { indent, closer: closed ? undefined : closer }, nextIndent };
}

/**
 * Cuts generated text (in the model's "\n" line breaks) to the scope. Returns the text and whether
 * it was cut (the answer is complete). `final`: the text is the whole answer, so its last line is
 * judged too.
 */
export function cutToScope(text: string, scope: CompletionScope, tabSize = 4, final = false): { text: string; complete: boolean } {
    if (scope.kind === "line") return cutLine(text, scope.closer);
    const lines = text.split("\n");
    const judged = final ? lines.length : lines.length - 1;
    const cutBefore = (index: number) => ({ text: lines.slice(0, index).join("\n"), complete: true });
    const { opener } = scope;
    if (opener && lines[0]!.trim() === "") {
        for (let index = 1; index < judged; index++) {
            const line = lines[index]!;
            if (line.trim() === "" || indentWidth(line, tabSize) > opener.indent) continue;
            return opener.closer !== undefined && CLOSING_LINE.test(line) && line.trimStart().startsWith(opener.closer)
                ? cutBefore(index + 1)
                : cutBefore(index);
        }
        return { text, complete: false };
    }
    // The statement starts on the answer's first line with code: the cursor's line, or a later one when the answer starts with a break.
    const startLine = lines[0]!.trim() !== "" ? 0 : lines.findIndex((line, index) => index > 0 && line.trim() !== "");
    if (startLine < 0 || startLine >= judged) return { text, complete: false };
    const statementLine = startLine === 0 ? scope.linePrefix + lines[0] : lines[startLine]!;
    const indent = indentWidth(statementLine, tabSize);
    const oneStatement = scope.nextIndent !== undefined && scope.nextIndent >= indent;
    let depth = bracketDepth(scope.linePrefix + lines[0]) + (startLine > 0 ? bracketDepth(statementLine) : 0);
    let previous = statementLine;
    for (let index = startLine + 1; index < judged; index++) {
        const line = lines[index]!;
        if (line.trim() === "") continue;
        const width = indentWidth(line, tabSize);
        if (width < indent && !(oneStatement && depth > 0 && CONTINUES_STATEMENT.test(line))) return cutBefore(index);
        if (
            oneStatement &&
            width === indent &&
            depth <= 0 &&
            !CONTINUES_STATEMENT.test(line) &&
            !CONTINUED_LINE.test(previous) &&
            !previous.trimStart().startsWith("@")
        )
            return cutBefore(index);
        depth += bracketDepth(line);
        previous = line;
    }
    return { text, complete: false };
}

/** The rest of the line: up to the first break, or before the closing bracket that closes what was open before the cursor. */
function cutLine(text: string, closer: string | undefined): { text: string; complete: boolean } {
    const firstBreak = text.indexOf("\n");
    const line = firstBreak < 0 ? text : text.slice(0, firstBreak);
    if (closer !== undefined) {
        const at = firstUnmatchedCloser(line);
        if (at >= 0 && line[at] === closer) return { text: line.slice(0, at), complete: true };
    }
    return firstBreak < 0 ? { text, complete: false } : { text: line, complete: true };
}

/** Index of the first closing bracket in `line` that closes nothing `line` opened (strings skipped), or -1. */
function firstUnmatchedCloser(line: string): number {
    let depth = 0;
    for (let index = 0; index < line.length; index++) {
        const ch = line[index]!;
        if (ch === '"' || ch === "'" || ch === "`") index = stringEnd(line, index);
        else if (ch === "(" || ch === "[" || ch === "{") depth++;
        else if (ch === ")" || ch === "]" || ch === "}") {
            if (depth === 0) return index;
            depth--;
        }
    }
    return -1;
}

/** Open minus closed brackets of a line, strings skipped. */
export function bracketDepth(line: string): number {
    let depth = 0;
    for (let index = 0; index < line.length; index++) {
        const ch = line[index]!;
        if (ch === '"' || ch === "'" || ch === "`") index = stringEnd(line, index);
        else if (ch === "(" || ch === "[" || ch === "{") depth++;
        else if (ch === ")" || ch === "]" || ch === "}") depth--;
    }
    return depth;
}

/** Index of the quote that closes the string opening at `start`, or the line's last index (a string the line does not close). */
function stringEnd(line: string, start: number): number {
    for (let index = start + 1; index < line.length; index++) {
        if (line[index] === "\\") index++;
        else if (line[index] === line[start]) return index;
    }
    return line.length - 1;
}

export function indentWidth(line: string, tabSize = 4): number {
    let width = 0;
    for (const ch of line) {
        if (ch === " ") width++;
        else if (ch === "\t") width += tabSize - (width % tabSize);
        else break;
    }
    return width;
}

/**
 * `completion.maxTimeMs` -1 (the default): a cap that follows the engine's measured generation
 * speed, the time for `tokens` tokens (a few lines) between `minMs` and `maxMs`, so a slow machine
 * shows what it has within a second or two and a fast one is never cut.
 */
export const AUTOMATIC_TIME_LIMIT = { tokens: 32, minMs: 1000, maxMs: 2000 } as const;

/** The time cap of a completion in ms (0: none) for the `completion.maxTimeMs` setting and the measured generation speed. */
export function completionTimeLimitMs(settingMs: number, generationTokensPerSecond: number | undefined): number {
    if (settingMs >= 0) return settingMs;
    const { tokens, minMs, maxMs } = AUTOMATIC_TIME_LIMIT;
    if (!generationTokensPerSecond || !(generationTokensPerSecond > 0)) return maxMs;
    return Math.min(maxMs, Math.max(minMs, Math.round((tokens * 1000) / generationTokensPerSecond)));
}

/**
 * The time cap: once `limitMs` (> 0) has passed, an answer ends with its last finished line, so a
 * slow model still shows what it has; the first line is always finished. Returns the text to keep,
 * or undefined to go on generating.
 */
export function cutAtTimeLimit(text: string, elapsedMs: number, limitMs: number): string | undefined {
    if (limitMs <= 0 || elapsedMs < limitMs) return undefined;
    const lastBreak = text.lastIndexOf("\n");
    return lastBreak > 0 && text.slice(0, lastBreak).trim() !== "" ? text.slice(0, lastBreak) : undefined;
}
