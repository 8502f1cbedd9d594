// The chat panel in the VS Code workbench, driven like a person (playwright-core on code-server, see
// test/e2e/rig/): open the panel, type (Shift+Enter, Enter), see the streamed scripted answer; the
// XSS corpus (test/fixtures/xssCorpus.ts) answered by generated models renders inert in the
// webview; the Content-Security-Policy blocks inline script; the history survives a window reload.
// Screenshots go to .test-output/e2e/chat-ui/.
//   node --import tsx --test test/e2e/chatUi.test.ts
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import * as esbuild from "esbuild";
import type { Frame } from "playwright-core";
import { ensureTinyModel, INSTRUCT_CHAT_ANSWER } from "../../tools/tinyCodellama/index.js";
import { visibleMarker } from "../fixtures/xssCorpus.js";
import { ensureXssModels, type XssModel } from "../fixtures/xssModels.js";
import { buildExtension, E2E_OUT, e2eSkipReason, extensionSettings, makeWorkspace } from "./extensionEnv.js";
import { REPO_ROOT } from "./rig/buildSuite.js";
import { startWorkbench } from "./rig/uiDriver.js";
import { assistantTexts, chatFrame, sleep, waitUntil } from "./workbenchViews.js";

const SHOTS = path.join(E2E_OUT, "chat-ui");
/** Wider than the panel: its code block must wrap it, not cut it off. */
const LONG_LINE = "return a + b; // the sum of the two numbers given, in a line much longer than the chat panel is wide";
const EXTENSION_COPY = path.join(E2E_OUT, "chat-ui-extension");

/**
 * The extension under test plus the test-only driver command (test/e2e/chat/driver/driver.ts): the
 * web workbench loads a single development extension, so this is a folder with the repository's
 * manifest (main: the driver, which activates dist/extension.cjs) and links to its dist/, media/,
 * syntaxes/ and node_modules/.
 */
