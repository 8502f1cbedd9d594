/**
 * The user's suggestion counts (shown, accepted, partially accepted, dismissed), kept in the
 * extension's global state: local to this user and machine, and surviving model switches, server
 * restarts and VS Code restarts. Windows share the global state, so each count adds to the stored
 * value rather than writing a copy of its own.
 */
import type { SuggestionOutcome } from "./suggestionTracker.js";

export interface SuggestionCounts {
    shown: number;
    accepted: number;
    partiallyAccepted: number;
    dismissed: number;
    /** When counting began (ms since the epoch). */
    since: number;
}

/** The part of vscode.Memento used here. */
export interface CountStore {
    get<T>(key: string): T | undefined;
    update(key: string, value: unknown): Thenable<void>;
}

export const COUNTS_KEY = "codellama.suggestionCounts";

export class SuggestionStatistics {
    constructor(
        private readonly store: CountStore,
        private readonly now: () => number = Date.now,
    ) {}

    get counts(): SuggestionCounts {
        const stored = this.store.get<Partial<SuggestionCounts>>(COUNTS_KEY);
        const number = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0);
        return {
            shown: number(stored?.shown),
            accepted: number(stored?.accepted),
            partiallyAccepted: number(stored?.partiallyAccepted),
            dismissed: number(stored?.dismissed),
            since: number(stored?.since) || this.now(),
        };
    }

    count(outcome: SuggestionOutcome): Thenable<void> {
        const counts = this.counts;
        counts[outcome]++;
        return this.store.update(COUNTS_KEY, counts);
    }
}
