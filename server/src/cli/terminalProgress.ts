import type { ProgressHandle, ProgressSink } from "../engine/modelManager.js";

/** A progress bar on stderr (stdout stays clean for --json); plain lines when stderr is not a terminal. */
export const terminalProgress: ProgressSink = {
    async begin(title: string): Promise<ProgressHandle> {
        const tty = process.stderr.isTTY === true;
        let lastDecile = -1;
        let open = true;
        process.stderr.write(`${title}\n`);
        return {
            report(fraction, message) {
                if (!open) return;
                if (tty) {
                    const width = 30;
                    const filled = Math.round(fraction * width);
                    process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${message}\x1b[K`);
                    return;
                }
                const decile = Math.floor(fraction * 10);
                if (decile !== lastDecile) process.stderr.write(`${message}\n`);
                lastDecile = decile;
            },
            done() {
                if (open && tty) process.stderr.write("\n");
                open = false;
            },
        };
    },
};
