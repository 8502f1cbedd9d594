import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { builtinTemplates } from "../../shared/src/prompts/builtin.js";
import { mergeTemplates, PromptFileError, parsePromptFile, placeholdersOf, renderPrompt } from "../../shared/src/prompts/template.js";

const FILE = `---
name: Add tests
description: Write unit tests
system: "You write {{language}} tests."
---
Write tests for this code from {{file}}:
{{selection}}
Focus on: {{ input }}
`;

describe("prompt files", () => {
    it("parse header and body", () => {
        const template = parsePromptFile(FILE, "tests.prompt");
        assert.deepEqual(template, {
            name: "Add tests",
            description: "Write unit tests",
            system: "You write {{language}} tests.",
            body: "Write tests for this code from {{file}}:\n{{selection}}\nFocus on: {{ input }}",
            source: "tests.prompt",
        });
        assert.deepEqual(placeholdersOf(template), ["selection", "language", "file", "input"]);
    });
    it("render placeholders into chat messages", () => {
        const messages = renderPrompt(parsePromptFile(FILE, "t.prompt"), { language: "python", file: "a.py", selection: "def f(): pass", input: "edge cases" });
        assert.deepEqual(messages, [
            { role: "system", content: "You write python tests." },
            { role: "user", content: "Write tests for this code from a.py:\ndef f(): pass\nFocus on: edge cases" },
        ]);
    });
    it("name the file and line of a mistake", () => {
        const cases: [string, RegExp][] = [
            ["name: x\n---\nbody", /x\.prompt:1: a prompt file starts with/],
            ["---\nname: x\nbody", /:3: the header is not closed/],
            ["---\ndescription: d\n---\nbody", /:1: the header needs a name/],
            ["---\nname: x\ncolor: red\n---\nbody", /:3: unknown header key "color"/],
            ["---\nname: x\njust text\n---\nbody", /:3: expected "key: value"/],
            ["---\nname: x\n---\n", /:4: the prompt body is empty/],
            ["---\nname: x\n---\nhello {{selectoin}}", /:4: unknown placeholder \{\{selectoin\}\}/],
        ];
        for (const [text, message] of cases) {
            assert.throws(
                () => parsePromptFile(text, "x.prompt"),
                (error: unknown) => error instanceof PromptFileError && message.test(error.message),
                text,
            );
        }
    });
    it("built-in Explain and Debug are templates a user file overrides by name", () => {
        const builtins = builtinTemplates();
        assert.deepEqual(
            builtins.map((t) => t.name),
            ["Explain", "Debug"],
        );
        assert.deepEqual(placeholdersOf(builtins[1]!), ["selection", "language", "file", "diagnostics"]);
        const mine = parsePromptFile("---\nname: explain\n---\nMy way: {{selection}}", "mine.prompt");
        const merged = mergeTemplates(builtins, [mine]);
        assert.deepEqual(
            merged.map((t) => t.source),
            ["mine.prompt", "built-in"],
        );
    });
});
