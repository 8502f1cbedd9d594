// Writes a tiny generated Code Llama GGUF (see tiny-codellama/model.ts).
//   npx tsx tools/makeModel.ts --out tiny.gguf
//   npx tsx tools/makeModel.ts --preset perf --type q4_0 --out perf.gguf
//   npx tsx tools/makeModel.ts --help

import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
    PRESETS,
    TENSOR_TYPES,
    type TensorType,
    type TinyModelOptions,
    type TinyPreset,
    type TinyScript,
    type TinyWeights,
    writeTinyCodeLlama,
} from "./tinyCodellama/index.js";

const USAGE = `Usage: npx tsx tools/makeModel.ts [options] --out FILE.gguf
  --preset tiny|perf|7b      base settings (default tiny):
                               tiny: scripted, f32, n_embd 64, 2 layers, 4 heads (2 kv), n_ff 128, compact vocab
                               perf: random, f32, n_embd 768, 12 layers, 12 heads, n_ff 2048, 32016 vocab (134M)
                               7b:   random, q4_0, n_embd 4096, 32 layers, 32 heads, n_ff 11008, 32016 vocab
  --weights scripted|random
  --type f32|f16|q8_0|q4_0   type of the 2-D weight matrices (norm weights stay f32)
  --n-embd N --n-layer N --n-head N --n-head-kv N --n-ff N --ctx N
  --vocab compact|codellama  codellama: 32016 tokens, infill tokens at 32007..32010
  --seed N                   seed of the random weights (default 1234)
  --scripts FILE.json        scripted answers, replacing the defaults:
                             [{"name", "after": piece | [piece...], "answer", "end": "eot"|"eos", "pieces"?: [piece...]}]
  --out FILE                 where to write the model`;

function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${flag} must be one of ${allowed.join(", ")}`);
    return value as T;
}

function integer(flag: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw new Error(`--${flag} must be an integer, got ${JSON.stringify(value)}`);
    return Number(value);
}

function main(): void {
    const { values } = parseArgs({
        options: {
            preset: { type: "string" },
            weights: { type: "string" },
            type: { type: "string" },
            "n-embd": { type: "string" },
            "n-layer": { type: "string" },
            "n-head": { type: "string" },
            "n-head-kv": { type: "string" },
            "n-ff": { type: "string" },
            ctx: { type: "string" },
            vocab: { type: "string" },
            seed: { type: "string" },
            scripts: { type: "string" },
            out: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) {
        console.log(USAGE);
        return;
    }
    if (values.out === undefined) throw new Error(`--out is required\n${USAGE}`);

    const vocab = choice("vocab", values.vocab, ["compact", "codellama"]);
    const options: TinyModelOptions = {
        preset: choice("preset", values.preset, Object.keys(PRESETS) as TinyPreset[]),
        weights: choice<TinyWeights>("weights", values.weights, ["scripted", "random"]),
        type: choice<TensorType>("type", values.type, TENSOR_TYPES),
        nEmbd: integer("n-embd", values["n-embd"]),
        nLayer: integer("n-layer", values["n-layer"]),
        nHead: integer("n-head", values["n-head"]),
        nHeadKv: integer("n-head-kv", values["n-head-kv"]),
        nFf: integer("n-ff", values["n-ff"]),
        contextLength: integer("ctx", values.ctx),
        codellamaVocab: vocab === undefined ? undefined : vocab === "codellama",
        seed: integer("seed", values.seed),
        scripts: values.scripts === undefined ? undefined : (JSON.parse(readFileSync(values.scripts, "utf8")) as TinyScript[]),
    };

    const started = performance.now();
    const info = writeTinyCodeLlama(path.resolve(values.out), options);
    const seconds = (performance.now() - started) / 1000;
    console.log(info.file);
    console.log(`params: ${info.params.toLocaleString("en-US")} (${info.config.preset}, ${info.config.weights}, ${info.config.type})`);
    console.log(`size: ${(info.bytes / 2 ** 20).toFixed(2)} MiB (${info.bytes} bytes), written in ${seconds.toFixed(1)} s`);
    for (const s of info.scripts) console.log(`script ${s.name}: after ${JSON.stringify(s.after)} -> ${JSON.stringify(s.answer)} + ${s.end}`);
}

try {
    main();
} catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
}
