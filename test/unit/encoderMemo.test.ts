import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { memoizeEncoder } from "../../server/src/engine/tokenizer.js";

const codes = (text: string): number[] => Array.from(text, (c) => c.charCodeAt(0));

describe("memoizeEncoder", () => {
    it("encodes each recent text once and answers repeats with the same tokens", () => {
        const calls: string[] = [];
        const encode = memoizeEncoder((text: string) => {
            calls.push(text);
            return codes(text);
        }, 2);
        const first = encode("ab");
        assert.equal(encode("ab"), first);
        assert.deepEqual(encode("cd"), codes("cd"));
        assert.deepEqual(calls, ["ab", "cd"]);
    });

    it("drops the least recently used text when full", () => {
        const calls: string[] = [];
        const encode = memoizeEncoder((text: string) => {
            calls.push(text);
            return codes(text);
        }, 2);
        encode("a");
        encode("b");
        encode("a"); // "b" is now the least recently used
        encode("c");
        encode("a");
        encode("b");
        assert.deepEqual(calls, ["a", "b", "c", "b"]);
    });

    it("shares a pending asynchronous answer and forgets a failed one", async () => {
        let calls = 0;
        const encode = memoizeEncoder(async (text: string) => {
            calls++;
            if (calls === 1) throw new Error("tokenizer unreachable");
            return codes(text);
        });
        await assert.rejects(encode("x"), /unreachable/);
        assert.deepEqual(await encode("x"), codes("x"));
        const [a, b] = await Promise.all([encode("y"), encode("y")]);
        assert.equal(a, b);
        assert.equal(calls, 3);
    });
});
