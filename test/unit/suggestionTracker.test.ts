// What became of each suggestion: shown, accepted (whole or in part), dismissed.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { type SuggestionOutcome, SuggestionTracker } from "../../client/src/suggestionTracker.js";

const A = "file:///a.js";
const B = "file:///b.js";
const insert = (offset: number, text: string) => [{ offset, removed: 0, text }];

describe("SuggestionTracker", () => {
    let outcomes: SuggestionOutcome[];
    let tracker: SuggestionTracker;
    beforeEach(() => {
        outcomes = [];
        tracker = new SuggestionTracker((outcome) => outcomes.push(outcome));
    });

    it("Tab: shown, then the whole rest inserted at once is accepted; the accept command after it counts nothing more", () => {
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(A, insert(10, "return a + b;"));
        tracker.cursorAt(A, 23);
        tracker.acceptCommand();
        assert.deepEqual(outcomes, ["shown", "accepted"]);
    });

    it("typing through the suggestion keeps it one suggestion; asking again for the same rest shows nothing new", () => {
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(A, insert(10, "r"));
        tracker.cursorAt(A, 11);
        tracker.delivered(A, 11, "eturn a + b;");
        tracker.edited(A, insert(11, "e"));
        tracker.cursorAt(A, 12);
        tracker.delivered(A, 12, "turn a + b;");
        assert.deepEqual(outcomes, ["shown"]);
        tracker.edited(A, insert(12, "turn a + b;"));
        assert.deepEqual(outcomes, ["shown", "accepted"]);
    });

    it("Ctrl+Right: each word taken is a partial acceptance, and the rest stays the same suggestion", () => {
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(A, insert(10, "return"));
        tracker.cursorAt(A, 16);
        tracker.delivered(A, 16, " a + b;");
        tracker.edited(A, insert(16, " a"));
        tracker.cursorAt(A, 18);
        tracker.acceptCommand();
        assert.deepEqual(outcomes, ["shown", "partiallyAccepted", "partiallyAccepted", "accepted"]);
    });

    it("Tab after Ctrl+Right: VS Code writes the whole suggestion over the part taken, which is an acceptance", () => {
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(A, insert(10, "return"));
        tracker.edited(A, [{ offset: 10, removed: 6, text: "return a + b;" }]);
        assert.deepEqual(outcomes, ["shown", "partiallyAccepted", "accepted"]);
    });

    it("rewriting the part taken with other text, or back to less of it, dismisses it", () => {
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(A, insert(10, "return"));
        tracker.edited(A, [{ offset: 10, removed: 6, text: "retort a + b;" }]);
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(A, insert(10, "return"));
        tracker.edited(A, [{ offset: 10, removed: 6, text: "ret" }]);
        assert.deepEqual(outcomes, ["shown", "partiallyAccepted", "dismissed", "shown", "partiallyAccepted", "dismissed"]);
    });

    it("typing something else, moving away, Escape, another editor or another suggestion dismisses it", () => {
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(A, insert(10, "x"));
        tracker.delivered(A, 11, "++;");
        tracker.cursorAt(A, 30);
        tracker.delivered(A, 30, "foo();");
        tracker.dismissed();
        tracker.delivered(A, 30, "foo();");
        tracker.cursorAt(B, 0);
        tracker.delivered(A, 30, "foo();");
        tracker.delivered(A, 30, "bar();");
        assert.deepEqual(outcomes, ["shown", "dismissed", "shown", "dismissed", "shown", "dismissed", "shown", "dismissed", "shown", "dismissed", "shown"]);
    });

    it("edits that are not an insertion at the suggestion dismiss it: a deletion, several changes, an edit elsewhere", () => {
        for (const changes of [
            [{ offset: 9, removed: 1, text: "" }],
            [...insert(10, "r"), ...insert(40, "r")],
            insert(3, "return"),
            [{ offset: 10, removed: 2, text: "re" }],
        ]) {
            tracker.delivered(A, 10, "return a + b;");
            tracker.edited(A, changes);
        }
        assert.deepEqual(outcomes, ["shown", "dismissed", "shown", "dismissed", "shown", "dismissed", "shown", "dismissed"]);
    });

    it("edits of another document, empty answers and a cursor where the suggestion is change nothing", () => {
        tracker.delivered(A, 10, "");
        tracker.edited(A, insert(10, "x"));
        tracker.delivered(A, 10, "return a + b;");
        tracker.edited(B, insert(10, "x"));
        tracker.cursorAt(A, 10);
        tracker.edited(A, []);
        assert.deepEqual(outcomes, ["shown"]);
        tracker.cursorAt(A, undefined);
        assert.deepEqual(outcomes, ["shown", "dismissed"], "several cursors or a selection");
    });
});
