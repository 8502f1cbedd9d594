import { detectIndentation, type IndentStyle, reindent, tabWidth } from "./indentation.js";
import { type CompletionScope, completionScope, cutToScope } from "./scope.js";

/**
 * Text of Code Llama's control tokens and SentencePiece markers. A model sometimes spells them out as
 * ordinary text; what follows is never part of the code, so the completion ends there. The infill
 * tokens are "▁<EOT>" and the like: the space before them is theirs.
 */
/** Infill control-token texts: no code writes them, only a model that lost its way. */
const INFILL_TOKEN_TEXT = /[ \u2581]?<(?:PRE|SUF|MID|EOT)>/;
/**
 * Llama's other special-token texts and the Instruct markup, which code can hold too (a regex's
 * `(?P<s>…)`, a generic `List<s>`, HTML's `<s>…</s>`): they count as spelled tokens only where the code
 * around the cursor does not use them, an opening one only where no word character comes right before
 * it, and a closing one only where the answer did not open it itself.
 */
const LLAMA_TOKEN_TEXT = /<\/?s>|<unk>|\[\/?INST\]|<<\/?SYS>>/g;

/** What the rules need to know about the cursor's surroundings (line breaks normalised to "\n"). */
export interface CursorSurroundings {
    /** The cursor's line up to the cursor. */
    linePrefix: string;
    /** The cursor's line after the cursor. */
    lineSuffix: string;
    /** The line above the cursor's line ("" on the first line). */
    previousLine: string;
    /** The lines after the cursor's line (a few are enough). */
    nextLines: string[];
    /** Undefined when the document shows no indentation to follow. */
    documentIndent: IndentStyle | undefined;
}

export interface PostprocessOptions extends CursorSurroundings {
    /** Line break of the document at the cursor; the model writes "\n". */
    eol: "\n" | "\r\n";
    scope: CompletionScope;
}

/**
 * The rules one answer is held to, built once per completion from the text around the cursor: the
 * check run on the text as the engine streams it (generation stops once it holds a whole answer)
 * and the cut of the finished text. Everything that judges model output (generation's completeAt,
 * the quality eval's oracle) goes through this one object.
 */
export interface AnswerRules {
    readonly scope: CompletionScope;
    /** The streamed text holds a whole answer (its scope is complete, or the model spelled a control token): stop generating. */
    isComplete(text: string): boolean;
    /** What the editor shows of the finished raw text, in the document's line breaks; "" when nothing is worth showing. */
    finish(raw: string): string;
}

export function answerRules(around: CursorSurroundings, eol: "\n" | "\r\n"): AnswerRules {
    const tabSize = tabWidth(around.documentIndent);
    const scope = completionScope(around, tabSize);
    const code = codeAround(around);
    return {
        scope,
        isComplete: (text) => cutToScope(text, scope, tabSize).complete || cutAtSpecialTokenText(text, code) !== text,
        finish: (raw) => postprocessCompletion(raw, { ...around, eol, scope }),
    };
}

/** Turns raw model text into what the editor shows, or "" when nothing is worth showing. Pure. */
export function postprocessCompletion(raw: string, options: PostprocessOptions): string {
    let text = cutAtSpecialTokenText(raw, codeAround(options));
    text = cutToScope(text, options.scope, tabWidth(options.documentIndent), true).text;
    // Spaces before code that follows on the cursor's line are the answer's (`( a )` style); at a line's end they are noise.
    if (options.lineSuffix.trim() === "") text = text.replace(/\s+$/, "");
    text = dropRepeatedSuffixLines(text, options.nextLines);
    text = trimSuffixOverlap(text, options.lineSuffix);
    if (text.trim() === "") return "";
    if (repeatsLineAbove(options.linePrefix + text, options.previousLine)) return "";
    // The model's style shows in the lines it starts; its first line goes on with the document's.
    const modelIndent = detectIndentation(text.slice(text.indexOf("\n") + 1));
    if (options.documentIndent && modelIndent) text = reindent(text, modelIndent, options.documentIndent);
    return options.eol === "\r\n" ? text.replace(/\r?\n/g, "\r\n") : text;
}

/** `text` up to the first control token the model spelled out as text; `code` is the code around the cursor. */
export function cutAtSpecialTokenText(text: string, code = ""): string {
    const infill = INFILL_TOKEN_TEXT.exec(text);
    const end = infill ? infill.index : text.length;
    for (const match of text.slice(0, end).matchAll(LLAMA_TOKEN_TEXT)) {
        const [token] = match;
        if (code.includes(token)) continue;
        const closing = token.includes("/");
        const before = text.slice(0, match.index);
        if (closing ? !before.includes(token.replace("/", "")) : !/[\w$]$/.test(before)) return before;
    }
    return text.slice(0, end);
}

