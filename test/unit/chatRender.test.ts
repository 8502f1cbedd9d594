// The chat webview's renderer (client/src/webview/: markdown-it, highlight.js, DOMPurify) in jsdom:
// Markdown features answers use, and the XSS corpus rendered inert, checked structurally and by
// running the result in a document that executes scripts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JSDOM } from "jsdom";
import { codeFence, renderMarkdown } from "../../client/src/webview/markdown.js";
import { createRenderer } from "../../client/src/webview/render.js";
import { visibleMarker, XSS_PAYLOADS } from "../fixtures/xssCorpus.js";

const render = createRenderer(new JSDOM("").window as unknown as Parameters<typeof createRenderer>[0]);

/** Elements and attributes that must never come out of the renderer. */
const FORBIDDEN_TAGS = [
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "link",
    "meta",
    "base",
    "img",
    "video",
    "audio",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "details",
    "marquee",
    "noscript",
    "template",
    "frame",
    "frameset",
];

function inspect(html: string): string[] {
    const document = new JSDOM(`<body>${html}</body>`).window.document;
    const problems: string[] = [];
    for (const tag of FORBIDDEN_TAGS) if (document.querySelector(tag)) problems.push(`<${tag}>`);
    for (const element of Array.from(document.body.querySelectorAll("*"))) {
        for (const attribute of Array.from(element.attributes)) {
            if (/^on/i.test(attribute.name)) problems.push(`${element.tagName} ${attribute.name}`);
            if (attribute.name === "style") problems.push(`${element.tagName} style`);
            if (
                ["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc"].includes(attribute.name) &&
                !/^(?:https?:|mailto:)/i.test(attribute.value)
            ) {
                problems.push(`${element.tagName} ${attribute.name}=${attribute.value}`);
            }
        }
    }
    return problems;
}

describe("chat webview renderer: Markdown", () => {
    it("renders paragraphs, emphasis, lists, tables, inline code and http links", () => {
        const html = render("Use **bold** and `x < y`.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nSee [docs](https://example.com/a?b=1).");
        assert.match(html, /<strong>bold<\/strong>/);
        assert.match(html, /<code>x &lt; y<\/code>/);
        assert.match(html, /<li>one<\/li>/);
        assert.match(html, /<table>[\s\S]*<td>1<\/td>/);
        assert.match(html, /<a href="https:\/\/example\.com\/a\?b=1">docs<\/a>/);
    });

    it("highlights fenced code of known languages with highlight.js classes, keeps unknown ones plain", () => {
        const html = render("```typescript\nconst x: number = 1; // one\n```\n\n```cobol\nDISPLAY 'HI'.\n```");
        assert.match(html, /<pre><code class="language-typescript"><span class="hljs-keyword">const<\/span>/);
        assert.match(html, /<span class="hljs-comment">\/\/ one<\/span>/);
        assert.match(html, /<pre><code class="language-cobol">DISPLAY 'HI'.\n<\/code><\/pre>/);
        // VS Code's language ids work as fence names too.
        assert.match(render("```javascriptreact\nlet a;\n```"), /hljs-keyword/);
        assert.match(render("```shellscript\necho hi\n```"), /hljs-built_in/);
    });

    it("shows raw HTML as text", () => {
        const html = render("a <b>bold</b> tag");
        assert.equal(html, "<p>a &lt;b&gt;bold&lt;/b&gt; tag</p>\n");
    });

    it("turns images into links to them (nothing loads), and drops non-http ones", () => {
        assert.equal(render("![chart](https://example.com/c.png)"), '<p><a href="https://example.com/c.png">image: chart</a></p>\n');
        assert.equal(render("![pixel](data:image/png;base64,AAAA)"), "<p><a>image: pixel</a></p>\n");
    });

    it("keeps only http(s) and mailto links: other schemes lose their href", () => {
        assert.equal(render("[a](ftp://x/y)"), "<p><a>a</a></p>\n");
        assert.equal(render("[a](relative/path.js)"), "<p><a>a</a></p>\n");
        assert.equal(render("<mailto:x@example.com>"), '<p><a href="mailto:x@example.com">mailto:x@example.com</a></p>\n');
        assert.equal(render("https://example.com"), '<p><a href="https://example.com">https://example.com</a></p>\n');
    });

    it("keeps only highlight.js and language classes", () => {
        // markdown-it's raw output for a fence is `<pre><code class="language-…">`; any other class is dropped.
        assert.match(renderMarkdown('```x" onclick="y\n1\n```'), /class="language-x&quot;"/);
        assert.doesNotMatch(render('```x" onclick="y\n1\n```'), /onclick/);
    });
});

describe("codeFence", () => {
    it("fences the user's code so that it renders as one code block whatever it holds", () => {
        assert.equal(codeFence("let a = 1;", "typescript"), "```typescript\nlet a = 1;\n```");
        const tricky = "const md = `\n```js\nnot the end\n```\n`; // ````";
        const html = render(codeFence(tricky, "type script`"));
        const document = new JSDOM(`<body>${html}</body>`).window.document;
        assert.equal(document.querySelectorAll("pre").length, 1);
        assert.equal(document.querySelector("pre")!.textContent, `${tricky}\n`);
        assert.match(codeFence(tricky), /^`````\n/);
    });
});

describe("chat webview renderer: the XSS corpus renders inert", () => {
    it("has at least 30 payloads", () => assert.ok(XSS_PAYLOADS.length >= 30, `${XSS_PAYLOADS.length}`));

    for (const payload of XSS_PAYLOADS) {
        it(`${payload.name}: ${payload.markdown}`, () => {
            const html = render(payload.markdown);
            assert.deepEqual(inspect(html), [], html);
            const marker = visibleMarker(payload);
            if (marker)
                assert.ok(new JSDOM(`<body>${html}</body>`).window.document.body.textContent!.includes(marker), `"${marker}" is not shown as text: ${html}`);
        });
    }

    it("all payloads at once, in a document that runs scripts: nothing runs", async () => {
        const dom = new JSDOM(`<!DOCTYPE html><body><div id="chat"></div></body>`, { runScripts: "dangerously", pretendToBeVisual: true });
        const { window } = dom;
        const fired: string[] = [];
        for (const name of ["alert", "confirm", "prompt"] as const)
            window[name] = (message?: unknown) => void fired.push(`${name}(${String(message)})`) as never;
        const chat = window.document.getElementById("chat")!;
        // Sanitised with the test document's own DOMPurify, as the webview does with its window.
        const renderHere = createRenderer(window as unknown as Parameters<typeof createRenderer>[0]);
        chat.innerHTML = XSS_PAYLOADS.map((payload) => renderHere(payload.markdown)).join("\n");
        // Events that would fire handlers: load/error happen asynchronously, focus and clicks on demand.
        for (const element of Array.from(chat.querySelectorAll("*"))) {
            for (const type of ["click", "mouseover", "focus", "error", "load", "toggle"]) element.dispatchEvent(new window.Event(type));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.deepEqual(fired, []);
        assert.equal((window as unknown as { __xss?: unknown }).__xss, undefined);
        assert.equal(window.document.title, "");
        dom.window.close();
    });
});
