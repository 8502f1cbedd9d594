// `codellama eval` end to end: the built CLI, a generated model, holes cut from a git repository.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ensureRandomModel, ensureTinyModel } from "../../tools/tinyCodellama/index.js";

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/cli.js");

/**
 * Seven functions whose body repeats the scripted model's answer: at the blank line it writes
 * exactly the file's `return a + b;`; after `{` its answer is the first of the body's two lines.
 */
const SOURCE = Array.from({ length: 7 }, (_, index) => `function add${index}(a, b) {\n  return a + b;\n  return a + b;\n}\n`).join("\n");

interface Result {
    class: string;
    ideal: string;
    shown: string;
    outcome: string;
    similarity: number;
}

describe("codellama eval", () => {
    let home: string;
    let repo: string;
    const run = (args: string[]) => {
        const result = spawnSync(process.execPath, [CLI, "eval", "--threads", "1", "--context-size", "1024", ...args], {
            encoding: "utf8",
            env: { ...process.env, HOME: home, TMPDIR: path.join(home, "tmp"), XDG_CACHE_HOME: path.join(home, ".cache") },
            timeout: 300_000,
        });
        return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };

    before(() => {
        home = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-eval-"));
        fs.mkdirSync(path.join(home, "tmp"));
        repo = path.join(home, "repo");
        fs.mkdirSync(repo);
        fs.writeFileSync(path.join(repo, "add.js"), SOURCE);
        // Bad input that must be skipped and counted: a binary file with a source name, a link to nowhere.
        fs.writeFileSync(path.join(repo, "blob.js"), Buffer.from([0x66, 0x00, 0x01, 0x02]));
        fs.symlinkSync(path.join(repo, "missing.js"), path.join(repo, "gone.js"));
        const git = (...args: string[]) =>
            execFileSync("git", ["-C", repo, "-c", "user.email=eval@test", "-c", "user.name=eval", ...args], { stdio: "ignore" });
        git("init", "-q");
        git("add", ".");
        git("commit", "-qm", "corpus");
    });
    after(() => fs.rmSync(home, { recursive: true, force: true }));

    it("scores a scripted model on the repository's holes: known outcomes", async () => {
        const model = await ensureTinyModel();
        const { code, stdout, stderr } = run(["--model", model, "--repo", repo, "--classes", "blank-line,function-body", "--per-class", "3", "--json"]);
        assert.equal(code, 0, stderr);
        assert.match(stderr, /4 holes from 1 source files in .* \(tracked by git; skipped 1 unreadable, 1 binary\)/);
        const report = JSON.parse(stdout) as { results: Result[]; peakRssMiB: number };
        const summary = report.results.map(({ class: cls, ideal, shown, outcome, similarity }) => ({ cls, ideal, shown, outcome, similarity }));
        const blank = { cls: "blank-line", ideal: "return a + b;", shown: "return a + b;", outcome: "exact", similarity: 1 };
        const body = { cls: "function-body", ideal: "\n  return a + b;\n  return a + b;", shown: "\n  return a + b;", outcome: "cut-short", similarity: 0.5 };
        assert.deepEqual(summary, [blank, blank, body, body], "in the order of --classes");
        assert.ok(report.peakRssMiB > 0);
    });

    it("prints a table per class, with a progress bar on a terminal", async () => {
        const model = await ensureTinyModel();
        // `script` gives the CLI a terminal, where the progress bar draws itself.
        const command = [
            process.execPath,
            CLI,
            "eval",
            "--threads",
            "1",
            "--context-size",
            "1024",
            "--model",
            model,
            "--repo",
            repo,
            "--classes",
            "blank-line,function-body",
            "--per-class",
            "3",
        ]
            .map((arg) => `'${arg}'`)
            .join(" ");
        const result = spawnSync("script", ["-qec", command, "/dev/null"], {
            encoding: "utf8",
            env: { ...process.env, HOME: home, TMPDIR: path.join(home, "tmp") },
            timeout: 300_000,
        });
        assert.equal(result.status, 0, result.stdout);
        assert.match(result.stdout, /\[#{30}\] 4\/4 holes/);
        assert.match(result.stdout, /blank-line\s+2\s+100\.0%\s+1\.000\s+0\.0%\s+0\.0%\s+0\.0%\s+0/);
        assert.match(result.stdout, /function-body\s+2\s+0\.0%\s+0\.500\s+100\.0%\s+0\.0%\s+0\.0%\s+0/);
        assert.match(result.stdout, /all\s+4\s+50\.0%\s+0\.750/);
    });

    it("runs a random-weights model end to end", async () => {
        const model = await ensureRandomModel();
        const { code, stdout, stderr } = run(["--model", model, "--repo", repo, "--per-class", "1", "--max-tokens", "16", "--json"]);
        assert.equal(code, 0, stderr);
        const report = JSON.parse(stdout) as { results: Result[] };
        assert.ok(report.results.length >= 5, `${report.results.length} holes`);
        for (const result of report.results) assert.ok(["exact", "cut-short", "ran-over", "wrong"].includes(result.outcome));
    });

    it("bad flags and empty repositories get a clear message", async () => {
        const model = await ensureTinyModel();
        const badClass = run(["--model", model, "--repo", repo, "--classes", "everything"]);
        assert.match(badClass.stderr, /unknown hole class "everything".*\nRun `codellama --help` for usage/);
        assert.equal(badClass.code, 2, "a usage error, like the other commands'");
        assert.match(run(["--model", model, "--repo", repo, "--per-class", "0"]).stderr, /--per-class must be a positive integer/);
        assert.match(run(["--model", model, "--repo", path.join(home, "nowhere")]).stderr, /is not a directory/);
        const empty = path.join(home, "empty");
        fs.mkdirSync(empty);
        const { code, stderr } = run(["--model", model, "--repo", empty]);
        assert.equal(code, 1);
        assert.match(stderr, /no holes to run/);
    });
});
