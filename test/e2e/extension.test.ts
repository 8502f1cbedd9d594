// The Code Llama extension in a real VS Code (code-server's extension host, see test/e2e/rig/):
//   node --import tsx --test test/e2e/extension.test.ts
// Needs `bash scripts/setup-test-env.sh` first; without code-server the test is skipped (an error
// under CI=true or CODELLAMA_E2E_REQUIRE=1). The in-host suite is test/e2e/extension/suite/;
// CODELLAMA_E2E_GREP=pattern runs only its tests whose title matches.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { ensureTinyModel } from "../../tools/tinyCodellama/index.js";
import { buildExtension, E2E_OUT, e2eSkipReason, extensionSettings, makeWorkspace, PLANTED_WORKSPACE_SETTINGS, testSettingsEnv } from "./extensionEnv.js";
import { buildSuite, REPO_ROOT } from "./rig/buildSuite.js";
import { runVSCodeTests } from "./rig/runVSCodeTests.js";

const skip = e2eSkipReason();

describe("Code Llama extension in a real VS Code", { skip }, () => {
    let model: string;
    let suite: string;
    before(async () => {
        buildExtension();
        model = await ensureTinyModel();
        suite = (await buildSuite({ suiteDir: path.join(REPO_ROOT, "test/e2e/extension/suite"), outDir: path.join(E2E_OUT, "extension") })).indexPath;
    });

    test("in-host suite: activation, ready, inline suggestion, accept, toggle, missing model, restart", { timeout: 300_000 }, async () => {
        const workspace = makeWorkspace(PLANTED_WORKSPACE_SETTINGS);
        try {
            const started = Date.now();
            const code = await runVSCodeTests({
                extensionDevelopmentPath: REPO_ROOT,
                extensionTestsPath: suite,
                workspace,
                env: { ...testSettingsEnv(extensionSettings(model)), CODELLAMA_E2E_MOCHA_TIMEOUT: "90000" },
                timeoutMs: 240_000,
            });
            console.log(`extension suite: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
            assert.equal(code, 0, "the in-host suite failed (its mocha output is above)");
        } finally {
            fs.rmSync(workspace, { recursive: true, force: true });
        }
    });
});
