// What the Code Llama extension's real-VS-Code tests share: the build, the settings that point the
// extension at the tiny test model, throw-away workspaces, and when to skip.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { REPO_ROOT } from "./rig/buildSuite.js";
import { codeServerDir, findCodeServer } from "./rig/codeServer.mjs";

export const E2E_OUT = path.join(REPO_ROOT, ".test-output", "e2e");

/** Why the real-VS-Code tests cannot run here, or false. Throws where they are required (CI). */
export function e2eSkipReason(): string | false {
    const required = process.env.CI === "true" || process.env.CODELLAMA_E2E_REQUIRE === "1";
    const missing = findCodeServer() ? false : `code-server not installed in ${codeServerDir()} (run bash scripts/setup-test-env.sh)`;
    if (missing && required) throw new Error(missing);
    return missing;
}

/** Bundles dist/ (server, CLI, extension): the extension under test is the repository itself. */
export function buildExtension(): void {
    execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts/build.mjs")], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] });
}

/**
 * Settings that point the extension at `modelPath`. One thread: the test machines have two busy
 * cores. A small context and no GPU probing keep the load fast. Most are machine-scoped, which
 * code-server (a remote window) takes only from its remote user settings: in-host suites apply
 * them with applyTestSettings() (test/e2e/extension/helpers.ts), which reads testSettingsEnv().
 */
export function extensionSettings(modelPath: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        "codellama.model.path": modelPath,
        "codellama.engine.threads": 1,
        "codellama.engine.contextSize": 1024,
        "codellama.engine.gpu": "off",
        "codellama.log.level": "debug",
        ...extra,
    };
}

export function testSettingsEnv(settings: Record<string, unknown>): Record<string, string> {
    return { CODELLAMA_E2E_SETTINGS: JSON.stringify(settings) };
}

/** A throw-away workspace folder holding `files`. */
/** A repository's settings that try to load a file of their choosing and use a remote engine (they must not). */
export const PLANTED_WORKSPACE_SETTINGS = {
    ".vscode/settings.json": JSON.stringify({ "codellama.model.path": "/tmp/planted-by-workspace.gguf", "codellama.engine.backend": "llama-server" }),
};

export function makeWorkspace(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clvs-ws-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}
