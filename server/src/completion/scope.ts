/**
 * How much a completion may span, decided from the cursor's line before generating, so generation
 * stops as soon as the answer is complete:
 * - text after the cursor on its line (closing brackets the editor inserted included): one line;
 * - a block opener at the end of the line (`{ ( [ :` or `=>`): the block's body, until a line is
 *   indented at or left of the opener's line;
 * - otherwise (end of a line, blank line): lines indented at least as deep as the cursor's line.
 */
export type CompletionScope = { kind: "line" } | { kind: "block"; indent: number };

const BLOCK_OPENER = /(?:[{([:]|=>)\s*$/;

export function completionScope(linePrefix: string, lineSuffix: string, tabSize = 4): CompletionScope {
    if (lineSuffix.trim() !== "") return { kind: "line" };
    const indent = indentWidth(linePrefix, tabSize);
    if (BLOCK_OPENER.test(linePrefix)) return { kind: "block", indent };
    // The cursor's line belongs to the block being written: stop when a line dedents below it.
    return { kind: "block", indent: indent - 1 };
}

/**
 * Cuts generated text (in the model's "\n" line breaks) to the scope. `firstLineIndent` is the
 * indentation the first generated line continues. Returns the text and whether it was cut.
 */
export function cutToScope(text: string, scope: CompletionScope, tabSize = 4): { text: string; complete: boolean } {
    const firstBreak = text.indexOf("\n");
    if (scope.kind === "line") return firstBreak < 0 ? { text, complete: false } : { text: text.slice(0, firstBreak), complete: true };
    let offset = firstBreak;
    while (offset >= 0) {
        const next = text.indexOf("\n", offset + 1);
        // Only a finished line (followed by a break) can be judged.
        if (next < 0) break;
        const line = text.slice(offset + 1, next);
        if (line.trim() !== "" && indentWidth(line, tabSize) <= scope.indent) return { text: text.slice(0, offset), complete: true };
        offset = next;
    }
    return { text, complete: false };
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
