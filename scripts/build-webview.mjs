// esbuild options of the chat webview's script (client/src/webview/main.ts -> dist/webview/chat.js):
// a browser bundle (IIFE, one file, no imports at run time: the CSP allows only this script) with
// markdown-it, highlight.js (common languages only) and DOMPurify inside. scripts/build.mjs builds it.
/** @type {import("esbuild").BuildOptions} */
export const webviewOptions = {
    entryPoints: { chat: "client/src/webview/main.ts" },
    outdir: "dist/webview",
    bundle: true,
    platform: "browser",
    format: "iife",
    target: ["chrome114", "safari16", "firefox115"],
    minify: true,
    sourcemap: true,
    legalComments: "linked",
    logLevel: "info",
};
