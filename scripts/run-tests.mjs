// Runs every test suite with node's test runner in one process tree, so one summary counts them all:
// unit (pure logic), engine (real node-llama-cpp on generated models), lsp (the built server over
// stdio), editors (real headless Neovim) and e2e (a real VS Code). `--only unit,lsp` picks suites.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SUITES = ["unit", "engine", "lsp", "editors", "e2e"];
const onlyIndex = process.argv.indexOf("--only");
const suites = onlyIndex >= 0 ? process.argv[onlyIndex + 1].split(",") : SUITES;
for (const suite of suites) if (!SUITES.includes(suite)) throw new Error(`Unknown suite ${suite}; known: ${SUITES.join(", ")}`);

if (suites.includes("e2e") || suites.includes("editors")) {
    // Chromium, code-server and Neovim for the real-editor tests; quick when already installed.
    const setup = spawnSync("bash", [path.join(root, "scripts/setup-test-env.sh")], { stdio: "inherit" });
    if (setup.status !== 0) process.exit(setup.status ?? 1);
}

// Only top-level *.test.ts of each suite folder: test/e2e/*/suite*/ hold in-host suites for VS Code.
const files = suites.flatMap((suite) => {
    const dir = path.join(root, "test", suite);
    return fs.existsSync(dir)
        ? fs
              .readdirSync(dir)
              .filter((name) => name.endsWith(".test.ts"))
              .sort()
              .map((name) => path.join("test", suite, name))
        : [];
});

const result = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-timeout=900000", ...files], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, CODELLAMA_E2E_REQUIRE: process.env.CI ? "1" : (process.env.CODELLAMA_E2E_REQUIRE ?? "") },
});
process.exit(result.status ?? 1);
