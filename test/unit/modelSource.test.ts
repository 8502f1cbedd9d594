import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { downloadHost, downloadUrl, expectedFromHeaders, verifyDownload } from "../../server/src/model/modelSource.js";
import { defaultModelsDirectory } from "../../server/src/model/paths.js";

describe("model download", () => {
    it("resolves hf: URIs to Hugging Face's https resolve URL, and refuses plain http", () => {
        assert.equal(
            downloadUrl("hf:TheBloke/CodeLlama-7B-Instruct-GGUF/codellama-7b-instruct.Q4_K_M.gguf"),
            "https://huggingface.co/TheBloke/CodeLlama-7B-Instruct-GGUF/resolve/main/codellama-7b-instruct.Q4_K_M.gguf",
        );
        assert.equal(downloadUrl("https://example.com/m.gguf"), "https://example.com/m.gguf");
        assert.throws(() => downloadUrl("http://example.com/m.gguf"), /only downloaded over HTTPS/);
        assert.equal(downloadHost("hf:a/b/c.gguf"), "huggingface.co");
    });
    it("reads the announced size and SHA-256 from the host's headers", () => {
        const sha = "a".repeat(64);
        assert.deepEqual(expectedFromHeaders(new Headers({ "x-linked-size": "4081004224", "x-linked-etag": `"${sha}"` })), { size: 4081004224, sha256: sha });
        assert.deepEqual(expectedFromHeaders(new Headers({ "content-length": "12", etag: '"abc"' })), { size: 12 });
        assert.deepEqual(expectedFromHeaders(new Headers({})), {});
    });
    it("keeps a download that matches, deletes one that does not", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-dl-"));
        try {
            const file = path.join(dir, "m.gguf");
            fs.writeFileSync(file, "GGUF model bytes");
            const sha256 = createHash("sha256").update("GGUF model bytes").digest("hex");
            await verifyDownload(file, { size: 16, sha256 });
            assert.ok(fs.existsSync(file));
            await assert.rejects(verifyDownload(file, { size: 17 }), /has 16 bytes, the host announced 17; it was deleted/);
            assert.ok(!fs.existsSync(file), "a short download is never loaded");
            fs.writeFileSync(file, "GGUF model bytez");
            await assert.rejects(verifyDownload(file, { size: 16, sha256 }), /SHA-256/);
            assert.ok(!fs.existsSync(file));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("keeps models in the platform's per-user cache", () => {
        assert.equal(defaultModelsDirectory({ HOME: "/home/u" }, "linux"), "/home/u/.cache/codellama/models");
        assert.equal(defaultModelsDirectory({ HOME: "/home/u", XDG_CACHE_HOME: "/c" }, "linux"), "/c/codellama/models");
        assert.equal(defaultModelsDirectory({ HOME: "/Users/u" }, "darwin"), "/Users/u/Library/Caches/codellama/models");
        assert.equal(
            defaultModelsDirectory({ USERPROFILE: "C:\\Users\\u", LOCALAPPDATA: "C:\\Users\\u\\AppData\\Local" }, "win32"),
            path.join("C:\\Users\\u\\AppData\\Local", "codellama", "models"),
        );
    });
});
