// `npm run eval [-- options]`: the quality benchmark of the stop rules and post-processing. Cuts holes
// from the corpus (eval/corpus.ts; `bash eval/setup-corpus.sh` installs its Debian packages), runs
// the oracle's model behaviours at each through completeAt's own rules, prints the tables and
// writes the JSON. With --model FILE it then runs the same holes through that model
// (`codellama eval --holes`, --threads N passed on), which needs a built CLI (npm run build).
//
//   npm run eval
//   npm run eval -- --seed 7 --per-class 60 --json /tmp/quality.json --examples 3
//   npm run eval -- --model ~/models/codellama-7b.Q4_K_M.gguf --per-class 5
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { HOLE_CLASSES } from "../server/src/eval/holes.js";
import { writeHolesFile } from "../server/src/eval/holesFile.js";
import { oracleTable, runOracle, targetLines } from "../server/src/eval/oracleRun.js";
import { sampleHoles } from "../server/src/eval/sampling.js";
import { seededRandom } from "../server/src/eval/seededRandom.js";
import { collectCorpus } from "./corpus.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
    options: {
        seed: { type: "string", default: "1" },
        "per-class": { type: "string", default: "40" },
        "files-per-package": { type: "string", default: "400" },
        json: { type: "string", default: path.join(root, ".test-output", "eval", "quality.json") },
        examples: { type: "string", default: "0" },
        model: { type: "string" },
        threads: { type: "string" },
        help: { type: "boolean", short: "h" },
    },
});
if (values.help) {
    process.stdout.write(
        fs
            .readFileSync(fileURLToPath(import.meta.url), "utf8")
            .split("\n")
            .filter((line) => line.startsWith("//"))
            .map((line) => line.slice(3))
            .join("\n") + "\n",
    );
    process.exit(0);
}
const seed = Number(values.seed);
const perClass = Number(values["per-class"]);
const started = performance.now();

const corpus = collectCorpus({
    seed,
    maxFilesPerPackage: Number(values["files-per-package"]),
    maxNpmFiles: 5000,
    nodeModules: path.join(root, "node_modules"),
});
for (const pkg of corpus.packages.filter((entry) => entry.missing)) process.stderr.write(`eval: ${pkg.package}: ${pkg.missing}\n`);
const holes = sampleHoles(corpus.files, { seed, perClass });
const random = seededRandom(seed + 1);
const report = runOracle(holes, (count) => Math.floor(random() * count));
const seconds = (performance.now() - started) / 1000;

const languages = [...new Set(holes.map(({ source }) => source.language))].sort();
process.stdout.write(
    `Quality eval (oracle): ${holes.length} holes in ${languages.length} languages from ${corpus.files.length} files, seed ${seed}, ${seconds.toFixed(1)} s\n\n`,
);
process.stdout.write("Exact share per class and model behaviour:\n" + oracleTable(report, "class") + "\n");
process.stdout.write("Per language:\n" + oracleTable(report, "language") + "\n");
process.stdout.write(targetLines(report.targets));

const examples = Number(values.examples);
if (examples > 0) {
    for (const cls of HOLE_CLASSES) {
        const misses = report.holes
            .filter((hole) => hole.class === cls)
            .flatMap((hole) =>
                Object.entries(hole.results)
                    .filter(([, result]) => result.outcome !== "exact")
                    .map(([behaviour, result]) => ({ hole, behaviour, result })),
            );
        for (const { hole, behaviour, result } of misses.slice(0, examples)) {
            process.stdout.write(
                `\n--- ${cls} / ${behaviour}: ${result.outcome}${result.broken ? ", broken" : ""} at ${hole.file}:${hole.line}:${hole.column}\nideal: ${JSON.stringify(hole.ideal)}\nshown: ${JSON.stringify(result.shown)}\n`,
            );
        }
    }
}

fs.mkdirSync(path.dirname(values.json), { recursive: true });
fs.writeFileSync(
    values.json,
    JSON.stringify(
        {
            date: new Date().toISOString(),
            machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, node ${process.version}`,
            seed,
            perClass,
            seconds,
            packages: corpus.packages,
            targets: report.targets,
            cells: report.cells,
            holes: report.holes,
        },
        null,
        1,
    ),
);
process.stdout.write(`\nJSON: ${values.json}\n`);

if (values.model) {
    const holesFile = values.json.replace(/\.json$/, "") + ".holes.json";
    writeHolesFile(holesFile, holes);
    const threads = values.threads ? ["--threads", values.threads] : [];
    const result = spawnSync(process.execPath, [path.join(root, "dist", "cli.js"), "eval", "--model", values.model, "--holes", holesFile, ...threads], {
        stdio: "inherit",
    });
    process.exit(result.status ?? 1);
}
