import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { holeCandidates, normaliseSource } from "../../server/src/eval/holes.js";
import { readHolesFile, writeHolesFile } from "../../server/src/eval/holesFile.js";
import type { EvalLanguage } from "../../server/src/eval/languages.js";
import { languageOfFile, looksGenerated } from "../../server/src/eval/languages.js";
import { sampleHoles } from "../../server/src/eval/sampling.js";
import { splitIntoPieces } from "../../server/src/eval/tokens.js";
import { holesIn, JS, PY } from "./evalSamples.js";

/** [class, line, column, ideal, the start of the text after the cursor] of every hole. */
function holesOf(text: string, language: EvalLanguage): [string, number, number, string, string][] {
    return holesIn(text, language).map((hole) => [hole.class, hole.line, hole.column, hole.ideal, hole.after.slice(0, 8)]);
}

describe("holeCandidates", () => {
    it("brace language: every class, each with the ideal the file had", () => {
        assert.deepEqual(holesOf(JS, "javascript"), [
            [
                "function-body",
                1,
                21,
                '\n    const sum = a + b;\n    log(sum);\n    if (sum > 10) {\n        warn("big", sum);\n    }\n    return compute(a,\n        b);',
                "\n}\n",
            ],
            ["line-rest", 2, 11, "sum = a + b;", "\n    log"],
            ["line-mid-word", 2, 7, "nst sum = a + b;", "\n    log"],
            ["blank-line", 2, 5, "const sum = a + b;", "\n    log"],
            ["blank-line-col0", 2, 1, "    const sum = a + b;", "\n    log"],
            ["line-rest", 3, 8, "(sum);", "\n    if "],
            ["call-args", 3, 9, "sum", ")\n    if"],
            ["blank-line", 3, 5, "log(sum);", "\n    if "],
            ["blank-line-col0", 3, 1, "    log(sum);", "\n    if "],
            ["block-closed", 4, 20, '\n        warn("big", sum);', "\n    }\n "],
            ["block-open", 4, 20, '\n        warn("big", sum);\n    }', "\n    ret"],
            ["line-rest", 5, 13, '("big", sum);', "\n    }\n "],
            ["line-mid-word", 5, 11, 'rn("big", sum);', "\n    }\n "],
            ["call-args", 5, 14, '"big", sum', ")\n    }\n"],
            ["statement-rest", 7, 12, "compute(a,\n        b);", "\n}\n"],
            ["multi-line-statement", 7, 5, "return compute(a,\n        b);", "\n}\n"],
        ]);
    });
    it("Python: blocks end where the indentation does, and have no closing line", () => {
        assert.deepEqual(holesOf(PY, "python"), [
            ["function-body", 1, 16, "\n    if os.path.isdir(path):\n        total = 0\n        return total\n    return os.path.getsize(path)", "\nprint(s"],
            ["block-closed", 2, 28, "\n        total = 0\n        return total", "\n    ret"],
            ["line-mid-word", 3, 11, "tal = 0", "\n       "],
            ["blank-line", 3, 9, "total = 0", "\n       "],
            ["blank-line-col0", 3, 1, "        total = 0", "\n       "],
            ["line-rest", 4, 16, "total", "\n    ret"],
            ["line-mid-word", 4, 11, "turn total", "\n    ret"],
            ["line-rest", 5, 12, "os.path.getsize(path)", "\nprint(s"],
            ["line-mid-word", 5, 7, "turn os.path.getsize(path)", "\nprint(s"],
            ["call-args", 5, 28, "path", ")\nprint("],
        ]);
    });
    it("shell: then and do open blocks that fi and done close", () => {
        const sh = '_comp() {\n    if [ -z "$cur" ]; then\n        cur=.\n    fi\n    for f in *; do\n        echo "$f"\n    done\n}\n';
        assert.deepEqual(
            holesOf(sh, "shellscript").filter(([cls]) => cls.startsWith("block")),
            [
                ["block-closed", 2, 27, "\n        cur=.", "\n    fi\n"],
                ["block-open", 2, 27, "\n        cur=.\n    fi", "\n    for"],
                ["block-closed", 5, 19, '\n        echo "$f"', "\n    don"],
                ["block-open", 5, 19, '\n        echo "$f"\n    done', "\n}\n"],
            ],
        );
    });
    it("comments, strings and docstrings are no code to cut; the last statement of a file is no hole either", () => {
        const text = 'x = 1\n"""\ndoc = 2\n"""\n# y = 3\ns = "(" + f(a)\nt = 1\n';
        assert.deepEqual(
            holesOf(text, "python").map(([cls, line]) => `${cls}@${line}`),
            ["line-rest@6", "call-args@6"],
        );
    });
    it("an ideal longer than the model's room to run on is no hole", () => {
        const long = `function f() {\n${Array.from({ length: 40 }, (_, index) => `    call${index}(argument${index});`).join("\n")}\n}\n`;
        assert.equal(
            holeCandidates(long, "javascript", () => 0).some((spec) => spec.class === "function-body"),
            false,
        );
    });
});

