import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ContextNeed, chooseContextSize } from "../../server/src/engine/contextSize.js";

const MIB = 2 ** 20;
/** A model whose KV cache takes 0.5 MiB per token in RAM (CPU), none on the GPU. */
const cpuNeed = (contextSize: number): ContextNeed => ({ gpuVram: 0, cpuRam: contextSize * 0.5 * MIB });
/** A model whose KV cache is all on the GPU, 0.5 MiB per token, with 100 MiB of RAM whatever the size. */
const gpuNeed = (contextSize: number): ContextNeed => ({ gpuVram: contextSize * 0.5 * MIB, cpuRam: 100 * MIB });

describe("chooseContextSize", () => {
    it("a number set wins, whatever the memory", () => {
        assert.deepEqual(chooseContextSize(4096, 16_384, { gpuVram: 0, cpuRam: 0 }, cpuNeed), { contextSize: 4096, source: "setting" });
    });
    it("automatic: 16,384 when the RAM holds it beside the model", () => {
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 0, cpuRam: 8192 * MIB }, cpuNeed), { contextSize: 16_384, source: "auto" });
    });
    it("automatic: at most what the model was trained on (Llama 2: 4,096)", () => {
        assert.deepEqual(chooseContextSize(0, 4096, { gpuVram: 0, cpuRam: 8192 * MIB }, cpuNeed), { contextSize: 4096, source: "auto" });
        assert.deepEqual(chooseContextSize(0, undefined, { gpuVram: 0, cpuRam: 8192 * MIB }, cpuNeed), { contextSize: 16_384, source: "auto" });
    });
    it("automatic: the largest multiple of 256 that fits when 16,384 does not", () => {
        // 3,000 MiB hold 6,000 tokens: 5,888 is the largest multiple of 256 at most that.
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 0, cpuRam: 3000 * MIB }, cpuNeed), { contextSize: 5888, source: "auto-reduced" });
        // Exactly 2,048 fits.
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 0, cpuRam: 1024 * MIB }, cpuNeed), { contextSize: 2048, source: "auto-reduced" });
    });
    it("automatic on a GPU: its free memory decides, and the RAM part must fit too", () => {
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 4096 * MIB, cpuRam: 8192 * MIB }, gpuNeed), { contextSize: 8192, source: "auto-reduced" });
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 16_384 * MIB, cpuRam: 8192 * MIB }, gpuNeed), { contextSize: 16_384, source: "auto" });
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 16_384 * MIB, cpuRam: 50 * MIB }, gpuNeed), { contextSize: 2048, source: "auto-minimum" });
    });
    it("automatic: the smallest, 2,048, for the load to try when nothing fits", () => {
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 0, cpuRam: 100 * MIB }, cpuNeed), { contextSize: 2048, source: "auto-minimum" });
        assert.deepEqual(chooseContextSize(0, 16_384, { gpuVram: 0, cpuRam: -5 * MIB }, cpuNeed), { contextSize: 2048, source: "auto-minimum" });
    });
});
