/**
 * The thread counts a calibration chose, kept per machine and model file in the per-user cache
 * directory, so that only the first load of a model on a machine measures.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ThreadCounts, ThreadSpeed } from "./threads.js";

export interface CachedThreads {
    choice: ThreadCounts;
    speeds: ThreadSpeed[];
    /** ISO date of the calibration. */
    measuredAt: string;
}

interface CacheFile {
    version: 1;
    /** By cacheKey; the most recently written last. */
    entries: Record<string, CachedThreads>;
}

/** Entries kept; the oldest written go first. */
const MAX_ENTRIES = 64;

export interface MachineFacts {
    cpuModel: string;
    /** Usable CPUs (see usableCpus). */
    cpus: number;
    /** Where the model runs: "cpu", or the GPU backend and its layer count. */
    device: string;
}

export interface ModelFileFacts {
    path: string;
    size: number;
    mtimeMs: number;
}

/** One key per machine (CPU model and usable count, device) and model file (path, size, modification time). */
export function cacheKey(machine: MachineFacts, model: ModelFileFacts): string {
    return JSON.stringify([machine.cpuModel, machine.cpus, machine.device, model.path, model.size, Math.round(model.mtimeMs)]);
}

export function machineFacts(cpus: number, device: string): MachineFacts {
    return { cpuModel: os.cpus()[0]?.model.trim() ?? "unknown", cpus, device };
}

export function modelFileFacts(modelPath: string): ModelFileFacts {
    const stat = fs.statSync(modelPath);
    return { path: path.resolve(modelPath), size: stat.size, mtimeMs: stat.mtimeMs };
}

/** The entry for `key`, undefined when there is none or the file is unreadable or not ours. */
export function parseCacheEntry(text: string | undefined, key: string): CachedThreads | undefined {
    const entry = parseCacheFile(text).entries[key];
    if (!entry || !isCounts(entry.choice) || !Array.isArray(entry.speeds) || !entry.speeds.every(isSpeed)) return undefined;
    return entry;
}

/** The file's text with `entry` under `key` (last), keeping at most MAX_ENTRIES. */
export function withCacheEntry(text: string | undefined, key: string, entry: CachedThreads): string {
    const { entries } = parseCacheFile(text);
    delete entries[key];
    entries[key] = entry;
    const keys = Object.keys(entries);
    for (const old of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) delete entries[old];
    return `${JSON.stringify({ version: 1, entries } satisfies CacheFile, null, 1)}\n`;
}

function parseCacheFile(text: string | undefined): CacheFile {
    try {
        const parsed = JSON.parse(text ?? "") as Partial<CacheFile> | null;
        if (parsed?.version === 1 && parsed.entries && typeof parsed.entries === "object") return { version: 1, entries: { ...parsed.entries } };
    } catch {
        // Missing or damaged: start afresh.
    }
    return { version: 1, entries: {} };
}

/** A measured speed as the calibration writes it (the load chooses again from these). */
function isSpeed(value: unknown): boolean {
    const speed = value as ThreadSpeed | undefined;
    return (
        Number.isInteger(speed?.threads) &&
        speed!.threads >= 1 &&
        [speed!.promptTokensPerSecond, speed!.generationTokensPerSecond].every((rate) => Number.isFinite(rate) && rate > 0)
    );
}

function isCounts(value: unknown): value is ThreadCounts {
    const counts = value as ThreadCounts | undefined;
    return [counts?.prompt, counts?.generation].every((count) => Number.isInteger(count) && count! >= 1);
}

/** Reads and writes the cache file; a file that cannot be read counts as empty. */
export class ThreadCache {
    constructor(readonly file: string) {}

    get(key: string): CachedThreads | undefined {
        return parseCacheEntry(this.read(), key);
    }

    /** Writes through a temporary file, so a concurrent reader never sees half a file. */
    set(key: string, entry: CachedThreads): void {
        const text = withCacheEntry(this.read(), key, entry);
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        const temporary = `${this.file}.${process.pid}.tmp`;
        fs.writeFileSync(temporary, text);
        fs.renameSync(temporary, this.file);
    }

    private read(): string | undefined {
        try {
            return fs.readFileSync(this.file, "utf8");
        } catch {
            return undefined;
        }
    }
}
