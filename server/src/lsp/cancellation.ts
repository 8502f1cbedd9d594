/**
 * LSP cancellation at the edge. The core takes an AbortSignal and, when it is aborted, resolves with
 * what it has, marked cancelled (see engine/inference.ts); this module is the one bridge from a
 * request's CancellationToken to that signal, and the one mapping of a cancelled result to LSP.
 */
import { type CancellationToken, LSPErrorCodes, ResponseError } from "vscode-languageserver/node";

/** Runs `work` with an AbortSignal that follows the request's cancellation token. */
export async function withAbortSignal<T>(token: CancellationToken, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    if (token.isCancellationRequested) controller.abort();
    try {
        return await work(controller.signal);
    } finally {
        subscription.dispose();
    }
}

/**
 * The answer to a request whose work was cancelled and has nothing to show (a completion): LSP's
 * RequestCancelled. Work that has a partial result (a chat answer) returns it instead.
 */
export function requestCancelled(what: string): ResponseError<void> {
    return new ResponseError(LSPErrorCodes.RequestCancelled, `${what} cancelled`);
}
