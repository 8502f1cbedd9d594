import path from "node:path";

/** Languages the eval cuts holes in, by their VS Code language ids. */
export type EvalLanguage = "python" | "javascript" | "typescript" | "c" | "cpp" | "java" | "php" | "csharp" | "shellscript";

/** How a language lays out blocks: braces, Python's colon and indentation, or shell keywords. */
export type LanguageFamily = "brace" | "python" | "shell";

export const FAMILY: Readonly<Record<EvalLanguage, LanguageFamily>> = {
    python: "python",
    javascript: "brace",
    typescript: "brace",
    c: "brace",
    cpp: "brace",
    java: "brace",
    php: "brace",
    csharp: "brace",
    shellscript: "shell",
};

const EXTENSIONS: Readonly<Record<string, EvalLanguage>> = {
    ".py": "python",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".java": "java",
    ".php": "php",
    ".cs": "csharp",
    ".sh": "shellscript",
    ".bash": "shellscript",
};

/** Type declarations, minified and bundled scripts, by their names: files nobody writes by hand. */
export function isGeneratedFileName(fileName: string): boolean {
    const base = path.basename(fileName).toLowerCase();
    return /\.d\.[cm]?ts$/.test(base) || /[.-]min\.[cm]?js$/.test(base) || /\.bundle\.[cm]?js$/.test(base);
}

/** Language of a source file by its name, or by a shell shebang; undefined for declarations, minified files and anything else. */
export function languageOfFile(fileName: string, firstLine = ""): EvalLanguage | undefined {
    if (isGeneratedFileName(fileName)) return undefined;
    const byExtension = EXTENSIONS[path.extname(fileName).toLowerCase()];
    if (byExtension) return byExtension;
    return /^#!.*\b(?:ba|da|z)?sh\b/.test(firstLine) ? "shellscript" : undefined;
}

/** Minified or generated-looking text: long lines, or too few lines for its size. */
export function looksGenerated(text: string): boolean {
    const lines = text.split("\n");
    if (lines.length < 20) return true;
    let long = 0;
    for (const line of lines) if (line.length > 200) long++;
    return long / lines.length > 0.02 || text.length / lines.length > 90;
}
