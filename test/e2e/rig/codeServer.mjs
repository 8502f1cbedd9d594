// Shared plumbing of the "real VS Code" test rig: a private code-server (VS Code 1.100.3
// server + real Node extension host) rendered by Debian's headless chromium.
//
// Plain JavaScript (typed by codeServer.d.mts) because codeShim.mjs, which imports it, is
// executed directly as a program by @vscode/test-electron; uiDriver.ts imports it too.
//
// Everything a run creates lives below one per-run directory (HOME, XDG dirs, TMPDIR,
// chromium profile, logs), and every process is ended by pid/process group, never by name,
// so parallel runs and other engineers' processes are never touched.

import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";

export const CODE_SERVER_VERSION = "4.100.3";

/** Where scripts/setup-test-env.sh installs code-server (keep the two in sync). */
export function codeServerDir(env = process.env) {
    if (env.CODELLAMA_CODE_SERVER_DIR) return path.resolve(env.CODELLAMA_CODE_SERVER_DIR);
    const cache = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), ".cache");
    return path.join(cache, "codellama-vscode-test", `code-server-${CODE_SERVER_VERSION}`);
}

/** Path of the code-server launcher, or null when setup-test-env.sh has not been run. */
export function findCodeServer(env = process.env) {
    const bin = path.join(codeServerDir(env), "node_modules", ".bin", "code-server");
    return fs.existsSync(bin) ? bin : null;
}

export function requireCodeServer(env = process.env) {
    const bin = findCodeServer(env);
    if (!bin) {
        throw new Error(
            `code-server ${CODE_SERVER_VERSION} not found in ${codeServerDir(env)}; ` +
                "run `bash scripts/setup-test-env.sh` (or set CODELLAMA_CODE_SERVER_DIR)",
        );
    }
    return bin;
}

export const CHROMIUM_PATH = process.env.CODELLAMA_CHROMIUM || "/usr/bin/chromium";

// The machines have no internet: without the background-networking flags chromium keeps
// trying (and failing) to reach Google services; no sandbox because we run as root.
export const CHROMIUM_ARGS = Object.freeze([
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]);

// Settings that keep the workbench quiet and deterministic (no welcome page, no update or
// marketplace traffic, no trust prompt, no chat panel). Test settings are merged on top.
export const DEFAULT_USER_SETTINGS = Object.freeze({
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "security.workspace.trust.enabled": false,
    "chat.disableAIFeatures": true,
    "git.enabled": false,
    "files.hotExit": "off",
    // code-server's default is "afterDelay" (desktop VS Code: "off"); tests save explicitly
    "files.autoSave": "off",
});

/**
 * Writes <userDataDir>/User/settings.json (where code-server reads user settings):
 * defaults, then whatever the file already holds, then `settings`.
 */
export function writeUserSettings(userDataDir, settings = {}) {
    const file = path.join(userDataDir, "User", "settings.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let existing = {};
    if (fs.existsSync(file)) {
        try {
            existing = JSON.parse(fs.readFileSync(file, "utf8") || "{}");
        } catch (e) {
            throw new Error(`cannot parse existing ${file} (comments are not supported here): ${e}`);
        }
    }
    const merged = { ...DEFAULT_USER_SETTINGS, ...existing, ...settings };
    fs.writeFileSync(file, JSON.stringify(merged, null, 2) + "\n");
    return file;
}

/** A free TCP port on 127.0.0.1 (tiny race until code-server binds it; fine for tests). */
export function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once("error", reject);
        srv.listen(0, "127.0.0.1", () => {
            const { port } = /** @type {net.AddressInfo} */ (srv.address());
            srv.close(() => resolve(port));
        });
    });
}

