/**
 * The one progress notification of a model download or load, driven by the server's status (as
 * the status bar item is: both show the same numbers). A download gets it at once; a load only when
 * it takes a while, since most take a second or two. Its Cancel stops the download or load.
 */
import type * as vscode from "vscode";
import type { ServerStatus } from "../../shared/src/protocol.js";
import type { ClosableNotification, showClosableNotification } from "./closableNotification.js";

/** A load this long gets a notification; a quicker one shows in the status bar only. */
export const LOAD_NOTIFICATION_DELAY_MS = 2000;

type Busy = ServerStatus & { state: "downloading" | "loading" };

export class LoadProgress implements vscode.Disposable {
    private notification: ClosableNotification | undefined;
    private timer: NodeJS.Timeout | undefined;
    private current: Busy | undefined;
    /** Percent the notification's bar shows. */
    private shownPercent = 0;

    /** `cancel` asks the server to stop (the notification's Cancel); `show` is showClosableNotification (a fake in tests). */
    constructor(
        private readonly cancel: () => void,
        private readonly show: typeof showClosableNotification,
    ) {}

    update(status: ServerStatus | undefined): void {
        const busy = status?.state === "downloading" || status?.state === "loading" ? (status as Busy) : undefined;
        // A finished download is followed by a load: a new bar, it cannot run backwards.
        if (!busy || busy.state !== this.current?.state) this.end();
        this.current = busy;
        if (!busy) return;
        if (this.notification) this.report(busy);
        else if (!this.timer) this.timer = setTimeout(() => this.open(), busy.state === "downloading" ? 0 : LOAD_NOTIFICATION_DELAY_MS);
    }

    private open(): void {
        this.timer = undefined;
        if (!this.current) return;
        this.notification = this.show("Code Llama", this.cancel);
        this.report(this.current);
    }

    private report(status: Busy): void {
        const percent = Math.floor(Math.min(1, Math.max(0, status.progress ?? 0)) * 100);
        this.notification?.report({ message: status.message, increment: Math.max(0, percent - this.shownPercent) });
        this.shownPercent = Math.max(this.shownPercent, percent);
    }

    private end(): void {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.notification?.close();
        this.notification = undefined;
        this.shownPercent = 0;
    }

    dispose(): void {
        this.end();
    }
}
