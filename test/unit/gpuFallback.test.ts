import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fewerGpuLayers, loadWithGpuFallback } from "../../server/src/engine/gpuFallback.js";

describe("fewerGpuLayers", () => {
    it("halves the GPU layers, then falls back to the CPU, then gives up", () => {
        assert.equal(fewerGpuLayers(33), 16);
        assert.equal(fewerGpuLayers(2), 1);
        assert.equal(fewerGpuLayers(1), 0);
        assert.equal(fewerGpuLayers(0), undefined);
        assert.equal(fewerGpuLayers(undefined), undefined);
    });
});

describe("loadWithGpuFallback", () => {
    const outOfMemory = new Error("out of memory");
    /** A load that fails until the layers fit: records what was tried. */
    const attempt = (fits: number, retryable = true) => {
        const tried: (number | undefined)[] = [];
        const retries: number[] = [];
        return {
            tried,
            retries,
            load: async (gpuLayers: number | undefined) => {
                tried.push(gpuLayers);
                if ((gpuLayers ?? 33) > fits) throw outOfMemory;
                return `loaded with ${gpuLayers ?? 33}`;
            },
            layersTried: (_error: unknown, gpuLayers: number | undefined) => gpuLayers ?? 33,
            retryable: () => retryable,
            onRetry: (_error: unknown, next: number) => retries.push(next),
        };
    };

    it("loads as configured when it fits, with no error", async () => {
        assert.deepEqual(await loadWithGpuFallback(attempt(33)), { result: "loaded with 33" });
    });
    it("halves the layers after each failure and says what went wrong", async () => {
        const load = attempt(5);
        assert.deepEqual(await loadWithGpuFallback(load), { result: "loaded with 4", lastError: outOfMemory });
        assert.deepEqual(load.tried, [undefined, 16, 8, 4]);
        assert.deepEqual(load.retries, [16, 8, 4]);
    });
    it("ends on the CPU, and fails when even that does not load", async () => {
        assert.deepEqual((await loadWithGpuFallback(attempt(0))).result, "loaded with 0");
        await assert.rejects(loadWithGpuFallback(attempt(-1)), outOfMemory);
    });
    it("does not retry a failure fewer layers cannot cure", async () => {
        const load = attempt(5, false);
        await assert.rejects(loadWithGpuFallback(load), outOfMemory);
        assert.deepEqual(load.tried, [undefined]);
    });
});
