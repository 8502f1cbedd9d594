// package.json's `codellama.*` settings (and the docs' table) must say what the server's schema
// says. When this fails: `npm run sync:settings`.
import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { SETTINGS, type SettingSpec } from "../../shared/src/settings.js";
import {
    configurationContribution,
    DOC_FILES,
    PACKAGE_JSON,
    restrictedConfigurations,
    settingsTable,
    syncDoc,
    syncPackageJson,
} from "../../scripts/sync-package-json.js";

interface Contributed {
    type?: string;
    default?: unknown;
    enum?: unknown[];
    minimum?: number;
    maximum?: number;
    scope?: string;
    description?: string;
    markdownDescription?: string;
}

const pkg = JSON.parse(fs.readFileSync(PACKAGE_JSON, "utf8")) as {
    contributes: { configuration: { properties: Record<string, Contributed> } };
    capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations: string[] } };
};
const contributed = pkg.contributes.configuration.properties;
const specs = Object.entries(SETTINGS) as [string, SettingSpec][];

describe("package.json settings contribution", () => {
    it("contributes exactly the schema's settings, in order", () => {
        assert.deepEqual(Object.keys(contributed), specs.map(([key]) => `codellama.${key}`));
    });

    for (const [key, spec] of specs) {
        it(`codellama.${key}: type, default, enum, range, scope and description`, () => {
            const property = contributed[`codellama.${key}`];
            assert.ok(property, "missing from package.json");
            assert.equal(property.type, spec.type);
            assert.deepEqual(property.default, spec.default);
            assert.deepEqual(property.enum, spec.type === "string" && spec.enum ? [...spec.enum] : undefined);
            assert.equal(property.minimum, spec.type !== "string" && spec.type !== "boolean" ? spec.minimum : undefined);
            assert.equal(property.maximum, spec.type !== "string" && spec.type !== "boolean" ? spec.maximum : undefined);
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
        drifted.contributes.configuration.properties["codellama.engine.threads"]!.default = 4;
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
