import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { acceptedTarget, NextSuggestionPreparation, PREPARE_AFTER_IDLE_MS } from "../../server/src/completion/preparation.js";
import { suggestionKey } from "../../server/src/completion/suggestionCache.js";

const URI = "file:///a.ts";
const TEXT = "function add(a, b) {\n    \n}\n";
/** The suggestion "return a + b;" shown at the indented empty line (offset 25), document version 3. */
const ANSWER = { uri: URI, version: 3, text: TEXT, offset: 25, suggestion: "return a + b;" };
const ACCEPTED = "function add(a, b) {\n    return a + b;\n}\n";

function clock(): { now: () => number; advance(ms: number): void } {
    let time = 1000;
    return {
        now: () => time,
        advance: (ms) => {
            time += ms;
        },
    };
}

describe("the next suggestion, prepared while the user looks", () => {
    it("is for the document with the suggestion accepted and the cursor at its end", () => {
        const target = acceptedTarget(ANSWER);
        assert.deepEqual(target, { uri: URI, version: 3, text: ACCEPTED, offset: 38, key: suggestionKey(URI, ACCEPTED, 38) });
        assert.deepEqual(target.key, { uri: URI, offset: 38, before: "function add(a, b) {\n    return a + b;", after: "\n}\n" });
    });

    it("starts once nothing was asked for the pause after the answer, and only once", () => {
        const time = clock();
        const next = new NextSuggestionPreparation<string>(time.now);
        assert.equal(next.answered(ANSWER), PREPARE_AFTER_IDLE_MS);
        const version = (): number => 3;
        time.advance(PREPARE_AFTER_IDLE_MS - 1);
        assert.equal(next.due(version), undefined, "not before the pause is over");
        time.advance(1);
        assert.equal(next.due(version)?.text, ACCEPTED);
        assert.equal(next.due(version), undefined, "handed out once");
    });

    it("does not start after a request, a cursor move, or an edit of the document", () => {
        const time = clock();
        const next = new NextSuggestionPreparation<string>(time.now, 100);
        next.answered(ANSWER);
        next.requested();
        time.advance(100);
        assert.equal(
            next.due(() => 3),
            undefined,
            "a request came",
        );
        next.answered(ANSWER);
        time.advance(100);
        assert.equal(
            next.due(() => 4),
            undefined,
            "the document changed",
        );
        next.answered(ANSWER);
        time.advance(100);
        assert.equal(
            next.due(() => undefined),
            undefined,
            "the document was closed",
        );
    });

    it("has nothing to prepare after an empty answer, and plans only the latest answer", () => {
        const time = clock();
        const next = new NextSuggestionPreparation<string>(time.now, 100);
        assert.equal(next.answered({ ...ANSWER, suggestion: "" }), undefined);
        time.advance(100);
        assert.equal(
            next.due(() => 3),
            undefined,
        );
        next.answered(ANSWER);
        time.advance(50);
        next.answered({ ...ANSWER, version: 4, suggestion: "return a - b;" });
        time.advance(50);
        assert.equal(
            next.due(() => 4),
            undefined,
            "the pause restarts with the newer answer",
        );
        time.advance(50);
        assert.equal(next.due(() => 4)?.text, "function add(a, b) {\n    return a - b;\n}\n");
    });

    it("serves its result to the request with its key only, once", () => {
        const next = new NextSuggestionPreparation<string>(() => 0);
        const { key } = acceptedTarget(ANSWER);
        next.prepared(key, "prepared");
        assert.equal(next.take({ ...key, offset: key.offset - 1 }), undefined, "another offset");
        assert.equal(next.take({ ...key, after: "\n}\n// more" }), undefined, "other text after the cursor");
        assert.equal(next.take({ ...key, before: `x${key.before}` }), undefined, "other text before the cursor");
        assert.equal(next.take(key), "prepared");
        assert.equal(next.take(key), undefined, "taken once");
    });

    it("does not plan what is already prepared, and forgets everything on clear", () => {
        const time = clock();
        const next = new NextSuggestionPreparation<string>(time.now, 100);
        next.prepared(acceptedTarget(ANSWER).key, "prepared");
        assert.equal(next.answered(ANSWER), undefined, "the same answer again (a repeated request)");
        next.clear();
        assert.equal(next.take(acceptedTarget(ANSWER).key), undefined);
        assert.equal(next.answered(ANSWER), 100);
        next.clear();
        time.advance(100);
        assert.equal(
            next.due(() => 3),
            undefined,
        );
    });
});
