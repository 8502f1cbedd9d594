// A real llama.cpp server for backend tests, built once from the source node-llama-cpp ships.
import { type ChildProcess, execFileSync } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { REPO_ROOT } from "./lspClient.js";

export function llamaServerBinary(): string {
    if (process.env.LLAMA_SERVER_BIN) return process.env.LLAMA_SERVER_BIN;
    return execFileSync("bash", [path.join(REPO_ROOT, "scripts/build-llama-server.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim().split("\n").at(-1)!;
}

export function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const probe = net.createServer().listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as net.AddressInfo;
            probe.close(() => resolve(port));
        });
    });
}

export async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
    for (let attempt = 0; attempt < 300; attempt++) {
        if (child.exitCode !== null) throw new Error(`llama-server exited with ${child.exitCode}`);
        try {
            if ((await fetch(`${url}/health`)).ok) return;
        } catch {
            // Not listening yet.
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("llama-server did not become healthy");
}

