import { type CancellationToken, LSPErrorCodes, ResponseError } from "vscode-languageserver/node";

/**
 * Lets one request of a kind run at a time: a newer one aborts the older, whose answer would be
 * stale anyway (the user typed on). Either the client's cancellation or a newer request aborts it.
 */
export class LatestOnly {
    private current: AbortController | undefined;

    /** Whether a request is running. */
    get busy(): boolean {
        return this.current !== undefined;
    }

    async run<T>(token: CancellationToken, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
        this.current?.abort();
        const controller = new AbortController();
        this.current = controller;
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
            if (token.isCancellationRequested) controller.abort();
            if (controller.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, "Request cancelled");
            return await work(controller.signal);
        } finally {
            subscription.dispose();
            if (this.current === controller) this.current = undefined;
        }
    }
}
