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
/** Language of a file name, or undefined for anything that is not a source file we replay (declarations, minified bundles). */
export declare function languageOf(fileName: string): SourceLanguage | undefined;
/** Minified or generated-looking text: long lines, or too few lines for its size. */
export declare function looksMinified(text: string): boolean;
/**
 * Functions whose extent is clear from the layout: brace languages need a signature line ending in
 * `{` and a closing line starting with `}` at the signature's indentation, with nothing in between
 * indented less; Python needs a `def` and ends before the next line indented no deeper than it.
 */
export declare function findFunctions(text: string, language: SourceLanguage): FunctionSpan[];
/** One keystroke per character, except that a line break and the next line's indentation come together (auto-indent). */
export declare function splitKeystrokes(text: string): string[];
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
/** A small deterministic PRNG (mulberry32), so the same seed picks the same functions. */
export declare function seededRandom(seed: number): () => number;
/** Candidate functions of one file: in the middle, with enough lines around them. */
export declare function middleFunctions(file: SourceFile, options?: Omit<PickOptions, "count" | "seed">): FunctionSpan[];
/**
 * Picks `count` functions: files in a seeded order (sorted first, so the result does not depend on
 * the order the disk listed them), one function per file, a package at most once until every
 * package with a candidate has been used.
 */
export declare function pickFunctions(files: readonly SourceFile[], options: PickOptions): PickedFunction[];
/** The replay of one function: the document without it, then the function typed back from its first character. */
export declare function replayScript(picked: PickedFunction, maxKeystrokes: number): ReplayScript;
/** Splits a total keystroke budget over `count` functions (the first ones get the remainder). */
export declare function splitBudget(total: number, count: number): number[];
export interface CollectOptions {
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
export declare function collectSourceFiles(nodeModules: string, options?: CollectOptions): SourceFile[];
