// The one progress notification of a download or load, driven by the server's status.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it, mock } from "node:test";
import type { ClosableNotification } from "../../client/src/closableNotification.js";
import { LOAD_NOTIFICATION_DELAY_MS, LoadProgress } from "../../client/src/loadProgress.js";
import type { ServerStatus } from "../../shared/src/protocol.js";

interface Shown {
    title: string;
    reports: { message?: string; increment?: number }[];
    closed: boolean;
    cancel: (() => void) | undefined;
}

const status = (state: ServerStatus["state"], progress?: number, message = `${state}…`): ServerStatus => ({
    state,
    health: "ok",
    message,
    completing: false,
    ...(progress === undefined ? {} : { progress }),
});

describe("LoadProgress", () => {
    let shown: Shown[];
    let cancels: number;
    let progress: LoadProgress;
    beforeEach(() => {
        mock.timers.enable({ apis: ["setTimeout"] });
        shown = [];
        cancels = 0;
        progress = new LoadProgress(
            () => cancels++,
            (title, onCancel): ClosableNotification => {
                const entry: Shown = { title, reports: [], closed: false, cancel: onCancel };
                shown.push(entry);
                return {
                    report: (value) => void entry.reports.push(value),
                    close: () => {
                        entry.closed = true;
                    },
                    get closed() {
                        return entry.closed;
                    },
                };
            },
        );
    });
    afterEach(() => {
        progress.dispose();
        mock.timers.reset();
    });

    it("a download: one notification at once, its bar moved by the status's fraction, closed when done", () => {
        progress.update(status("downloading", 0, "Downloading m.gguf: 0 of 4.1 GB"));
        mock.timers.tick(0);
        progress.update(status("downloading", 0.25, "Downloading m.gguf: 1.0 of 4.1 GB"));
        progress.update(status("downloading", 0.251, "Downloading m.gguf: 1.0 of 4.1 GB"));
        progress.update(status("downloading", 0.6, "Downloading m.gguf: 2.5 of 4.1 GB"));
        assert.equal(shown.length, 1);
        assert.equal(shown[0]!.title, "Code Llama");
        assert.deepEqual(shown[0]!.reports, [
            { message: "Downloading m.gguf: 0 of 4.1 GB", increment: 0 },
            { message: "Downloading m.gguf: 1.0 of 4.1 GB", increment: 25 },
            { message: "Downloading m.gguf: 1.0 of 4.1 GB", increment: 0 },
            { message: "Downloading m.gguf: 2.5 of 4.1 GB", increment: 35 },
        ]);
        progress.update(status("loading", 0));
        assert.equal(shown[0]!.closed, true, "the download's notification closes when the load starts");
    });

    it("a quick load shows in the status bar only; a slow one gets a notification", () => {
        progress.update(status("loading", 0));
        mock.timers.tick(LOAD_NOTIFICATION_DELAY_MS - 1);
        progress.update(status("ready"));
        mock.timers.tick(LOAD_NOTIFICATION_DELAY_MS);
        assert.equal(shown.length, 0);

        progress.update(status("loading", 0));
        progress.update(status("loading", 0.5, "Loading m.gguf"));
        mock.timers.tick(LOAD_NOTIFICATION_DELAY_MS);
        assert.equal(shown.length, 1);
        assert.deepEqual(shown[0]!.reports, [{ message: "Loading m.gguf", increment: 50 }]);
        progress.update(status("error"));
        assert.equal(shown[0]!.closed, true);
    });

    it("Cancel asks the server to stop", () => {
        progress.update(status("downloading", 0.1));
        mock.timers.tick(0);
        shown[0]!.cancel?.();
        assert.equal(cancels, 1);
    });

    it("the server going away closes it", () => {
        progress.update(status("downloading", 0.1));
        mock.timers.tick(0);
        progress.update(undefined);
        assert.equal(shown[0]!.closed, true);
    });
});
