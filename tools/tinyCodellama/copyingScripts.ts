// A scripted model whose answers copy from their prompt, for speculative decoding: input lookup
// finds what the answer repeats in the prompt. The scripted model gives each token one successor,
// so an answer must not repeat a token; these answers are made of pieces used once (`extraPieces`),
// and the prompt's copy of the text tokenizes to the same pieces.
//
//   rewrite      after "]" (a chat prompt's end): COPIED_BLOCK, 60 lines, 180 tokens, then </s>
//   repeat-line  after "▁<MID>" (an infill prompt's end): COPIED_LINE, 11 tokens, then ▁<EOT>
//
// A chat question that contains COPIED_BLOCK gets an answer that rewrites it; one that does not
// gets the same answer, which then copies nothing from its question.

import type { TinyModelOptions, TinyScript } from "./model.js";
import { FIM_PIECES } from "./vocab.js";

/** Each line in three pieces, each naming the line's number: no piece repeats. */
const BLOCK_PIECES: readonly string[] = Array.from({ length: 60 }, (_, index) => [
    `\n    let r${index + 1}`,
    ` = mix${index + 1}(`,
    `r${index}, ${index + 1});`,
]).flat();
const LINE_PIECES: readonly string[] = ["\n    const", " checksum", " = values", ".reduce", "((sum,", " value)", " =>", " sum +", " value,", " 0", ");"];

/** The body of `function chain(r0) {...}`: 60 lines, each starting with a line break. */
export const COPIED_BLOCK = BLOCK_PIECES.join("");
/** A line the infill answer repeats from the prompt, starting with a line break. */
export const COPIED_LINE = LINE_PIECES.join("");

const asPieces = (texts: readonly string[]): string[] => texts.map((text) => text.replaceAll(" ", "\u2581"));

export const COPYING_SCRIPTS: readonly TinyScript[] = [
    { name: "rewrite", after: "]", answer: COPIED_BLOCK, end: "eos", pieces: asPieces(BLOCK_PIECES) },
    { name: "repeat-line", after: FIM_PIECES.middle, answer: COPIED_LINE, end: "eot", pieces: asPieces(LINE_PIECES) },
];

/** A chat question (an engine's ChatRequest, in Llama 2's format) whose answer rewrites its code block (COPIED_BLOCK). */
export const REWRITE_QUESTION = {
    format: "llama2" as const,
    messages: [{ role: "user" as const, content: `Rename r to s in this code:\n\`\`\`js\nfunction chain(r0) {${COPIED_BLOCK}\n}\n\`\`\`` }],
};
/** A chat question without the block: the same answer copies nothing from it. */
export const NO_COPY_QUESTION = {
    format: "llama2" as const,
    messages: [{ role: "user" as const, content: "Write a function that chains sixty mixing steps, each taking the previous result and its step number." }],
};
/** An infill request (an engine's InfillRequest) whose answer repeats COPIED_LINE from its prefix. */
export const REPEAT_LINE_INFILL = {
    format: "psm" as const,
    context: "",
    prefix: `function total(values) {${COPIED_LINE}\n    return checksum;\n}\n\nfunction average(values) {`,
    suffix: "\n    return checksum / values.length;\n}\n",
    middle: "",
};

/** `options` with the copying scripts and the vocab pieces they need; nEmbd must hold their ~200 successors. */
export function copyingModel(options: TinyModelOptions = {}): TinyModelOptions {
    return { ...options, weights: "scripted", extraPieces: [...BLOCK_PIECES, ...LINE_PIECES], scripts: COPYING_SCRIPTS };
}
