import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SuggestionCache } from "../../server/src/completion/suggestionCache.js";

const key = (before: string, after = "\n}", uri = "file:///a.ts") => ({ uri, offset: before.length, before, after });

describe("SuggestionCache", () => {
    it("serves the rest of a suggestion while the user types it", () => {
        const cache = new SuggestionCache();
        cache.remember(key("function f() {\n    "), "return a + b;");
        assert.deepEqual(cache.lookup(key("function f() {\n    ret")), { text: "urn a + b;", source: "typed-through" });
        assert.deepEqual(cache.lookup(key("function f() {\n    return a")), { text: " + b;", source: "typed-through" });
    });
    it("answers a repeated request at the same place from the cache", () => {
        const cache = new SuggestionCache();
        cache.remember(key("x = "), "42");
        assert.deepEqual(cache.lookup(key("x = ")), { text: "42", source: "cache" });
    });
    it("misses when the typed text differs, the suggestion is used up, the text around changed, or another file", () => {
        const cache = new SuggestionCache();
        cache.remember(key("let y = "), "compute();");
        assert.equal(cache.lookup(key("let y = cx")), undefined);
        assert.equal(cache.lookup(key("let y = compute();")), undefined);
        assert.equal(cache.lookup(key("let y = co", "\n} // changed")), undefined);
        assert.equal(cache.lookup(key("let z = co")), undefined);
        assert.equal(cache.lookup(key("let y = co", "\n}", "file:///b.ts")), undefined);
    });
    it("keeps a bounded number of entries", () => {
        const cache = new SuggestionCache(2);
        cache.remember(key("a"), "1");
        cache.remember(key("bb"), "2");
        cache.remember(key("ccc"), "3");
        assert.equal(cache.lookup(key("a")), undefined);
        assert.deepEqual(cache.lookup(key("ccc")), { text: "3", source: "cache" });
    });
});