/** Short per-run directory: VS Code puts unix sockets in TMPDIR (path length limit ~107). */
export function makeRunDir(prefix = "clvs-") {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** HOME/XDG/TMPDIR for processes of one run, so nothing writes into the real home. */
export function isolatedEnv(runDir) {
    const home = path.join(runDir, "home");
    const env = {
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, ".config"),
        XDG_DATA_HOME: path.join(home, ".local", "share"),
        XDG_CACHE_HOME: path.join(home, ".cache"),
        XDG_STATE_HOME: path.join(home, ".local", "state"),
        XDG_RUNTIME_DIR: path.join(runDir, "run"),
        TMPDIR: path.join(runDir, "tmp"),
    };
    for (const dir of Object.values(env)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return env;
}

/** Installs a .vsix as VS Code's CLI does (code-server --install-extension); returns what it printed. */
export function installExtension({ runDir, userDataDir, extensionsDir, vsix }) {
    return execFileSync(
        requireCodeServer(),
        ["--config", path.join(runDir, "config.yaml"), "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir, "--install-extension", vsix],
        { env: { ...process.env, ...isolatedEnv(runDir) }, encoding: "utf8" },
    );
}

function groupAlive(pid) {
    try {
        process.kill(-pid, 0);
        return true;
    } catch (e) {
        return /** @type {NodeJS.ErrnoException} */ (e).code === "EPERM";
    }
}

/** SIGTERM a process group (by its leader's pid), then SIGKILL what is left after graceMs. */
export async function killProcessGroup(pid, graceMs = 3000) {
    if (!pid || !groupAlive(pid)) return;
    try {
        process.kill(-pid, "SIGTERM");
    } catch {
        /* already gone */
    }
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && groupAlive(pid)) await new Promise((r) => setTimeout(r, 50));
    if (groupAlive(pid)) {
        try {
            process.kill(-pid, "SIGKILL");
        } catch {
            /* gone */
        }
    }
}

/** Same, synchronous and immediate: for 'exit' handlers, where nothing async can run. */
export function killProcessGroupNow(pid) {
    if (!pid) return;
    try {
        process.kill(-pid, "SIGKILL");
    } catch {
        /* gone */
    }
}

/**
 * Starts code-server on 127.0.0.1:<free port> with --auth none.
 * The server is its own process group (detached), so stop() also ends the extension host,
 * pty host and file watcher it spawned, which would otherwise outlive a closed browser for
 * hours (reconnection grace time).
 */
export async function startCodeServer(opts) {
    const bin = opts.bin ?? requireCodeServer();
    const { runDir, userDataDir, extensionsDir } = opts;
    for (const d of [userDataDir, extensionsDir]) fs.mkdirSync(d, { recursive: true });
    const configFile = path.join(runDir, "config.yaml");
    fs.writeFileSync(configFile, ""); // never read the real ~/.config/code-server/config.yaml
    const logFile = opts.logFile ?? path.join(runDir, "codeServer.log");
    const port = await freePort();
    const env = {
        ...process.env,
        ...opts.env,
        ...isolatedEnv(runDir),
        // no marketplace: nothing tries to reach open-vsx.org from an offline machine
        EXTENSIONS_GALLERY: "{}",
    };
    // node --test marks its children with NODE_TEST_CONTEXT; it must not leak into VS Code's
    // Node processes (an extension host that imports node:test would report to the parent).
    delete env.NODE_TEST_CONTEXT;
    const args = [
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--auth",
        "none",
        "--config",
        configFile,
        "--user-data-dir",
        userDataDir,
        "--extensions-dir",
        extensionsDir,
        "--disable-telemetry",
        "--disable-update-check",
        "--disable-workspace-trust",
        "--disable-getting-started-override",
        "--ignore-last-opened",
        ...(opts.extraArgs ?? []),
    ];
    const out = fs.openSync(logFile, "a");
    const child = spawn(bin, args, { env, detached: true, stdio: ["ignore", out, out] });
    fs.closeSync(out);
    const pid = child.pid;
    if (!pid) throw new Error(`could not spawn ${bin}`);
    let exitInfo = null;
    const exited = new Promise((resolve) =>
        child.once("exit", (code, signal) => {
            exitInfo = { code, signal };
            resolve(exitInfo);
        }),
    );
    child.once("error", () => {
        exitInfo ??= { code: -1, signal: null };
    });

    const authority = `127.0.0.1:${port}`;
    const baseUrl = `http://${authority}`;
    const stop = () => killProcessGroup(pid);
    try {
        // Under load code-server has been seen to need 35 s to answer: be generous.
        const deadline = Date.now() + (opts.startTimeoutMs ?? 120_000);
        for (;;) {
            if (exitInfo) throw new Error(`code-server exited early (${JSON.stringify(exitInfo)}); log: ${logFile}`);
            try {
                if ((await fetch(`${baseUrl}/healthz`)).ok) break;
            } catch {
                /* not up yet */
            }
            if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz in time; log: ${logFile}`);
            await new Promise((r) => setTimeout(r, 100));
        }
    } catch (e) {
        await stop();
        throw e;
    }
    return { pid, port, authority, baseUrl, logFile, exited, stop };
}

/**
 * URL that opens the workbench on a folder (or .code-workspace file) and, through the
 * `payload` query parameter, passes what desktop VS Code takes as --extensionDevelopmentPath /
 * --extensionTestsPath. Paths become vscode-remote:// URIs: the extension runs in the
 * server-side (Node) extension host.
 */
export function workbenchUrl({ baseUrl, authority, workspace, extensionDevelopmentPaths = [], extensionTestsPath, disableExtensions = false }) {
    const remote = (p) => `vscode-remote://${authority}${path.resolve(p)}`;
    const payload = [
        ...extensionDevelopmentPaths.map((p) => ["extensionDevelopmentPath", remote(p)]),
        ...(extensionTestsPath ? [["extensionTestsPath", remote(extensionTestsPath)]] : []),
        ...(disableExtensions ? [["disableExtensions", "true"]] : []),
    ];
    const params = new URLSearchParams();
    if (!workspace)
        params.set("ew", "true"); // empty window
    else if (workspace.endsWith(".code-workspace")) params.set("workspace", path.resolve(workspace));
    else params.set("folder", path.resolve(workspace));
    if (payload.length) params.set("payload", JSON.stringify(payload));
    return `${baseUrl}/?${params}`;
}

/** Headless Debian chromium with a fresh profile and HOME below runDir. */
export async function launchChromium(runDir, { viewport = { width: 1400, height: 900 } } = {}) {
    const env = { ...process.env, ...isolatedEnv(runDir) };
    delete env.NODE_TEST_CONTEXT;
    const context = await chromium.launchPersistentContext(path.join(runDir, "chromium-profile"), {
        executablePath: CHROMIUM_PATH,
        headless: true,
        env,
        viewport,
        args: [...CHROMIUM_ARGS],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    return { context, page };
}

// Workbench console chatter that says nothing about the tests (offline lookups, service
// worker, auth providers, ...). Shown anyway with CODELLAMA_E2E_VERBOSE=1.
const NOISE = [
    /^(Resolving|Resolved) connection token/,
    /^Creating a socket/,
    /^\[Service Worker\]/,
    /^Updating additional builtin/,
    /ENOTFOUND open-vsx\.org/,
    /^\[AgentHost/,
    /^\[ChatModelSelection\]/,
    /^\[AccountPolicyGate\]/,
    /^\[reconnection-grace-time\]/,
    /authentication provider 'github'/,
    /^ChatSessionStore/,
    /^Ignoring fetching additional builtin extensions/,
];
export function isNoise(line) {
    return !process.env.CODELLAMA_E2E_VERBOSE && NOISE.some((re) => re.test(line));
}

/** Last `lines` lines of a log file, for error messages. */
export function tail(file, lines = 40) {
    try {
        return fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
        return "";
    }
}
