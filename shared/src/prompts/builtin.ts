import { type PromptTemplate, parsePromptFile } from "./template.js";

const SYSTEM = "You are Code Llama, an expert programmer who answers precisely and concisely. Format code as Markdown code blocks with the language named.";

export const EXPLAIN_PROMPT = `---
name: Explain
description: Explain what the selected code does
system: ${SYSTEM}
---
Explain what this {{language}} code from {{file}} does, step by step, and point out anything surprising:

\`\`\`{{language}}
{{selection}}
\`\`\``;

export const DEBUG_PROMPT = `---
name: Debug
description: Find the cause of a problem in the selected code and fix it
system: ${SYSTEM}
---
Find the cause of the problem in this {{language}} code from {{file}} and fix it.

Problems reported by the editor:
{{diagnostics}}

\`\`\`{{language}}
{{selection}}
\`\`\`

Explain the cause briefly, then give the whole corrected code in one \`\`\`{{language}} code block.`;

/** Explain and Debug, which a user's `Explain.prompt` / `Debug.prompt` (by name) override. */
export function builtinTemplates(): PromptTemplate[] {
    return [parsePromptFile(EXPLAIN_PROMPT, "built-in"), parsePromptFile(DEBUG_PROMPT, "built-in")];
}
