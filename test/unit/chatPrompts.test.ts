// The pure parts of the Explain / Debug / prompt-file commands (client/src/prompts/, client/src/fix/):
// the enclosing block and its fallback, the {{diagnostics}} text, prompt files and overrides,
// workspace trust, and the text a Debug answer's code block replaces the code with.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { fixReplacement, replaceRange } from "../../client/src/fix/fixedText.js";
import { diagnosticsText, NO_DIAGNOSTICS, relevantDiagnostics } from "../../client/src/prompts/diagnosticList.js";
import { enclosingSymbolRange, type LineRange, SymbolKind, type SymbolNode, surroundingLines } from "../../client/src/prompts/enclosingBlock.js";
import { parsePromptFiles, templateOrigin, userPromptsFolder } from "../../client/src/prompts/promptFiles.js";
import { PromptTrust } from "../../client/src/prompts/promptTrust.js";
import { builtinTemplates } from "../../shared/src/prompts/builtin.js";
import { mergeTemplates } from "../../shared/src/prompts/template.js";

const r = (sl: number, sc: number, el: number, ec: number): LineRange => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

describe("enclosingSymbolRange", () => {
    const method: SymbolNode = { kind: SymbolKind.Method, range: r(2, 4, 6, 5) };
    const field: SymbolNode = { kind: SymbolKind.Field, range: r(1, 4, 1, 20) };
    const klass: SymbolNode = { kind: SymbolKind.Class, range: r(0, 0, 10, 1), children: [field, method] };
    const arrow: SymbolNode = { kind: SymbolKind.Variable, range: r(12, 0, 15, 2) };
    const constant: SymbolNode = { kind: SymbolKind.Constant, range: r(17, 0, 17, 30) };
    const symbols = [klass, arrow, constant];

    it("picks the innermost function-like symbol: the method, not its class", () => {
        assert.deepEqual(enclosingSymbolRange(symbols, { line: 3, character: 8 }), method.range);
    });
    it("falls back to the class outside its methods (a one-line field does not count)", () => {
        assert.deepEqual(enclosingSymbolRange(symbols, { line: 1, character: 10 }), klass.range);
    });
    it("takes a multi-line variable (an arrow function) but not a one-line constant", () => {
        assert.deepEqual(enclosingSymbolRange(symbols, { line: 13, character: 0 }), arrow.range);
        assert.equal(enclosingSymbolRange(symbols, { line: 17, character: 5 }), undefined);
    });
    it("finds nothing between symbols, and takes the smallest of a flat list", () => {
        assert.equal(enclosingSymbolRange(symbols, { line: 11, character: 0 }), undefined);
        const flat: SymbolNode[] = [
            { kind: SymbolKind.Class, range: r(0, 0, 10, 1) },
            { kind: SymbolKind.Function, range: r(2, 0, 4, 1) },
        ];
        assert.deepEqual(enclosingSymbolRange(flat, { line: 3, character: 0 }), r(2, 0, 4, 1));
    });
});

describe("surroundingLines (no symbols)", () => {
    const lines = ["import x", "", "a = 1", "b = 2", "c = 3", "", "", "d = 4"];
    it("takes the paragraph of non-blank lines around the line", () => {
        assert.deepEqual(surroundingLines(lines, 3), r(2, 0, 4, 5));
        assert.deepEqual(surroundingLines(lines, 7), r(7, 0, 7, 5));
    });
    it("takes `radius` lines each way at most", () => {
        const long = Array.from({ length: 100 }, (_, i) => `line ${i}`);
        assert.deepEqual(surroundingLines(long, 50, 15), r(35, 0, 65, 7));
        assert.deepEqual(surroundingLines(long, 2, 15), r(0, 0, 17, 7));
    });
    it("on a blank line takes the lines around it; clamps lines past the end", () => {
        assert.deepEqual(surroundingLines(lines, 5, 2), r(3, 0, 7, 5));
        assert.deepEqual(surroundingLines(lines, 99), r(7, 0, 7, 5));
        assert.deepEqual(surroundingLines([], 0), r(0, 0, 0, 0));
    });
});

describe("diagnosticsText", () => {
    const diagnostics = [
        { range: r(4, 2, 4, 9), severity: 1, message: "'x' is declared\n  but never used.", source: "ts", code: 6133 },
        { range: r(2, 0, 2, 5), severity: 0, message: "Cannot find name 'y'.", source: "ts", code: { value: 2304 } },
        { range: r(3, 0, 3, 1), severity: 2, message: "an info", source: "lint" },
        { range: r(9, 0, 9, 3), severity: 0, message: "outside" },
        { range: r(5, 0, 5, 1), severity: 1, message: "no source" },
    ];
    it("lists errors first, then warnings, overlapping the range, 1-based lines, one line each", () => {
        assert.equal(
            diagnosticsText(diagnostics, r(2, 0, 5, 0)),
            [
                "- line 3: error: Cannot find name 'y'. (ts 2304)",
                "- line 5: warning: 'x' is declared but never used. (ts 6133)",
                "- line 6: warning: no source",
            ].join("\n"),
        );
    });
    it("says so when there are none", () => {
        assert.equal(diagnosticsText(diagnostics, r(7, 0, 8, 0)), NO_DIAGNOSTICS);
        assert.equal(relevantDiagnostics(diagnostics, r(3, 0, 3, 1)).length, 0, "information and hints do not count");
    });
});

