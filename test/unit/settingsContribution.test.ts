// package.json's `codellama.*` settings (and the docs' table) must say what the server's schema
// says. When this fails: `npm run sync:settings`.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import {
    configurationContribution,
    DOC_FILES,
    orderedSettings,
    PACKAGE_JSON,
    restrictedConfigurations,
    settingsTable,
    syncDoc,
    syncPackageJson,
} from "../../scripts/sync-package-json.js";
import { SETTING_GROUPS, SETTINGS, type SettingSpec } from "../../shared/src/settings.js";

interface Contributed {
    type?: string;
    default?: unknown;
    items?: unknown;
    enum?: unknown[];
    markdownEnumDescriptions?: string[];
    minimum?: number;
    maximum?: number;
    scope?: string;
    description?: string;
    markdownDescription?: string;
}

const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, "utf8")) as {
    contributes: { configuration: { id: string; title: string; order: number; properties: Record<string, Contributed> }[] };
    capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations: string[] } };
};
const contributed: Record<string, Contributed> = Object.assign({}, ...pkg.contributes.configuration.map((category) => category.properties));
const specs = Object.entries(SETTINGS) as [string, SettingSpec][];

describe("package.json settings contribution", () => {
    it("contributes exactly the schema's settings, grouped in the Settings UI's order", () => {
        assert.deepEqual(
            pkg.contributes.configuration.map((category) => category.title),
            ["Model", "Engine", "Completion", "Chat", "Advanced"],
        );
        assert.deepEqual(
            pkg.contributes.configuration.map((category) => category.order),
            [0, 1, 2, 3, 4],
        );
        assert.deepEqual(
            Object.keys(contributed),
            orderedSettings().map(([key]) => `codellama.${key}`),
        );
        assert.deepEqual(Object.keys(contributed).sort(), specs.map(([key]) => `codellama.${key}`).sort());
        for (const category of pkg.contributes.configuration) {
            for (const key of Object.keys(category.properties))
                assert.equal(SETTINGS[key.slice("codellama.".length) as keyof typeof SETTINGS].group, category.title, key);
            assert.deepEqual(
                Object.values(category.properties).map((property) => (property as { order: number }).order),
                Object.keys(category.properties).map((_, index) => index),
            );
        }
    });

    it("keeps the jargon under Advanced, and describes every value of a choice", () => {
        for (const key of [
            "completion.fimFormat",
            "completion.coldPromptMs",
            "completion.reuseCache",
            "completion.prefixShare",
            "completion.suffixShare",
            "completion.extraContextShare",
            "engine.serverSlot",
            "engine.gpuLayers",
        ] as const) {
            assert.equal(SETTINGS[key].group, "Advanced", key);
        }
        assert.ok(
            SETTING_GROUPS.every((group) => specs.some(([, spec]) => spec.group === group)),
            "an empty group",
        );
        for (const [key, spec] of specs) {
            if (spec.type !== "string" || !spec.enum) continue;
            assert.equal(spec.enumDescriptions?.length, spec.enum.length, `codellama.${key}: one description per value`);
            assert.deepEqual(contributed[`codellama.${key}`]?.markdownEnumDescriptions, [...spec.enumDescriptions!]);
        }
    });

    for (const [key, spec] of specs) {
        it(`codellama.${key}: type, default, enum, range, scope and description`, () => {
            const property = contributed[`codellama.${key}`];
            assert.ok(property, "missing from package.json");
            assert.equal(property.type, spec.type);
            assert.deepEqual(property.default, spec.default);
            assert.deepEqual(property.items, spec.type === "array" ? { type: "string" } : undefined);
            assert.deepEqual(property.enum, spec.type === "string" && spec.enum ? [...spec.enum] : undefined);
            assert.equal(property.minimum, spec.type === "integer" || spec.type === "number" ? spec.minimum : undefined);
            assert.equal(property.maximum, spec.type === "integer" || spec.type === "number" ? spec.maximum : undefined);
            assert.equal(property.scope, spec.scope);
            assert.equal(property.markdownDescription ?? property.description, spec.description);
        });
    }

    it("keeps anything that names a file or program to load out of workspace settings", () => {
        for (const key of ["model.path", "model.uri", "model.directory"] as const) assert.equal(SETTINGS[key].scope, "machine", key);
        assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
        assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, restrictedConfigurations());
        assert.ok(restrictedConfigurations().includes("codellama.model.path"));
    });

    it("lets completions be switched per language", () => {
        assert.equal(contributed["codellama.completion.enabled"]?.scope, "language-overridable");
    });

    it("is what scripts/sync-package-json.ts generates (nothing else changed by hand)", () => {
        assert.deepEqual(pkg.contributes.configuration, configurationContribution());
        assert.deepEqual(syncPackageJson(pkg as unknown as Record<string, unknown>), pkg);
    });

    it("drift is detected: a changed default no longer matches", () => {
        const drifted = structuredClone(pkg);
        drifted.contributes.configuration[1]!.properties["codellama.engine.threads"]!.default = 4;
        assert.notDeepEqual(drifted.contributes.configuration, configurationContribution());
    });
});

describe("settings table of the docs", () => {
    const docs = DOC_FILES.filter((file) => fs.existsSync(file) && syncDoc(fs.readFileSync(file, "utf8")) !== undefined);

    it("exists in at least one doc file", () => {
        assert.ok(docs.length > 0, `no settings table markers in ${DOC_FILES.join(", ")}`);
    });

    for (const file of docs) {
        it(`${file} has the current table`, () => {
            const text = fs.readFileSync(file, "utf8");
            assert.equal(syncDoc(text), text);
            for (const [key] of specs) assert.ok(settingsTable().includes(`\`codellama.${key}\``));
        });
    }
});
