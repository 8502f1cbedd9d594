/**
 * A notification the extension can close. VS Code keeps a message notification until the user
 * closes it (an error's stays even after it was fixed) and has no API to close one; a progress
 * notification stays until its task ends, which the extension decides. Its Cancel button is the
 * user's way to close it; actions go into the text as command links.
 */
import * as vscode from "vscode";

export interface ClosableNotification {
    /** Moves the progress bar by `increment` percent and/or replaces the message under the title. */
    report(value: { message?: string; increment?: number }): void;
    close(): void;
    /** Closed by close() or by the user. */
    readonly closed: boolean;
}

/** Shows `title` as a notification until close() or the user's Cancel (which calls `onCancel`). */
export function showClosableNotification(title: string, onCancel?: () => void): ClosableNotification {
    let progress: vscode.Progress<{ message?: string; increment?: number }> | undefined;
    const pending: { message?: string; increment?: number }[] = [];
    let finish: (() => void) | undefined;
    let closed = false;
    const close = (): void => {
        closed = true;
        finish?.();
    };
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (reporter, token) => {
        progress = reporter;
        for (const value of pending.splice(0)) reporter.report(value);
        return new Promise<void>((resolve) => {
            finish = resolve;
            if (closed) resolve();
            token.onCancellationRequested(() => {
                if (!closed) onCancel?.();
                close();
            });
        });
    });
    return {
        report(value) {
            if (closed) return;
            if (progress) progress.report(value);
            else pending.push(value);
        },
        close,
        get closed() {
            return closed;
        },
    };
}
