/**
 * The one llama.cpp server launcher of tests, the benchmark and scripts: a real `llama-server` on a
 * free loopback port, in its own temporary HOME, ready once /health answers, ended by its pid.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { endChild, privateHome } from "./process.js";

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** $LLAMA_SERVER_BIN, else the binary scripts/build-llama-server.sh builds once (from the source node-llama-cpp ships) into the per-user cache. */
export function llamaServerBinary(): string {
    if (process.env.LLAMA_SERVER_BIN) return process.env.LLAMA_SERVER_BIN;
    return execFileSync("bash", [path.join(REPO_ROOT, "scripts/build-llama-server.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
        .trim()
        .split("\n")
        .at(-1)!;
}

export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.unref();
        probe.on("error", reject);
        probe.listen(0, "127.0.0.1", () => {
            const { port } = probe.address() as net.AddressInfo;
            probe.close(() => resolve(port));
        });
    });
}

export interface LlamaServerLaunch {
    /** Default: llamaServerBinary(). */
    bin?: string;
    /** The whole command line for the port it gets (`-m MODEL --host 127.0.0.1 --port PORT ...`). */
    args(port: number): string[];
    /** Each line the server prints (its log). */
    onLog?(line: string): void;
    readyTimeoutMs?: number;
}

export interface RunningLlamaServer {
    url: string;
    port: number;
    process: ChildProcess;
    stop(): Promise<void>;
}

/** Starts llama-server and resolves once it is healthy; rejects with the end of its log when it exits or is not ready in time. */
export async function startLlamaServer(launch: LlamaServerLaunch): Promise<RunningLlamaServer> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const home = privateHome("codellama-llama-server-");
    const child = spawn(launch.bin ?? llamaServerBinary(), launch.args(port), {
        env: { ...home.env, LLAMA_CACHE: path.join(home.home, ".cache") },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const logTail: string[] = [];
    const keep = (chunk: string): void => {
        for (const line of chunk.split("\n")) {
            if (!line.trim()) continue;
            logTail.push(line);
            if (logTail.length > 40) logTail.shift();
            launch.onLog?.(line);
        }
    };
    child.stdout!.setEncoding("utf8").on("data", keep);
    child.stderr!.setEncoding("utf8").on("data", keep);
    let exited: string | undefined;
    child.once("exit", (code, signal) => (exited = String(signal ?? code)));
    const stop = async (): Promise<void> => {
        await endChild(child);
        home.remove();
    };
    const deadline = performance.now() + (launch.readyTimeoutMs ?? 300_000);
    try {
        for (;;) {
            if (exited !== undefined) throw new Error(`llama-server exited (${exited}) before it was ready:\n${logTail.join("\n")}`);
            if (performance.now() > deadline) throw new Error(`llama-server was not ready in time:\n${logTail.join("\n")}`);
            if (await healthy(url)) return { url, port, process: child, stop };
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    } catch (error) {
        await stop();
        throw error;
    }
}

async function healthy(url: string): Promise<boolean> {
    try {
        return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok;
    } catch {
        return false;
    }
}
