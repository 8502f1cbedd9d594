import { progressView } from "../lsp/status.js";
import type { ProgressHandle, ProgressSink } from "../model/modelManager.js";

/** Seconds between progress lines when stderr is not a terminal (a CI log): long work only. */
const LOG_INTERVAL_MS = 10_000;

export interface TerminalBar {
    report(fraction: number, message: string): void;
    done(): void;
}

/** A progress bar on stderr (stdout stays clean for --json); occasional lines when stderr is not a terminal. */
export function terminalBar(title: string): TerminalBar {
    const tty = process.stderr.isTTY === true;
    let lastLine = Date.now();
    let open = true;
    if (tty) process.stderr.write(`${title}\n`);
    return {
        report(fraction, message) {
            if (!open) return;
            if (tty) {
                const width = 30;
                const filled = Math.round(fraction * width);
                process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${message}\x1b[K`);
                return;
            }
            if (Date.now() - lastLine < LOG_INTERVAL_MS) return;
            lastLine = Date.now();
            process.stderr.write(`${title}: ${message}\n`);
        },
        done() {
            if (open && tty) process.stderr.write("\n");
            open = false;
        },
    };
}

/** The model's download and load as a terminal bar. */
export const terminalProgress: ProgressSink = {
    async begin(state): Promise<ProgressHandle> {
        const bar = terminalBar(progressView(state).title);
        return {
            report(next) {
                const { fraction, message } = progressView(next);
                bar.report(fraction, message);
            },
            done: () => bar.done(),
        };
    },
};
