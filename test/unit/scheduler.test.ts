import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypingFirstScheduler } from "../../server/src/engine/scheduler.js";

/** Whether `promise` has settled after the pending microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
    let done = false;
    void promise.then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    return done;
}

describe("TypingFirstScheduler", () => {
    it("never holds interactive work, and holds background work only while interactive work runs", async () => {
        const scheduler = new TypingFirstScheduler();
        assert.equal(await settled(scheduler.turn("background")), true, "nothing interactive runs");
        const end = scheduler.begin("interactive");
        assert.equal(scheduler.interactiveBusy, true);
        assert.equal(await settled(scheduler.turn("interactive")), true);
        const waiting = scheduler.turn("background");
        assert.equal(await settled(waiting), false, "background waits for the completion");
        end();
        assert.equal(await settled(waiting), true, "and goes on once it ended");
        assert.equal(scheduler.interactiveBusy, false);
    });
    it("waits for every interactive piece of work, and ending one twice counts once", async () => {
        const scheduler = new TypingFirstScheduler();
        const first = scheduler.begin("interactive");
        const second = scheduler.begin("interactive");
        const waiting = scheduler.turn("background");
        first();
        first();
        assert.equal(await settled(waiting), false, "the second still runs");
        second();
        assert.equal(await settled(waiting), true);
    });
    it("background work does not hold anything", async () => {
        const scheduler = new TypingFirstScheduler();
        scheduler.begin("background");
        assert.equal(scheduler.interactiveBusy, false);
        assert.equal(await settled(scheduler.turn("background")), true);
    });
});
