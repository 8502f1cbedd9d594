import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { COMMANDS, SERVER_COMMANDS } from "../../shared/src/commands.js";

const manifest = JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    contributes: { commands: { command: string }[]; menus: Record<string, { command?: string }[]>; keybindings: { command: string }[] };
};

describe("command ids", () => {
    it("are contributed in package.json exactly as shared/src/commands.ts lists them", () => {
        assert.deepEqual(manifest.contributes.commands.map((entry) => entry.command).sort(), Object.values(COMMANDS).sort());
    });
    it("menus and keybindings name only listed commands (or VS Code's own)", () => {
        // Submenu entries name a submenu, not a command.
        const used = [...Object.values(manifest.contributes.menus).flat(), ...manifest.contributes.keybindings].flatMap((entry) =>
            entry.command?.startsWith("codellama.") ? [entry.command] : [],
        );
        const known = new Set<string>(Object.values(COMMANDS));
        assert.deepEqual(
            used.filter((id) => !known.has(id)),
            [],
        );
    });
    it("keeps the language server's commands apart from the extension's", () => {
        const extension = new Set<string>(Object.values(COMMANDS));
        assert.deepEqual(
            Object.values(SERVER_COMMANDS).filter((id) => extension.has(id)),
            [],
        );
    });
});
