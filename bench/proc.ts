/** Process memory (Linux /proc) and the machine a benchmark ran on. */
import fs from "node:fs";
import os from "node:os";

export interface ProcMemory {
    /** Resident set size now, KiB. */
    rssKb: number;
    /** Peak resident set size (high-water mark), KiB. */
    hwmKb: number;
}

/** Parses VmRSS and VmHWM out of /proc/<pid>/status text. */
export function parseProcStatus(text: string): ProcMemory | undefined {
    const field = (name: string): number | undefined => {
        const match = new RegExp(`^${name}:\\s+(\\d+)\\s+kB`, "m").exec(text);
        return match ? Number(match[1]) : undefined;
    };
    const rssKb = field("VmRSS");
    const hwmKb = field("VmHWM");
    if (rssKb === undefined || hwmKb === undefined) return undefined;
    return { rssKb, hwmKb };
}

export function readProcMemory(pid: number): ProcMemory | undefined {
    try {
        return parseProcStatus(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    } catch {
        return undefined;
    }
}

/**
 * Polls a process's RSS and keeps the largest value and the kernel's high-water mark (VmHWM, which
 * catches peaks between polls). Without /proc (not Linux) it reports nothing.
 */
export class MemorySampler {
    private timer: NodeJS.Timeout | undefined;
    peakRssKb = 0;
    hwmKb = 0;

    constructor(
        private readonly pid: number,
        private readonly intervalMs = 250,
    ) {}

    start(): this {
        this.sample();
        this.timer = setInterval(() => this.sample(), this.intervalMs);
        this.timer.unref();
        return this;
    }

    sample(): void {
        const memory = readProcMemory(this.pid);
        if (!memory) return;
        this.peakRssKb = Math.max(this.peakRssKb, memory.rssKb);
        this.hwmKb = Math.max(this.hwmKb, memory.hwmKb);
    }

    /** Samples once more and stops; call before the process exits. */
    stop(): { peakRssKb: number } {
        this.sample();
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        return { peakRssKb: Math.max(this.peakRssKb, this.hwmKb) };
    }
}

export interface MachineInfo {
    cpu: string;
    cores: number;
    memoryGiB: number;
    os: string;
    node: string;
    /** CPU flags that decide llama.cpp's kernels. */
    cpuFeatures: string[];
}

export function machineInfo(): MachineInfo {
    const cpus = os.cpus();
    let features: string[] = [];
    try {
        const flags = /^flags\s*:\s*(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.split(/\s+/) ?? [];
        features = flags.filter((flag) => /^(avx|avx2|avx512f|avx512_vnni|avx_vnni|fma|f16c|amx_tile|neon|sve)$/.test(flag));
    } catch {
        // not Linux
    }
    return {
        cpu: cpus[0]?.model.trim() ?? "unknown",
        cores: cpus.length,
        memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        cpuFeatures: features,
    };
}
