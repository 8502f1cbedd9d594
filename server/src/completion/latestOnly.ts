/**
 * Lets one piece of completion work run at a time: a newer one aborts the older, whose answer would
 * be stale anyway (the user typed on). Either the caller's signal or a newer call aborts the work's
 * signal; work started with an aborted signal is expected to return at once.
 */
export class LatestOnly {
    private current: AbortController | undefined;

    /** Whether work is running. */
    get busy(): boolean {
        return this.current !== undefined;
    }

    async run<T>(signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
        this.current?.abort();
        const controller = new AbortController();
        this.current = controller;
        const abort = (): void => controller.abort();
        signal?.addEventListener("abort", abort, { once: true });
        if (signal?.aborted) controller.abort();
        try {
            return await work(controller.signal);
        } finally {
            signal?.removeEventListener("abort", abort);
            if (this.current === controller) this.current = undefined;
        }
    }
}
