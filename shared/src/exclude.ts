/**
 * Files whose text must never reach a prompt (`codellama.completion.exclude`): keys, certificates,
 * environment files. They get no completions and no warm-ups, and never become snippets for other
 * files; this matters most when the model runs on a shared server. The server enforces it
 * (completion/service.ts, lsp/server.ts); the VS Code client matches the same way to show it.
 *
 * Glob patterns as in VS Code's `files.exclude`, matched without regard to case (an over-cautious
 * match costs a suggestion, a missed one a secret): a pattern without "/" matches the file name,
 * one with "/" the path relative to the workspace folder. `*` and `?` stay within a path segment,
 * `**` crosses them; `[abc]`, `[!abc]` and `{a,b}` as usual.
 */

/** The regular expression a glob stands for (anchored at both ends, case-insensitive). */
export function globToRegExp(glob: string): RegExp {
    let source = "";
    let braces = 0;
    for (let index = 0; index < glob.length; index++) {
        const char = glob[index]!;
        if (char === "*") {
            if (glob[index + 1] === "*") {
                index++;
                // "**/" matches any number of whole segments, none included.
                if (glob[index + 1] === "/") {
                    index++;
                    source += "(?:.*/)?";
                } else source += ".*";
            } else source += "[^/]*";
        } else if (char === "?") source += "[^/]";
        else if (char === "[") {
            const end = glob.indexOf("]", index + 2);
            if (end < 0) source += "\\[";
            else {
                const body = glob.slice(index + 1, end);
                source += `[${body.startsWith("!") ? `^${escapeClass(body.slice(1))}` : escapeClass(body)}]`;
                index = end;
            }
        } else if (char === "{") {
            braces++;
            source += "(?:";
        } else if (char === "}" && braces > 0) {
            braces--;
            source += ")";
        } else if (char === "," && braces > 0) source += "|";
        else source += char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
    source += ")".repeat(braces);
    return new RegExp(`^${source}$`, "i");
}

function escapeClass(body: string): string {
    return body.replace(/[\\\]^]/g, "\\$&");
}

/** A compiled `completion.exclude` list. */
export class ExcludeMatcher {
    private readonly byName: RegExp[] = [];
    private readonly byPath: RegExp[] = [];

    constructor(readonly patterns: readonly string[]) {
        for (const pattern of patterns) {
            const trimmed = pattern.trim().replace(/^\.\//, "/");
            if (!trimmed) continue;
            // "/name" and "./name" are paths too: the file at the top of the workspace folder.
            if (trimmed.includes("/")) this.byPath.push(globToRegExp(trimmed.replace(/^\//, "")));
            else this.byName.push(globToRegExp(trimmed));
        }
    }

    /** Whether the document at `uri`, at `relativePath` in its workspace folder, is excluded. */
    matches(uri: string, relativePath: string): boolean {
        const name = fileName(uri);
        const path = relativePath.replace(/\\/g, "/");
        return this.byName.some((glob) => glob.test(name)) || this.byPath.some((glob) => glob.test(path));
    }
}

/** The last segment of a URI's path, decoded: "file:///w/.env.local" → ".env.local". */
export function fileName(uri: string): string {
    const path = uri.replace(/[?#].*$/, "").replace(/\/+$/, "");
    const segment = path.slice(path.lastIndexOf("/") + 1);
    const withoutScheme = segment.includes(":") && !path.includes("/") ? segment.slice(segment.indexOf(":") + 1) : segment;
    try {
        return decodeURIComponent(withoutScheme);
    } catch {
        return withoutScheme;
    }
}
