import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FramingGuard } from "../../server/src/lsp/framing.js";

/** Feeds chunks through a guard and returns what comes out and what was dropped. */
async function guard(chunks: (string | Buffer)[]): Promise<{ out: string; dropped: string[] }> {
    const dropped: string[] = [];
    const stream = new FramingGuard((reason) => dropped.push(reason));
    const parts: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => parts.push(chunk));
    for (const chunk of chunks) stream.write(chunk);
    stream.end();
    await new Promise((resolve) => stream.on("end", resolve));
    return { out: Buffer.concat(parts).toString(), dropped };
}

const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

describe("FramingGuard", () => {
    it("passes valid frames through, even split across chunks", async () => {
        const message = frame('{"jsonrpc":"2.0","id":1,"method":"x"}') + frame('{"é":1}');
        const { out, dropped } = await guard([message.slice(0, 7), message.slice(7, 30), message.slice(30)]);
        assert.equal(out, message);
        assert.deepEqual(dropped, []);
    });
    it("keeps a Content-Type header's frame, normalising the header", async () => {
        const { out } = await guard(["Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}"]);
        assert.equal(out, frame("{}"));
    });
    it("drops malformed headers and resynchronises at the next frame", async () => {
        const { out, dropped } = await guard(["Content-Length: abc\r\n\r\n{}", "junk line\r\n\r\n", frame('{"ok":1}')]);
        assert.equal(out, frame('{"ok":1}'));
        assert.equal(dropped.length, 2);
    });
    it("skips bodies over the size limit without buffering them", async () => {
        const { out, dropped } = await guard([`Content-Length: ${100 * 1024 * 1024}\r\n\r\n`, Buffer.alloc(1024 * 1024), frame("{}")]);
        assert.equal(out, "", "the rest of the huge body is still being skipped");
        assert.match(dropped[0]!, /skipped/);
    });
    it("drops an endless header", async () => {
        const { out, dropped } = await guard(["x".repeat(10_000), frame("{}")]);
        assert.equal(out, frame("{}"));
        assert.match(dropped[0]!, /header too long/);
    });
});
