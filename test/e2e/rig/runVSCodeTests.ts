// Runs an in-host test suite (the `extensionTestsPath` contract: a CommonJS module exporting
// run()) inside a real VS Code extension host, via @vscode/test-electron's runTests with
// codeShim.mjs standing in for the VS Code executable (code-server + headless chromium).
//
//   const code = await runVSCodeTests({ extensionDevelopmentPath, extensionTestsPath, workspace });
//   // 0: tests passed, 1: tests failed, 2: rig error, 3: timeout (see codeShim.mjs)

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runTests, TestRunFailedError } from "@vscode/test-electron";
import { killProcessGroup, makeRunDir, writeUserSettings } from "./codeServer.mjs";

const SHIM = fileURLToPath(new URL("./codeShim.mjs", import.meta.url));

export interface RunVSCodeTestsOptions {
    /** Extension folder(s) loaded from source (their package.json is the manifest). */
    extensionDevelopmentPath: string | string[];
    /** CommonJS module exporting run(): e.g. the index.js written by buildSuite(). */
    extensionTestsPath: string;
    /** Folder or .code-workspace opened in the window; omitted: an empty window. */
    workspace?: string;
    /** Merged over the rig's defaults into <user-data-dir>/User/settings.json. */
    userSettings?: Record<string, unknown>;
    /** Extra environment for the extension host (it inherits code-server's environment). */
    env?: Record<string, string>;
    /** Whole-run limit, code-server start included (default 300 000 ms). */
    timeoutMs?: number;
    /** Disable all other (non-builtin) extensions, like `code --disable-extensions`. Default true. */
    disableExtensions?: boolean;
    /** Where the test output goes (default: this process's stdout/stderr). */
    stdout?: NodeJS.WritableStream;
    stderr?: NodeJS.WritableStream;
}

/** Single-quote a string for /bin/sh. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export async function runVSCodeTests(opts: RunVSCodeTestsOptions): Promise<number> {
    const runDir = makeRunDir("clvs-");
    try {
        // Our own user-data/extensions dirs per run: runTests' default (.vscode-test/ in the cwd)
        // would be shared by parallel runs, and two servers must never share a user-data-dir.
        const userDataDir = path.join(runDir, "user-data");
        const extensionsDir = path.join(runDir, "extensions");
        writeUserSettings(userDataDir, opts.userSettings ?? {});

        // runTests spawns vscodeExecutablePath directly. A tiny launcher pins the node that runs
        // us (no PATH lookup) and does not depend on the shim's executable bit surviving a checkout.
        const launcher = path.join(runDir, "code");
        fs.writeFileSync(launcher, `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(SHIM)} "$@"\n`, { mode: 0o755 });

        const launchArgs = [
            ...(opts.workspace ? [path.resolve(opts.workspace)] : []),
            ...(opts.disableExtensions === false ? [] : ["--disable-extensions"]),
            `--user-data-dir=${userDataDir}`,
            `--extensions-dir=${extensionsDir}`,
            `--rig-run-dir=${runDir}`,
            ...(opts.timeoutMs ? [`--timeout-ms=${opts.timeoutMs}`] : []),
        ];
        const devPaths = [opts.extensionDevelopmentPath].flat().map((p) => path.resolve(p));
        try {
            return await runTests({
                vscodeExecutablePath: launcher,
                extensionDevelopmentPath: devPaths,
                extensionTestsPath: path.resolve(opts.extensionTestsPath),
                launchArgs,
                extensionTestsEnv: opts.env,
                reuseMachineInstall: true, // we pass our own profile dirs
                ...(opts.stdout ? { stdout: opts.stdout } : {}),
                ...(opts.stderr ? { stderr: opts.stderr } : {}),
            });
        } catch (e) {
            // killed by a signal (no exit code): a rig failure, not a test failure
            if (e instanceof TestRunFailedError) return e.code ?? 2;
            throw e;
        }
    } finally {
        // The shim ends code-server itself; this covers a shim that was killed before it could.
        const pidFile = path.join(runDir, "codeServer.pid");
        if (fs.existsSync(pidFile)) await killProcessGroup(Number(fs.readFileSync(pidFile, "utf8")), 1000);
        if (!process.env.CODELLAMA_E2E_KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
        else process.stderr.write(`[runVSCodeTests] kept ${runDir}\n`);
    }
}
