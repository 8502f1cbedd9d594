/**
 * What became of each inline suggestion the user saw, from what the editor reports: the answers
 * the provider delivered, the document's edits and the cursor's moves. VS Code's stable API has no
 * "shown" or "partially accepted" events for a provider (handleDidShowCompletionItem and
 * handleDidPartiallyAcceptCompletionItem are proposed API, refused to published extensions), so:
 *
 * - shown: an answer delivered (not cancelled) with a suggestion other than the one already shown
 *   (typing through a suggestion, or asking again, shows the same one);
 * - accepted: the whole rest of the suggestion inserted at once where it is shown (Tab), or the
 *   accept command VS Code runs after it;
 * - partially accepted: a part of it, two characters or more, inserted there at once (VS Code's
 *   Ctrl+Right / accept next word or line; a single character is typing);
 * - dismissed: Escape, typing something else, moving the cursor away, another editor, or another
 *   suggestion in its place.
 *
 * Pure (no VS Code API): positions are document offsets. Unit-tested in test/unit/suggestionTracker.test.ts.
 */

export type SuggestionOutcome = "shown" | "accepted" | "partiallyAccepted" | "dismissed";

/** One content change of a document, as VS Code reports it. */
export interface TextChange {
    /** Offset of the replaced range. */
    offset: number;
    /** Length of the replaced range. */
    removed: number;
    text: string;
}

interface Shown {
    uri: string;
    /** Where the suggestion was shown first. */
    start: number;
    /** The suggestion as shown there. */
    text: string;
    /** How much of it is in the document now (typed through or accepted in parts), from `start`. */
    taken: number;
}

/** The shortest insertion that counts as accepting a part (a single character is typing). */
const PARTIAL_MIN_CHARS = 2;

export class SuggestionTracker {
    private shown: Shown | undefined;

    constructor(private readonly count: (outcome: SuggestionOutcome) => void) {}

    /** The provider's answer reached the editor: `text` is shown at `offset` of `uri`. */
    delivered(uri: string, offset: number, text: string): void {
        if (!text) return;
        const shown = this.shown;
        const same = shown?.uri === uri && shown.start + shown.taken === offset && shown.text.slice(shown.taken) === text;
        if (same) return;
        this.end("dismissed");
        this.shown = { uri, start: offset, text, taken: 0 };
        this.count("shown");
    }

    /**
     * The document `uri` was edited. An edit that keeps the document in step with the suggestion
     * (it ends where the suggestion continues and leaves a longer part of it in the document; VS
     * Code may rewrite the part already taken) takes more of it; any other edit dismisses it.
     */
    edited(uri: string, changes: readonly TextChange[]): void {
        const shown = this.shown;
        if (!shown || shown.uri !== uri || changes.length === 0) return;
        const [change] = changes;
        const from = change!.offset - shown.start;
        const inStep = changes.length === 1 && from >= 0 && from <= shown.taken && change!.offset + change!.removed === shown.start + shown.taken;
        const taken = inStep ? shown.text.slice(0, from) + change!.text : "";
        if (!inStep || taken.length <= shown.taken || !shown.text.startsWith(taken)) {
            this.end("dismissed");
            return;
        }
        if (taken.length === shown.text.length) {
            this.end("accepted");
            return;
        }
        if (taken.length - shown.taken >= PARTIAL_MIN_CHARS) this.count("partiallyAccepted");
        this.shown = { ...shown, taken: taken.length };
    }

    /** The cursor of the active editor is at `offset` of `uri` (undefined: several cursors or a selection). */
    cursorAt(uri: string, offset: number | undefined): void {
        if (this.shown && (this.shown.uri !== uri || this.shown.start + this.shown.taken !== offset)) this.end("dismissed");
    }

    /** VS Code ran the suggestion's accept command: it was taken whole (if not counted from its edit already). */
    acceptCommand(): void {
        this.end("accepted");
    }

    /** Escape, or another editor became active. */
    dismissed(): void {
        this.end("dismissed");
    }

    private end(outcome: "accepted" | "dismissed"): void {
        if (!this.shown) return;
        this.shown = undefined;
        this.count(outcome);
    }
}