describe("sources", () => {
    it("normaliseSource: \\n line breaks, no trailing whitespace", () => {
        assert.equal(normaliseSource("a  \r\nb\t\rc \n"), "a\nb\nc\n");
    });
    it("languageOfFile: by extension, or a shell's shebang", () => {
        assert.equal(languageOfFile("a/b.py"), "python");
        assert.equal(languageOfFile("lib/x.d.ts"), undefined);
        assert.equal(languageOfFile("x.min.js"), undefined);
        assert.equal(languageOfFile("completions/git", "#!/bin/bash"), "shellscript");
        assert.equal(languageOfFile("README"), undefined);
    });
    it("looksGenerated: minified (long lines) or too few lines for its size", () => {
        assert.equal(looksGenerated(Array.from({ length: 40 }, (_, index) => `    const v${index} = a + b * ${index};`).join("\n")), false);
        assert.equal(looksGenerated(`${"x".repeat(5000)}\n`.repeat(30)), true);
        assert.equal(looksGenerated("a\nb\n"), true);
    });
    it("splitIntoPieces: a break alone, a space on its word, indentation runs, short punctuation clusters", () => {
        assert.deepEqual(splitIntoPieces("    return compute(a,\n\tb); // 42 <EOT>"), [
            "   ",
            " return",
            " comput",
            "e",
            "(",
            "a",
            ",",
            "\n",
            "\t",
            "b",
            ");",
            " //",
            " 4",
            "2",
            " <",
            "EOT",
            ">",
        ]);
    });
});

describe("sampleHoles", () => {
    const files = [0, 1, 2].map((index) => ({
        source: { file: `/src/f${index}.js`, package: "p", version: "1", licence: "MIT", language: "javascript" as const },
        text: JS,
    }));
    it("the same files and seed give the same holes, in any order", () => {
        const a = sampleHoles(files, { seed: 7, perClass: 2 });
        const b = sampleHoles([...files].reverse(), { seed: 7, perClass: 2 });
        assert.deepEqual(b, a);
        assert.equal(a.length, 20, "two of each of the ten classes");
    });
    it("each hole gets code from another file for the model that runs on into it", () => {
        for (const { source, otherCode } of sampleHoles(files, { seed: 7, perClass: 1 })) {
            assert.notEqual(otherCode, "");
            assert.ok(source.file.startsWith("/src/f"));
        }
    });
    it("perFile caps one file's share of a class", () => {
        const holes = sampleHoles(files.slice(0, 1), { seed: 1, perClass: 5, perFile: 1, classes: ["blank-line"] });
        assert.deepEqual(
            holes.map(({ hole }) => hole.class),
            ["blank-line"],
        );
    });
});

describe("holes file", () => {
    it("npm run eval's holes come back from the files; a changed or missing file's holes are skipped and counted", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codellama-holes-"));
        try {
            const file = path.join(dir, "add.js");
            fs.writeFileSync(file, JS);
            const gone = path.join(dir, "gone.js");
            fs.writeFileSync(gone, JS);
            const source = (name: string) => ({ file: name, package: "p", version: "1", licence: "MIT", language: "javascript" as const });
            const holes = holesIn(JS, "javascript").slice(0, 3);
            const sourced = [...holes.map((hole) => ({ source: source(file), hole, otherCode: "" })), { source: source(gone), hole: holes[0]!, otherCode: "" }];
            writeHolesFile(path.join(dir, "holes.json"), sourced);
            fs.rmSync(gone);
            fs.writeFileSync(file, JS.replace("return compute", "return calc"));
            const read = readHolesFile(path.join(dir, "holes.json"));
            assert.equal(read.skipped, 2, "the function body, which changed, and the missing file's hole");
            assert.deepEqual(
                read.holes.map(({ hole }) => [hole.class, hole.ideal, hole.after.slice(0, 12)]),
                [
                    ["line-rest", "sum = a + b;", "\n    log(sum"],
                    ["line-mid-word", "nst sum = a + b;", "\n    log(sum"],
                ],
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
    it("a file that is no holes file gets a clear error", () => {
        const file = path.join(os.tmpdir(), `codellama-not-holes-${process.pid}.json`);
        fs.writeFileSync(file, '{"other": 1}');
        try {
            assert.throws(() => readHolesFile(file), /is not a holes file \(written by npm run eval\): it has no "holes" list/);
        } finally {
            fs.rmSync(file);
        }
    });
});
