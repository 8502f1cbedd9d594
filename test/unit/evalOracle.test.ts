import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { answerRules, cursorSurroundings } from "../../server/src/completion/postprocess.js";
import type { Hole, HoleClass } from "../../server/src/eval/holes.js";
import { editSimilarity, judge } from "../../server/src/eval/metrics.js";
import { BEHAVIOURS, modelAnswer, shownAt, streamAnswer } from "../../server/src/eval/oracle.js";
import { oracleTable, runOracle, targetLines } from "../../server/src/eval/oracleRun.js";
import { holesIn, JS, PY } from "./evalSamples.js";

const SH = '_comp() {\n    local cur=$2\n    if [ -z "$cur" ]; then\n        cur=.\n    fi\n    for f in *; do\n        echo "$f"\n    done\n}\n';
const OTHER = "def other(x):\n    return x * 2";

function hole(text: string, language: "javascript" | "python" | "shellscript", cls: HoleClass, line: number): Hole {
    const found = holesIn(text, language).find((candidate) => candidate.class === cls && candidate.line === line);
    assert.ok(found, `${cls} at line ${line}`);
    return found;
}

describe("modelAnswer", () => {
    const block = hole(JS, "javascript", "block-closed", 4);
    const call = hole(JS, "javascript", "call-args", 3);
    it("each behaviour writes the ideal, then what such a model does", () => {
        assert.deepEqual(
            modelAnswer(block, "stops", OTHER, () => 0),
            { text: '\n        warn("big", sum);', ends: true },
        );
        assert.deepEqual(
            modelAnswer(block, "runs-into-suffix", OTHER, () => 0),
            { text: '\n        warn("big", sum);' + block.after, ends: false },
        );
        assert.deepEqual(
            modelAnswer(block, "runs-into-other-code", OTHER, () => 0),
            { text: '\n        warn("big", sum);\n    def other(x):\n        return x * 2', ends: false },
            "at the indentation of the file's next line",
        );
        assert.deepEqual(
            modelAnswer(block, "repeats-closers", OTHER, () => 0),
            { text: '\n        warn("big", sum);\n    }', ends: true },
            "the closing line the file has",
        );
        assert.deepEqual(
            modelAnswer(call, "repeats-closers", OTHER, () => 0),
            { text: "sum);", ends: true },
            "the auto-closed bracket and the rest of the line",
        );
        assert.deepEqual(
            modelAnswer(block, "spells-control-token", OTHER, () => 0),
            { text: '\n        warn("big", sum); <EOT>' + block.after, ends: false },
        );
        assert.deepEqual(
            modelAnswer(block, "other-indent-style", OTHER, () => 0),
            { text: '\n\t\twarn("big", sum);', ends: true },
        );
    });
    it("a behaviour with nothing to do at a hole gives no answer", () => {
        assert.equal(
            modelAnswer(hole(JS, "javascript", "line-rest", 2), "repeats-closers", OTHER, () => 0),
            undefined,
        );
        assert.equal(
            modelAnswer(hole(JS, "javascript", "line-rest", 2), "other-indent-style", OTHER, () => 0),
            undefined,
        );
    });
});

describe("streamAnswer", () => {
    it("stops where completeAt's check stops the engine", () => {
        const blank = hole(JS, "javascript", "blank-line", 3);
        const rules = answerRules(cursorSurroundings(blank.before, blank.after), "\n");
        assert.equal(
            streamAnswer({ text: blank.ideal + blank.after, ends: false }, rules.isComplete),
            "log(sum);\n    if (sum > 10) {\n",
            "the line after the statement, once finished",
        );
    });
    it("a model that never stops is cut at maxTokens", () => {
        assert.equal(
            streamAnswer({ text: "a b c d e", ends: false }, () => false, 3),
            "a b c",
        );
    });
});

