import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LatestOnly } from "../../server/src/completion/latestOnly.js";

describe("LatestOnly", () => {
    it("aborts the running work when newer work starts", async () => {
        const latest = new LatestOnly();
        let first: AbortSignal | undefined;
        const running = latest.run(undefined, (signal) => {
            first = signal;
            return new Promise<string>((resolve) => signal.addEventListener("abort", () => resolve("stopped")));
        });
        assert.equal(latest.busy, true);
        const newer = await latest.run(undefined, async (signal) => (signal.aborted ? "aborted" : "ran"));
        assert.equal(first!.aborted, true);
        assert.equal(await running, "stopped");
        assert.equal(newer, "ran");
        assert.equal(latest.busy, false);
    });
    it("passes on the caller's cancellation, before and during the work", async () => {
        const latest = new LatestOnly();
        const before = new AbortController();
        before.abort();
        assert.equal(await latest.run(before.signal, async (signal) => signal.aborted), true, "work started cancelled sees an aborted signal");
        const during = new AbortController();
        const result = latest.run(during.signal, (signal) => new Promise<boolean>((resolve) => signal.addEventListener("abort", () => resolve(true))));
        during.abort();
        assert.equal(await result, true);
    });
});
