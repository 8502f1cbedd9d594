// The chat in a real VS Code (code-server's extension host, see test/e2e/rig/):
//   node --import tsx --test test/e2e/chat.test.ts
// Runs the in-host suite test/e2e/chat/suite/ on a workspace with source files and prompt files,
// a user prompt folder ($CODELLAMA_PROMPTS_DIR), the tiny scripted model and a random-weights one.
// CODELLAMA_E2E_GREP=pattern runs only the in-host tests whose title matches.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, describe, test } from "node:test";
import { ensureRandomModel, ensureTinyModel } from "../../tools/tinyCodellama/index.js";
import { buildExtension, E2E_OUT, e2eSkipReason, extensionSettings, makeWorkspace, testSettingsEnv } from "./extensionEnv.js";
import { buildSuite, REPO_ROOT } from "./rig/buildSuite.js";
import { runVSCodeTests } from "./rig/runVSCodeTests.js";

const FENCE = "```";
const WORKSPACE_FILES: Record<string, string> = {
    "explain.js": "function add(a, b) {\n    return a + b;\n}\n\nconst unused = 1;\n",
    "debug.js": "function add(a, b) {\n    return a + c;\n}\n\n// never reached\nthrow new Error();\n",
};
const WORKSPACE_PROMPTS: Record<string, string> = {
    "review.prompt": `---\nname: Review\ndescription: Review the selected code for bugs\nsystem: You review {{language}} code.\n---\nReview this {{language}} code from {{file}} for bugs:\n${FENCE}{{language}}\n{{selection}}\n${FENCE}\n`,
    "broken.prompt": "---\nname: Broken\nmodel: codellama-70b\n---\nThis header has a key the format does not know.\n",
};
const USER_PROMPTS: Record<string, string> = {
    "shout.prompt": `---\nname: Shout\n---\nSAY WHAT {{file}} DOES\n${FENCE}{{language}}\n{{selection}}\n${FENCE}\n`,
};

describe("Code Llama chat in a real VS Code", { skip: e2eSkipReason() }, () => {
    let model: string;
    let random: string;
    let suite: string;
    before(async () => {
        buildExtension();
        [model, random] = await Promise.all([ensureTinyModel(), ensureRandomModel()]);
        suite = (await buildSuite({ suiteDir: path.join(REPO_ROOT, "test/e2e/chat/suite"), outDir: path.join(E2E_OUT, "chat") })).indexPath;
    });

    test("in-host suite: panel, streaming, Explain, Debug + quick fix + fix preview, prompt files, Stop, killed server", { timeout: 300_000 }, async () => {
        const workspace = makeWorkspace(WORKSPACE_FILES);
        const userPrompts = fs.mkdtempSync(path.join(os.tmpdir(), "clvs-prompts-"));
        try {
            fs.mkdirSync(path.join(workspace, ".codellama", "prompts"), { recursive: true });
            for (const [name, text] of Object.entries(WORKSPACE_PROMPTS)) fs.writeFileSync(path.join(workspace, ".codellama", "prompts", name), text);
            for (const [name, text] of Object.entries(USER_PROMPTS)) fs.writeFileSync(path.join(userPrompts, name), text);
            const started = Date.now();
            const code = await runVSCodeTests({
                extensionDevelopmentPath: REPO_ROOT,
                extensionTestsPath: suite,
                workspace,
                env: {
                    ...testSettingsEnv(extensionSettings(model)),
                    CODELLAMA_E2E_RANDOM_MODEL: random,
                    CODELLAMA_PROMPTS_DIR: userPrompts,
                    CODELLAMA_E2E_MOCHA_TIMEOUT: "90000",
                    ...(process.env.CODELLAMA_E2E_GREP ? { CODELLAMA_E2E_GREP: process.env.CODELLAMA_E2E_GREP } : {}),
                },
                timeoutMs: 240_000,
            });
            console.log(`chat suite: exit ${code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
            assert.equal(code, 0, "the in-host chat suite failed (its mocha output is above)");
            // The fix was applied to the file on disk (saved by the suite).
            assert.match(fs.readFileSync(path.join(workspace, "debug.js"), "utf8"), /return a \+ b;/);
        } finally {
            fs.rmSync(workspace, { recursive: true, force: true });
            fs.rmSync(userPrompts, { recursive: true, force: true });
        }
    });
});
