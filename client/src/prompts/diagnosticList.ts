/**
 * The editor's problems in the code a Debug question is about, as the {{diagnostics}} text: errors
 * and warnings overlapping the range, one per line, with 1-based line numbers of the file. Pure:
 * severities are vscode.DiagnosticSeverity's values. Tested in test/unit/chatPrompts.test.ts.
 */
import type { LineRange } from "./enclosingBlock.js";

export interface DiagnosticLike {
    range: LineRange;
    /** vscode.DiagnosticSeverity: 0 error, 1 warning, 2 information, 3 hint. */
    severity: number;
    message: string;
    source?: string;
    code?: string | number | { value: string | number };
}

export const NO_DIAGNOSTICS = "(none reported)";
const SEVERITY = ["error", "warning"] as const;

const overlaps = (a: LineRange, b: LineRange): boolean =>
    !(
        a.end.line < b.start.line ||
        (a.end.line === b.start.line && a.end.character < b.start.character) ||
        b.end.line < a.start.line ||
        (b.end.line === a.start.line && b.end.character < a.start.character)
    );

/** Errors and warnings overlapping `range`, errors first, then by position. */
export function relevantDiagnostics<T extends DiagnosticLike>(diagnostics: readonly T[], range: LineRange): T[] {
    return diagnostics
        .filter((diagnostic) => diagnostic.severity <= 1 && overlaps(diagnostic.range, range))
        .sort((a, b) => a.severity - b.severity || a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

export function diagnosticsText(diagnostics: readonly DiagnosticLike[], range: LineRange): string {
    const relevant = relevantDiagnostics(diagnostics, range);
    if (relevant.length === 0) return NO_DIAGNOSTICS;
    return relevant
        .map((diagnostic) => {
            const code = typeof diagnostic.code === "object" ? diagnostic.code.value : diagnostic.code;
            const origin = [diagnostic.source, code].filter((part) => part !== undefined && part !== "").join(" ");
            const message = diagnostic.message.replace(/\s*\r?\n\s*/g, " ").trim();
            return `- line ${diagnostic.range.start.line + 1}: ${SEVERITY[diagnostic.severity as 0 | 1]}: ${message}${origin ? ` (${origin})` : ""}`;
        })
        .join("\n");
}
