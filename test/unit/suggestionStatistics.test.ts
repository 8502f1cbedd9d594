// The user's suggestion counts, kept in the global state across restarts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { COUNTS_KEY, type CountStore, SuggestionStatistics } from "../../client/src/suggestionStatistics.js";

function memento(initial: Record<string, unknown> = {}): CountStore & { values: Record<string, unknown> } {
    const values = { ...initial };
    return {
        values,
        get: <T>(key: string) => values[key] as T | undefined,
        update: async (key: string, value: unknown) => {
            values[key] = structuredClone(value);
        },
    };
}

describe("SuggestionStatistics", () => {
    it("counts into the store, so that a new instance (a restart) and another window go on from there", async () => {
        const store = memento();
        const first = new SuggestionStatistics(store, () => 1_000);
        await first.count("shown");
        await first.count("shown");
        await first.count("accepted");
        const restarted = new SuggestionStatistics(store, () => 9_999);
        await restarted.count("partiallyAccepted");
        await restarted.count("dismissed");
        assert.deepEqual(store.values[COUNTS_KEY], { shown: 2, accepted: 1, partiallyAccepted: 1, dismissed: 1, since: 1_000 });
        assert.deepEqual(restarted.counts, { shown: 2, accepted: 1, partiallyAccepted: 1, dismissed: 1, since: 1_000 });
    });

    it("reads a damaged or older stored value as zeros", () => {
        const statistics = new SuggestionStatistics(memento({ [COUNTS_KEY]: { shown: "7", accepted: -1, dismissed: 3 } }), () => 5);
        assert.deepEqual(statistics.counts, { shown: 0, accepted: 0, partiallyAccepted: 0, dismissed: 3, since: 5 });
    });
});
