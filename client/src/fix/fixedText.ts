/**
 * The text that replaces the code a Debug question was about, from the answer's code block: with
 * the document's line endings, re-indented to where the code sits (a model tends to answer with a
 * method's code flush left), and ending like the original did. Pure; tested in test/unit/chatPrompts.test.ts.
 */
export interface FixInput {
    /** The text being replaced. */
    original: string;
    /** The start line's text before `original` (its indentation, when it starts at a line's code). */
    linePrefix: string;
    /** The code block of the answer. */
    code: string;
    eol: "\n" | "\r\n";
}

const leadingSpace = (line: string): string => /^[ \t]*/.exec(line)![0];

function shortest(strings: readonly string[]): string {
    return strings.reduce<string | undefined>((best, s) => (best === undefined || s.length < best.length ? s : best), undefined) ?? "";
}

export function fixReplacement({ original, linePrefix, code, eol }: FixInput): string {
    const originalText = original.replace(/\r\n/g, "\n");
    let lines = code.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
    if (/^[ \t]*$/.test(linePrefix)) {
        const originalLines = originalText.split("\n");
        const indents = originalLines
            .map((line, index) => (index === 0 ? linePrefix + line : line))
            .filter((line) => line.trim() !== "")
            .map(leadingSpace);
        const base = shortest(indents);
        const codeIndent = shortest(lines.filter((line) => line.trim() !== "").map(leadingSpace));
        lines = lines.map((line) => (line.trim() === "" ? "" : base + line.slice(codeIndent.length)));
        if (lines[0]!.startsWith(linePrefix)) lines[0] = lines[0]!.slice(linePrefix.length);
    }
    const replacement = lines.join(eol);
    return originalText.endsWith("\n") ? replacement + eol : replacement;
}

/** `text` with [start, end) replaced. */
export function replaceRange(text: string, start: number, end: number, replacement: string): string {
    return text.slice(0, start) + replacement + text.slice(end);
}
