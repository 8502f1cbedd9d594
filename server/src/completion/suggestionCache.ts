/**
 * Recent suggestions, so that typing the characters of a suggestion on screen is answered with the
 * rest of it without a model call, and a repeated request with the same answer.
 */
export interface SuggestionKey {
    uri: string;
    /** Offset of the cursor in the document. */
    offset: number;
    /** The document text before the cursor (any length; the cache keeps a tail of it). */
    before: string;
    /** The document text after the cursor (the cache keeps a head of it). */
    after: string;
}

export interface CachedSuggestion {
    text: string;
    /** "cache" for the same position, "typed-through" when the user typed part of the suggestion. */
    source: "cache" | "typed-through";
}

interface Entry {
    uri: string;
    offset: number;
    beforeTail: string;
    afterHead: string;
    text: string;
}

const TAIL_CHARS = 2000;
const HEAD_CHARS = 500;

/** The key of the cursor at `offset` in a document's `text`: the text around it, as much as the cache compares. */
export function suggestionKey(uri: string, text: string, offset: number): SuggestionKey {
    return { uri, offset, before: text.slice(Math.max(0, offset - TAIL_CHARS), offset), after: text.slice(offset, offset + HEAD_CHARS) };
}

/** Whether two keys are the same cursor in the same text, as far as the cache compares. */
export function sameKey(a: SuggestionKey, b: SuggestionKey): boolean {
    return (
        a.uri === b.uri &&
        a.offset === b.offset &&
        a.before.slice(-TAIL_CHARS) === b.before.slice(-TAIL_CHARS) &&
        a.after.slice(0, HEAD_CHARS) === b.after.slice(0, HEAD_CHARS)
    );
}

export class SuggestionCache {
    private entries: Entry[] = [];

    constructor(private readonly capacity = 16) {}

    remember(key: SuggestionKey, text: string): void {
        if (!text) return;
        this.entries = this.entries.filter((entry) => !(entry.uri === key.uri && entry.offset === key.offset));
        this.entries.push({ uri: key.uri, offset: key.offset, beforeTail: key.before.slice(-TAIL_CHARS), afterHead: key.after.slice(0, HEAD_CHARS), text });
        if (this.entries.length > this.capacity) this.entries.shift();
    }

    /** The rest of a remembered suggestion the cursor is inside of, if any (most recent first). */
    lookup(key: SuggestionKey): CachedSuggestion | undefined {
        const afterHead = key.after.slice(0, HEAD_CHARS);
        for (let index = this.entries.length - 1; index >= 0; index--) {
            const entry = this.entries[index]!;
            if (entry.uri !== key.uri || entry.afterHead !== afterHead) continue;
            const typedLength = key.offset - entry.offset;
            if (typedLength < 0 || typedLength >= entry.text.length) continue;
            const typed = key.before.slice(key.before.length - typedLength);
            if (typedLength > 0 && typed !== entry.text.slice(0, typedLength)) continue;
            const beforeTyped = key.before.slice(0, key.before.length - typedLength);
            if (!beforeTyped.endsWith(entry.beforeTail)) continue;
            // Touch: a suggestion being typed through stays the freshest.
            this.entries.splice(index, 1);
            this.entries.push(entry);
            return { text: entry.text.slice(typedLength), source: typedLength === 0 ? "cache" : "typed-through" };
        }
        return undefined;
    }

    clear(uri?: string): void {
        this.entries = uri === undefined ? [] : this.entries.filter((entry) => entry.uri !== uri);
    }
}
