/**
 * Markdown of chat messages to HTML, with markdown-it and highlight.js (a few common languages, to
 * keep the webview bundle small). The HTML is NOT safe yet: sanitize.ts cleans it before it reaches
 * the DOM. Still, this step already treats the text as untrusted: raw HTML is escaped (shown as
 * text, `html: false`), markdown-it drops javascript:/vbscript:/file:/data: links, and images become
 * links instead of loads. DOM-free, so the unit tests run it in Node.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import c from "highlight.js/lib/languages/c";
import cpp from "highlight.js/lib/languages/cpp";
import csharp from "highlight.js/lib/languages/csharp";
import css from "highlight.js/lib/languages/css";
import diff from "highlight.js/lib/languages/diff";
import go from "highlight.js/lib/languages/go";
import java from "highlight.js/lib/languages/java";
import javascript from "highlight.js/lib/languages/javascript";
import json from "highlight.js/lib/languages/json";
import kotlin from "highlight.js/lib/languages/kotlin";
import markdown from "highlight.js/lib/languages/markdown";
import php from "highlight.js/lib/languages/php";
import plaintext from "highlight.js/lib/languages/plaintext";
import python from "highlight.js/lib/languages/python";
import ruby from "highlight.js/lib/languages/ruby";
import rust from "highlight.js/lib/languages/rust";
import shell from "highlight.js/lib/languages/shell";
import sql from "highlight.js/lib/languages/sql";
import swift from "highlight.js/lib/languages/swift";
import typescript from "highlight.js/lib/languages/typescript";
import xml from "highlight.js/lib/languages/xml";
import yaml from "highlight.js/lib/languages/yaml";
import MarkdownIt from "markdown-it";

const LANGUAGES = {
    bash,
    c,
    cpp,
    csharp,
    css,
    diff,
    go,
    java,
    javascript,
    json,
    kotlin,
    markdown,
    php,
    plaintext,
    python,
    ruby,
    rust,
    shell,
    sql,
    swift,
    typescript,
    xml,
    yaml,
};
for (const [name, language] of Object.entries(LANGUAGES)) hljs.registerLanguage(name, language);
// VS Code language ids that highlight.js knows under another name.
hljs.registerAliases(["javascriptreact", "jsx"], { languageName: "javascript" });
hljs.registerAliases(["typescriptreact", "tsx"], { languageName: "typescript" });
hljs.registerAliases(["shellscript"], { languageName: "bash" });
hljs.registerAliases(["html"], { languageName: "xml" });

const md: MarkdownIt = new MarkdownIt({
    html: false,
    linkify: true,
    typographer: false,
    highlight(code, language) {
        const name = language.trim().toLowerCase();
        if (!name || !hljs.getLanguage(name)) return ""; // markdown-it escapes it as plain text
        try {
            return hljs.highlight(code, { language: name, ignoreIllegals: true }).value;
        } catch {
            return "";
        }
    },
});
// Only real URLs become links ("example.com" in prose stays text).
md.linkify.set({ fuzzyLink: false, fuzzyEmail: false });

// An image in an answer is shown as a link to it: nothing is loaded on the model's say-so.
md.renderer.rules.image = (tokens, index, options, env, self) => {
    const token = tokens[index]!;
    const src = token.attrGet("src") ?? "";
    const alt = self.renderInlineAsText(token.children ?? [], options, env);
    return `<a href="${md.utils.escapeHtml(src)}">${md.utils.escapeHtml(`image: ${alt || src}`)}</a>`;
};

/** Markdown to (unsanitised) HTML. */
export function renderMarkdown(text: string): string {
    return md.render(text);
}

/** `code` as a fenced Markdown code block, with a fence longer than any run of backticks in it. */
export function codeFence(code: string, language = ""): string {
    const longest = Math.max(0, ...Array.from(code.matchAll(/`+/g), (match) => match[0].length));
    const fence = "`".repeat(Math.max(3, longest + 1));
    return `${fence}${language.replace(/[\s`]/g, "")}\n${code}\n${fence}`;
}
