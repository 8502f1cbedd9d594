// Drives the workbench like a person (playwright-core on code-server's VS Code, see test/e2e/rig/):
// the first-run notification, picking the model file, the status bar, typing, ghost text, the
// keybindings (Escape, Alt+\, Ctrl+Right, Tab), saving; two models (status, completion, chat). Saves screenshots under .test-output/e2e/ui/.
//   node --import tsx --test test/e2e/ui.test.ts
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { ensureTinyModel, FIM_ANSWER } from "../../tools/tinyCodellama/index.js";
import { buildExtension, E2E_OUT, e2eSkipReason, extensionSettings, makeWorkspace } from "./extensionEnv.js";
import { REPO_ROOT } from "./rig/buildSuite.js";
import { startWorkbench, type Workbench } from "./rig/uiDriver.js";
import { assistantTexts, chatFrame, ghostText } from "./workbenchViews.js";

const SHOTS = path.join(E2E_OUT, "ui");
const SOURCE = "function add(a, b) {\n\n}\n";

describe("Code Llama in the VS Code workbench, like a person", { skip: e2eSkipReason() }, () => {
    let model: string;
    let workspace: string;
    before(async () => {
        buildExtension();
        model = await ensureTinyModel();
        workspace = makeWorkspace({ "add.js": SOURCE });
        fs.rmSync(SHOTS, { recursive: true, force: true });
        fs.mkdirSync(SHOTS, { recursive: true });
    });
    after(() => fs.rmSync(workspace, { recursive: true, force: true }));

    test("first run: pick the model, type, see the ghost text, accept with Tab, save", { timeout: 240_000 }, async () => {
        const { "codellama.model.path": _path, "codellama.log.level": level, ...machine } = extensionSettings(model);
        const wb = await startWorkbench({ workspace, extensionDevelopmentPath: REPO_ROOT, userSettings: { "codellama.log.level": level } });
        const statusItem = wb.page.locator(".statusbar-item", { hasText: "Code Llama" }).first();
        try {
            writeMachineSettings(wb, machine);

            // No model yet: the status bar item is a call to action, and a notification offers the two
            // ways out, naming the download's size.
            await wb.waitForNotification("Code Llama needs a model", 90_000);
            await statusItem.filter({ hasText: "Set Up Model" }).waitFor({ timeout: 10_000 });
            await settle();
            await wb.screenshot(path.join(SHOTS, "1-first-run.png"));
            // One prompt, the extension's: the server leaves the UI to a client that shows its status.
            const toasts = (await wb.notifications()).filter((text) => text.includes("Code Llama"));
            assert.equal(toasts.length, 1, `expected one notification, got: ${toasts.join(" | ")}`);
            assert.match(toasts[0]!, /codellama-7b-instruct\.Q4_K_M\.gguf \(4\.1 GB\)/);
            const offer = wb.page.locator(".notifications-toasts .notification-list-item", { hasText: "Code Llama needs a model" });
            await offer.getByRole("button", { name: "Download (4.1 GB)" }).waitFor({ timeout: 10_000 });
            await offer.getByRole("button", { name: "Select Model File…" }).click();

            // VS Code's file dialog (a quick input in code-server): type the path, Enter.
            const pathInput = wb.page.locator(".quick-input-widget input");
            await pathInput.waitFor({ state: "visible", timeout: 60_000 });
            // The dialog fills in its start folder a moment after it opens: retype until the path holds.
            const folder = `${path.dirname(model)}/`;
            for (let attempt = 0; attempt < 20 && (await pathInput.inputValue()) !== folder; attempt++) {
                await pathInput.fill(folder);
                await new Promise((resolve) => setTimeout(resolve, 500));
            }
            // Typing the name filters the list: the folder may hold more models than the list shows.
            await wb.page.keyboard.type(path.basename(model), { delay: 10 });
            const modelRow = wb.page.locator(".quick-input-list .monaco-list-row", { hasText: path.basename(model) });
            await modelRow.first().waitFor({ timeout: 60_000 });
            await wb.page.keyboard.press("Enter");
            await pathInput.waitFor({ state: "hidden", timeout: 60_000 });

            // The server loads it: the status bar names the model and the device.
            await statusItem.filter({ hasText: "(CPU)" }).waitFor({ timeout: 60_000 });
            assert.match(await statusItem.innerText(), /Code Llama: tiny-codellama.* \(CPU\)/);

            // The status bar item's menu.
            await statusItem.click();
            const menu = wb.page.locator(".quick-input-list .monaco-list-row");
            await menu.filter({ hasText: "Select Model File…" }).waitFor({ timeout: 10_000 });
            const entries = await menu.allInnerTexts();
            for (const entry of ["Select Model…", "Disable Completions", "Show Log", "Restart Server"])
                assert.ok(
                    entries.some((e) => e.includes(entry)),
                    `menu lacks ${entry}: ${entries.join(" | ")}`,
                );
            // The menu's title names the product once.
            assert.match(await wb.page.locator(".quick-input-title").innerText(), /^Code Llama: tiny-codellama\S* on CPU$/);
            await wb.page.keyboard.press("Escape");

            await typeBodyIndentation(wb);

            // Escape dismisses it, Alt+\ asks again.
            await wb.page.keyboard.press("Escape");
            await waitUntil(async () => !(await wb.hasGhostText()), "ghost text hidden after Escape");
            await wb.page.keyboard.press("Alt+Backslash");
            await waitUntil(
                async () => (await ghostText(wb)) === FIM_ANSWER,
                "ghost text after Alt+\\",
                30_000,
                () => ghostText(wb),
            );
            await wb.screenshot(path.join(SHOTS, "2-ghost-text.png"));

            // Ctrl+Right takes one word, Tab the rest.
            await wb.page.keyboard.press("Control+ArrowRight");
            await waitUntil(async () => (await wb.editorText()).includes("    return"), "first word accepted");
            assert.equal((await ghostText(wb)).trim(), FIM_ANSWER.slice("return".length).trim());
            await wb.page.keyboard.press("Tab");
            await waitUntil(async () => (await wb.editorText()).includes(`    ${FIM_ANSWER}`), "suggestion accepted");
            assert.equal(await wb.hasGhostText(), false);
            await wb.screenshot(path.join(SHOTS, "3-accepted.png"));
            await wb.save();
            assert.equal(fs.readFileSync(path.join(workspace, "add.js"), "utf8"), `function add(a, b) {\n    ${FIM_ANSWER}\n}\n`);

            // The statistics count what was done with VS Code's own keys: Escape, Ctrl+Right, Tab.
            await wb.runCommand("Code Llama: Show Statistics");
            const counts = await statisticsCounts(wb);
            await wb.screenshot(path.join(SHOTS, "7-statistics.png"));
            assert.equal(counts.accepted, 1, JSON.stringify(counts));
            assert.equal(counts.partiallyAccepted, 1, JSON.stringify(counts));
            assert.ok(counts.dismissed >= 1, `Escape: ${JSON.stringify(counts)}`);
            assert.ok(counts.shown >= counts.accepted + counts.dismissed, JSON.stringify(counts));
        } catch (error) {
            await wb.screenshot(path.join(SHOTS, "failure.png")).catch(() => undefined);
            throw error;
        } finally {
            await wb.stop();
        }
        for (const shot of ["1-first-run.png", "2-ghost-text.png", "3-accepted.png"]) {
            assert.ok(fs.statSync(path.join(SHOTS, shot)).size > 10_000, `${shot} looks empty`);
        }
    });

    test("two models: the status shows both; completion from one, chat from the other", { timeout: 300_000 }, async () => {
        // The chat model answers only an Instruct prompt, with its own text, and is named as Code Llama 34B Instruct.
        const chatModel = await ensureTinyModel({
            name: "chat-34b",
            identity: { name: "CodeLlama 34B Instruct", sizeLabel: "34B", finetune: "Instruct" },
            scripts: [{ name: "instruct", after: "]", answer: " XYZ.", end: "eos" }],
        });
        const twoModels = makeWorkspace({ "add.js": SOURCE });
        const wb = await startWorkbench({ workspace: twoModels, extensionDevelopmentPath: REPO_ROOT });
        const statusItem = wb.page.locator(".statusbar-item", { hasText: "Code Llama" }).first();
        try {
            writeMachineSettings(wb, extensionSettings(model, { "codellama.chat.model.path": chatModel }));
            await statusItem.filter({ hasText: "(CPU)" }).waitFor({ timeout: 90_000 });
            assert.match(await statusItem.innerText(), /Code Llama: tiny-codellama.* \(CPU\)/);

            // The tooltip names both models, each with its role and device.
            const tooltip = wb.page.locator(".workbench-hover, .monaco-hover").filter({ hasText: "Chat: CodeLlama 34B Instruct (CPU)" });
            await waitUntil(
                async () => {
                    await statusItem.hover();
                    return tooltip
                        .first()
                        .isVisible({ timeout: 2_000 })
                        .catch(() => false);
                },
                "the tooltip with the chat model",
                60_000,
            );
            await wb.screenshot(path.join(SHOTS, "8-two-models-status.png"));
            await wb.page.mouse.move(10, 10);

            // Completion comes from the completion model...
            await typeBodyIndentation(wb);
            await wb.screenshot(path.join(SHOTS, "9-two-models-completion.png"));
            await wb.page.keyboard.press("Escape");

            // ...and chat from the chat model.
            await wb.runCommand("Code Llama: Open Chat");
            const frame = await chatFrame(wb);
            const input = frame.locator("#input");
            await input.waitFor({ timeout: 15_000 });
            await input.click();
            await wb.page.keyboard.type("Write add(a, b)");
            await wb.page.keyboard.press("Enter");
            await waitUntil(
                async () => (await assistantTexts(frame)).includes("XYZ."),
                "the chat model's answer",
                60_000,
                () => assistantTexts(frame),
            );
            await wb.screenshot(path.join(SHOTS, "10-two-models-chat.png"));
        } catch (error) {
            await wb.screenshot(path.join(SHOTS, "failure-two-models.png")).catch(() => undefined);
            throw error;
        } finally {
            await wb.stop();
            fs.rmSync(twoModels, { recursive: true, force: true });
        }
    });

    test("a model that cannot be used: a notification with the fixes, closed once fixed; the status item opens the menu", { timeout: 240_000 }, async () => {
        const { "codellama.model.path": _path, "codellama.log.level": level, ...machine } = extensionSettings(model);
        const missing = path.join(workspace, "no-such-model.gguf");
        const wb = await startWorkbench({ workspace, extensionDevelopmentPath: REPO_ROOT, userSettings: { "codellama.log.level": level } });
        const statusItem = wb.page.locator(".statusbar-item", { hasText: "Code Llama" }).first();
        const writeModelPath = (modelPath: string): void => writeMachineSettings(wb, { ...machine, "codellama.model.path": modelPath });
        try {
            writeModelPath(missing);
            const notice = wb.page.locator(".notifications-toasts .notification-list-item", { hasText: "Model file not found" });
            await notice.waitFor({ timeout: 90_000 });
            await statusItem.filter({ hasText: "error" }).waitFor({ timeout: 10_000 });
            await settle();
            await wb.screenshot(path.join(SHOTS, "4-model-not-found.png"));
            // In VS Code's words: its commands and settings, no CLI flags, no Markdown backticks.
            const text = await notice.locator(".notification-list-item-message").innerText();
            assert.match(text, /Model file not found: .*no-such-model\.gguf\. Select another GGUF model file \("Code Llama: Select Model File…"\)\./);
            assert.doesNotMatch(text, /`|--model|\(CLI\)|codellama\/downloadModel/);
            assert.deepEqual(await notice.locator(".notification-list-item-message a").allInnerTexts(), ["Select Model File…", "Show Log"]);
            // The links run the extension's commands: this one opens the file dialog.
            await notice.locator(".notification-list-item-message a", { hasText: "Select Model File…" }).click();
            await wb.page.locator(".quick-input-widget input").waitFor({ state: "visible", timeout: 30_000 });
            await wb.page.keyboard.press("Escape");
            await wb.page.locator(".quick-input-widget input").waitFor({ state: "hidden", timeout: 10_000 });

            // The status item opens the menu, with the fix and the log.
            await statusItem.click();
            const menu = wb.page.locator(".quick-input-list .monaco-list-row");
            await menu.filter({ hasText: "Show Log" }).waitFor({ timeout: 10_000 });
            const entries = await menu.allInnerTexts();
            assert.ok(entries[0]?.includes("Select Model File…"), `the fix first: ${entries.join(" | ")}`);
            assert.match(await wb.page.locator(".quick-input-title").innerText(), /^Code Llama: Model file not found: .*no-such-model\.gguf\.$/);
            await wb.screenshot(path.join(SHOTS, "5-error-menu.png"));
            await wb.page.keyboard.press("Escape");

            // Fixed in the settings: the model loads and the notification goes by itself.
            writeModelPath(model);
            await statusItem.filter({ hasText: "(CPU)" }).waitFor({ timeout: 60_000 });
            await notice.waitFor({ state: "detached", timeout: 10_000 });
            await wb.screenshot(path.join(SHOTS, "6-fixed.png"));
        } catch (error) {
            await wb.screenshot(path.join(SHOTS, "failure-broken-model.png")).catch(() => undefined);
            throw error;
        } finally {
            await wb.stop();
        }
    });
});

/** The user's counts on the statistics preview (a webview frame). */
async function statisticsCounts(wb: Workbench): Promise<{ shown: number; accepted: number; partiallyAccepted: number; dismissed: number }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
        for (const frame of wb.page.frames()) {
            const text = await frame
                .locator("body")
                .innerText()
                .catch(() => "");
            if (!text.includes("Your suggestions since")) continue;
            const count = (label: RegExp): number => Number(label.exec(text)?.[1] ?? NaN);
            return {
                shown: count(/^shown\s+(\d+)/m),
                accepted: count(/^accepted \(Tab\)\s+(\d+)/m),
                partiallyAccepted: count(/^partially accepted[^\n]*?\s(\d+)\s*$/m),
                dismissed: count(/^dismissed[^\n]*?\)\s+(\d+)/m),
            };
        }
        if (Date.now() > deadline) throw new Error("no statistics preview");
        await new Promise((resolve) => setTimeout(resolve, 200));
    }
}

/**
 * Engine settings are machine-scoped: in code-server (a remote window) they live in the remote user
 * settings, <user-data-dir>/Machine/settings.json.
 */
function writeMachineSettings(wb: Workbench, settings: Record<string, unknown>): void {
    const file = path.join(wb.runDir, "user-data", "Machine", "settings.json");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

/** Opens add.js and types its body's indentation: the model's answer shows as ghost text. */
async function typeBodyIndentation(wb: Workbench): Promise<void> {
    await wb.openFile("add.js");
    await wb.typeInEditor("");
    await wb.page.keyboard.press("Control+Home");
    await wb.page.keyboard.press("ArrowDown");
    await wb.page.keyboard.type("    ", { delay: 80 });
    await waitUntil(
        async () => (await ghostText(wb)) === FIM_ANSWER,
        "ghost text",
        30_000,
        () => ghostText(wb),
    );
}

/** Lets a notification finish sliding in before a screenshot. */
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1_000));

async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000, last?: () => Promise<unknown>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}${last ? ` (last: ${JSON.stringify(await last())})` : ""}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}
