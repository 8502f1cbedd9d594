/**
 * The built-in engine's CPU threads, as the engine reports them and codellama/status carries them
 * (the status bar's tooltip names them).
 */

/** Where the counts in use come from. */
export type ThreadSource =
    /** `codellama.engine.threads`. */
    | "setting"
    /** Every usable CPU while the first load of the model measures which counts are fastest. */
    | "calibrating"
    /** The counts measured fastest on this machine, now or at an earlier load. */
    | "calibrated"
    | "cached"
    /** Every usable CPU: the model runs on the GPU, or the calibration failed (see the log). */
    | "cpus";

export interface ThreadsInUse {
    /** Threads evaluating prompts and generating tokens. */
    prompt: number;
    generation: number;
    source: ThreadSource;
    /** CPUs this process may use (affinity, cgroup CPU quota). */
    cpus: number;
}
