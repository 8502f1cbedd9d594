// The main job on a machine without model weights: build, generate the tiny scripted Code Llama
// model the tests use, and ask the CLI for a completion in examples/add.js (line 2, column 5).
// With internet, `npx codellama complete --file F --position L:C` downloads the real default model.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const run = (args, options = {}) =>
    execFileSync(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"], ...options })
        .toString()
        .trim();

run(["scripts/build.mjs"]);
fs.mkdirSync(path.join(root, ".test-output", "models"), { recursive: true });
const model = run(["--import", "tsx", "tools/makeModel.ts", "--out", ".test-output/models/demo-tiny-codellama.gguf"])
    .split("\n")[0]
    .replace(/^.*?(\/\S+\.gguf).*$/, "$1");
console.log(`model: ${model}`);
const completion = run(["bin/codellama.js", "complete", "--model", model, "--file", "examples/add.js", "--position", "2:5"]);
console.log(`completion at examples/add.js:2:5 -> ${JSON.stringify(completion)}`);
