/**
 * The eval corpus: real source files nobody here wrote, from Debian packages (eval/setup-corpus.sh
 * installs them) and from the npm packages in node_modules. Each file is recorded with its package,
 * version and licence. Walks are sorted and capped, so the same installed packages give the same files.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CORPUS_NPM_PACKAGES, collectSourceFiles } from "../bench/corpus.js";
import { normaliseSource } from "../server/src/eval/holes.js";
import { type EvalLanguage, looksGenerated } from "../server/src/eval/languages.js";
import { listFiles } from "../server/src/eval/repo.js";
import type { SourceText } from "../server/src/eval/sampling.js";
import { seededRandom, shuffle } from "../server/src/eval/seededRandom.js";

interface DebianSource {
    /** dpkg package name; `*` matches the installed version's part (libpython3.*-stdlib). */
    package: string;
    language: EvalLanguage;
    /** Licence as the package's /usr/share/doc/PACKAGE/copyright states it for these files. */
    licence: string;
    /** Directory of the files, from the package's name as installed. */
    root: (installed: string) => string;
    include: RegExp;
    exclude?: RegExp;
    /** The files are members of this zip (extracted into a cache directory first). */
    zip?: { file: string; members: string[] };
}

export const DEBIAN_SOURCES: readonly DebianSource[] = [
    {
        package: "libpython3.*-stdlib",
        language: "python",
        licence: "PSF-2.0",
        root: (pkg) => `/usr/lib/${/python3\.\d+/.exec(pkg)![0]}`,
        include: /\.py$/,
        exclude: /\/(?:test|tests|idle_test|site-packages|dist-packages|__pycache__|lib2to3)\//,
    },
    {
        package: "libstdc++-*-dev",
        language: "cpp",
        licence: "GPL-3+ with GCC Runtime Library Exception",
        root: (pkg) => `/usr/include/c++/${/\+\+-(\d+)-dev/.exec(pkg)![1]}`,
        include: /\/(?:bits|ext)\/[^/]+\.(?:h|tcc)$|\/[a-z_]+$/,
        exclude: /\/(?:x86_64-linux-gnu|debug|profile|pstl|tr1|tr2|experimental|parallel|backward|decimal)\//,
    },
    {
        package: "libxcrypt-source",
        language: "c",
        licence: "LGPL-2.1+ (some files BSD-3-Clause or public domain)",
        root: () => "/usr/src/libxcrypt",
        include: /\.c$/,
        exclude: /\/test\//,
    },
    {
        package: "openjdk-17-source",
        language: "java",
        licence: "GPL-2 with Classpath exception",
        root: () => path.join(os.homedir(), ".cache", "codellama-eval", "openjdk-17-src"),
        include: /\.java$/,
        zip: { file: "/usr/lib/jvm/openjdk-17/lib/src.zip", members: ["java.base/java/util/*", "java.base/java/io/*", "java.base/java/time/*"] },
    },
    { package: "php-symfony-console", language: "php", licence: "Expat", root: () => "/usr/share/php/Symfony/Component/Console", include: /\.php$/ },
    {
        package: "bash-completion",
        language: "shellscript",
        licence: "GPL-2+",
        root: () => "/usr/share/bash-completion",
        include: /\/completions\/[^/]+$|\/bash_completion$/,
    },
];

export interface CorpusPackage {
    package: string;
    version: string;
    licence: string;
    language: EvalLanguage | "javascript/typescript";
    files: number;
    /** Why the package gave no files (not installed), when it gave none. */
    missing?: string;
}

export interface CollectOptions {
    /** Files per Debian package, a seeded choice among all of its files. */
    maxFilesPerPackage: number;
    seed: number;
    /** Files from node_modules. */
    maxNpmFiles: number;
    nodeModules: string;
}

const MIN_BYTES = 2_000;
const MAX_BYTES = 200_000;

export function collectCorpus(options: CollectOptions): { files: SourceText[]; packages: CorpusPackage[] } {
    const files: SourceText[] = [];
    const packages: CorpusPackage[] = [];
    for (const debian of DEBIAN_SOURCES) {
        const installed = installedPackage(debian.package);
        if (!installed) {
            packages.push({
                package: debian.package,
                version: "",
                licence: debian.licence,
                language: debian.language,
                files: 0,
                missing: "not installed (bash eval/setup-corpus.sh)",
            });
            continue;
        }
        const root = debian.root(installed.name);
        if (debian.zip) extractZip(debian.zip.file, debian.zip.members, root);
        const found = listFiles(root)
            .map((name) => path.join(root, name))
            .filter((file) => debian.include.test(file) && !debian.exclude?.test(file));
        let count = 0;
        for (const file of shuffle(found, seededRandom(options.seed))) {
            if (count >= options.maxFilesPerPackage) break;
            const text = readSource(file);
            if (text === undefined) continue;
            files.push({ source: { file, package: installed.name, version: installed.version, licence: debian.licence, language: debian.language }, text });
            count++;
        }
        packages.push({ package: installed.name, version: installed.version, licence: debian.licence, language: debian.language, files: count });
    }
    const npm = collectSourceFiles(options.nodeModules, {
        packages: CORPUS_NPM_PACKAGES,
        minBytes: MIN_BYTES,
        maxBytes: MAX_BYTES,
        maxFiles: options.maxNpmFiles,
    }).filter((file) => file.language !== "python");
    const npmPackages = new Map<string, CorpusPackage>();
    for (const file of npm) {
        files.push({
            source: {
                file: path.join("node_modules", file.relPath),
                package: file.packageName,
                version: file.packageVersion,
                licence: file.license,
                language: file.language,
            },
            text: normaliseSource(file.text),
        });
        const key = `${file.packageName}@${file.packageVersion}`;
        if (!npmPackages.has(key))
            npmPackages.set(key, {
                package: file.packageName,
                version: file.packageVersion,
                licence: file.license,
                language: "javascript/typescript",
                files: 0,
            });
        npmPackages.get(key)!.files++;
    }
    packages.push(...[...npmPackages.values()].sort((a, b) => (a.package < b.package ? -1 : 1)));
    return { files, packages };
}

function installedPackage(pattern: string): { name: string; version: string } | undefined {
    try {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format fields
        const out = execFileSync("dpkg-query", ["-W", "-f", "${Package} ${Version} ${db:Status-Status}\n", pattern], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        });
        const lines = out
            .split("\n")
            .filter((line) => line.endsWith(" installed"))
            .sort();
        const [name, version] = (lines[lines.length - 1] ?? "").split(" ");
        return name && version ? { name, version } : undefined;
    } catch {
        return undefined;
    }
}

function extractZip(zip: string, members: readonly string[], into: string): void {
    if (fs.existsSync(path.join(into, ".complete"))) return;
    fs.mkdirSync(into, { recursive: true });
    execFileSync("unzip", ["-q", "-o", zip, ...members, "-d", into], { stdio: ["ignore", "ignore", "inherit"] });
    fs.writeFileSync(path.join(into, ".complete"), "");
}

/** The normalised text of a source file of a sensible size, or undefined. */
function readSource(file: string): string | undefined {
    const size = fs.statSync(file).size;
    if (size < MIN_BYTES || size > MAX_BYTES) return undefined;
    const text = fs.readFileSync(file, "utf8");
    if (text.includes("\u0000") || text.includes("\uFFFD") || looksGenerated(text)) return undefined;
    return normaliseSource(text);
}
