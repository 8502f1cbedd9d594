// Packages the extension as a platform-specific .vsix with @vscode/vsce, offline:
//
//   npm run package                           target: this machine (e.g. linux-x64)
//   npm run package -- --target win32-x64     another platform (its binaries must be installed)
//   npm run package -- --cuda                 also ship the CUDA binaries (~540 MB more on linux-x64)
//   npm run package -- --no-build             package dist/ as it is
//
// The .vsix carries dist/extension.cjs, dist/server.js and node-llama-cpp with its production
// dependencies, but only the target platform's prebuilt llama.cpp binaries (@node-llama-cpp/<platform>):
// CPU and, where they exist, Vulkan (and Metal on Apple silicon). VS Code installs the .vsix whose
// target matches the machine. Writes <name>-<target>-<version>.vsix in the repository root.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** @node-llama-cpp packages per VS Code target: the CPU one first, then GPU ones shipped by default, then CUDA. */
const BINARIES = {
    "linux-x64": { base: ["linux-x64", "linux-x64-vulkan"], cuda: ["linux-x64-cuda", "linux-x64-cuda-ext"] },
    "linux-arm64": { base: ["linux-arm64"], cuda: [] },
    "linux-armhf": { base: ["linux-armv7l"], cuda: [] },
    "darwin-arm64": { base: ["mac-arm64-metal"], cuda: [] },
    "darwin-x64": { base: ["mac-x64"], cuda: [] },
    "win32-x64": { base: ["win-x64", "win-x64-vulkan"], cuda: ["win-x64-cuda", "win-x64-cuda-ext"] },
    "win32-arm64": { base: ["win-arm64"], cuda: [] },
};
/** Optional native helper of the model downloader (ipull), per target. */
const REFLINK = {
    "linux-x64": ["reflink-linux-x64-gnu", "reflink-linux-x64-musl"],
    "linux-arm64": ["reflink-linux-arm64-gnu", "reflink-linux-arm64-musl"],
    "darwin-arm64": ["reflink-darwin-arm64"],
    "darwin-x64": ["reflink-darwin-x64"],
    "win32-x64": ["reflink-win32-x64-msvc"],
    "win32-arm64": ["reflink-win32-arm64-msvc"],
};

function parseArgs(argv) {
    const options = { target: defaultTarget(), cuda: false, build: true };
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--target") options.target = argv[++i];
        else if (arg.startsWith("--target=")) options.target = arg.slice("--target=".length);
        else if (arg === "--cuda") options.cuda = true;
        else if (arg === "--no-build") options.build = false;
        else fail(`unknown argument ${arg}`);
    }
    if (!BINARIES[options.target]) fail(`unsupported target ${options.target}; one of ${Object.keys(BINARIES).join(", ")}`);
    return options;
}

function defaultTarget() {
    const arch = process.arch === "arm" ? "armhf" : process.arch;
    return `${process.platform}-${arch}`;
}

function fail(message) {
    console.error(`package-vsix: ${message}`);
    process.exit(1);
}

function run(command, args, options = {}) {
    const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", ...options });
    if (result.status !== 0) fail(`${path.basename(command)} ${args.join(" ")} failed (${result.error?.message ?? `exit ${result.status}`})`);
}

const options = parseArgs(process.argv.slice(2));
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
const llamaVersion = JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")).version;

// 1. The target's prebuilt binaries must be installed (npm installs only the running platform's).
const wanted = [...BINARIES[options.target].base, ...(options.cuda ? BINARIES[options.target].cuda : [])];
const binaries = [];
for (const name of wanted) {
    const dir = path.join(ROOT, "node_modules/@node-llama-cpp", name);
    const version = fs.existsSync(path.join(dir, "package.json")) ? JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).version : undefined;
    if (version === llamaVersion) binaries.push(name);
    else if (name === wanted[0]) {
        fail(
            `@node-llama-cpp/${name}@${llamaVersion} is not installed (${version ? `found ${version}` : "missing"}); ` +
                `install it with: npm install --no-save --force @node-llama-cpp/${name}@${llamaVersion}`,
        );
    } else console.warn(`package-vsix: @node-llama-cpp/${name}@${llamaVersion} not installed: the .vsix will not have it`);
}

// 2. Bundles.
if (options.build) run(process.execPath, [path.join(ROOT, "scripts/build.mjs")]);
for (const file of ["dist/extension.cjs", "dist/server.js"]) if (!fs.existsSync(path.join(ROOT, file))) fail(`${file} missing: run npm run build`);

