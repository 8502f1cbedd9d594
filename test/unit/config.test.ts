import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { changedKeys, defaultConfig, fromDotted, resolveConfig } from "../../server/src/config/resolve.js";
import { DEFAULT_MODEL_URI, SETTINGS } from "../../shared/src/settings.js";

describe("resolveConfig", () => {
    it("starts from the documented defaults", () => {
        const config = defaultConfig();
        assert.equal(config.model.uri, DEFAULT_MODEL_URI);
        assert.equal(config.model.path, "");
        assert.equal(config.engine.gpu, "auto");
        assert.equal(config.completion.fimFormat, "psm-line");
        for (const [key, spec] of Object.entries(SETTINGS)) {
            const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], config);
            assert.deepEqual(value, spec.default, key);
        }
    });
    it("layers later sources over earlier ones", () => {
        const { config, warnings } = resolveConfig({ engine: { threads: 4 } }, { engine: { threads: 1, gpu: "off" } }, { engine: { threads: null } });
        assert.equal(config.engine.threads, 1);
        assert.equal(config.engine.gpu, "off");
        assert.deepEqual(warnings, []);
    });
    it("ignores invalid values with a warning naming the setting", () => {
        const { config, warnings } = resolveConfig({ engine: { gpu: "quantum", contextSize: -5 }, completion: { maxTokens: 1.5, enabled: "yes" } });
        assert.equal(config.engine.gpu, "auto");
        assert.equal(config.engine.contextSize, 0);
        assert.equal(warnings.length, 4);
        assert.match(warnings[0]!, /codellama\.engine\.gpu: ignored "quantum" \(expected one of auto, cuda, vulkan, metal, off\)/);
    });
    it("takes a list of globs for completion.exclude, and nothing else there", () => {
        assert.deepEqual(defaultConfig().completion.exclude, [".env*", "*.pem", "*.key", "id_rsa*", "*.p12", "secrets.*"]);
        assert.deepEqual(resolveConfig({ completion: { exclude: ["*.secret", "config/**"] } }).config.completion.exclude, ["*.secret", "config/**"]);
        assert.deepEqual(resolveConfig({ completion: { exclude: [] } }).config.completion.exclude, []);
        for (const bad of ["*.pem", ["*.pem", 3], { a: 1 }]) {
            const { config, warnings } = resolveConfig({ completion: { exclude: bad } });
            assert.deepEqual(config.completion.exclude, defaultConfig().completion.exclude);
            assert.deepEqual(warnings, [`codellama.completion.exclude: ignored ${JSON.stringify(bad)} (expected a list of strings)`]);
        }
    });
    it("survives inputs that are not objects", () => {
        assert.deepEqual(resolveConfig(null, 42, "x", [1, 2]).config, defaultConfig());
    });
});

describe("changedKeys / fromDotted", () => {
    it("lists the settings that differ", () => {
        const a = defaultConfig();
        const b = resolveConfig(fromDotted({ "model.path": "/m.gguf", "engine.threads": 2, "log.level": undefined })).config;
        assert.deepEqual(changedKeys(a, b), ["model.path", "engine.threads"]);
    });
    it("compares lists by value: the same globs read again are no change", () => {
        const globs = () => resolveConfig({ completion: { exclude: ["*.pem", ".env*"] } }).config;
        assert.deepEqual(changedKeys(globs(), globs()), []);
        assert.deepEqual(changedKeys(globs(), resolveConfig({ completion: { exclude: ["*.pem"] } }).config), ["completion.exclude"]);
    });
});
