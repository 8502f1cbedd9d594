#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's
// runTests({ vscodeExecutablePath }): there is no desktop VS Code (nor electron) that installs
// offline, but code-server 4.100.3 from npm is VS Code 1.100.3 with a real Node extension host.
//
// It accepts the `code` CLI arguments runTests passes
//   --extensionDevelopmentPath=P (repeatable)  --extensionTestsPath=P  --user-data-dir=D
//   --extensions-dir=D  --disable-extensions  [folder | x.code-workspace | file]
// (desktop-only flags such as --no-sandbox, --skip-welcome are accepted and ignored), plus rig options
//   --user-settings=FILE   JSON object merged into <user-data-dir>/User/settings.json
//   --timeout-ms=N         give up after N ms (default: env CODELLAMA_E2E_TIMEOUT_MS or 300000)
//   --rig-run-dir=DIR      per-run scratch dir (HOME, TMPDIR, logs) owned by the caller; default: a new temp dir
// starts a private code-server on 127.0.0.1:<free port> (--auth none), opens the workbench in
// headless chromium with the extension-test payload, relays the test output that the workbench
// reports through window.codeAutomationLog / codeAutomationExit, then ends chromium and
// code-server's process group (by pid) and exits like `code --extensionTestsPath` would.
//
// Exit codes: 0 tests passed, 1 tests failed, 2 rig error (bad args, code-server missing or
// not starting, browser failure), 3 timeout, 130/143 interrupted.
// Env: CODELLAMA_CODE_SERVER_DIR (code-server install, see scripts/setup-test-env.sh),
//      CODELLAMA_E2E_SCREENSHOT_DIR (save a PNG of the workbench when the run ends),
//      CODELLAMA_E2E_VERBOSE=1 (all workbench console output), CODELLAMA_E2E_KEEP_TMP=1.
// Everything else in the environment reaches the extension host (code-server's child).
import fs from "node:fs";
import path from "node:path";
import util from "node:util";
import {
    isNoise,
    killProcessGroupNow,
    launchChromium,
    makeRunDir,
    requireCodeServer,
    startCodeServer,
    tail,
    workbenchUrl,
    writeUserSettings,
} from "./codeServer.mjs";

const EXIT = { pass: 0, fail: 1, rig: 2, timeout: 3 };
const T0 = Date.now();
const log = (...a) => process.stderr.write(`[codeShim] ${util.format(...a)}\n`);
/** Phase timings, with CODELLAMA_E2E_VERBOSE=1. */
const phase = (what) => {
    if (process.env.CODELLAMA_E2E_VERBOSE) log(`+${((Date.now() - T0) / 1000).toFixed(1)}s ${what}`);
};

// ---------------------------------------------------------------- arguments
const VALUE_FLAGS = new Set([
    "extensionDevelopmentPath",
    "extensionTestsPath",
    "user-data-dir",
    "extensions-dir",
    "user-settings",
    "timeout-ms",
    "rig-run-dir",
    // desktop flags that take a value: consume it so it is not taken for the folder
    "locale",
    "log",
    "profile",
    "crash-reporter-directory",
    "inspect-extensions",
    "inspect-brk-extensions",
]);

