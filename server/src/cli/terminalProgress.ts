import { progressView } from "../lsp/status.js";
import type { ProgressHandle, ProgressSink } from "../model/modelManager.js";

/** Seconds between progress lines when stderr is not a terminal (a CI log): long downloads only. */
const LOG_INTERVAL_MS = 10_000;

/** A progress bar on stderr (stdout stays clean for --json); occasional lines when stderr is not a terminal. */
export const terminalProgress: ProgressSink = {
    async begin(state): Promise<ProgressHandle> {
        const { title } = progressView(state);
        const tty = process.stderr.isTTY === true;
        let lastLine = Date.now();
        let open = true;
        if (tty) process.stderr.write(`${title}\n`);
        return {
            report(state) {
                if (!open) return;
                const { fraction, message } = progressView(state);
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
    },
};
