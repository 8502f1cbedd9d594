import { indentWidth } from "./scope.js";

export const DEFAULT_INDENT: IndentStyle = { useTabs: false, size: 4 };

export interface IndentStyle {
    useTabs: boolean;
    /** Columns per indentation level. */
    size: number;
    /** Some lines start with tabs and others with spaces (GNU style, or a file edited in two editors). */
    mixed?: true;
}

/** Columns a tab stands for when judging indentation: the style's step, or the traditional 8 where tabs and spaces mix (GNU style indents by 2 and makes 8 spaces a tab). */
export function tabWidth(style: IndentStyle | undefined): number {
    return style?.mixed ? 8 : (style?.size ?? DEFAULT_INDENT.size);
}

/**
 * The indentation the lines of `text` use most: tabs or spaces, and the step between levels;
 * undefined when no line is indented (nothing to go by). The " * " lines of block comments, aligned
 * with a space whatever the style, do not count.
 */
export function detectIndentation(text: string): IndentStyle | undefined {
    let tabs = 0;
    let spaces = 0;
    const steps = new Map<number, number>();
    let previous = 0;
    for (const line of text.split("\n")) {
        if (line.trim() === "" || line.trimStart().startsWith("*")) continue;
        if (line.startsWith("\t")) tabs++;
        // Spaces after tabs: GNU style (a tab is 8 columns) or alignment; either way both are in use.
        if (line.startsWith(" ") || /^\t+ /.test(line)) spaces++;
        const width = line.startsWith("\t") ? 0 : indentWidth(line);
        const step = Math.abs(width - previous);
        if (step >= 2 && step <= 8) steps.set(step, (steps.get(step) ?? 0) + 1);
        previous = width;
    }
    if (tabs === 0 && spaces === 0) return undefined;
    const size = [...steps.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? DEFAULT_INDENT.size;
    return tabs > 0 && spaces > 0 ? { useTabs: tabs > spaces, size, mixed: true } : { useTabs: tabs > spaces, size };
}

/**
 * Rewrites the leading indentation of the completion's lines after the first (the first continues
 * the cursor's line) in the document's style, keeping each line's width (a tab is `size` columns):
 * only where the model indents with tabs and the document with spaces, or the other way round. A
 * document or answer that uses both has no other style to fix, and a step size guessed from a few
 * lines of answer is no reason to rewrite them (alignment of continued lines looks like a step, too).
 */
export function reindent(text: string, modelStyle: IndentStyle, documentStyle: IndentStyle): string {
    if (modelStyle.useTabs === documentStyle.useTabs || modelStyle.mixed || documentStyle.mixed) return text;
    return text
        .split("\n")
        .map((line, index) => {
            if (index === 0) return line;
            const leading = /^[ \t]*/.exec(line)![0];
            return indentation(indentWidth(leading, documentStyle.size), documentStyle) + line.slice(leading.length);
        })
        .join("\n");
}

/** Leading whitespace `width` columns wide in `style`: tabs of `size` columns and the rest in spaces, or all spaces. */
export function indentation(width: number, style: IndentStyle): string {
    return style.useTabs ? "\t".repeat(Math.floor(width / style.size)) + " ".repeat(width % style.size) : " ".repeat(width);
}
