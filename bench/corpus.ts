/**
 * The replay corpus: real source files that nobody here wrote (the JavaScript, TypeScript and Python
 * files that ship inside installed npm packages), and functions in the middle of them, so that a
 * completion has a real prefix and a real suffix. Everything but `collectSourceFiles` is pure.
 */
import fs from "node:fs";
import path from "node:path";
import { isGeneratedFileName, looksGenerated } from "../server/src/eval/languages.js";
import { seededRandom, shuffle } from "../server/src/eval/seededRandom.js";

export type SourceLanguage = "javascript" | "typescript" | "python";

export interface SourceFile {
    /** Path relative to the directory that was searched (e.g. "diff/lib/index.js"). */
    relPath: string;
    absPath: string;
    packageName: string;
    packageVersion: string;
    license: string;
    language: SourceLanguage;
    /** With "\n" line ends. */
    text: string;
}

export interface FunctionSpan {
    name: string;
    /** 0-based, inclusive: the signature line and the closing line. */
    startLine: number;
    endLine: number;
}

export interface ReplayScript {
    /** "<path below node_modules>:<line> <function name>" */
    id: string;
    relPath: string;
    packageName: string;
    packageVersion: string;
    license: string;
    language: SourceLanguage;
    functionName: string;
    /** 1-based line numbers of the function in the original file. */
    startLine: number;
    endLine: number;
    totalLines: number;
    /** The document is `before + indent + typed-so-far + after`; the cursor is at the end of the typed part. */
    before: string;
    indent: string;
    after: string;
    /** What is typed, one entry per keystroke ("\n" plus the next line's indentation is one keystroke, as auto-indent makes it). */
    keystrokes: string[];
}

const EXTENSIONS: Readonly<Record<string, SourceLanguage>> = {
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".py": "python",
};

/** Language of a file name, or undefined for anything that is not a source file we replay (declarations, minified bundles). */
export function languageOf(fileName: string): SourceLanguage | undefined {
    return isGeneratedFileName(fileName) ? undefined : EXTENSIONS[path.extname(fileName).toLowerCase()];
}

const KEYWORDS = new Set([
    "if",
    "for",
    "while",
    "switch",
    "catch",
    "with",
    "return",
    "function",
    "else",
    "do",
    "typeof",
    "new",
    "await",
    "yield",
    "super",
    "constructor",
]);