// 3. .vscodeignore plus this target's binary rules.
const ignoreFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "codellama-vsix-")), ".vscodeignore");
const targetRules = [
    "",
    `# ${options.target}: only its prebuilt llama.cpp binaries`,
    "node_modules/@node-llama-cpp/**",
    ...binaries.map((name) => `!node_modules/@node-llama-cpp/${name}/**`),
    "node_modules/@reflink/reflink-*/**",
    ...(REFLINK[options.target] ?? []).map((name) => `!node_modules/@reflink/${name}/**`),
];
fs.writeFileSync(ignoreFile, `${fs.readFileSync(path.join(ROOT, ".vscodeignore"), "utf8")}${targetRules.join("\n")}\n`);

// 4. vsce (3.x: the 4.x line needs Node 22). It collects dependencies with `npm list --production`,
// which reads node_modules only: no network.
const vsix = path.join(ROOT, `${pkg.name}-${options.target}-${pkg.version}.vsix`);
fs.rmSync(vsix, { force: true });
const vsce = path.join(path.dirname(require.resolve("@vscode/vsce/package.json")), "vsce");
const started = Date.now();
try {
    run(
        process.execPath,
        [
            vsce,
            "package",
            "--target",
            options.target,
            "--ignoreFile",
            ignoreFile,
            "--out",
            vsix,
            ...(fs.existsSync(path.join(ROOT, "LICENSE")) ? [] : ["--skip-license"]),
        ],
        {
            env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false" },
        },
    );
} finally {
    fs.rmSync(path.dirname(ignoreFile), { recursive: true, force: true });
}

// 5. Check what went in.
const entries = await listZip(vsix);
const must = [
    "extension/package.json",
    "extension/dist/extension.cjs",
    "extension/dist/server.js",
    "extension/dist/webview/chat.js",
    "extension/media/chat.css",
    "extension/syntaxes/codellama-prompt.tmLanguage.json",
    "extension/node_modules/node-llama-cpp/package.json",
    ...binaries.map((name) => `extension/node_modules/@node-llama-cpp/${name}/package.json`),
];
for (const entry of must) if (!entries.has(entry)) fail(`${path.basename(vsix)} lacks ${entry}`);
if (![...entries].some((entry) => entry.startsWith(`extension/node_modules/@node-llama-cpp/${binaries[0]}/bins/`) && entry.endsWith("llama-addon.node"))) {
    fail(`${path.basename(vsix)} lacks the llama-addon.node of @node-llama-cpp/${binaries[0]}`);
}
const foreign = [
    ...new Set(
        [...entries].map((entry) => /^extension\/node_modules\/@node-llama-cpp\/([^/]+)\//.exec(entry)?.[1]).filter((name) => name && !binaries.includes(name)),
    ),
];
if (foreign.length > 0) fail(`${path.basename(vsix)} carries other platforms' binaries: ${foreign.join(", ")}`);
// Anything else at the top of the extension is a new folder or file that .vscodeignore should drop
// (or, if the extension needs it at run time, this list should name).
const RUNTIME = /^extension\/(package\.json|readme\.md|changelog\.md|license(\.(md|txt))?|dist\/|node_modules\/|media\/|syntaxes\/|images\/)/i;
const unexpected = [
    ...new Set([...entries].filter((entry) => entry.startsWith("extension/") && !RUNTIME.test(entry)).map((entry) => entry.split("/").slice(0, 2).join("/"))),
];
if (unexpected.length > 0) fail(`${path.basename(vsix)} carries files the extension does not run: ${unexpected.join(", ")}; add them to .vscodeignore`);

const size = fs.statSync(vsix).size;
console.log(
    `package-vsix: ${path.relative(ROOT, vsix)}: ${(size / 1048576).toFixed(1)} MiB, ${entries.size} files, ` +
        `binaries ${binaries.map((name) => `@node-llama-cpp/${name}`).join(", ")} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
);

/** Names of the entries of a zip file (vsce's own yauzl). */
async function listZip(file) {
    const yauzl = require(require.resolve("yauzl", { paths: [path.dirname(require.resolve("@vscode/vsce/package.json"))] }));
    return new Promise((resolve, reject) => {
        yauzl.open(file, { lazyEntries: true }, (error, zip) => {
            if (error) return reject(error);
            const names = new Set();
            zip.on("entry", (entry) => {
                names.add(entry.fileName);
                zip.readEntry();
            });
            zip.on("end", () => resolve(names));
            zip.on("error", reject);
            zip.readEntry();
        });
    });
}
