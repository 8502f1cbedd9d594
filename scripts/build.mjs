// Bundles the language server and the CLI with esbuild. node-llama-cpp stays external: it loads
// native binaries from its own package directory. The VS Code client is bundled as CommonJS
// (dist/extension.cjs: the extension host require()s its main), with `vscode` left to the host.
import fs from "node:fs";
import * as esbuild from "esbuild";
import { webviewOptions } from "./build-webview.mjs";

const watch = process.argv.includes("--watch");
const { version } = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/** @type {esbuild.BuildOptions} */
const serverOptions = {
    entryPoints: { server: "server/src/main.ts", cli: "server/src/cli.ts" },
    outdir: "dist",
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    sourcemap: true,
    external: ["node-llama-cpp"],
    define: { __VERSION__: JSON.stringify(version) },
    // Bundled CommonJS dependencies (vscode-languageserver) call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: "info",
};

/** @type {esbuild.BuildOptions} */
const clientOptions = {
    entryPoints: { extension: "client/src/extension.ts" },
    outdir: "dist",
    outExtension: { ".js": ".cjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    sourcemap: true,
    external: ["vscode"],
    logLevel: "info",
};

const builds = [serverOptions, clientOptions, webviewOptions];
if (watch) {
    for (const options of builds) await (await esbuild.context(options)).watch();
} else {
    await Promise.all(builds.map((options) => esbuild.build(options)));
}
