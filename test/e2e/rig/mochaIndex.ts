// Entry point of an in-host test suite: VS Code's extension host require()s the module named
// by extensionTestsPath and calls its run(). buildSuite() bundles this file as <outDir>/index.js
// next to the suite's bundled *.test.js files, so run() mocha-runs every *.test.js found in
// the folder it is given (VS Code passes the extensionTestsPath) or, failing that, its own.
//
// Env (set through runVSCodeTests({ env })): CODELLAMA_E2E_GREP (only tests matching),
// CODELLAMA_E2E_MOCHA_TIMEOUT (per-test ms, default 30000).

import fs from "node:fs";
import path from "node:path";
import Mocha from "mocha";

export interface MochaRunOptions {
    /** Folder searched (recursively) for *.test.js files. */
    testsDir: string;
    timeout?: number;
    grep?: string;
}

export function findTestFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".test.js"))
        .map((f) => path.join(dir, f))
        .sort();
}

export function runMocha(opts: MochaRunOptions): Promise<void> {
    // buildSuite() inlines source maps: make failure stack traces point at the .ts sources.
    process.setSourceMapsEnabled(true);
    const mocha = new Mocha({
        ui: "bdd",
        color: false, // the output ends up in a log, not a terminal
        timeout: opts.timeout ?? 30_000,
        ...(opts.grep ? { grep: opts.grep } : {}),
    });
    const files = findTestFiles(opts.testsDir);
    if (files.length === 0) return Promise.reject(new Error(`no *.test.js files in ${opts.testsDir}`));
    for (const f of files) mocha.addFile(f);
    return new Promise((resolve, reject) => {
        try {
            mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed.`)) : resolve()));
        } catch (e) {
            reject(e instanceof Error ? e : new Error(String(e)));
        }
    });
}

/** The extensionTestsPath contract: a rejected promise fails the run. */
export function run(testsRoot?: string): Promise<void> {
    let dir = process.env.CODELLAMA_E2E_TESTS_DIR ?? testsRoot ?? __dirname;
    if (fs.existsSync(dir) && fs.statSync(dir).isFile()) dir = path.dirname(dir);
    else if (!fs.existsSync(dir) && fs.existsSync(`${dir}.js`)) dir = path.dirname(dir); // "…/index" without .js
    const timeout = Number(process.env.CODELLAMA_E2E_MOCHA_TIMEOUT) || undefined;
    return runMocha({ testsDir: dir, timeout, grep: process.env.CODELLAMA_E2E_GREP });
}
