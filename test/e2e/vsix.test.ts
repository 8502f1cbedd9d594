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
import { E2E_OUT, e2eSkipReason, extensionSettings, makeWorkspace, PLANTED_WORKSPACE_SETTINGS, testSettingsEnv } from "./extensionEnv.js";
import { buildSuite, REPO_ROOT } from "./rig/buildSuite.js";
import { installExtension, makeRunDir } from "./rig/codeServer.mjs";
import { runVSCodeTests } from "./rig/runVSCodeTests.js";
import { startWorkbench } from "./rig/uiDriver.js";

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { name: string; publisher: string; version: string };
const target = `${process.platform}-${process.arch}`;
const VSIX = path.join(REPO_ROOT, `${pkg.name}-${target}-${pkg.version}.vsix`);
const SHOTS = path.join(E2E_OUT, "vsix");

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
            const output = installExtension({ runDir, userDataDir: path.join(runDir, "user-data"), extensionsDir, vsix: VSIX });
            assert.match(output, /successfully installed/);
            const installed = path.join(extensionsDir, `${pkg.publisher}.${pkg.name}-${pkg.version}`);
            assert.ok(fs.existsSync(path.join(installed, "dist", "server.js")), `not installed in ${installed}`);
            const binaries = fs.readdirSync(path.join(installed, "node_modules", "@node-llama-cpp"));
            assert.ok(
                binaries.every((name) => name.startsWith(target.replace("darwin", "mac").replace("win32", "win"))),
                `other platforms' binaries: ${binaries.join(", ")}`,
            );

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

    test("installed with the default settings, like a new user: the first-run offer, the settings page, the context menu", { timeout: 300_000 }, async () => {
        assert.ok(fs.existsSync(VSIX), "the packaging test runs first");
        fs.rmSync(SHOTS, { recursive: true, force: true });
        const workspace = makeWorkspace({ "add.js": "function add(a, b) {\n    return a + b;\n}\n" });
        const wb = await startWorkbench({ workspace, installExtensions: [VSIX] });
        const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_000));
        try {
            // No model anywhere: the offer names the default model's download and its size.
            await wb.waitForNotification("Code Llama needs a model", 120_000);
            const offer = wb.page.locator(".notifications-toasts .notification-list-item", { hasText: "Code Llama needs a model" });
            assert.match(await offer.innerText(), /codellama-7b-instruct\.Q4_K_M\.gguf \(4\.1 GB\)/);
            await offer.getByRole("button", { name: "Download (4.1 GB)" }).waitFor({ timeout: 10_000 });
            await wb.page.locator(".statusbar-item", { hasText: "Code Llama: Set Up Model" }).waitFor({ timeout: 10_000 });
            await settle();
            await wb.screenshot(path.join(SHOTS, "1-first-run.png"));

            // The Settings UI: Code Llama in five groups. code-server is a remote window: the machine
            // settings (Model, Engine, part of Advanced) are on the Remote tab, the others on User.
            await wb.runCommand("Preferences: Open Settings (UI)");
            const search = wb.page.locator(".settings-editor .suggest-input-container textarea, .settings-editor .suggest-input-container input").first();
            await search.waitFor({ timeout: 30_000 });
            await search.fill("@ext:codellama.codellama-vscode");
            const toc = wb.page.locator(".settings-toc-container .monaco-list-row");
            const groups = async (...names: string[]): Promise<void> => {
                for (const group of names)
                    await toc
                        .filter({ hasText: new RegExp(`^${group} \\(\\d+\\)$`) })
                        .first()
                        .waitFor({ timeout: 30_000 });
            };
            await groups("Completion", "Chat", "Advanced");
            await wb.page.locator(".settings-editor .setting-item-contents", { hasText: "Suggest code as you type" }).first().waitFor({ timeout: 30_000 });
            await wb.page.locator(".settings-editor .settings-header").click();
            await settle();
            await wb.screenshot(path.join(SHOTS, "2-settings.png"));
            await wb.page.locator(".settings-editor .settings-tabs-widget .action-label", { hasText: /^Remote/ }).click();
            await groups("Model", "Engine", "Advanced");
            await wb.page
                .locator(".settings-editor .setting-item-contents", { hasText: "The Code Llama model file (GGUF) on this computer to use" })
                .first()
                .waitFor({ timeout: 30_000 });
            await settle();
            await wb.screenshot(path.join(SHOTS, "3-settings-machine.png"));

            // The editor's context menu: Explain, Debug and Run Prompt… in a Code Llama submenu.
            await wb.openFile("add.js");
            await wb.page.locator(".editor-group-container.active .view-lines .view-line").first().click({ button: "right" });
            const submenu = wb.page.locator(".monaco-menu .action-item", { hasText: /^Code Llama$/ });
            await submenu.first().waitFor({ timeout: 10_000 });
            await submenu.first().hover();
            for (const item of ["Explain", "Debug", "Run Prompt…"])
                await wb.page
                    .locator(".monaco-menu .action-label", { hasText: new RegExp(`^${item}$`) })
                    .first()
                    .waitFor({ timeout: 10_000 });
            await wb.screenshot(path.join(SHOTS, "4-context-menu.png"));
            await wb.page.keyboard.press("Escape");
        } catch (error) {
            await wb.screenshot(path.join(SHOTS, "failure.png")).catch(() => undefined);
            throw error;
        } finally {
            await wb.stop();
            fs.rmSync(workspace, { recursive: true, force: true });
        }
    });
});