function parseArgs(argv) {
    const opts = { devPaths: [], positional: [], disableExtensions: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (!a.startsWith("--")) {
            opts.positional.push(path.resolve(a));
            continue;
        }
        const eq = a.indexOf("=");
        const key = a.slice(2, eq < 0 ? undefined : eq);
        let value = eq < 0 ? undefined : a.slice(eq + 1);
        if (value === undefined && VALUE_FLAGS.has(key) && i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
        switch (key) {
            case "extensionDevelopmentPath":
                opts.devPaths.push(path.resolve(value));
                break;
            case "extensionTestsPath":
                opts.testsPath = path.resolve(value);
                break;
            case "user-data-dir":
                opts.userDataDir = path.resolve(value);
                break;
            case "extensions-dir":
                opts.extensionsDir = path.resolve(value);
                break;
            case "user-settings":
                opts.userSettingsFile = path.resolve(value);
                break;
            case "timeout-ms":
                opts.timeoutMs = Number(value);
                break;
            case "rig-run-dir":
                opts.runDir = path.resolve(value);
                break;
            case "disable-extensions":
                opts.disableExtensions = true;
                break;
            default:
                break; // --no-sandbox, --disable-gpu-sandbox, --skip-welcome, ...: desktop only
        }
    }
    return opts;
}

const opts = parseArgs(process.argv.slice(2));
if (!opts.testsPath || opts.devPaths.length === 0) {
    log("usage: codeShim.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=FILE [--user-data-dir=DIR] [folder]");
    process.exit(EXIT.rig);
}
// One limit for the whole run, code-server start included.
const timeoutMs = opts.timeoutMs || Number(process.env.CODELLAMA_E2E_TIMEOUT_MS) || 300_000;
const deadline = T0 + timeoutMs;
const ownRunDir = !opts.runDir;
const runDir = opts.runDir ?? makeRunDir();
fs.mkdirSync(runDir, { recursive: true });
const userDataDir = opts.userDataDir ?? path.join(runDir, "user-data");
const extensionsDir = opts.extensionsDir ?? path.join(runDir, "extensions");

// A folder or .code-workspace opens as the workspace; a plain file: its folder is opened
// (the web workbench has no URL parameter for "open this file").
let workspace = opts.positional[0];
if (workspace && fs.existsSync(workspace) && fs.statSync(workspace).isFile() && !workspace.endsWith(".code-workspace")) {
    log(`${workspace} is a file: opening its folder`);
    workspace = path.dirname(workspace);
}

// ---------------------------------------------------------------- run
let server;
let browser;
let interrupted; // exit code once a signal asked us to stop
let cleaning;
/** Idempotent; every caller waits for the same teardown. */
function cleanup() {
    cleaning ??= (async () => {
        const s = server;
        // Parallel: chromium's orderly close and code-server's teardown each take ~1 s.
        await Promise.all([
            browser?.context
                .close()
                .catch(() => {
                    /* browser already gone */
                })
                .then(() => phase("chromium closed")),
            s?.stop().then(() => phase("code-server stopped")),
        ]);
        server = undefined; // its pid may be reused from now on: the exit handler must not touch it
        if (ownRunDir && !process.env.CODELLAMA_E2E_KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
    })();
    return cleaning;
}
// Last resort when we are torn down: never leave code-server (and its extension host) behind.
process.on("exit", () => killProcessGroupNow(server?.pid));
for (const [sig, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
    ["SIGHUP", 129],
]) {
    process.once(sig, () => {
        log(`${sig}: stopping`);
        interrupted ??= code;
        void cleanup().finally(() => process.exit(code));
    });
}

// Our output pipes break when the parent dies: never let EPIPE kill us before the cleanup.
for (const stream of [process.stdout, process.stderr])
    stream.on("error", () => {
        /* reader gone */
    });

// If whoever started us dies without signalling (SIGKILL), we are re-parented: clean up then.
const parentPid = process.ppid;
setInterval(() => {
    if (process.ppid === parentPid || interrupted !== undefined) return;
    log("parent process gone: stopping");
    interrupted = EXIT.rig;
    void cleanup().finally(() => {
        // nobody is left to remove the caller's run dir
        if (!process.env.CODELLAMA_E2E_KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
        process.exit(EXIT.rig);
    });
}, 1000).unref();

async function screenshot(page, label) {
    const dir = process.env.CODELLAMA_E2E_SCREENSHOT_DIR;
    if (!dir || !page) return;
    try {
        fs.mkdirSync(dir, { recursive: true });
        const name = `${path.basename(path.dirname(opts.testsPath))}-${new Date().toISOString().replace(/[:.]/g, "-")}-${label}.png`;
        await page.screenshot({ path: path.join(dir, name), timeout: 10_000 });
        log(`screenshot: ${path.join(dir, name)}`);
    } catch (e) {
        log("screenshot failed:", e instanceof Error ? e.message : e);
    }
}

let exitCode = EXIT.rig;
try {
    const bin = requireCodeServer();
    const extra = opts.userSettingsFile ? JSON.parse(fs.readFileSync(opts.userSettingsFile, "utf8")) : {};
    writeUserSettings(userDataDir, extra);
    server = await startCodeServer({ bin, runDir, userDataDir, extensionsDir, startTimeoutMs: Math.max(1000, deadline - Date.now()) });
    fs.writeFileSync(path.join(runDir, "codeServer.pid"), String(server.pid));
    phase(`code-server up on ${server.baseUrl}`);

    browser = await launchChromium(runDir);
    const { page } = browser;
    phase("chromium up");
    let resolveExit;
    const testsDone = new Promise((r) => {
        resolveExit = r;
    });
    // Registered before the page loads: the workbench looks these up when the tests start/end.
    await page.exposeFunction("codeAutomationLog", (type, args) => {
        const line = util.format(...(Array.isArray(args) ? args : [args]));
        if (!isNoise(line)) (type === "error" ? process.stderr : process.stdout).write(line + "\n");
    });
    await page.exposeFunction("codeAutomationExit", (code) => resolveExit(Number(code)));
    page.on("pageerror", (e) => log("workbench page error:", e.message));

    await page.goto(
        workbenchUrl({
            baseUrl: server.baseUrl,
            authority: server.authority,
            workspace,
            extensionDevelopmentPaths: opts.devPaths,
            extensionTestsPath: opts.testsPath,
            disableExtensions: opts.disableExtensions,
        }),
        { timeout: Math.max(1000, deadline - Date.now()) },
    );
    phase("workbench page loaded");
    let timer;
    const result = await Promise.race([
        testsDone,
        new Promise((r) => {
            timer = setTimeout(() => r("timeout"), Math.max(0, deadline - Date.now()));
        }),
        server.exited.then((e) => ({ serverExit: e })),
    ]);
    clearTimeout(timer);
    phase("tests finished");
    if (result === "timeout") {
        log(`tests did not finish within ${timeoutMs} ms`);
        exitCode = EXIT.timeout;
    } else if (typeof result === "object") {
        log(`code-server exited during the tests: ${JSON.stringify(result.serverExit)}`);
        exitCode = EXIT.rig;
    } else {
        exitCode = result === 0 ? EXIT.pass : EXIT.fail;
    }
    await screenshot(page, exitCode === EXIT.pass ? "pass" : "fail");
} catch (e) {
    if (interrupted !== undefined) {
        await cleanup();
        process.exit(interrupted);
    } // errors caused by our own teardown
    log("error:", e instanceof Error ? (e.stack ?? e.message) : e);
    exitCode = Date.now() >= deadline ? EXIT.timeout : EXIT.rig;
}
if (interrupted === undefined && exitCode >= EXIT.rig && server) log(`code-server log (tail):\n${tail(server.logFile)}`);
await cleanup();
phase("cleaned up");
process.exit(interrupted ?? exitCode);
