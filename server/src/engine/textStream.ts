import type { Token } from "./tokenizer.js";

/**
 * Turns a growing list of generated tokens into text deltas. A token may end inside a multi-byte
 * character; such a tail decodes to U+FFFD and is held back until the character is complete.
 */
export class TextStream {
    private emitted = "";

    constructor(private readonly detokenize: (tokens: readonly Token[]) => string) {}

    /** The new text since the last call. */
    push(tokens: readonly Token[]): string {
        let text = this.detokenize(tokens);
        while (text.endsWith("\uFFFD")) text = text.slice(0, -1);
        if (text.length <= this.emitted.length || !text.startsWith(this.emitted)) return "";
        const delta = text.slice(this.emitted.length);
        this.emitted = text;
        return delta;
    }

    /** Everything, the held-back tail included. */
    finish(tokens: readonly Token[]): string {
        const text = this.detokenize(tokens);
        const delta = text.startsWith(this.emitted) ? text.slice(this.emitted.length) : "";
        this.emitted = text;
        return delta;
    }
}
