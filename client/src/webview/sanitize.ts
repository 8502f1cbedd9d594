/**
 * The last gate before the DOM: DOMPurify with an allowlist of the elements and attributes that
 * rendered Markdown needs, and nothing else: no scripts, event handlers, styles, forms, frames,
 * SVG, MathML or images; links only to http(s) and mailto. Runs in the webview (a browser); the
 * unit tests give it a jsdom window.
 */
import createDOMPurify, { type Config } from "dompurify";

type WindowLike = Parameters<typeof createDOMPurify>[0];

const CONFIG: Config = {
    ALLOWED_TAGS: [
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "span",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    ],
    ALLOWED_ATTR: ["href", "title", "class", "start"],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
};

/** highlight.js token classes and markdown-it's `language-*`; any other class is dropped. */
const ALLOWED_CLASS = /^(?:hljs-[\w-]+|language-[\w+#.-]+|[a-z]+_)$/;

export type Sanitizer = (html: string) => string;

export function createSanitizer(window: WindowLike): Sanitizer {
    const purify = createDOMPurify(window);
    purify.addHook("uponSanitizeAttribute", (_node, data) => {
        if (data.attrName !== "class") return;
        const classes = data.attrValue.split(/\s+/).filter((name) => ALLOWED_CLASS.test(name));
        if (classes.length === 0) data.keepAttr = false;
        else data.attrValue = classes.join(" ");
    });
    return (html) => purify.sanitize(html, CONFIG);
}
