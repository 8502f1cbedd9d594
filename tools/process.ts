/** Child processes that tests, the benchmark and scripts start: waiting for them, and ending them by pid. */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Resolves true when `child` exits within `ms`. */
export function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), ms);
        child.once("exit", () => {
            clearTimeout(timer);
            resolve(true);
        });
    });
}

/** Ends a child this process started: SIGTERM, then SIGKILL after `graceMs`; by its pid only. */
export async function endChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    try {
        process.kill(child.pid, "SIGTERM");
    } catch {
        return;
    }
    if (await waitForExit(child, graceMs)) return;
    try {
        process.kill(child.pid, "SIGKILL");
    } catch {
        // already gone
    }
    await waitForExit(child, graceMs);
}

/** A temporary HOME for a child (with TMPDIR and the XDG folders inside it), so it touches nothing of the user's; `remove()` deletes it. */
export function privateHome(prefix: string): { home: string; env: NodeJS.ProcessEnv; remove(): void } {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    fs.mkdirSync(path.join(home, "tmp"));
    return {
        home,
        env: {
            ...process.env,
            HOME: home,
            TMPDIR: path.join(home, "tmp"),
            XDG_CACHE_HOME: path.join(home, ".cache"),
            XDG_CONFIG_HOME: path.join(home, ".config"),
        },
        remove: () => fs.rmSync(home, { recursive: true, force: true }),
    };
}
