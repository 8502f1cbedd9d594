// Measures completion latency over loopback for each backend on the same model and typing replay:
// embedded, llama-server (token prompts, cache_prompt, pinned slot) and openai (llama-server's /v1).
//   npx tsx scripts/measure-backends.ts [--model PATH] [--keystrokes N]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { DidChangeTextDocumentNotification } from "vscode-languageserver-protocol/node";
import { median } from "../server/src/completion/stats.js";
import { statsRequest } from "../shared/src/protocol.js";
import { startLlamaServer } from "../tools/llamaServer.js";
import { isState, startServer } from "../tools/lspClient.js";
import { ensureTinyModel } from "../tools/tinyCodellama/index.js";

const { values } = parseArgs({ options: { model: { type: "string" }, keystrokes: { type: "string", default: "30" } } });
const model = values.model ?? (await ensureTinyModel({ preset: "perf", type: "q4_0" }));
const keystrokes = Number(values.keystrokes);
const source = fs.readFileSync(path.join(process.cwd(), "node_modules/vscode-languageserver/lib/common/server.js"), "utf8");
const cut = source.indexOf("\n", 4000) + 1;
const text = source.slice(0, cut) + "\n" + source.slice(cut, cut + 2000);
const line = text.slice(0, cut).split("\n").length - 1;
const typed = "    const result = this.connection.sendRequest(";

const llama = await startLlamaServer({
    args: (port) => ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-np", "1", "-c", "4096", "-t", "1", "--no-webui"],
});
const { url } = llama;
const results: Record<string, unknown> = {};
try {
    const backends = {
        embedded: { model: { path: model }, engine: { threads: 1, contextSize: 4096 } },
        "llama-server": { engine: { backend: "llama-server", serverUrl: url, serverSlot: 0 } },
        openai: { engine: { backend: "openai", serverUrl: `${url}/v1`, contextSize: 4096 } },
    };
    for (const [name, settings] of Object.entries(backends)) {
        const server = await startServer({
            settings: { ...settings, completion: { maxTokens: 32, fimFormat: "psm-line", extraContextShare: 0 }, log: { level: "warn" } },
        });
        try {
            await server.waitForStatus(isState("ready"), 120_000);
            server.open("file:///m.js", text, "javascript");
            let version = 1;
            for (let index = 0; index < Math.min(keystrokes, typed.length); index++) {
                void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
                    textDocument: { uri: "file:///m.js", version: ++version },
                    contentChanges: [{ range: { start: { line, character: index }, end: { line, character: index } }, text: typed[index]! }],
                });
                await server.complete("file:///m.js", line, index + 1);
            }
            const stats = await server.connection.sendRequest(statsRequest);
            const model = stats.recent.filter((record) => record.source === "model").slice(1);
            results[name] = {
                requests: model.length,
                latencyP50Ms: Math.round(median(model.map((record) => record.latencyMs))),
                evaluatedP50: median(model.map((record) => record.evaluatedTokens)),
                reusedP50: median(model.map((record) => record.reusedTokens)),
            };
        } finally {
            await server.stop();
        }
    }
} finally {
    await llama.stop();
}
console.log(JSON.stringify({ date: new Date().toISOString(), model: path.basename(model), results }, null, 2));
