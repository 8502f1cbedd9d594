import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import {
    collectSourceFiles,
    findFunctions,
    languageOf,
    middleFunctions,
    pickFunctions,
    replayScript,
    type SourceFile,
    splitBudget,
    splitKeystrokes,
} from "../../bench/corpus.js";
import { seededRandom } from "../../server/src/eval/seededRandom.js";

/** A file of `lines` lines with a function `name` at `at` (0-based) spanning `length` lines. */
function jsFile(name: string, at: number, length: number, lines = 200): string {
    const out: string[] = [];
    for (let index = 0; index < lines; index++) {
        if (index === at) {
            out.push(`function ${name}(a, b) {`);
            for (let body = 1; body < length - 1; body++) out.push(`    const v${body} = a + b * ${body};`);
            out.push("}");
            index += length - 1;
        } else {
            out.push(`// filler line ${index}`);
        }
    }
    return out.join("\n");
}

function source(relPath: string, text: string, packageName = relPath.split("/")[0]!): SourceFile {
    return { relPath, absPath: `/nm/${relPath}`, packageName, packageVersion: "1.0.0", license: "MIT", language: languageOf(relPath)!, text };
}

describe("bench corpus: files", () => {
    it("takes sources and leaves out declarations and minified bundles", () => {
        assert.equal(languageOf("a/index.js"), "javascript");
        assert.equal(languageOf("a/index.mjs"), "javascript");
        assert.equal(languageOf("a/src/x.ts"), "typescript");
        assert.equal(languageOf("a/tool.py"), "python");
        assert.equal(languageOf("a/index.d.ts"), undefined);
        assert.equal(languageOf("a/index.d.mts"), undefined);
        assert.equal(languageOf("a/lib.min.js"), undefined);
        assert.equal(languageOf("a/README.md"), undefined);
    });
    it("collects files with their package and licence from a node_modules tree", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-corpus-"));
        try {
            fs.mkdirSync(path.join(root, "pkg", "lib"), { recursive: true });
            fs.writeFileSync(path.join(root, "pkg", "package.json"), JSON.stringify({ name: "pkg", version: "2.1.0", license: "Apache-2.0" }));
            fs.writeFileSync(path.join(root, "pkg", "lib", "index.js"), jsFile("work", 100, 12));
            fs.writeFileSync(path.join(root, "pkg", "lib", "index.d.ts"), jsFile("decl", 100, 12));
            fs.mkdirSync(path.join(root, "nolicense"), { recursive: true });
            fs.writeFileSync(path.join(root, "nolicense", "package.json"), JSON.stringify({ name: "nolicense", version: "1.0.0" }));
            fs.writeFileSync(path.join(root, "nolicense", "index.js"), jsFile("work", 100, 12));
            const files = collectSourceFiles(root, { minBytes: 100 });
            assert.deepEqual(
                files.map((file) => [file.relPath, file.packageName, file.packageVersion, file.license]),
                [[path.join("pkg", "lib", "index.js"), "pkg", "2.1.0", "Apache-2.0"]],
            );
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
    it("takes only the named packages, scoped ones included, when given a list", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "bench-corpus-"));
        try {
            for (const name of ["aaa", "kept", "@scope/kept", "@scope/other"]) {
                fs.mkdirSync(path.join(root, name), { recursive: true });
                fs.writeFileSync(path.join(root, name, "package.json"), JSON.stringify({ name, version: "1.0.0", license: "MIT" }));
                fs.writeFileSync(path.join(root, name, "index.js"), jsFile("work", 100, 12));
            }
            const files = collectSourceFiles(root, { minBytes: 100, packages: ["kept", "@scope/kept", "missing"] });
            assert.deepEqual(
                files.map((file) => file.packageName),
                ["@scope/kept", "kept"],
            );
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

describe("bench corpus: functions", () => {
    it("finds brace-language functions by layout", () => {
        const text = [
            "export async function load(path) {",
            "    return read(path);",
            "}",
            "class A {",
            "    async method(a, b) {",
            "        if (a) {",
            "            return b;",
            "        }",
            "    }",
            "    private typed<T>(value: T): T {",
            "        return value;",
            "    }",
            "}",
            "const arrow = (x) => {",
            "    return x * 2;",
            "};",
            "Foo.prototype.bar = function () {",
            "    return 1;",
            "};",
        ].join("\n");
        assert.deepEqual(
            findFunctions(text, "typescript").map((span) => [span.name, span.startLine, span.endLine]),
            [
                ["load", 0, 2],
                ["method", 4, 8],
                ["typed", 9, 11],
                ["arrow", 13, 15],
                ["Foo.prototype.bar", 16, 18],
            ],
        );
    });
    it("does not take control flow for a function", () => {
        assert.deepEqual(findFunctions("if (a) {\n    b();\n}\nwhile (x) {\n    y();\n}", "javascript"), []);
    });
    it("finds Python functions by indentation", () => {
        const text = [
            "def top(a):",
            "    x = a",
            "",
            "    return x",
            "",
            "class C:",
            "    def method(self,",
            "               b):",
            "        return b",
            "x = 1",
        ].join("\n");
        assert.deepEqual(
            findFunctions(text, "python").map((span) => [span.name, span.startLine, span.endLine]),
            [
                ["top", 0, 3],
                ["method", 6, 8],
            ],
        );
    });
    it("keeps only functions in the middle with context around them", () => {
        const file = source("p/a.js", jsFile("mid", 100, 10));
        assert.deepEqual(
            middleFunctions(file).map((span) => span.name),
            ["mid"],
        );
        assert.deepEqual(middleFunctions(source("p/b.js", jsFile("early", 5, 10))), []);
        assert.deepEqual(middleFunctions(source("p/c.js", jsFile("tiny", 100, 3))), []);
    });
});

describe("bench corpus: replay scripts", () => {
    it("types a line break with the next line's indentation as one keystroke", () => {
        assert.deepEqual(splitKeystrokes("if (a) {\n    b;\n}"), ["i", "f", " ", "(", "a", ")", " ", "{", "\n    ", "b", ";", "\n", "}"]);
        assert.deepEqual(splitKeystrokes("a😀b"), ["a", "😀", "b"]);
    });
    it("removes the function from the document and types it back from its first character", () => {
        const text = jsFile("mid", 100, 10)
            .split("\n")
            .map((line, index) => (index >= 100 && index < 110 ? `    ${line}` : line))
            .join("\n");
        const span = findFunctions(text, "javascript").find((found) => found.name === "mid")!;
        const script = replayScript({ file: source("p/a.js", text), span }, 15);
        assert.equal(script.startLine, 101);
        assert.equal(script.indent, "    ");
        assert.ok(script.before.endsWith("// filler line 99\n"));
        assert.ok(script.after.startsWith("\n// filler line 110"));
        assert.equal(script.keystrokes.length, 15);
        assert.equal(script.keystrokes.join(""), "function mid(a,");
        assert.equal(script.id, "p/a.js:101 mid");
        const whole = replayScript({ file: source("p/a.js", text), span }, 10_000);
        assert.equal(script.before + script.indent + whole.keystrokes.join("") + script.after, text);
    });
    it("picks the same functions for the same seed, one per package first", () => {
        const files = [
            source("a/x.js", jsFile("ax", 90, 10)),
            source("a/y.js", jsFile("ay", 90, 10)),
            source("b/x.js", jsFile("bx", 90, 10)),
            source("c/x.js", jsFile("cx", 90, 10)),
        ];
        const first = pickFunctions(files, { count: 3, seed: 7 }).map((picked) => picked.span.name);
        const again = pickFunctions([...files].reverse(), { count: 3, seed: 7 }).map((picked) => picked.span.name);
        assert.deepEqual(first, again);
        assert.equal(new Set(first.map((name) => name[0])).size, 3);
        assert.equal(pickFunctions(files, { count: 4, seed: 7 }).length, 4);
        assert.equal(pickFunctions(files, { count: 10, seed: 7 }).length, 4);
    });
    it("has a deterministic PRNG and splits a keystroke budget", () => {
        const a = seededRandom(42);
        const b = seededRandom(42);
        const values = [a(), a(), a()];
        assert.deepEqual(values, [b(), b(), b()]);
        assert.ok(values.every((value) => value >= 0 && value < 1));
        assert.deepEqual(splitBudget(10, 3), [4, 3, 3]);
        assert.deepEqual(splitBudget(5, 0), []);
    });
});
