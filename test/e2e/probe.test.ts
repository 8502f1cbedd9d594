// Proves the real-VS-Code test rig (test/e2e/rig/) works and can fail:
//   node --import tsx --test test/e2e/probe.test.ts
// Needs `bash scripts/setup-test-env.sh` first. Without code-server the tests are skipped,
// except under CI=true or CODELLAMA_E2E_REQUIRE=1, where that is an error.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildSuite, REPO_ROOT } from "./rig/buildSuite.js";
import { codeServerDir, findCodeServer } from "./rig/codeServer.mjs";
import { runVSCodeTests } from "./rig/runVSCodeTests.js";
import { startWorkbench } from "./rig/uiDriver.js";

const PROBE = fileURLToPath(new URL("./probe/", import.meta.url));
const OUT = path.join(REPO_ROOT, ".test-output", "e2e");
const required = process.env.CI === "true" || process.env.CODELLAMA_E2E_REQUIRE === "1";
const missing = findCodeServer() ? false : `code-server not installed in ${codeServerDir()} (run bash scripts/setup-test-env.sh)`;
if (missing && required) throw new Error(missing);

// The rig puts its per-run dirs under os.tmpdir(); a temp dir of this file's own keeps the leak check
// below to this run's processes when other checkouts run the rig on the same machine.
const PROBE_TMP = fs.mkdtempSync(path.join(os.tmpdir(), "probe-"));
process.env.TMPDIR = PROBE_TMP;

/** A throw-away workspace folder holding `files`. */
function makeWorkspace(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clvs-ws-"));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

/** Fails if a rig process started during `fn` is still running afterwards. */
async function withoutLeaks<T>(fn: () => Promise<T>): Promise<T> {
    const before = new Set(rigProcesses());
    const result = await fn();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
        rigProcesses().filter((p) => !before.has(p)),
        [],
        "processes left behind",
    );
    return result;
}

/** Processes whose command line mentions the rig's per-run temp dirs (os.tmpdir()/clvs-*). */
function rigProcesses(needle = path.join(os.tmpdir(), "clvs-")): string[] {
    const found: string[] = [];
    for (const pid of fs.readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
        try {
            const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
            if (cmd.includes(needle) && Number(pid) !== process.pid) found.push(`${pid}: ${cmd.slice(0, 200)}`);
        } catch {
            /* exited meanwhile */
        }
    }
    return found;
}

describe("real VS Code test rig", { skip: missing || false }, () => {
    const workspaces: string[] = [];
    after(() => {
        for (const w of workspaces) fs.rmSync(w, { recursive: true, force: true });
        fs.rmSync(PROBE_TMP, { recursive: true, force: true });
    });
    const workspace = (files: Record<string, string>): string => {
        const ws = makeWorkspace(files);
        workspaces.push(ws);
        return ws;
    };

    describe("in-host suites via runVSCodeTests", () => {
        let passing: string;
        let failing: string;
        before(async () => {
            passing = (await buildSuite({ suiteDir: path.join(PROBE, "suite"), outDir: path.join(OUT, "probe", "suite") })).indexPath;
            failing = (await buildSuite({ suiteDir: path.join(PROBE, "suiteFail"), outDir: path.join(OUT, "probe", "suiteFail") })).indexPath;
        });

        test("a passing suite exits 0 (version, command, settings, env, workspace)", { timeout: 240_000 }, async () => {
            const ws = workspace({ "sample.txt": "sample\n" });
            const t0 = Date.now();
            const code = await withoutLeaks(() =>
                runVSCodeTests({
                    extensionDevelopmentPath: PROBE,
                    extensionTestsPath: passing,
                    workspace: ws,
                    userSettings: { "codellamaProbe.greeting": "Hi" },
                    env: { CODELLAMA_PROBE_ENV: "forwarded", CODELLAMA_PROBE_WORKSPACE: ws },
                    timeoutMs: 180_000,
                }),
            );
            console.log(`passing probe suite: exit ${code} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
            assert.equal(code, 0);
        });

        test("a failing suite exits non-zero", { timeout: 240_000 }, async () => {
            const ws = workspace({ "sample.txt": "sample\n" });
            const code = await withoutLeaks(() =>
                runVSCodeTests({
                    extensionDevelopmentPath: PROBE,
                    extensionTestsPath: failing,
                    workspace: ws,
                    timeoutMs: 180_000,
                }),
            );
            assert.equal(code, 1);
        });
    });

    test("UI driver: command palette, notification, open a file, type, ghost text, save, screenshot", { timeout: 240_000 }, async () => {
        const ws = workspace({ "notes.txt": "first line\n" });
        const shot = path.join(OUT, "probe", "ui-probe.png");
        await withoutLeaks(async () => {
            const wb = await startWorkbench({
                workspace: ws,
                extensionDevelopmentPath: PROBE,
                userSettings: { "codellamaProbe.greeting": "Howdy" },
            });
            try {
                await wb.page.getByText("CODELLAMA-PROBE-ACTIVE").first().waitFor({ timeout: 60_000 });
                await wb.runCommand("Code Llama Probe: Say Hello");
                await wb.waitForNotification("Howdy from the Code Llama probe");
                assert.ok((await wb.notifications()).some((n) => n.includes("Howdy from the Code Llama probe")));
                await wb.openFile("notes.txt");
                await wb.typeInEditor("typed by the probe", { atEnd: true });
                assert.equal(await wb.waitForGhostText("_ghost()"), "_ghost()");
                await wb.screenshot(shot);
                await wb.page.keyboard.press("Tab"); // accept the inline completion
                await wb.page.locator(".editor-instance .view-lines", { hasText: "typed by the probe_ghost()" }).waitFor({ timeout: 10_000 });
                assert.equal(await wb.hasGhostText(), false);
                assert.match(await wb.editorText(), /typed by the probe_ghost\(\)/);
                await wb.save();
                assert.equal(fs.readFileSync(path.join(ws, "notes.txt"), "utf8"), "first line\ntyped by the probe_ghost()");
            } finally {
                await wb.stop();
            }
        });
        assert.ok(fs.statSync(shot).size > 10_000, "screenshot looks empty");
    });
});