async function buildExtensionCopy(): Promise<void> {
    fs.rmSync(EXTENSION_COPY, { recursive: true, force: true });
    fs.mkdirSync(EXTENSION_COPY, { recursive: true });
    await esbuild.build({
        entryPoints: [path.join(REPO_ROOT, "test/e2e/chat/driver/driver.ts")],
        outfile: path.join(EXTENSION_COPY, "driver.cjs"),
        bundle: true,
        platform: "node",
        format: "cjs",
        target: "node20",
        external: ["vscode"],
        logLevel: "warning",
    });
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8"));
    manifest.main = "./driver.cjs";
    manifest.contributes.commands.push({ command: "codellamaTest.askXssModels", title: "Code Llama Test: Ask the XSS Models" });
    fs.writeFileSync(path.join(EXTENSION_COPY, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const name of ["dist", "media", "syntaxes", "node_modules"]) fs.symlinkSync(path.join(REPO_ROOT, name), path.join(EXTENSION_COPY, name));
}

/** What must never be in the rendered conversation, and the canaries a payload would have set. */
function inspectWebview(
    frame: Frame,
): Promise<{ problems: string[]; text: string; xss: unknown; topXss: unknown; title: string; csp: string; violations: string }> {
    return frame.evaluate(() => {
        const FORBIDDEN = new Set([
            "SCRIPT",
            "IFRAME",
            "OBJECT",
            "EMBED",
            "SVG",
            "MATH",
            "STYLE",
            "LINK",
            "META",
            "BASE",
            "IMG",
            "VIDEO",
            "AUDIO",
            "FORM",
            "INPUT",
            "TEXTAREA",
            "SELECT",
            "DETAILS",
            "MARQUEE",
            "NOSCRIPT",
            "TEMPLATE",
            "FRAME",
        ]);
        const root = document.getElementById("messages")!;
        const problems: string[] = [];
        for (const element of Array.from(root.querySelectorAll("*"))) {
            if (FORBIDDEN.has(element.tagName.toUpperCase())) problems.push(`<${element.tagName.toLowerCase()}>`);
            for (const attribute of Array.from(element.attributes)) {
                if (/^on/i.test(attribute.name) || attribute.name === "style" || attribute.name === "srcdoc")
                    problems.push(`${element.tagName} ${attribute.name}`);
                if (["href", "src", "action", "formaction", "data", "xlink:href"].includes(attribute.name) && !/^(?:https?:|mailto:)/i.test(attribute.value)) {
                    problems.push(`${element.tagName} ${attribute.name}=${attribute.value}`);
                }
            }
        }
        let topXss: unknown;
        try {
            topXss = (window.top as unknown as { __xss?: unknown }).__xss;
        } catch {
            topXss = "(cross-origin)";
        }
        return {
            problems,
            text: root.textContent ?? "",
            xss: (window as unknown as { __xss?: unknown }).__xss,
            topXss,
            title: document.title,
            csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content") ?? "",
            violations: document.body.dataset.cspViolations ?? "0",
        };
    });
}

describe("the chat panel in the VS Code workbench", { skip: e2eSkipReason() }, () => {
    let model: string;
    let xssModels: XssModel[];
    let workspace: string;
    before(async () => {
        buildExtension();
        await buildExtensionCopy();
        [model, xssModels] = await Promise.all([ensureTinyModel(), ensureXssModels()]);
        workspace = makeWorkspace({ "add.js": `function add(a, b) {\n    ${LONG_LINE}\n}\n` });
        fs.mkdirSync(SHOTS, { recursive: true });
    });
    after(() => fs.rmSync(workspace, { recursive: true, force: true }));

    test("ask and see the streamed answer; the XSS corpus renders inert; the history survives a reload", { timeout: 400_000 }, async () => {
        const driverOut = path.join(SHOTS, "xss-results.json");
        fs.rmSync(driverOut, { force: true });
        const wb = await startWorkbench({
            workspace,
            extensionDevelopmentPath: EXTENSION_COPY,
            env: {
                CODELLAMA_E2E_SETTINGS: JSON.stringify(extensionSettings(model, { "codellama.log.level": "info" })),
                CODELLAMA_E2E_XSS: JSON.stringify(xssModels.map(({ path: file, answer }) => ({ path: file, answer }))),
                CODELLAMA_E2E_DRIVER_OUT: driverOut,
            },
        });
        const dialogs: string[] = [];
        wb.page.on("dialog", (dialog) => {
            dialogs.push(`${dialog.type()}: ${dialog.message()}`);
            void dialog.dismiss();
        });
        const timings: Record<string, number> = {};
        let mark = Date.now();
        const lap = (name: string): void => {
            timings[name] = Date.now() - mark;
            mark = Date.now();
        };
        try {
            await wb.page.locator(".statusbar-item", { hasText: "(CPU)" }).first().waitFor({ timeout: 90_000 });
            lap("ready");

            // --- Ask like a person: Shift+Enter makes a new line, Enter sends. ---
            await wb.runCommand("Code Llama: Open Chat");
            let frame = await chatFrame(wb);
            const input = frame.locator("#input");
            await input.waitFor({ timeout: 15_000 });
            await frame.evaluate(() => {
                // Records every state an answer goes through (a fast answer streams within milliseconds).
                const seen: string[] = [];
                (window as unknown as { __seen: string[] }).__seen = seen;
                new MutationObserver(() => {
                    for (const turn of Array.from(document.querySelectorAll(".turn-assistant"))) seen.push(turn.className);
                }).observe(document.getElementById("messages")!, { childList: true, subtree: true });
            });
            await input.click();
            await wb.page.keyboard.type("line one");
            await wb.page.keyboard.press("Shift+Enter");
            await wb.page.keyboard.type("line two");
            assert.equal(await input.inputValue(), "line one\nline two");
            await input.fill("");
            await wb.page.keyboard.type("Hello there");
            await wb.page.keyboard.press("Enter");
            await waitUntil("the answer", async () => (await assistantTexts(frame)).includes(INSTRUCT_CHAT_ANSWER));
            assert.equal(await input.inputValue(), "", "the input is cleared after sending");
            const seen = await frame.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
            assert.ok(
                seen.some((name) => name.includes("status-streaming")),
                `never saw the answer streaming: ${seen.join(", ")}`,
            );
            assert.equal(await frame.locator(".turn-user .markdown-body").first().innerText(), "Hello there");
            assert.equal(await frame.locator("#chat-title").innerText(), "Hello there");
            const before = await inspectWebview(frame);
            await wb.screenshot(path.join(SHOTS, "1-answer.png"));
            lap("first answer");

            // --- Explain on a selection, from the palette: the question's code block gets its toolbar. ---
            await wb.openFile("add.js");
            await wb.typeInEditor("");
            await wb.page.keyboard.press("Control+A");
            await wb.runCommand("Code Llama: Explain");
            frame = await chatFrame(wb);
            await waitUntil(
                "the Explain answer",
                async () =>
                    (await frame.locator("#chat-title").innerText()) === "Explain: add.js" && (await assistantTexts(frame)).includes(INSTRUCT_CHAT_ANSWER),
            );
            // The question shows as a title and the code; the instructions to the model are folded away.
            const question = frame.locator(".turn-user").last();
            assert.equal(await question.locator(".request-title").innerText(), "Explain add.js, lines 1–3");
            assert.equal(await question.locator(".full-prompt").isVisible(), false);
            assert.doesNotMatch(await question.innerText(), /```|step by step/);
            const block = question.locator(".code-block").first();
            assert.equal(await block.locator(".code-language").innerText(), "javascript");
            assert.ok((await block.locator(".hljs-keyword").count()) > 0, "the code is not highlighted");
            // The user's own code is only copied: no Insert, no Replace selection.
            assert.deepEqual(await block.locator(".code-toolbar button").allInnerTexts(), ["Copy"]);
            // A line wider than the panel wraps inside its block instead of being cut off at the edge.
            // Measured until the webview has laid the block out (it re-renders the turn while the answer streams in).
            const measure = () =>
                block.locator("pre").evaluate((pre) => ({
                    hidden: pre.scrollWidth - pre.clientWidth,
                    right: pre.getBoundingClientRect().right,
                    width: document.documentElement.clientWidth,
                    lines: Math.round(pre.getBoundingClientRect().height / parseFloat(getComputedStyle(pre).lineHeight)),
                }));
            const laidOut = await waitUntil("the code block laid out", async () => ((await measure()).right > 0 ? true : undefined), 10_000).catch(() => false);
            const fit = await measure();
            assert.ok(laidOut && fit.hidden <= 0 && fit.right <= fit.width && fit.lines > 4, `code block: ${JSON.stringify(fit)}`);
            await frame.locator("#app").screenshot({ path: path.join(SHOTS, "1-explain-panel.png") });
            await question.locator(".prompt-toggle").click();
            assert.match(await question.locator(".full-prompt").innerText(), /Explain what this javascript code from add\.js does, step by step/);
            await frame.locator("#app").screenshot({ path: path.join(SHOTS, "1-explain-prompt.png") });
            lap("explain");

            // --- Generated models answer with the XSS payloads, one model each. ---
            await wb.runCommand("Code Llama Test: Ask the XSS Models");
            await waitUntil("the XSS models' answers", async () => fs.existsSync(driverOut), 240_000);
            const results = JSON.parse(fs.readFileSync(driverOut, "utf8")) as { ok: boolean; got: string; model: string }[];
            assert.deepEqual(
                results.filter((result) => !result.ok),
                [],
                "every model answered with its payloads",
            );
            lap(`${xssModels.length} XSS models`);
            frame = await chatFrame(wb);
            await waitUntil("the payload answers in the panel", async () => {
                const texts = await assistantTexts(frame);
                return xssModels.every((m) => texts.some((text) => text.includes(visibleMarker(m.payloads[0]!) ?? "")));
            });
            await sleep(500); // let anything that would fire (onload, onerror, animations) fire
            const after = await inspectWebview(frame);
            assert.deepEqual(after.problems, [], "elements or attributes that could run code");
            for (const payload of xssModels.flatMap((m) => m.payloads)) {
                const marker = visibleMarker(payload);
                if (marker) assert.ok(after.text.includes(marker), `payload "${payload.name}" is not shown as text (${marker})`);
            }
            assert.deepEqual(dialogs, [], "a payload opened a dialog");
            assert.equal(after.xss, undefined);
            assert.ok(after.topXss === undefined || after.topXss === "(cross-origin)", `top.__xss = ${String(after.topXss)}`);
            assert.equal(await wb.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss), undefined);
            assert.equal(after.title, "Code Llama Chat");
            assert.equal(after.violations, before.violations, "no payload even tried something the CSP had to block");
            await frame.locator("#app").screenshot({ path: path.join(SHOTS, "2-xss-panel.png") });
            await wb.screenshot(path.join(SHOTS, "2-xss-workbench.png"));

            // --- The policy: nonce'd script only; an injected inline script does not run. ---
            assert.match(after.csp, /default-src 'none'; script-src 'nonce-[A-Za-z0-9_-]+';/);
            assert.doesNotMatch(after.csp, /unsafe-inline|unsafe-eval/);
            const injected = await frame.evaluate(
                () =>
                    new Promise<{ ran: unknown; violations: string }>((resolve) => {
                        const script = document.createElement("script");
                        script.textContent = "window.__inline = 1";
                        document.body.append(script);
                        setTimeout(
                            () =>
                                resolve({
                                    ran: (window as unknown as { __inline?: unknown }).__inline,
                                    violations: document.body.dataset.cspViolations ?? "0",
                                }),
                            300,
                        );
                    }),
            );
            assert.equal(injected.ran, undefined, "an inline script ran");
            assert.equal(Number(injected.violations), Number(after.violations) + 1, "the CSP reported the blocked inline script");
            lap("checks");

            // --- Reload the window: the chats are still there. ---
            await wb.page.reload();
            await wb.page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
            await wb.page.locator(".statusbar-item", { hasText: "(CPU)" }).first().waitFor({ timeout: 90_000 });
            await wb.runCommand("Code Llama: Open Chat");
            frame = await chatFrame(wb);
            await waitUntil("the last chat after the reload", async () => (await assistantTexts(frame)).some((text) => text.includes("alert(2)")));
            assert.deepEqual((await inspectWebview(frame)).problems, []);
            await frame.locator("#show-history").click();
            const items = frame.locator(".history-open");
            await waitUntil("the history list", async () => (await items.count()) >= 2);
            await frame.locator(".history-open", { hasText: "Hello there" }).click();
            await waitUntil("the first chat", async () => (await assistantTexts(frame)).includes(INSTRUCT_CHAT_ANSWER));
            assert.equal(await frame.locator("#chat-title").innerText(), "Hello there");
            await wb.screenshot(path.join(SHOTS, "3-after-reload.png"));
            lap("reload");
            console.log(`chat UI timings (ms): ${JSON.stringify(timings)}`);
        } catch (error) {
            await wb.screenshot(path.join(SHOTS, "failure.png")).catch(() => undefined);
            throw error;
        } finally {
            await wb.stop();
        }
        for (const shot of ["1-answer.png", "1-explain-panel.png", "1-explain-prompt.png", "2-xss-panel.png", "2-xss-workbench.png", "3-after-reload.png"]) {
            assert.ok(fs.statSync(path.join(SHOTS, shot)).size > 5_000, `${shot} looks empty`);
        }
    });
});
