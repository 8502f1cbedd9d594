import { indentWidth } from "./scope.js";

export const DEFAULT_INDENT: IndentStyle = { useTabs: false, size: 4 };

export interface IndentStyle {
    useTabs: boolean;
    /** Columns per indentation level. */
    size: number;
}

/**
 * The indentation the lines of `text` use most: tabs or spaces, and the step between levels;
 * undefined when no line is indented (nothing to go by).
 */
export function detectIndentation(text: string): IndentStyle | undefined {
    let tabs = 0;
    let spaces = 0;
    const steps = new Map<number, number>();
    let previous = 0;
    for (const line of text.split("\n")) {
        if (line.trim() === "") continue;
        if (line.startsWith("\t")) tabs++;
        else if (line.startsWith(" ")) spaces++;
        const width = line.startsWith("\t") ? 0 : indentWidth(line);
        const step = Math.abs(width - previous);
        if (step >= 2 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1);
        previous = width;
    }
    if (tabs === 0 && spaces === 0) return undefined;
    const size = [...steps.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? DEFAULT_INDENT.size;
    return { useTabs: tabs > spaces, size };
}

/**
 * Rewrites the leading indentation of the completion's lines after the first (the first continues
 * the cursor's line) in the document's style, keeping the nesting depth.
 */
export function reindent(text: string, modelStyle: IndentStyle, documentStyle: IndentStyle): string {
    if (modelStyle.useTabs === documentStyle.useTabs && modelStyle.size === documentStyle.size) return text;
    const lines = text.split("\n");
    return lines
        .map((line, index) => {
            if (index === 0) return line;
            const leading = /^[ \t]*/.exec(line)![0];
            const levels = Math.round(indentWidth(leading, modelStyle.size) / modelStyle.size);
            const extra = indentWidth(leading, modelStyle.size) % modelStyle.size;
            const indent = documentStyle.useTabs ? "\t".repeat(levels) + " ".repeat(extra) : " ".repeat(levels * documentStyle.size + extra);
            return indent + line.slice(leading.length);
        })
        .join("\n");
}
