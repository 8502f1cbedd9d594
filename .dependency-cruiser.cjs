// The layer rule of docs/architecture.md, checked by `npm run check:layers` (part of `npm test`):
//   engine <- model <- {completion, chat} <- lsp <- cli / main
//                       completion <- eval <- cli
// Each rule names the imports that must not exist; a wrong-way import fails the check.
const SERVER = "^server/src/";

module.exports = {
    forbidden: [
        {
            name: "engine-is-the-bottom",
            comment:
                "The engine (node-llama-cpp, the remote backends) knows nothing of the model manager, completion, chat, LSP, configuration or the wire protocol.",
            severity: "error",
            from: { path: `${SERVER}engine/` },
            to: { path: [`${SERVER}(model|completion|chat|eval|lsp|cli|config)/`, `${SERVER}main\\.ts$`, "^shared/src/protocol\\.ts$"] },
        },
        {
            name: "model-below-features",
            comment: "The model manager loads engines and reports a plain state; completion, chat and LSP sit above it.",
            severity: "error",
            from: { path: `${SERVER}model/` },
            to: { path: [`${SERVER}(completion|chat|eval|lsp|cli)/`, `${SERVER}main\\.ts$`, "^shared/src/protocol\\.ts$"] },
        },
        {
            name: "completion-and-chat-apart",
            comment: "Completion and chat are two features on the same engine: neither imports the other, nor anything above them.",
            severity: "error",
            from: { path: `${SERVER}completion/` },
            to: { path: [`${SERVER}(chat|eval|lsp|cli)/`, `${SERVER}main\\.ts$`] },
        },
        {
            name: "chat-and-completion-apart",
            comment: "Completion and chat are two features on the same engine: neither imports the other, nor anything above them.",
            severity: "error",
            from: { path: `${SERVER}chat/` },
            to: { path: [`${SERVER}(completion|eval|lsp|cli)/`, `${SERVER}main\\.ts$`] },
        },
        {
            name: "eval-beside-features",
            comment: "The quality eval measures completion on the engine: it uses completion/ and engine/, nothing of chat, LSP or the entry points.",
            severity: "error",
            from: { path: `${SERVER}eval/` },
            to: { path: [`${SERVER}(chat|lsp|cli)/`, `${SERVER}main\\.ts$`] },
        },
        {
            name: "lsp-below-entry-points",
            comment: "The language server knows nothing of the CLI, nor of the eval (only `codellama eval` runs it, so it stays out of dist/server.js).",
            severity: "error",
            from: { path: `${SERVER}lsp/` },
            to: { path: [`${SERVER}(cli|eval)/`, `${SERVER}main\\.ts$`] },
        },
        {
            name: "config-below-features",
            comment: "Configuration is resolved and validated on its own; the layers above read it.",
            severity: "error",
            from: { path: `${SERVER}config/` },
            to: { path: [`${SERVER}(engine|model|completion|chat|eval|lsp|cli|log)/`] },
        },
        {
            name: "log-imports-nothing-of-the-app",
            severity: "error",
            from: { path: `${SERVER}log/` },
            to: { path: ["^server/", "^shared/", "^client/"], pathNot: `${SERVER}log/` },
        },
        {
            name: "shared-is-shared",
            comment: "shared/ imports only vscode-languageserver-protocol (and itself): nothing of the client or the server.",
            severity: "error",
            from: { path: "^shared/" },
            to: { path: "^(server|client|bench|eval|tools|test|scripts)/" },
        },
        {
            name: "client-talks-protocol-only",
            comment: "The client reaches the server through the protocol in shared/, never through its source.",
            severity: "error",
            from: { path: "^client/" },
            to: { path: "^(server|bench|eval|tools|test|scripts)/" },
        },
        {
            name: "shipped-code-has-no-dev-code",
            comment: "bench/, eval/ (the eval's driver), tools/, test/ and scripts/ are development only and never part of a bundle.",
            severity: "error",
            from: { path: "^(server|shared)/" },
            to: { path: "^(bench|eval|tools|test|scripts)/" },
        },
        {
            name: "tools-and-bench-and-scripts-not-on-tests",
            comment: "What tests, the benchmark, the eval's driver and scripts share lives in tools/; none of them imports test code.",
            severity: "error",
            from: { path: "^(bench|eval|tools|scripts)/" },
            to: { path: "^test/" },
        },
        {
            name: "tools-below-bench",
            severity: "error",
            from: { path: "^tools/" },
            to: { path: "^bench/" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "^(node_modules|dist|\\.tsbuild|\\.test-output)/" },
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.base.json" },
    },
};
