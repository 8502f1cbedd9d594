/** What the webview puts in the DOM for a message: Markdown rendered, then sanitised. */
import { renderMarkdown } from "./markdown.js";
import { createSanitizer } from "./sanitize.js";

export function createRenderer(window: Parameters<typeof createSanitizer>[0]): (markdown: string) => string {
    const sanitize = createSanitizer(window);
    return (markdown) => sanitize(renderMarkdown(markdown));
}
