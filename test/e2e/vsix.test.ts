// The packaged extension: `npm run package` builds a .vsix for this platform, code-server's
// `--install-extension` (VS Code's CLI) installs it, and the in-host suite's core tests run on the
// installed copy (its own dist/ and node_modules/, with only this platform's llama.cpp binaries).
//   node --import tsx --test test/e2e/vsix.test.ts
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { ensureTinyModel } from "../../tools/tinyCodellama/index.js";
import { e2eSkipReason, E2E_OUT, extensionSettings, makeWorkspace, testSettingsEnv, PLANTED_WORKSPACE_SETTINGS } from "./extensionEnv.js";
import { buildSuite, REPO_ROOT } from "./rig/build-suite.js";
import { isolatedEnv, makeRunDir, requireCodeServer } from "./rig/code-server.mjs";
import { runVSCodeTests } from "./rig/run-vscode-tests.js";

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { name: string; publisher: string; version: string };
const target = `${process.platform}-${process.arch}`;
const VSIX = path.join(REPO_ROOT, `${pkg.name}-${target}-${pkg.version}.vsix`);

describe("the .vsix", { skip: e2eSkipReason() }, () => {
    let model: string;
    let suite: string;
    before(async () => {
        model = await ensureTinyModel();
        suite = (await buildSuite({ suiteDir: path.join(REPO_ROOT, "test/e2e/extension/suite"), outDir: path.join(E2E_OUT, "vsix") })).indexPath;
    });

    test("npm run package, code --install-extension, and the installed extension completes", { timeout: 300_000 }, async () => {
        let started = Date.now();
        execFileSync(process.execPath, [path.join(REPO_ROOT, "scripts/package-vsix.mjs")], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "inherit"] });
        const size = fs.statSync(VSIX).size;
        console.log(`packaged ${path.basename(VSIX)}: ${(size / 1048576).toFixed(1)} MiB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        assert.ok(size < 100 * 1048576, "the .vsix should carry one platform's binaries only");

        const runDir = makeRunDir("clvs-vsix-");
        const workspace = makeWorkspace(PLANTED_WORKSPACE_SETTINGS);
        try {
            const extensionsDir = path.join(runDir, "extensions");
            const output = execFileSync(requireCodeServer(), [
                "--config", path.join(runDir, "config.yaml"), "--user-data-dir", path.join(runDir, "user-data"),
                "--extensions-dir", extensionsDir, "--install-extension", VSIX,
            ], { env: { ...process.env, ...isolatedEnv(runDir) }, encoding: "utf8" });
            assert.match(output, /successfully installed/);
            const installed = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
            assert.ok(fs.existsSync(path.join(installed, "dist", "server.js")), `not installed in ${installed}`);
            const binaries = fs.readdirSync(path.join(installed, "node_modules", "@node-llama-cpp"));
            assert.ok(binaries.every((name) => name.startsWith(target.replace("darwin", "mac").replace("win32", "win"))), `other platforms' binaries: ${binaries.join(", ")}`);

            started = Date.now();
            const code = await runVSCodeTests({
                extensionDevelopmentPath: installed,
                extensionTestsPath: suite,
                workspace,
                env: {
                    ...testSettingsEnv(extensionSettings(model)),
                    CODELLAMA_E2E_EXTENSION_PATH: installed,
                    CODELLAMA_E2E_GREP: "reaches ready|accepting",
                },
                timeoutMs: 180_000,
            });
            console.log(`installed extension suite: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
            assert.equal(code, 0, "the in-host suite failed on the installed extension (its mocha output is above)");
        } finally {
            fs.rmSync(runDir, { recursive: true, force: true });
            fs.rmSync(workspace, { recursive: true, force: true });
        }
    });
});
