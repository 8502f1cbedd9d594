import assert from "node:assert/strict";
import { buildVocab } from "../../tools/tinyCodellama/index.js";

const vocab = buildVocab();

/** The ids of vocab pieces, for token lists derived by hand; fails loudly on a piece the vocab does not have. */
export function ids(...pieces: string[]): number[] {
    return pieces.map((piece) => {
        const id = vocab.ids.get(piece);
        assert.ok(id !== undefined, `piece ${JSON.stringify(piece)} is in the vocab`);
        return id;
    });
}