/** The code the rules can see around the cursor: a token text it uses is the code's, not a spelled token. */
function codeAround(around: CursorSurroundings): string {
    return [around.previousLine, around.linePrefix + around.lineSuffix, ...around.nextLines].join("\n");
}

const CLOSERS = /^[\s)\]}>"'`;,.:]+$/;
const PAIRS: Readonly<Record<string, string>> = { ")": "(", "]": "[", "}": "{" };

/**
 * Removes the end of the completion that the text after the cursor already has: brackets and
 * quotes the editor auto-closed (`foo(a, b)` before `)`), or a longer repeated piece of the line.
 * A bracket or quote counts as repeated only when the completion does not open it itself.
 */
export function trimSuffixOverlap(text: string, lineSuffix: string): string {
    const suffix = lineSuffix.trimEnd();
    if (!suffix) return text;
    for (let length = Math.min(suffix.length, text.length); length > 0; length--) {
        const overlap = suffix.slice(0, length);
        if (!text.endsWith(overlap)) continue;
        const kept = text.slice(0, text.length - length);
        if (length >= 4 || (CLOSERS.test(overlap) && closesOnlyWhatIsOpenBefore(kept, overlap))) return kept;
    }
    return text;
}

/** `closers` (after `text`) close nothing `text` opened: every bracket in them closes one opened before the cursor, every quote an odd one. */
function closesOnlyWhatIsOpenBefore(text: string, closers: string): boolean {
    const open: string[] = [];
    for (const ch of text) {
        if (ch === "(" || ch === "[" || ch === "{") open.push(ch);
        else if (PAIRS[ch] && open[open.length - 1] === PAIRS[ch]) open.pop();
    }
    for (const ch of closers) {
        if (PAIRS[ch] && open.length > 0) return false;
        if ((ch === '"' || ch === "'" || ch === "`") && text.split(ch).length % 2 === 0) return false;
    }
    return true;
}

/** Drops the completion's last lines when they repeat the lines that follow the cursor's line, indentation included. */
export function dropRepeatedSuffixLines(text: string, nextLines: readonly string[]): string {
    const lines = text.split("\n");
    const upcoming = nextLines.map((line) => line.trimEnd()).filter((line) => line !== "");
    if (lines.length < 2 || upcoming.length === 0) return text;
    for (let count = Math.min(upcoming.length, lines.length - 1); count > 0; count--) {
        const tail = lines.slice(lines.length - count).map((line) => line.trimEnd());
        if (tail.every((line, index) => line === upcoming[index]))
            return lines
                .slice(0, lines.length - count)
                .join("\n")
                .replace(/\s+$/, "");
    }
    return text;
}

/** The completed line only repeats the line above (a common degenerate answer). */
export function repeatsLineAbove(completedLine: string, previousLine: string): boolean {
    const line = completedLine.split("\n")[0]!.trim();
    return line.length > 0 && line === previousLine.trim() && !completedLine.includes("\n");
}

/** Enough lines around the cursor to tell the file's indentation style (most of them above it). */
const INDENT_SAMPLE_CHARS = { before: 8000, after: 2000 };

/** What the rules need from the text before and after the cursor (line breaks normalised), the indentation style detected from the lines around it. */
export function cursorSurroundings(prefix: string, suffix: string): CursorSurroundings {
    return surroundings(prefix, suffix, detectIndentation(prefix.slice(-INDENT_SAMPLE_CHARS.before) + suffix.slice(0, INDENT_SAMPLE_CHARS.after)));
}

/** Splits the normalised text around the cursor into what the rules need. */
export function surroundings(prefix: string, suffix: string, documentIndent: IndentStyle | undefined): CursorSurroundings {
    const lineStart = prefix.lastIndexOf("\n") + 1;
    const previousStart = prefix.lastIndexOf("\n", lineStart - 2) + 1;
    const lineEnd = suffix.indexOf("\n");
    return {
        linePrefix: prefix.slice(lineStart),
        lineSuffix: lineEnd < 0 ? suffix : suffix.slice(0, lineEnd),
        previousLine: lineStart > 0 ? prefix.slice(previousStart, lineStart - 1) : "",
        nextLines: lineEnd < 0 ? [] : suffix.slice(lineEnd + 1).split("\n", 8),
        documentIndent,
    };
}