describe("prompt files", () => {
    const review = "---\nname: Review\ndescription: Review the code\n---\nReview this {{language}}:\n{{selection}}";
    const explain = "---\nname: explain\n---\nExplain it like I'm five: {{selection}}";

    it("parses each file, reports broken ones with file:line and keeps the rest", () => {
        const { templates, errors } = parsePromptFiles([
            { path: "/w/.codellama/prompts/z-broken.prompt", text: "---\nname: Broken\nmodel: x\n---\nbody" },
            { path: "/w/.codellama/prompts/review.prompt", text: review },
            { path: "/w/.codellama/prompts/typo.prompt", text: "---\nname: Typo\n---\nUse {{selction}}" },
        ]);
        assert.deepEqual(
            templates.map((t) => t.name),
            ["Review"],
        );
        assert.deepEqual(
            errors.map((e) => e.message),
            [
                "/w/.codellama/prompts/typo.prompt:4: unknown placeholder {{selction}} (known: {{selection}}, {{language}}, {{file}}, {{diagnostics}}, {{input}})",
                '/w/.codellama/prompts/z-broken.prompt:3: unknown header key "model" (known: name, description, system)',
            ],
        );
    });

    it("workspace files override user files override the built-ins, by name", () => {
        const user = parsePromptFiles([{ path: "/home/u/.codellama/prompts/explain.prompt", text: explain }]).templates;
        const workspace = parsePromptFiles([{ path: "/w/.codellama/prompts/review.prompt", text: review }]).templates;
        const merged = mergeTemplates(builtinTemplates(), user, workspace);
        assert.deepEqual(
            merged.map((t) => `${t.name} ${templateOrigin(t, "/home/u/.codellama/prompts")}`),
            ["explain user", "Debug built-in", "Review workspace"],
        );
    });

    it("the user folder is ~/.codellama/prompts unless CODELLAMA_PROMPTS_DIR says otherwise", () => {
        assert.equal(userPromptsFolder({}, "/home/u"), path.join("/home/u", ".codellama", "prompts"));
        assert.equal(userPromptsFolder({ CODELLAMA_PROMPTS_DIR: "/p" }, "/home/u"), "/p");
    });
});

describe("PromptTrust", () => {
    it("uses a trusted workspace's files without asking", async () => {
        let asked = 0;
        const trust = new PromptTrust(
            () => true,
            async () => void asked++ as never,
        );
        assert.equal(await trust.allowed(3), true);
        assert.equal(asked, 0);
    });

    it("in an untrusted workspace asks once per session, and only when there are files", async () => {
        const questions: number[] = [];
        let trusted = false;
        const trust = new PromptTrust(
            () => trusted,
            async (count) => {
                questions.push(count);
                return false;
            },
        );
        assert.equal(await trust.allowed(0), false);
        assert.deepEqual(questions, []);
        const [first, second] = await Promise.all([trust.allowed(2), trust.allowed(2)]);
        assert.deepEqual([first, second, await trust.allowed(2)], [false, false, false]);
        assert.deepEqual(questions, [2], "one question for concurrent and later uses");
        trusted = true; // onDidGrantWorkspaceTrust
        trust.reset();
        assert.equal(await trust.allowed(2), true);
    });

    it("a yes counts for the session; a failed question counts as no and is asked again", async () => {
        let answers = [true];
        const yes = new PromptTrust(
            () => false,
            async () => answers.shift()!,
        );
        assert.equal(await yes.allowed(1), true);
        assert.equal(await yes.allowed(1), true);
        let calls = 0;
        const failing = new PromptTrust(
            () => false,
            async () => {
                if (calls++ === 0) throw new Error("dialog failed");
                return true;
            },
        );
        assert.equal(await failing.allowed(1), false);
        assert.equal(await failing.allowed(1), true);
        answers = [];
    });
});

describe("fixReplacement", () => {
    it("re-indents a flush-left answer to where the code sits, keeping the start line's prefix in the document", () => {
        const original = "def add(a, b):\n        return a - b\n";
        const code = "def add(a, b):\n    return a + b\n";
        // The range starts after the 4-space indentation of its line.
        assert.equal(fixReplacement({ original, linePrefix: "    ", code, eol: "\n" }), "def add(a, b):\n        return a + b\n");
    });

    it("keeps an answer already indented like the original; uses the document's line endings", () => {
        const original = "    if (x) {\r\n        y();\r\n    }";
        const code = "    if (x) {\n        z();\n    }\n";
        assert.equal(fixReplacement({ original, linePrefix: "", code, eol: "\r\n" }), "    if (x) {\r\n        z();\r\n    }");
    });

    it("leaves blank lines empty and does not re-indent a range that starts mid-line", () => {
        assert.equal(fixReplacement({ original: "a +  b", linePrefix: "x = ", code: "a + b", eol: "\n" }), "a + b");
        assert.equal(fixReplacement({ original: "\tf()\n\n\tg()", linePrefix: "", code: "f()\n   \ng()", eol: "\n" }), "\tf()\n\n\tg()");
    });

    it("replaceRange splices", () => {
        assert.equal(replaceRange("abcdef", 2, 4, "XY Z"), "abXY Zef");
    });
});