const JS_SIGNATURES: readonly RegExp[] = [
    // function name(...) {   export async function* name<T>(
    /^(\s*)(?:export\s+(?:default\s+)?)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*[(<]/,
    // const name = (...) => {   const name = async function (
    /^(\s*)(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*(?::\s*[^=]+)?=>)/,
    // Foo.prototype.bar = function (   exports.baz = function (
    /^(\s*)([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+)\s*=\s*(?:async\s+)?function\b/,
    // class methods with the whole signature on one line:   async name(a, b) {   private name<T>(a: T): void {
    /^(\s*)(?:(?:public|private|protected|static|override|readonly|async|get|set)\s+)*\*?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\([^()]*\)\s*(?::\s*[^{=;]+)?\{\s*$/,
];

const PY_SIGNATURE = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)\s*\(/;

function indentOf(line: string): number {
    return line.length - line.trimStart().length;
}

/**
 * Functions whose extent is clear from the layout: brace languages need a signature line ending in
 * `{` and a closing line starting with `}` at the signature's indentation, with nothing in between
 * indented less; Python needs a `def` and ends before the next line indented no deeper than it.
 */
export function findFunctions(text: string, language: SourceLanguage): FunctionSpan[] {
    const lines = text.split("\n");
    const spans: FunctionSpan[] = [];
    for (let index = 0; index < lines.length; index++) {
        const line = lines[index]!;
        if (language === "python") {
            const match = PY_SIGNATURE.exec(line);
            if (!match) continue;
            const indent = match[1]!.length;
            let end = index;
            for (let next = index + 1; next < lines.length; next++) {
                const candidate = lines[next]!;
                if (candidate.trim() === "") continue;
                if (indentOf(candidate) <= indent && !/^\s*[)\]]/.test(candidate)) break;
                end = next;
            }
            if (end > index) spans.push({ name: match[2]!, startLine: index, endLine: end });
            continue;
        }
        const match = JS_SIGNATURES.map((pattern) => pattern.exec(line)).find((found) => found !== null);
        if (!match || KEYWORDS.has(match[2]!)) continue;
        if (!line.trimEnd().endsWith("{")) continue;
        const indent = match[1]!.length;
        for (let next = index + 1; next < lines.length; next++) {
            const candidate = lines[next]!;
            if (candidate.trim() === "") continue;
            const depth = indentOf(candidate);
            if (depth < indent) break;
            if (depth === indent) {
                if (candidate.trimStart().startsWith("}")) spans.push({ name: match[2]!, startLine: index, endLine: next });
                break;
            }
        }
    }
    return spans;
}

/** One keystroke per character, except that a line break and the next line's indentation come together (auto-indent). */
export function splitKeystrokes(text: string): string[] {
    const keys: string[] = [];
    for (let index = 0; index < text.length; ) {
        const char = text[index]!;
        if (char === "\n") {
            let end = index + 1;
            while (end < text.length && (text[end] === " " || text[end] === "\t")) end++;
            keys.push(text.slice(index, end));
            index = end;
            continue;
        }
        // Keep a surrogate pair together: one keystroke types one character.
        const code = text.charCodeAt(index);
        const width = code >= 0xd800 && code <= 0xdbff && index + 1 < text.length ? 2 : 1;
        keys.push(text.slice(index, index + width));
        index += width;
    }
    return keys;
}

export interface PickOptions {
    /** How many functions (from different files, different packages when possible). */
    count: number;
    seed: number;
    /** Function bodies of this many lines, signature and closing line included. */
    minLines?: number;
    maxLines?: number;
    /** Only functions that start within this share of the file (the middle). */
    window?: [number, number];
    /** Lines that must stay before and after the function. */
    minContextLines?: number;
}

export interface PickedFunction {
    file: SourceFile;
    span: FunctionSpan;
}

/** Candidate functions of one file: in the middle, with enough lines around them. */
export function middleFunctions(file: SourceFile, options: Omit<PickOptions, "count" | "seed"> = {}): FunctionSpan[] {
    const { minLines = 6, maxLines = 80, window = [0.25, 0.75], minContextLines = 40 } = options;
    const totalLines = file.text.split("\n").length;
    return findFunctions(file.text, file.language).filter((span) => {
        const length = span.endLine - span.startLine + 1;
        const at = span.startLine / totalLines;
        return (
            length >= minLines &&
            length <= maxLines &&
            at >= window[0] &&
            at <= window[1] &&
            span.startLine >= minContextLines &&
            totalLines - 1 - span.endLine >= minContextLines
        );
    });
}

/**
 * Picks `count` functions: files in a seeded order (sorted first, so the result does not depend on
 * the order the disk listed them), one function per file, a package at most once until every
 * package with a candidate has been used.
 */
export function pickFunctions(files: readonly SourceFile[], options: PickOptions): PickedFunction[] {
    const random = seededRandom(options.seed);
    const sorted = [...files].sort((a, b) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0));
    const candidates = shuffle(sorted, random)
        .map((file) => ({ file, spans: middleFunctions(file, options) }))
        .filter((entry) => entry.spans.length > 0);
    const picked: PickedFunction[] = [];
    const usedPackages = new Set<string>();
    const usedFiles = new Set<string>();
    for (const pass of [0, 1]) {
        for (const { file, spans } of candidates) {
            if (picked.length >= options.count) return picked;
            if (usedFiles.has(file.relPath) || (pass === 0 && usedPackages.has(file.packageName))) continue;
            // The function nearest the middle of the file: the longest real prefix and suffix at once.
            const middle = file.text.split("\n").length / 2;
            const span = [...spans].sort((a, b) => Math.abs(a.startLine - middle) - Math.abs(b.startLine - middle))[0]!;
            picked.push({ file, span });
            usedFiles.add(file.relPath);
            usedPackages.add(file.packageName);
        }
    }
    return picked;
}

/** The replay of one function: the document without it, then the function typed back from its first character. */
export function replayScript(picked: PickedFunction, maxKeystrokes: number): ReplayScript {
    const { file, span } = picked;
    const lines = file.text.split("\n");
    const first = lines[span.startLine]!;
    const indent = first.slice(0, indentOf(first));
    const body = [first.slice(indent.length), ...lines.slice(span.startLine + 1, span.endLine + 1)].join("\n");
    return {
        id: `${file.relPath.split(path.sep).join("/")}:${span.startLine + 1} ${span.name}`,
        relPath: file.relPath,
        packageName: file.packageName,
        packageVersion: file.packageVersion,
        license: file.license,
        language: file.language,
        functionName: span.name,
        startLine: span.startLine + 1,
        endLine: span.endLine + 1,
        totalLines: lines.length,
        before: lines.slice(0, span.startLine).join("\n") + "\n",
        indent,
        after: "\n" + lines.slice(span.endLine + 1).join("\n"),
        keystrokes: splitKeystrokes(body).slice(0, Math.max(0, maxKeystrokes)),
    };
}

/** Splits a total keystroke budget over `count` functions (the first ones get the remainder). */
export function splitBudget(total: number, count: number): number[] {
    if (count <= 0) return [];
    const base = Math.floor(total / count);
    return Array.from({ length: count }, (_, index) => base + (index < total % count ? 1 : 0));
}

/**
 * The npm packages the corpora take source files from: ones the lockfile pins, so a new development
 * dependency (or a checkout elsewhere) does not change which files, functions and holes are picked.
 */
export const CORPUS_NPM_PACKAGES: readonly string[] = [
    "@huggingface/jinja",
    "@vscode/test-electron",
    "@vscode/vsce",
    "dompurify",
    "highlight.js",
    "jsdom",
    "markdown-it",
    "mocha",
    "node-llama-cpp",
    "playwright-core",
    "tsx",
    "vscode-jsonrpc",
    "vscode-languageclient",
    "vscode-languageserver",
    "vscode-languageserver-protocol",
    "vscode-tmgrammar-test",
];

export interface CollectOptions {
    /** Only these top-level packages (default: every package in the directory). */
    packages?: readonly string[];
    minBytes?: number;
    maxBytes?: number;
    /** Stop after this many files (the walk is sorted, so the result is stable). */
    maxFiles?: number;
    maxDepth?: number;
}

/**
 * Source files inside installed packages (`node_modules`), with the package each belongs to.
 * Skips declarations, minified or bundled files, and packages whose package.json names no license.
 */
export function collectSourceFiles(nodeModules: string, options: CollectOptions = {}): SourceFile[] {
    const { minBytes = 8_000, maxBytes = 256_000, maxFiles = 5_000, maxDepth = 8 } = options;
    const files: SourceFile[] = [];
    const packages = new Map<string, { name: string; version: string; license: string } | null>();

    const packageOf = (dir: string): { name: string; version: string; license: string } | null => {
        let current = dir;
        while (current.startsWith(nodeModules) && current !== nodeModules) {
            if (packages.has(current)) return packages.get(current)!;
            const manifest = path.join(current, "package.json");
            if (fs.existsSync(manifest)) {
                let info: { name: string; version: string; license: string } | null = null;
                try {
                    const json = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown; license?: unknown };
                    // Nested package.json files that only set "type" have no name: keep looking up.
                    if (typeof json.name !== "string") {
                        current = path.dirname(current);
                        continue;
                    }
                    const license = typeof json.license === "string" ? json.license : "";
                    info = license ? { name: json.name, version: typeof json.version === "string" ? json.version : "", license } : null;
                } catch {
                    info = null;
                }
                packages.set(current, info);
                return info;
            }
            current = path.dirname(current);
        }
        return null;
    };

    const walk = (dir: string, depth: number): void => {
        if (depth > maxDepth || files.length >= maxFiles) return;
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
            if (files.length >= maxFiles) return;
            if (entry.name.startsWith(".")) continue;
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) {
                walk(full, depth + 1);
                continue;
            }
            if (!entry.isFile()) continue;
            const language = languageOf(entry.name);
            if (!language) continue;
            let size: number;
            try {
                size = fs.statSync(full).size;
            } catch {
                continue;
            }
            if (size < minBytes || size > maxBytes) continue;
            const info = packageOf(dir);
            if (!info) continue;
            const text = fs.readFileSync(full, "utf8").replace(/\r\n?/g, "\n");
            if (looksGenerated(text) || text.includes("\u0000")) continue;
            files.push({
                relPath: path.relative(nodeModules, full),
                absPath: full,
                packageName: info.name,
                packageVersion: info.version,
                license: info.license,
                language,
                text,
            });
        }
    };
    if (options.packages) for (const name of [...options.packages].sort()) walk(path.join(nodeModules, name), name.split("/").length);
    else walk(nodeModules, 0);
    return files;
}
