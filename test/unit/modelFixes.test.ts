// The VS Code commands offered for each kind of model problem (notification links, status menu).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { commandLink, fixActions } from "../../client/src/modelFixes.js";
import type { ServerStatus } from "../../shared/src/protocol.js";

const problem = (fix: ServerStatus["fix"], more: Partial<ServerStatus> = {}): ServerStatus => ({
    state: "error",
    health: "error",
    message: "x",
    error: "load-failed",
    fix,
    completing: false,
    ...more,
});
const labels = (status: ServerStatus | undefined): string[] => fixActions(status).map((action) => action.label);

describe("fixActions", () => {
    it("offers the download (with its size) and a local file when there is no model", () => {
        assert.deepEqual(labels(problem("approve-download", { downloadBytes: 4_081_095_360 })), ["Download Default Model (4.1 GB)", "Select Model File…"]);
        assert.deepEqual(labels(problem("retry")), ["Download Default Model", "Select Model File…"]);
        assert.deepEqual(labels(problem("go-online")), ["Retry Download", "Select Model File…"]);
    });

    it("offers the matching commands and settings for the other problems", () => {
        assert.deepEqual(labels(problem("choose-model")), ["Select Model File…"]);
        assert.deepEqual(labels(problem("api-key")), ["Set Server API Key"]);
        assert.deepEqual(fixActions(problem("smaller-context")), [
            { label: "Open Settings", icon: "settings-gear", command: "workbench.action.openSettings", args: ["codellama.engine"] },
        ]);
        assert.deepEqual(fixActions(problem("model-uri"))[0]?.args, ["codellama.model.uri"]);
        assert.deepEqual(fixActions(problem("choose-chat-model"))[0]?.args, ["codellama.chat.model"]);
    });

    it("nothing when there is no problem", () => {
        assert.deepEqual(fixActions(undefined), []);
        assert.deepEqual(fixActions({ state: "ready", health: "ok", message: "m", completing: false }), []);
    });
});

describe("commandLink", () => {
    it("writes a notification link that runs the command with its arguments", () => {
        assert.equal(commandLink({ label: "Show Log", icon: "output", command: "codellama.showLogs" }), "[Show Log](command:codellama.showLogs)");
        assert.equal(
            commandLink({ label: "Open Settings", icon: "settings-gear", command: "workbench.action.openSettings", args: ["codellama.engine"] }),
            "[Open Settings](command:workbench.action.openSettings?%5B%22codellama.engine%22%5D)",
        );
    });
});
