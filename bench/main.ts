// `npm run bench [-- options]`: builds the server, generates (or reuses) the perf-sized test models
// with the model generator (tools/tinyCodellama), and runs the typing-replay benchmark (run.ts) on
// them. Development only: the benchmark is not part of the shipped server or CLI.
//
//   npm run bench                                   # perf q4_0 model, shipped vs no-reuse (+ llama-server if found)
//   npm run bench -- --perf-types q4_0,f32 --full --chat --json .test-output/bench.json
//   npm run bench -- --model ~/models/codellama-7b.Q4_K_M.gguf   # your own model instead
//
// Options of this script (the rest go to the benchmark, see `npm run bench -- --help`):
//   --perf-types LIST   tensor types of the generated 134M perf model: f32, f16, q8_0, q4_0 (default q4_0)
//   --preset NAME       generator preset: perf (default) or 7b (a 7B-shaped random model, ~3.8 GB)
// llama-server: --llama-server BIN, else $LLAMA_SERVER_BIN, else the binary that
// scripts/build-llama-server.sh left in the per-user cache, if any.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ensureTinyModel, type TensorType, type TinyPreset } from "../tools/tinyCodellama/index.js";
import { benchCommand } from "./run.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);

function take(flag: string): string | undefined {
    const index = args.indexOf(flag);
    if (index < 0) return undefined;
    const value = args[index + 1];
    if (value === undefined || value.startsWith("--")) throw new Error(`${flag} needs a value`);
    args.splice(index, 2);
    return value;
}

const perfTypes = (take("--perf-types") ?? "q4_0")
    .split(",")
    .map((type) => type.trim())
    .filter(Boolean);
const preset = (take("--preset") ?? "perf") as TinyPreset;
const wantsHelp = args.includes("--help") || args.includes("-h");

if (!wantsHelp) {
    // The LSP modes start the built server (dist/server.js).
    const build = spawnSync(process.execPath, [path.join(root, "scripts/build.mjs")], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
    if (build.status !== 0) process.exit(build.status ?? 1);
}

const passthrough = [...args];
if (!wantsHelp && !passthrough.includes("--model")) {
    for (const type of perfTypes as TensorType[]) {
        process.stderr.write(`bench: generating or reusing the ${preset} ${type} model...\n`);
        const started = Date.now();
        const model = await ensureTinyModel({ preset, type });
        process.stderr.write(`bench: ${model} (${(fs.statSync(model).size / 2 ** 20).toFixed(0)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
        passthrough.push("--model", model);
    }
}

if (!wantsHelp && !passthrough.includes("--llama-server") && !process.env.LLAMA_SERVER_BIN) {
    const cacheRoot = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "codellama-vscode-test");
    const built: string[] = fs.existsSync(cacheRoot)
        ? fs
              .readdirSync(cacheRoot)
              .filter((name) => name.startsWith("llama-server-"))
              .map((name) => path.join(cacheRoot, name, "llama-server"))
              .filter((file) => fs.existsSync(file))
        : [];
    if (built.length > 0) {
        process.stderr.write(`bench: comparing with ${built[0]} (scripts/build-llama-server.sh)\n`);
        passthrough.push("--llama-server", built[0]);
    } else {
        process.stderr.write(
            "bench: no llama-server binary (scripts/build-llama-server.sh builds one, or pass --llama-server BIN); running this server's modes only\n",
        );
    }
}

process.exitCode = await benchCommand(passthrough);
