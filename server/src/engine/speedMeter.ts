/**
 * A SpeedMeter (see threads.ts) on a loaded model: a small context of its own, so that measuring
 * never touches the caches of the engine's sequences, and units of work that run only while the
 * engine is idle. A unit during which the engine started other work is reported as interrupted.
 */
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token as LlamaToken } from "node-llama-cpp";
import { CALIBRATION, CalibrationFailed, type SpeedMeter } from "./threads.js";

/** What the meter needs to know of the engine's own work. */
export interface EngineActivity {
    /** Generations started so far, and those running or waiting for their sequence now. */
    generationsStarted(): number;
    generationsRunning(): number;
    /** Resolves when no generation runs or waits. */
    idle(): Promise<void>;
    /** Runs a decode with `threads` threads, alone (see TypingFirstScheduler.step). */
    decode<T>(threads: number, work: () => Promise<T>): Promise<T>;
}

/** Code-shaped text for the measured prompt; its content does not change the speed. */
const SAMPLE =
    "export function measure(values: number[], limit = 10): number {\n    let total = 0;\n    for (const value of values) if (value < limit) total += value * 2;\n    return total / Math.max(1, values.length);\n}\n";

export class EngineSpeedMeter implements SpeedMeter {
    private readonly tokens: LlamaToken[];
    private position = 0;
    private threads = 1;
    private generation: AsyncGenerator<LlamaToken, void, void> | undefined;

    private constructor(
        private readonly context: LlamaContext,
        private readonly sequence: LlamaContextSequence,
        model: LlamaModel,
        private readonly activity: EngineActivity,
        private readonly signal: AbortSignal | undefined,
    ) {
        const sample = model.tokenize(SAMPLE, false);
        const needed = CALIBRATION.promptTokens + CALIBRATION.maxUnitTokens;
        this.tokens = Array.from({ length: needed }, (_, index) => sample[index % sample.length]!);
    }

    static async open(model: LlamaModel, maxThreads: number, activity: EngineActivity, signal?: AbortSignal): Promise<EngineSpeedMeter> {
        const contextSize = CALIBRATION.promptTokens + CALIBRATION.maxUnitTokens + CALIBRATION.generatedTokens + 16;
        // A batch no larger than a measured unit keeps the compute buffer (RSS beside the models) small.
        const context = await model.createContext({
            contextSize,
            batchSize: CALIBRATION.maxUnitTokens,
            sequences: 1,
            threads: maxThreads,
            failedCreationRemedy: false,
        });
        return new EngineSpeedMeter(context, context.getSequence(), model, activity, signal);
    }

    async begin(threads: number): Promise<void> {
        await this.endGeneration();
        this.threads = threads;
        this.position = 0;
        await this.sequence.eraseContextTokenRanges([{ start: 0, end: this.sequence.nextTokenIndex }]);
    }

    prompt(tokens: number): Promise<number | undefined> {
        const chunk = this.tokens.slice(this.position, this.position + tokens);
        this.position += chunk.length;
        return this.unit(() => this.sequence.evaluateWithoutGeneratingNewTokens(chunk));
    }

    generate(): Promise<number | undefined> {
        this.generation ??= this.sequence.evaluate([this.tokens[this.position]!], { temperature: 0 });
        return this.unit(async () => {
            await this.generation!.next();
        });
    }

    async dispose(): Promise<void> {
        await this.endGeneration();
        await this.context.dispose();
    }

    /** Runs `work` once the engine is idle; its duration, or undefined when the engine started work meanwhile. */
    private async unit(work: () => Promise<void>): Promise<number | undefined> {
        while (this.activity.generationsRunning() > 0) await this.activity.idle();
        if (this.signal?.aborted) throw new CalibrationFailed("cancelled");
        // A generation that starts from here on (while the unit waits for its decode, or during it) makes the unit interrupted.
        const started = this.activity.generationsStarted();
        const ms = await this.activity.decode(this.threads, async () => {
            const before = performance.now();
            await work();
            return performance.now() - before;
        });
        return this.activity.generationsStarted() === started ? ms : undefined;
    }

    private async endGeneration(): Promise<void> {
        await this.generation?.return();
        this.generation = undefined;
    }
}
