/**
 * Snippets of other files the user recently viewed or edited, given to the model before the prefix
 * (as comments naming their files) so completions can use names defined elsewhere. The snippet set
 * changes only when another file is opened or edited, so typing keeps the cached prompt valid.
 */
import type { TextDocument } from "vscode-languageserver-textdocument";

export interface Snippet {
    uri: string;
    /** Lines of the other file, joined with "\n". */
    text: string;
}

/** Lines around an edit kept as a snippet, and lines from the top of a newly opened file. */
export const SNIPPET_RADIUS_LINES = 12;
export const OPENED_SNIPPET_LINES = 30;
export const COPIED_SNIPPET_LINES = 40;
const SIMILAR = 0.5;

export class SnippetRing {
    private snippets: Snippet[] = [];

    /**
     * `perFile` bounds each file's share: editing one file in many places replaces its own oldest
     * snippet instead of pushing other files' snippets out of the prompts written meanwhile.
     */
    constructor(
        private readonly capacity = 8,
        private readonly perFile = 2,
    ) {}

    /** Adds a snippet; one too similar to an existing snippet replaces it. */
    add(snippet: Snippet): void {
        if (snippet.text.trim() === "") return;
        const similar = this.snippets.findIndex((existing) => jaccard(lineSet(existing.text), lineSet(snippet.text)) >= SIMILAR);
        if (similar >= 0 && this.snippets[similar]!.text === snippet.text && similar === this.snippets.length - 1) return;
        if (similar >= 0) this.snippets.splice(similar, 1);
        const sameFile = this.snippets.filter((existing) => existing.uri === snippet.uri);
        if (sameFile.length >= this.perFile) this.snippets.splice(this.snippets.indexOf(sameFile[0]!), 1);
        this.snippets.push(snippet);
        if (this.snippets.length > this.capacity) this.snippets.shift();
    }

    /** Drops the snippets of the files `which` picks (closed files, files excluded since they were added). */
    forget(which: (uri: string) => boolean): void {
        this.snippets = this.snippets.filter((snippet) => !which(snippet.uri));
    }

    /** Snippets of files other than `uri`, oldest first. */
    others(uri: string): Snippet[] {
        return this.snippets.filter((snippet) => snippet.uri !== uri);
    }
}

/** The lines around a changed line, as a snippet's text; reads only those lines of a huge document. */
export function linesAround(document: TextDocument, line: number, radius = SNIPPET_RADIUS_LINES): string {
    return linesOf(document, Math.max(0, line - radius), line + radius + 1);
}

export function firstLines(document: TextDocument, count = OPENED_SNIPPET_LINES): string {
    return linesOf(document, 0, count);
}

/** The lines a copy touched, as a snippet's text; at most `maxLines` from the first. */
export function copiedLines(
    document: TextDocument,
    range: { start: { line: number }; end: { line: number; character: number } },
    maxLines = COPIED_SNIPPET_LINES,
): string {
    const last = range.end.character === 0 && range.end.line > range.start.line ? range.end.line - 1 : range.end.line;
    return linesOf(document, range.start.line, Math.min(last + 1, range.start.line + maxLines));
}

/** Lines [start, end) of a document, with "\n" breaks and no trailing break. */
function linesOf(document: TextDocument, start: number, end: number): string {
    const text = document.getText({ start: { line: start, character: 0 }, end: { line: end, character: 0 } });
    return text.replace(/\r\n?/g, "\n").replace(/\n$/, "");
}

const LINE_COMMENTS: Record<string, string> = {
    python: "#",
    shellscript: "#",
    ruby: "#",
    perl: "#",
    r: "#",
    yaml: "#",
    toml: "#",
    dockerfile: "#",
    makefile: "#",
    powershell: "#",
    elixir: "#",
    julia: "#",
    lua: "--",
    sql: "--",
    haskell: "--",
    ada: "--",
    clojure: ";;",
    lisp: ";;",
    scheme: ";;",
    erlang: "%",
    latex: "%",
    matlab: "%",
    vb: "'",
    bat: "REM",
};

/** The line comment of a VS Code language id ("//" for the C family and anything unknown). */
export function lineComment(languageId: string): string {
    return LINE_COMMENTS[languageId] ?? "//";
}

/** Renders snippets as comments, each under a `Path:` line, most recent last (nearest the code). */
export function renderSnippets(snippets: readonly Snippet[], comment: string, pathOf: (uri: string) => string): string {
    return snippets
        .map(
            (snippet) =>
                [`${comment} Path: ${pathOf(snippet.uri)}`, ...snippet.text.split("\n").map((line) => (line ? `${comment} ${line}` : comment))].join("\n") +
                "\n",
        )
        .join("");
}

function lineSet(text: string): Set<string> {
    return new Set(
        text
            .split("\n")
            .map((line) => line.trim())
            .filter((line) => line.length > 0),
    );
}

function jaccard(a: Set<string>, b: Set<string>): number {
    if (a.size === 0 && b.size === 0) return 1;
    let shared = 0;
    for (const item of a) if (b.has(item)) shared++;
    return shared / (a.size + b.size - shared);
}
