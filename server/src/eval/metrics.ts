/** How a shown suggestion compares with the ideal one. Pure. */

export type Outcome = "exact" | "cut-short" | "ran-over" | "wrong";

export interface Judgement {
    outcome: Outcome;
    /** The suggestion would leave brackets unbalanced, or indents its lines otherwise than the ideal does. */
    broken: boolean;
}

/**
 * exact: shown = ideal; cut short: a strict beginning of the ideal (nothing shown included); ran
 * over: the ideal and more; wrong: anything else.
 */
export function judge(shown: string, ideal: string): Judgement {
    const outcome: Outcome = shown === ideal ? "exact" : ideal.startsWith(shown) ? "cut-short" : shown.startsWith(ideal) ? "ran-over" : "wrong";
    return { outcome, broken: outcome !== "exact" && (bracketBalance(shown) !== bracketBalance(ideal) || indentationDiffers(shown, ideal)) };
}

/** Open minus closed brackets of each kind, as one comparable string ("(:1 [:0 {:-1"). */
export function bracketBalance(text: string): string {
    const count = (open: string, close: string) => [...text].reduce((sum, ch) => sum + (ch === open ? 1 : ch === close ? -1 : 0), 0);
    return `(:${count("(", ")")} [:${count("[", "]")} {:${count("{", "}")}`;
}

/** A line after the first whose code is the ideal's but whose indentation is not, or tabs where the ideal has spaces (or the other way). */
export function indentationDiffers(shown: string, ideal: string): boolean {
    const shownLines = shown.split("\n");
    const idealLines = ideal.split("\n");
    for (let index = 1; index < Math.min(shownLines.length, idealLines.length); index++) {
        const a = shownLines[index]!;
        const b = idealLines[index]!;
        if (a.trim() === b.trim() && leadOf(a) !== leadOf(b)) return true;
    }
    const chars = (lines: string[]) => new Set(lines.slice(1).flatMap((line) => [...leadOf(line)]));
    const idealChars = chars(idealLines);
    return idealChars.size > 0 && [...chars(shownLines)].some((ch) => !idealChars.has(ch));
}

function leadOf(line: string): string {
    return /^[ \t]*/.exec(line)![0];
}

/** Normalised edit similarity, 1 - Levenshtein distance / longer length (1 for two empty texts). */
export function editSimilarity(a: string, b: string): number {
    if (a === b) return 1;
    const longer = Math.max(a.length, b.length);
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = current;
    }
    return 1 - previous[b.length]! / longer;
}

/** Counts of one group of answers. */
export interface Tally {
    answers: number;
    exact: number;
    cutShort: number;
    ranOver: number;
    wrong: number;
    broken: number;
}

export function emptyTally(): Tally {
    return { answers: 0, exact: 0, cutShort: 0, ranOver: 0, wrong: 0, broken: 0 };
}

export function addJudgement(tally: Tally, judgement: Judgement): void {
    tally.answers++;
    if (judgement.outcome === "exact") tally.exact++;
    else if (judgement.outcome === "cut-short") tally.cutShort++;
    else if (judgement.outcome === "ran-over") tally.ranOver++;
    else tally.wrong++;
    if (judgement.broken) tally.broken++;
}

/** Share of exact answers (1 when there are none to judge). */
export function exactRate(tally: Tally): number {
    return tally.answers === 0 ? 1 : tally.exact / tally.answers;
}
