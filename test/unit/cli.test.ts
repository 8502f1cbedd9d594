import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { configFlagsHelp } from "../../server/src/cli/configFlags.js";
import { configFromFlags, parsePosition } from "../../server/src/cli/main.js";
import { resolveConfig } from "../../server/src/config/resolve.js";

describe("parsePosition", () => {
    it("turns 1-based LINE:COL into a 0-based LSP position", () => {
        assert.deepEqual(parsePosition("1:1"), { line: 0, character: 0 });
        assert.deepEqual(parsePosition("12:5"), { line: 11, character: 4 });
    });
    it("rejects anything else with a message", () => {
        for (const bad of ["0:1", "1:0", "1", "a:b", "1:2:3", ""]) assert.throws(() => parsePosition(bad), /LINE:COL/, bad);
    });
});

describe("configFromFlags", () => {
    it("maps flags onto the configuration shape", () => {
        const { config, warnings } = resolveConfig(
            configFromFlags({ model: "/m.gguf", gpu: "off", threads: "1", "context-size": "2048", "max-tokens": "16", "fim-format": "spm" }),
        );
        assert.deepEqual(warnings, []);
        assert.equal(config.model.path, "/m.gguf");
        assert.equal(config.engine.gpu, "off");
        assert.equal(config.engine.threads, 1);
        assert.equal(config.engine.contextSize, 2048);
        assert.equal(config.completion.maxTokens, 16);
        assert.equal(config.completion.fimFormat, "spm");
        assert.equal(config.log.level, "warn");
    });
    it("reports a non-numeric number flag", () => {
        assert.match(resolveConfig(configFromFlags({ threads: "many" })).warnings[0]!, /engine\.threads: ignored "many"/);
    });
});

describe("configFlagsHelp", () => {
    it("tells each flag's values and default from the settings schema", () => {
        const help = configFlagsHelp();
        assert.match(help, /^ {2}--fim-format FORMAT {5}psm \| psm-line \| spm \(default psm-line\)$/m);
        assert.match(help, /^ {2}--gpu MODE {14}auto \| cuda \| vulkan \| metal \| off \(default auto\)$/m);
        assert.match(help, /--max-tokens N {10}Most tokens to generate \(default 128 for complete, 1024 for chat\)/);
        assert.match(help, /--log-level LEVEL {7}error \| warn \| info \| debug \(default warn\)/, "the CLI's own default");
    });
});

describe("the CLI's messages", () => {
    it("a missing model is told in the terminal's words: flags, not settings or editor commands", () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-cli-"));
        try {
            const file = path.join(home, "x.js");
            fs.writeFileSync(file, "let x = 1;\n");
            const missing = path.join(home, "nope.gguf");
            const run = spawnSync(
                process.execPath,
                ["--import", "tsx", "server/src/cli.ts", "complete", "--model", missing, "--file", file, "--position", "1:1"],
                {
                    env: { ...process.env, HOME: home, TMPDIR: home, XDG_CACHE_HOME: path.join(home, ".cache") },
                    encoding: "utf8",
                },
            );
            assert.equal(run.status, 1, run.stderr);
            assert.equal(run.stderr, `codellama: Model file not found: ${missing}. Pass --model PATH to a local Code Llama GGUF file.\n`);
        } finally {
            fs.rmSync(home, { recursive: true, force: true });
        }
    });
});
