// The TextMate grammar of .prompt files (syntaxes/codellama-prompt.tmLanguage.json) against the
// grammar tests in test/grammar/ (vscode-tmgrammar-test: vscode-textmate + oniguruma, as VS Code
// tokenizes), and a deliberately wrong expectation that must fail.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const GRAMMAR = path.join(ROOT, "syntaxes/codellama-prompt.tmLanguage.json");
const TOOL = createRequire(import.meta.url).resolve("vscode-tmgrammar-test/dist/unit.js");

function runGrammarTests(pattern: string): { status: number | null; output: string } {
    const result = spawnSync(process.execPath, [TOOL, "--compact", "-g", GRAMMAR, pattern], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("codellama-prompt TextMate grammar", () => {
    it("passes the grammar tests in test/grammar/", () => {
        const files = fs.readdirSync(path.join(ROOT, "test/grammar")).filter((name) => name.endsWith(".prompt"));
        assert.ok(files.length >= 2, `grammar tests: ${files.join(", ")}`);
        const { status, output } = runGrammarTests("test/grammar/*.prompt");
        assert.equal(status, 0, output);
        for (const file of files) assert.match(output, new RegExp(`${file.replace(".", "\\.")} run successfuly`));
    });

    it("fails on a wrong expectation (the test can fail)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "clvs-grammar-"));
        try {
            const text = fs.readFileSync(path.join(ROOT, "test/grammar/explain.prompt"), "utf8");
            const wrong = text.replace("#   ^ punctuation.separator.key-value.codellama-prompt", "#   ^ variable.other.placeholder.codellama-prompt");
            assert.notEqual(wrong, text);
            fs.writeFileSync(path.join(dir, "wrong.prompt"), wrong);
            const { status, output } = runGrammarTests(path.join(dir, "wrong.prompt"));
            assert.notEqual(status, 0, output);
            assert.match(output, /wrong\.prompt:4:5:6 Missing required scopes: \[ variable\.other\.placeholder\.codellama-prompt \]/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("is the grammar package.json contributes for the .prompt language", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        const language = pkg.contributes.languages.find((entry: { id: string }) => entry.id === "codellama-prompt");
        assert.deepEqual(language?.extensions, [".prompt"]);
        assert.ok(fs.existsSync(path.join(ROOT, language.configuration)));
        const grammar = pkg.contributes.grammars.find((entry: { language: string }) => entry.language === "codellama-prompt");
        assert.equal(grammar?.scopeName, JSON.parse(fs.readFileSync(GRAMMAR, "utf8")).scopeName);
        assert.equal(path.join(ROOT, grammar.path), GRAMMAR);
    });
});
