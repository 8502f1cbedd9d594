/**
 * Source files of a user's repository for `codellama eval --repo DIR`: the files git tracks (every
 * file below DIR, dot folders and node_modules aside, when it is no git work tree). Unreadable,
 * binary, huge or generated files are skipped and counted, never fatal.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { normaliseSource } from "./holes.js";
import { languageOfFile, looksGenerated } from "./languages.js";
import type { SourceText } from "./sampling.js";

const MAX_FILE_BYTES = 1_000_000;
/** Files looked at, at most (the first ones in git's or the walk's sorted order). */
const MAX_FILES = 20_000;

export type SkipReason = "unreadable" | "binary" | "too large" | "generated";

export interface RepoFiles {
    files: SourceText[];
    /** Source files left out, by why. */
    skipped: Record<SkipReason, number>;
    /** "git" when the list came from git ls-files. */
    listedBy: "git" | "walk";
}

export function collectRepoFiles(dir: string): RepoFiles {
    const root = path.resolve(dir);
    if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`--repo ${dir} is not a directory`);
    const tracked = gitFiles(root);
    const names = (tracked ?? listFiles(root, MAX_FILES)).slice(0, MAX_FILES);
    const skipped: Record<SkipReason, number> = { unreadable: 0, binary: 0, "too large": 0, generated: 0 };
    const files: SourceText[] = [];
    const revision = tracked ? gitRevision(root) : "";
    for (const name of names) {
        // A file with another extension is no source file; one without may be a script (its shebang says).
        const byName = languageOfFile(name);
        if (!byName && path.extname(name) !== "") continue;
        const file = path.join(root, name);
        const text = readText(file, skipped);
        if (text === undefined) continue;
        const language = byName ?? languageOfFile(name, text.slice(0, text.indexOf("\n") >>> 0));
        if (!language) continue;
        if (looksGenerated(text)) {
            skipped.generated++;
            continue;
        }
        files.push({ source: { file, package: path.basename(root), version: revision, licence: "", language }, text: normaliseSource(text) });
    }
    return { files, skipped, listedBy: tracked ? "git" : "walk" };
}

/** The file's text, or undefined (counted in `skipped`) when it cannot be read, is binary or too large. */
function readText(file: string, skipped: Record<SkipReason, number>): string | undefined {
    let buffer: Buffer;
    try {
        if (fs.statSync(file).size > MAX_FILE_BYTES) {
            skipped["too large"]++;
            return undefined;
        }
        buffer = fs.readFileSync(file);
    } catch {
        skipped.unreadable++;
        return undefined;
    }
    if (buffer.includes(0)) {
        skipped.binary++;
        return undefined;
    }
    const text = buffer.toString("utf8");
    if (text.includes("\uFFFD")) {
        skipped.binary++;
        return undefined;
    }
    return text;
}

function gitFiles(root: string): string[] | undefined {
    try {
        const out = execFileSync("git", ["-C", root, "ls-files", "-z"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 64 * 2 ** 20 });
        return out
            .split("\0")
            .filter((name) => name !== "")
            .sort();
    } catch {
        return undefined;
    }
}

function gitRevision(root: string): string {
    try {
        return execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
        return "";
    }
}

/** Files below `root` (paths relative to it) in sorted order, dot folders and node_modules aside, at most `max`. */
export function listFiles(root: string, max = Number.POSITIVE_INFINITY): string[] {
    const found: string[] = [];
    const visit = (dir: string): void => {
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(dir, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            if (found.length >= max) return;
            if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) visit(full);
            else if (entry.isFile()) found.push(path.relative(root, full));
        }
    };
    visit(root);
    return found;
}
