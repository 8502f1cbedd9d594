// Drives a real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3) in headless chromium
// with playwright-core, like a person would: command palette, typing, ghost text, notifications,
// screenshots. For tests of what the user sees; in-host API tests use runVSCodeTests instead.
//
//   const wb = await startWorkbench({ workspace, extensionDevelopmentPath, userSettings });
//   try { await wb.openFile('a.py'); await wb.typeInEditor('def f'); await wb.waitForGhostText(); }
//   finally { await wb.stop(); }
//
// Each workbench gets its own code-server (own port, HOME, TMPDIR, user-data-dir) below a temp
// run dir; stop() closes chromium and ends code-server's process group by pid.
// Env: CODELLAMA_CODE_SERVER_DIR, CODELLAMA_E2E_VERBOSE=1 (echo the workbench console),
//      CODELLAMA_E2E_KEEP_TMP=1 (keep the run dir: code-server.log, user data).

import fs from "node:fs";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import {
    type CodeServer,
    installExtension,
    killProcessGroupNow,
    launchChromium,
    makeRunDir,
    startCodeServer,
    workbenchUrl,
    writeUserSettings,
} from "./codeServer.mjs";

/** Keeps typed text verbatim: no auto-closing pairs, no suggest widget eating Enter. */
export const UI_DEFAULT_SETTINGS: Readonly<Record<string, unknown>> = Object.freeze({
    "editor.autoClosingBrackets": "never",
    "editor.autoClosingQuotes": "never",
    "editor.autoClosingOvertype": "never",
    "editor.autoIndent": "none",
    "editor.formatOnType": false,
    "editor.quickSuggestions": { other: false, comments: false, strings: false },
    "editor.suggestOnTriggerCharacters": false,
    "editor.acceptSuggestionOnEnter": "off",
    "editor.minimap.enabled": false,
    "files.insertFinalNewline": false,
    "files.trimTrailingWhitespace": false,
});

export interface StartWorkbenchOptions {
    /** Folder or .code-workspace to open; omitted: an empty window. */
    workspace?: string;
    /** Extension folder(s) loaded from source. */
    extensionDevelopmentPath?: string | string[];
    /** .vsix files installed (code-server --install-extension) before the workbench starts. */
    installExtensions?: string[];
    /** Merged over the rig defaults and UI_DEFAULT_SETTINGS. */
    userSettings?: Record<string, unknown>;
    /** Extra environment for code-server and so for the extension host. */
    env?: Record<string, string>;
    viewport?: { width: number; height: number };
    /** Limit for code-server to start and the workbench to render (default 120 000 ms). */
    startTimeoutMs?: number;
}

export interface Workbench {
    page: Page;
    context: BrowserContext;
    server: CodeServer;
    /** Per-run scratch dir (HOME, TMPDIR, user data, logs); removed by stop(). */
    runDir: string;
    /** Workbench console lines so far (includes the extension host's console output). */
    consoleLines: string[];
    /** F1, type the command's title, run the matching entry. */
    runCommand(title: string): Promise<void>;
    /** Ctrl+P quick open of a workspace-relative path; resolves when its editor shows. */
    openFile(relativePath: string): Promise<void>;
    /** Type into the active editor at its cursor (atEnd: after Ctrl+End); delayMs between keys. */
    typeInEditor(text: string, opts?: { atEnd?: boolean; delayMs?: number }): Promise<void>;
    /** Visible text of the active editor (lines joined by \n, NBSPs as spaces). */
    editorText(): Promise<string>;
    /** Wait for inline-completion ghost text (optionally containing `text`); returns it. */
    waitForGhostText(text?: string | RegExp, timeoutMs?: number): Promise<string>;
    /** Whether ghost text is shown right now. */
    hasGhostText(): Promise<boolean>;
    /** Texts of the notification toasts currently shown. */
    notifications(): Promise<string[]>;
    waitForNotification(text: string | RegExp, timeoutMs?: number): Promise<void>;
    /** Ctrl+S; resolves when the active tab is no longer dirty (i.e. the file is written). */
    save(): Promise<void>;
    screenshot(file: string): Promise<string>;
    stop(): Promise<void>;
}

const GHOST_TEXT = '.editor-instance [class*="ghost-text"]';
const QUICK_INPUT = ".quick-input-widget input";
const QUICK_ROW = ".quick-input-list .monaco-list-row";
const TOAST_MESSAGE = ".notifications-toasts .notification-list-item-message";

// code-servers started here that are still running: killed if this process exits abruptly.
const live = new Set<number>();
process.on("exit", () => {
    for (const pid of live) killProcessGroupNow(pid);
});

