/** Process memory (Linux /proc) and the machine a benchmark ran on. */
import { type ChildProcess } from "node:child_process";
export interface ProcMemory {
    /** Resident set size now, KiB. */
    rssKb: number;
    /** Peak resident set size (high-water mark), KiB. */
    hwmKb: number;
}
/** Parses VmRSS and VmHWM out of /proc/<pid>/status text. */
export declare function parseProcStatus(text: string): ProcMemory | undefined;
export declare function readProcMemory(pid: number): ProcMemory | undefined;
/**
 * Polls a process's RSS and keeps the largest value and the kernel's high-water mark (VmHWM, which
 * catches peaks between polls). Without /proc (not Linux) it reports nothing.
 */
export declare class MemorySampler {
    private readonly pid;
    private readonly intervalMs;
    private timer;
    peakRssKb: number;
    hwmKb: number;
    constructor(pid: number, intervalMs?: number);
    start(): this;
    sample(): void;
    /** Samples once more and stops; call before the process exits. */
    stop(): {
        peakRssKb: number;
    };
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
export declare function machineInfo(): MachineInfo;
/** Resolves true when `child` exits within `ms`. */
export declare function waitForExit(child: ChildProcess, ms: number): Promise<boolean>;
/** Ends a child this process started: SIGTERM, then SIGKILL after `graceMs`; by its pid only. */
export declare function endChild(child: ChildProcess, graceMs?: number): Promise<void>;
