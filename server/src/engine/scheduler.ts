export type Priority = "interactive" | "background";

/**
 * Typing first. The sequences share the context and its batches; on a machine where compute, not
 * the batch, is the limit, sharing a batch with a chat answer or a warm-up slows the completion the
 * user is waiting for. So background work waits, between its prompt chunks and its tokens, while any
 * interactive work (a completion while typing) runs; interactive work never waits here.
 */
export class TypingFirstScheduler {
    private interactiveRunning = 0;
    private waiting: (() => void)[] = [];

    /** Marks work as running; returns the function that ends it (once). */
    begin(priority: Priority): () => void {
        if (priority !== "interactive") return () => undefined;
        this.interactiveRunning++;
        let ended = false;
        return () => {
            if (ended) return;
            ended = true;
            if (--this.interactiveRunning === 0) for (const resume of this.waiting.splice(0)) resume();
        };
    }

    /** Resolves when work of `priority` may take its next step: at once for interactive work, else once no interactive work runs. */
    async turn(priority: Priority): Promise<void> {
        while (priority !== "interactive" && this.interactiveRunning > 0) await new Promise<void>((resume) => this.waiting.push(resume));
    }

    /** Whether interactive work is running. */
    get interactiveBusy(): boolean {
        return this.interactiveRunning > 0;
    }
}
