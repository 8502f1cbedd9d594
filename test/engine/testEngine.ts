// The real engine on a generated model, as the engine tests load it: on the CPU, one thread (the
// test machines have two busy cores), logs off, a small context unless a test needs another.
import { EmbeddedEngine, type EngineOptions } from "../../server/src/engine/embeddedEngine.js";
import { Logger } from "../../server/src/log/logger.js";

export function loadTestEngine(modelPath: string, options: Partial<EngineOptions> = {}): Promise<EmbeddedEngine> {
    return EmbeddedEngine.load({
        modelPath,
        gpu: "off",
        gpuLayers: 0,
        threads: { prompt: 1, generation: 1 },
        contextSize: 1024,
        logger: new Logger(() => undefined, "error"),
        ...options,
    });
}