describe("shownAt, per class and behaviour", () => {
    const cases: [string, "javascript" | "python" | "shellscript"][] = [
        [JS, "javascript"],
        [PY, "python"],
        [SH, "shellscript"],
    ];
    for (const [text, language] of cases) {
        for (const at of holesIn(text, language)) {
            it(`${language} ${at.class} at ${at.line}:${at.column}: every behaviour shows the ideal`, () => {
                for (const behaviour of BEHAVIOURS) {
                    const answer = modelAnswer(at, behaviour, OTHER, () => 0);
                    if (answer) assert.equal(shownAt(at, answer), at.ideal, behaviour);
                }
            });
        }
    }
});

describe("metrics", () => {
    it("judge: exact, cut short, ran over, wrong; broken brackets or indentation", () => {
        assert.deepEqual(judge("a(b)", "a(b)"), { outcome: "exact", broken: false });
        assert.deepEqual(judge("a(b", "a(b)"), { outcome: "cut-short", broken: true });
        assert.deepEqual(judge("", "a"), { outcome: "cut-short", broken: false });
        assert.deepEqual(judge("a;\nb;", "a;"), { outcome: "ran-over", broken: false });
        assert.deepEqual(judge("x\n\ty", "x\n    y"), { outcome: "wrong", broken: true });
        assert.deepEqual(judge("c", "a"), { outcome: "wrong", broken: false });
    });
    it("editSimilarity: 1 - Levenshtein distance / longer length", () => {
        assert.equal(editSimilarity("abc", "abc"), 1);
        assert.equal(editSimilarity("", ""), 1);
        assert.equal(editSimilarity("kitten", "sitting"), 1 - 3 / 7);
        assert.equal(editSimilarity("", "ab"), 0);
    });
});

describe("runOracle", () => {
    const source = { file: "/src/a.js", package: "p", version: "1", licence: "MIT", language: "javascript" as const };
    const holes = [hole(JS, "javascript", "call-args", 3), hole(JS, "javascript", "block-open", 4)].map((at) => ({ source, hole: at, otherCode: OTHER }));
    const report = runOracle(holes, () => 0);
    it("tallies every applicable behaviour per language, class and behaviour", () => {
        assert.deepEqual(
            report.cells.map((cell) => `${cell.class}/${cell.behaviour}:${cell.tally.exact}/${cell.tally.answers}`),
            [
                "call-args/stops:1/1",
                "call-args/runs-into-suffix:1/1",
                "call-args/runs-into-other-code:1/1",
                "call-args/repeats-closers:1/1",
                "call-args/spells-control-token:1/1",
                "block-open/stops:1/1",
                "block-open/runs-into-suffix:1/1",
                "block-open/runs-into-other-code:1/1",
                "block-open/spells-control-token:1/1",
                "block-open/other-indent-style:1/1",
            ],
        );
        assert.deepEqual(report.targets, { stops: 1, runOn: 1, lowestRunOnClass: { class: "call-args", rate: 1 } });
    });
    it("prints the table and the targets", () => {
        assert.equal(
            oracleTable(report, "class"),
            [
                "class       holes   stops  suffix   other  closers  control  indent  run-on  broken",
                "----------  -----  ------  ------  ------  -------  -------  ------  ------  ------",
                "call-args       1  100.0%  100.0%  100.0%   100.0%   100.0%       -  100.0%       0",
                "block-open      1  100.0%  100.0%  100.0%        -   100.0%  100.0%  100.0%       0",
                "all             2  100.0%  100.0%  100.0%   100.0%   100.0%  100.0%  100.0%       0",
                "",
            ].join("\n"),
        );
        assert.equal(
            targetLines(report.targets),
            "stops exactly -> shown as is: 100.00% (target 100%) ok\nrun-on answers exact: 100.00% (target 95%) ok\nlowest class: call-args 100.00% (target 85%) ok\n",
        );
    });
    it("records what was shown when it was not the ideal", () => {
        assert.deepEqual(report.holes[0]!.results.stops, { outcome: "exact", broken: false });
    });
});
