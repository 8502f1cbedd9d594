// package.json's menus, keybindings and command names: what a user meets in the editor.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { PACKAGE_JSON } from "../../scripts/sync-package-json.js";

interface MenuEntry {
    command?: string;
    submenu?: string;
    group?: string;
    when?: string;
}
const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, "utf8")) as {
    contributes: {
        commands: { command: string; title: string }[];
        menus: Record<string, MenuEntry[]>;
        submenus: { id: string; label: string }[];
        keybindings: { command: string; key: string; mac?: string; when?: string }[];
    };
};
const { commands, menus, submenus, keybindings } = pkg.contributes;
const title = (command: string): string | undefined => commands.find((entry) => entry.command === command)?.title;

describe("package.json contributions", () => {
    it("Explain, Debug and Run Prompt… are in a Code Llama submenu of the editor context menu", () => {
        assert.deepEqual(menus["editor/context"], [{ submenu: "codellama.editorContext", group: "1_codellama@1" }]);
        assert.deepEqual(submenus, [{ id: "codellama.editorContext", label: "Code Llama" }]);
        assert.deepEqual(
            menus["codellama.editorContext"]!.map((entry) => title(entry.command!)),
            ["Explain", "Debug", "Run Prompt…"],
        );
    });

    it("Ctrl+Right keeps VS Code's own guard, so a screen reader user keeps moving by word", () => {
        const binding = keybindings.find((entry) => entry.key === "ctrl+right");
        assert.equal(binding?.command, "editor.action.inlineSuggest.acceptNextWord");
        const conditions = binding!.when!.split("&&").map((part) => part.trim());
        for (const condition of ["inlineSuggestionVisible", "!editorReadonly", "!accessibilityModeEnabled"])
            assert.ok(conditions.includes(condition), `${binding!.when} lacks ${condition}`);
    });

    it("Escape hides a suggestion through the command that counts the dismissal; Tab stays VS Code's", () => {
        assert.deepEqual(
            keybindings.find((entry) => entry.key === "escape"),
            { command: "codellama.dismissSuggestion", key: "escape", when: "inlineSuggestionVisible && editorTextFocus" },
        );
        assert.equal(
            keybindings.some((entry) => entry.key === "tab"),
            false,
        );
    });

    it("one name for each fix action, and Show Log", () => {
        assert.equal(title("codellama.acceptFix"), "Apply Fix");
        assert.equal(title("codellama.discardFix"), "Discard Fix");
        assert.equal(title("codellama.showLogs"), "Show Log");
    });
});
