// Bundles an in-host test suite for the extension host, which loads plain CommonJS only:
// every *.test.ts under suiteDir becomes <outDir>/<same path>.test.js and mochaIndex.ts
// becomes <outDir>/index.js (pass that as extensionTestsPath). `vscode` is provided by the
// extension host and `mocha` is loaded from the repo's node_modules (by absolute path), so
// both stay external.

import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const MOCHA_INDEX = fileURLToPath(new URL("./mochaIndex.ts", import.meta.url));
// Absolute path of the repo's mocha, so bundles load it from wherever outDir is.
const MOCHA_PATH = createRequire(import.meta.url).resolve("mocha");
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

export interface BuildSuiteOptions {
    /** Folder holding the suite's *.test.ts (or *.test.js) files. */
    suiteDir: string;
    /** Output folder; default .test-output/e2e/<basename of suiteDir>. Emptied first. */
    outDir?: string;
}

export interface BuiltSuite {
    outDir: string;
    /** Pass as extensionTestsPath. */
    indexPath: string;
    testFiles: string[];
}

export async function buildSuite(opts: BuildSuiteOptions): Promise<BuiltSuite> {
    const suiteDir = path.resolve(opts.suiteDir);
    const outDir = path.resolve(opts.outDir ?? path.join(REPO_ROOT, ".test-output", "e2e", path.basename(suiteDir)));
    const sources = fs
        .readdirSync(suiteDir, { recursive: true, encoding: "utf8" })
        .filter((f) => /\.test\.[cm]?[jt]s$/.test(f))
        .sort();
    if (sources.length === 0) throw new Error(`buildSuite: no *.test.ts files in ${suiteDir}`);

    fs.rmSync(outDir, { recursive: true, force: true });
    fs.mkdirSync(outDir, { recursive: true });
    // The repo's package.json says "type": "module"; this makes Node (and the extension host's
    // require) treat the bundles as CommonJS.
    fs.writeFileSync(path.join(outDir, "package.json"), '{ "type": "commonjs" }\n');

    const entryPoints = [{ in: MOCHA_INDEX, out: "index" }, ...sources.map((f) => ({ in: path.join(suiteDir, f), out: f.replace(/\.[cm]?[jt]s$/, "") }))];
    await esbuild.build({
        entryPoints,
        outdir: outDir,
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        external: ["vscode"],
        plugins: [
            {
                name: "external-mocha",
                setup(build) {
                    build.onResolve({ filter: /^mocha$/ }, () => ({ path: MOCHA_PATH, external: true }));
                },
            },
        ],
        sourcemap: "inline", // stack traces of failing tests point at the .ts sources
        logLevel: "warning",
    });
    return {
        outDir,
        indexPath: path.join(outDir, "index.js"),
        testFiles: sources.map((f) => path.join(outDir, f.replace(/\.[cm]?[jt]s$/, ".js"))),
    };
}
