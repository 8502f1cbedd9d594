import { type CodeLlamaConfig, SETTINGS, type SettingKey, type SettingSpec } from "../../../shared/src/settings.js";

export interface ResolvedConfig {
    config: CodeLlamaConfig;
    /** One line per value that was ignored, for the log and the user. */
    warnings: string[];
}

function getPath(source: unknown, key: string): unknown {
    let node = source;
    for (const part of key.split(".")) {
        if (node === null || typeof node !== "object") return undefined;
        node = (node as Record<string, unknown>)[part];
    }
    return node;
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
    const parts = key.split(".");
    let node = target;
    for (const part of parts.slice(0, -1)) {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]!] = value;
}

/** Returns an error message, or undefined when `value` is valid for `spec`. */
function validate(spec: SettingSpec, value: unknown): string | undefined {
    switch (spec.type) {
        case "boolean":
            return typeof value === "boolean" ? undefined : "expected true or false";
        case "string":
            if (typeof value !== "string") return "expected a string";
            if (spec.enum && !spec.enum.includes(value)) return `expected one of ${spec.enum.join(", ")}`;
            return undefined;
        case "array":
            return Array.isArray(value) && value.every((item) => typeof item === "string") ? undefined : "expected a list of strings";
        case "integer":
        case "number": {
            if (typeof value !== "number" || !Number.isFinite(value)) return "expected a number";
            if (spec.type === "integer" && !Number.isInteger(value)) return "expected an integer";
            if (spec.minimum !== undefined && value < spec.minimum) return `expected at least ${spec.minimum}`;
            if (spec.maximum !== undefined && value > spec.maximum) return `expected at most ${spec.maximum}`;
            return undefined;
        }
    }
}

export function defaultConfig(): CodeLlamaConfig {
    return resolveConfig().config;
}

/**
 * Layers partial configurations (later ones win) over the defaults. Invalid or unknown-typed values
 * are dropped with a warning rather than failing: a typo in one setting must not stop completions.
 * `null` and `undefined` mean "not set".
 */
export function resolveConfig(...layers: unknown[]): ResolvedConfig {
    const config: Record<string, unknown> = {};
    const warnings: string[] = [];
    for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, SettingSpec][]) {
        let value: unknown = spec.default;
        for (const layer of layers) {
            const candidate = getPath(layer, key);
            if (candidate === undefined || candidate === null) continue;
            const problem = validate(spec, candidate);
            if (problem) warnings.push(`codellama.${key}: ignored ${JSON.stringify(candidate)} (${problem})`);
            else value = candidate;
        }
        setPath(config, key, value);
    }
    return { config: config as unknown as CodeLlamaConfig, warnings };
}

/** The keys whose values differ between two configurations, e.g. to decide whether to reload the model. */
export function changedKeys(a: CodeLlamaConfig, b: CodeLlamaConfig): SettingKey[] {
    // Values are JSON (lists of globs among them): equal lists read afresh are not a change.
    return (Object.keys(SETTINGS) as SettingKey[]).filter((key) => JSON.stringify(getPath(a, key)) !== JSON.stringify(getPath(b, key)));
}

/** Turns dotted keys (`{"engine.threads": 1}`) into the nested shape. */
export function fromDotted(values: Record<string, unknown>): Record<string, unknown> {
    const nested: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) if (value !== undefined) setPath(nested, key, value);
    return nested;
}
