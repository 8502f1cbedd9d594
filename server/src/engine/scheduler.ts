import { Mutex } from "./mutex.js";

export type Priority = "interactive" | "background";

/**
 * Typing first, across every engine that shares this scheduler (the completion model and a separate
 * chat model loaded together get one). The sequences share the CPU (or GPU); on a machine where
 * compute, not the batch, is the limit, sharing it with a chat answer or a warm-up slows the
 * completion the user is waiting for. So background work waits, between its prompt chunks and its
 * tokens, while any interactive work (a completion while typing) runs; interactive work never waits
 * for background work to take its turn, only for a decode already under way to end.
 *
 * Decodes run one at a time (`step`): llama.cpp contexts decoding at once would split the CPU
 * threads between them, and each engine sets its own thread count just before its decode.
 */
export class TypingFirstScheduler {
    private readonly interactive = new RunningCount();
    private readonly generations = new RunningCount();
    private readonly decodes = new Mutex();
    private started = 0;

    /** Marks work as running; returns the function that ends it (once). */
    begin(priority: Priority): () => void {
        return priority === "interactive" ? this.interactive.add() : () => undefined;
    }

    /** Resolves when work of `priority` may take its next step: at once for interactive work, else once no interactive work runs. */
    async turn(priority: Priority): Promise<void> {
        while (priority !== "interactive" && this.interactive.count > 0) await this.interactive.zero();
    }

    /** Whether interactive work is running. */
    get interactiveBusy(): boolean {
        return this.interactive.count > 0;
    }

    /** Runs one decode once it is `priority`'s turn and no other decode runs; `waitedMs`: how long it waited for that. */
    async step<T>(priority: Priority, decode: () => Promise<T>): Promise<{ result: T; waitedMs: number }> {
        const called = performance.now();
        await this.turn(priority);
        return this.decodes.run(async () => {
            const waitedMs = performance.now() - called;
            return { result: await decode(), waitedMs };
        });
    }

    /** Counts a generation as started and running (waiting for its sequence included) until the returned function is called (once). */
    trackGeneration(): () => void {
        this.started++;
        return this.generations.add();
    }

    /** Generations started so far on the engines of this scheduler, and those running or waiting now. */
    get generationsStarted(): number {
        return this.started;
    }
    get generationsRunning(): number {
        return this.generations.count;
    }

    /** Resolves when no generation runs or waits. */
    idle(): Promise<void> {
        return this.generations.zero();
    }
}

/** A count of work running, and those waiting for it to reach zero. */
class RunningCount {
    count = 0;
    private waiters: (() => void)[] = [];

    /** Counts one more; returns the function that ends it (once). */
    add(): () => void {
        this.count++;
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            if (--this.count === 0) for (const resume of this.waiters.splice(0)) resume();
        };
    }

    /** Resolves when the count is zero. */
    zero(): Promise<void> {
        return this.count === 0 ? Promise.resolve() : new Promise<void>((resume) => this.waiters.push(resume));
    }
}
