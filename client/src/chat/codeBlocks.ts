/** The code blocks of a Markdown answer (fenced or indented), as markdown-it parses them. */
import MarkdownIt from "markdown-it";

export interface CodeBlock {
    /** The fence's language, "" when none. */
    language: string;
    /** Without the line break that ends the block. */
    code: string;
}

const parser = new MarkdownIt({ html: false });

export function codeBlocksOf(markdown: string): CodeBlock[] {
    return parser
        .parse(markdown, {})
        .filter((token) => token.type === "fence" || token.type === "code_block")
        .map((token) => ({ language: token.info.trim().split(/\s+/)[0] ?? "", code: token.content.replace(/\r?\n$/, "") }));
}
