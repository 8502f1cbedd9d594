import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fewerGpuLayers } from "../../server/src/engine/gpuFallback.js";

describe("fewerGpuLayers", () => {
    it("halves the GPU layers, then falls back to the CPU, then gives up", () => {
        assert.equal(fewerGpuLayers(33), 16);
        assert.equal(fewerGpuLayers(2), 1);
        assert.equal(fewerGpuLayers(1), 0);
        assert.equal(fewerGpuLayers(0), undefined);
        assert.equal(fewerGpuLayers(undefined), undefined);
    });
});
