// What the workbench tests read off the page: the ghost text in the editor, the chat webview and its answers.
import type { Frame } from "playwright-core";
import type { Workbench } from "./rig/uiDriver.js";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitUntil<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const value = await check().catch(() => undefined);
        if (value) return value;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(200);
    }
}

/** The chat webview's document: a frame (nested in VS Code's webview host frame) holding #composer. */
export function chatFrame(wb: Workbench): Promise<Frame> {
    return waitUntil("the chat webview", async () => {
        for (const frame of wb.page.frames()) {
            if (
                await frame
                    .locator("#composer")
                    .count()
                    .catch(() => 0)
            )
                return frame;
        }
        return undefined;
    });
}

export async function assistantTexts(frame: Frame): Promise<string[]> {
    return frame.locator(".turn-assistant .markdown-body").allInnerTexts();
}

/** The part of the page's DOM that ghostText() uses (runs in the page; the project compiles without the DOM lib). */
interface PageElement {
    textContent: string | null;
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): Iterable<PageElement>;
}
declare const document: PageElement;

/**
 * The ghost text shown in the active editor. With syntax highlighting VS Code renders it as one
 * span per token (so the rig's waitForGhostText(text), which matches one element, cannot find
 * "return a + b;" in a JavaScript file): this joins them.
 */
export function ghostText(wb: Workbench): Promise<string> {
    return wb.page.evaluate(() => {
        const editor = document.querySelector(".editor-group-container.active .editor-instance") ?? document;
        const spans = [...editor.querySelectorAll('[class*="ghost-text"]')].filter((element) => !element.querySelector('[class*="ghost-text"]'));
        return spans
            .map((span) => span.textContent ?? "")
            .join("")
            .replace(/\u00a0/g, " ");
    });
}
