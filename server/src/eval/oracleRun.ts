/**
 * The oracle eval over a set of holes: every behaviour at every hole, judged against the ideal, and
 * the tallies per language, class and behaviour. Pure (the caller brings the holes).
 */

import { HOLE_CLASSES, type Hole, type HoleClass } from "./holes.js";
import type { EvalLanguage } from "./languages.js";
import { addJudgement, emptyTally, exactRate, judge, type Outcome, type Tally } from "./metrics.js";
import { BEHAVIOURS, type Behaviour, modelAnswer, shownAt } from "./oracle.js";
import { formatTable, percent } from "./report.js";

/** Where a hole's file came from, for the JSON (and its licence). */
export interface HoleSource {
    file: string;
    package: string;
    version: string;
    licence: string;
    language: EvalLanguage;
}

export interface SourcedHole {
    source: HoleSource;
    hole: Hole;
    /** Code of another file of the language, for the model that runs on into other code. */
    otherCode: string;
}

export interface BehaviourResult {
    outcome: Outcome;
    broken: boolean;
    /** What the editor would show, when it is not the ideal. */
    shown?: string;
}

export interface OracleHoleResult extends HoleSource {
    class: HoleClass;
    line: number;
    column: number;
    ideal: string;
    results: Partial<Record<Behaviour, BehaviourResult>>;
}

export interface OracleTargets {
    /** Exact share of the answers that stop exactly (target 1). */
    stops: number;
    /** Exact share of all the other behaviours' answers (target 0.95). */
    runOn: number;
    /** The class with the lowest exact share of run-on answers (target: none below 0.85). */
    lowestRunOnClass: { class: HoleClass; rate: number };
}

export interface OracleReport {
    holes: OracleHoleResult[];
    cells: { language: EvalLanguage; class: HoleClass; behaviour: Behaviour; tally: Tally }[];
    targets: OracleTargets;
}

/** Runs every behaviour at every hole. `pick(count)` chooses among variants (a seeded random). */
export function runOracle(holes: readonly SourcedHole[], pick: (count: number) => number): OracleReport {
    const cells = new Map<string, { language: EvalLanguage; class: HoleClass; behaviour: Behaviour; tally: Tally }>();
    const results: OracleHoleResult[] = [];
    for (const { source, hole, otherCode } of holes) {
        const entry: OracleHoleResult = { ...source, class: hole.class, line: hole.line, column: hole.column, ideal: hole.ideal, results: {} };
        for (const behaviour of BEHAVIOURS) {
            const answer = modelAnswer(hole, behaviour, otherCode, pick);
            if (!answer) continue;
            const shown = shownAt(hole, answer);
            const judgement = judge(shown, hole.ideal);
            entry.results[behaviour] = judgement.outcome === "exact" ? judgement : { ...judgement, shown };
            const key = `${source.language}/${hole.class}/${behaviour}`;
            if (!cells.has(key)) cells.set(key, { language: source.language, class: hole.class, behaviour, tally: emptyTally() });
            addJudgement(cells.get(key)!.tally, judgement);
        }
        results.push(entry);
    }
    const cellList = [...cells.values()];
    return { holes: results, cells: cellList, targets: targetsOf(cellList) };
}

function sum(cells: readonly { tally: Tally }[]): Tally {
    const total = emptyTally();
    for (const { tally } of cells) for (const key of Object.keys(total) as (keyof Tally)[]) total[key] += tally[key];
    return total;
}

function targetsOf(cells: OracleReport["cells"]): OracleTargets {
    const runOn = cells.filter((cell) => cell.behaviour !== "stops");
    const classRates = HOLE_CLASSES.filter((cls) => runOn.some((cell) => cell.class === cls)).map((cls) => ({
        class: cls,
        rate: exactRate(sum(runOn.filter((cell) => cell.class === cls))),
    }));
    return {
        stops: exactRate(sum(cells.filter((cell) => cell.behaviour === "stops"))),
        runOn: exactRate(sum(runOn)),
        lowestRunOnClass: classRates.sort((a, b) => a.rate - b.rate)[0] ?? { class: HOLE_CLASSES[0], rate: 1 },
    };
}

const SHORT: Readonly<Record<Behaviour, string>> = {
    stops: "stops",
    "runs-into-suffix": "suffix",
    "runs-into-other-code": "other",
    "repeats-closers": "closers",
    "spells-control-token": "control",
    "other-indent-style": "indent",
};

/** Exact shares per row (class or language) and behaviour, with the run-on total, as a table. */
export function oracleTable(report: OracleReport, by: "class" | "language"): string {
    const keys =
        by === "class"
            ? HOLE_CLASSES.filter((cls) => report.cells.some((cell) => cell.class === cls))
            : [...new Set(report.cells.map((cell) => cell.language))].sort();
    const rowOf = (label: string, cells: OracleReport["cells"]) => {
        const holes = sum(cells.filter((cell) => cell.behaviour === "stops")).answers;
        const runOn = sum(cells.filter((cell) => cell.behaviour !== "stops"));
        return [
            label,
            String(holes),
            ...BEHAVIOURS.map((behaviour) => rate(sum(cells.filter((cell) => cell.behaviour === behaviour)))),
            rate(runOn),
            String(sum(cells).broken),
        ];
    };
    const rows = keys.map((key) =>
        rowOf(
            key,
            report.cells.filter((cell) => (by === "class" ? cell.class : cell.language) === key),
        ),
    );
    rows.push(rowOf("all", report.cells));
    return `${formatTable([by, "holes", ...BEHAVIOURS.map((behaviour) => SHORT[behaviour]), "run-on", "broken"], rows)}\n`;
}

function rate(tally: Tally): string {
    return percent(tally.exact, tally.answers);
}

/** The targets in a sentence each, with whether they hold. */
export function targetLines(targets: OracleTargets): string {
    const mark = (ok: boolean) => (ok ? "ok" : "MISSED");
    return (
        [
            `stops exactly -> shown as is: ${(targets.stops * 100).toFixed(2)}% (target 100%) ${mark(targets.stops === 1)}`,
            `run-on answers exact: ${(targets.runOn * 100).toFixed(2)}% (target 95%) ${mark(targets.runOn >= 0.95)}`,
            `lowest class: ${targets.lowestRunOnClass.class} ${(targets.lowestRunOnClass.rate * 100).toFixed(2)}% (target 85%) ${mark(targets.lowestRunOnClass.rate >= 0.85)}`,
        ].join("\n") + "\n"
    );
}