export async function startWorkbench(opts: StartWorkbenchOptions = {}): Promise<Workbench> {
    const runDir = makeRunDir("clvs-ui-");
    const userDataDir = path.join(runDir, "user-data");
    writeUserSettings(userDataDir, { ...UI_DEFAULT_SETTINGS, ...opts.userSettings });
    const startTimeoutMs = opts.startTimeoutMs ?? 120_000;
    let server: CodeServer | undefined;
    let context: BrowserContext | undefined;
    const stop = async (): Promise<void> => {
        const [ctx, srv] = [context, server];
        context = undefined;
        server = undefined;
        await Promise.all([
            ctx?.close().catch(() => {
                /* already closed */
            }),
            srv?.stop().then(() => {
                live.delete(srv.pid);
            }),
        ]);
        if (!process.env.CODELLAMA_E2E_KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
    };
    try {
        const extensionsDir = path.join(runDir, "extensions");
        for (const vsix of opts.installExtensions ?? []) installExtension({ runDir, userDataDir, extensionsDir, vsix });
        server = await startCodeServer({
            runDir,
            userDataDir,
            extensionsDir,
            env: opts.env,
            startTimeoutMs,
        });
        live.add(server.pid);
        const launched = await launchChromium(runDir, opts.viewport ? { viewport: opts.viewport } : {});
        context = launched.context;
        const page = launched.page;
        const consoleLines: string[] = [];
        page.on("console", (m) => {
            consoleLines.push(m.text());
            if (process.env.CODELLAMA_E2E_VERBOSE) process.stderr.write(`[workbench ${m.type()}] ${m.text()}\n`);
        });
        page.on("pageerror", (e) => process.stderr.write(`[workbench pageerror] ${e.message}\n`));
        const devPaths = opts.extensionDevelopmentPath ? [opts.extensionDevelopmentPath].flat() : [];
        await page.goto(
            workbenchUrl({
                baseUrl: server.baseUrl,
                authority: server.authority,
                workspace: opts.workspace,
                extensionDevelopmentPaths: devPaths,
            }),
        );
        await page.locator(".monaco-workbench").waitFor({ timeout: startTimeoutMs });
        return makeWorkbench(page, context, server, runDir, consoleLines, stop);
    } catch (e) {
        await stop();
        throw e;
    }
}

/** Positional form: start(workspace, extensionDevelopmentPath, userSettings). */
export function start(
    workspace?: string,
    extensionDevelopmentPath?: string | string[],
    userSettings?: Record<string, unknown>,
    more: Omit<StartWorkbenchOptions, "workspace" | "extensionDevelopmentPath" | "userSettings"> = {},
): Promise<Workbench> {
    return startWorkbench({ ...more, workspace, extensionDevelopmentPath, userSettings });
}

function makeWorkbench(page: Page, context: BrowserContext, server: CodeServer, runDir: string, consoleLines: string[], stop: () => Promise<void>): Workbench {
    const quickInput = page.locator(QUICK_INPUT);
    const activeEditor = page.locator(".editor-group-container.active .editor-instance .monaco-editor").first();

    async function pick(query: string, rowText: string): Promise<void> {
        await quickInput.waitFor({ state: "visible", timeout: 10_000 });
        await quickInput.fill(query);
        await page.locator(QUICK_ROW, { hasText: rowText }).first().waitFor({ timeout: 15_000 });
        await page.keyboard.press("Enter");
        await quickInput.waitFor({ state: "hidden", timeout: 10_000 });
    }

    return {
        page,
        context,
        server,
        runDir,
        consoleLines,
        stop,

        async runCommand(title) {
            await page.keyboard.press("F1");
            await pick(`>${title}`, title);
        },

        async openFile(relativePath) {
            await page.keyboard.press("Control+P");
            await pick(relativePath, path.basename(relativePath));
            await page.locator(".tab.active", { hasText: path.basename(relativePath) }).waitFor({ timeout: 15_000 });
            await activeEditor.waitFor({ timeout: 15_000 });
        },

        async typeInEditor(text, { atEnd = false, delayMs = 20 } = {}) {
            // Focus monaco's input element (textarea, or the EditContext div in newer builds)
            // instead of clicking, which would move the cursor to wherever the click lands.
            await activeEditor.locator("textarea.inputarea, .native-edit-context").first().focus();
            if (atEnd) await page.keyboard.press("Control+End");
            await page.keyboard.type(text, { delay: delayMs });
        },

        async editorText() {
            const lines = await activeEditor.locator(".view-lines .view-line").allInnerTexts();
            return lines.join("\n").replace(/\u00a0/g, " ");
        },

        async waitForGhostText(text, timeoutMs = 30_000) {
            const ghost = page.locator(GHOST_TEXT, text === undefined ? {} : { hasText: text }).first();
            await ghost.waitFor({ state: "visible", timeout: timeoutMs });
            return ((await ghost.textContent()) ?? "").replace(/\u00a0/g, " ");
        },

        async hasGhostText() {
            return (await page.locator(GHOST_TEXT).count()) > 0;
        },

        async notifications() {
            return page.locator(TOAST_MESSAGE).allInnerTexts();
        },

        async waitForNotification(text, timeoutMs = 15_000) {
            await page.locator(TOAST_MESSAGE, { hasText: text }).first().waitFor({ timeout: timeoutMs });
        },

        async save() {
            const dirty = page.locator(".tab.active.dirty");
            const wasDirty = (await dirty.count()) > 0;
            await page.keyboard.press("Control+S");
            // the dirty mark goes once the server has written the file
            if (wasDirty) await dirty.waitFor({ state: "detached", timeout: 15_000 });
        },

        async screenshot(file) {
            fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
            await page.screenshot({ path: file });
            return path.resolve(file);
        },
    };
}
