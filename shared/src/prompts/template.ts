/**
 * Prompt templates: the `.prompt` files users write (in `.codellama/prompts/` of a workspace or the
 * user-level folder) and the built-in Explain and Debug commands, which are templates too.
 *
 *   ---
 *   name: Explain
 *   description: Explain the selected code
 *   system: You are an expert {{language}} programmer.
 *   ---
 *   Explain this code from {{file}}:
 *   ```{{language}}
 *   {{selection}}
 *   ```
 */
export const PLACEHOLDERS = ["selection", "language", "file", "diagnostics", "input"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PromptValues = Partial<Record<Placeholder, string>>;

export type ChatRole = "system" | "user" | "assistant";
export interface ChatMessage {
    role: ChatRole;
    content: string;
}

export interface PromptTemplate {
    /** Shown in the command list; also the key a workspace or user file overrides a built-in by. */
    name: string;
    description: string;
    system?: string;
    body: string;
    /** Where it came from: "built-in" or the file's path. */
    source: string;
}

export class PromptFileError extends Error {
    constructor(
        readonly file: string,
        readonly line: number,
        message: string,
    ) {
        super(`${file}:${line}: ${message}`);
        this.name = "PromptFileError";
    }
}

const HEADER_KEYS = new Set(["name", "description", "system"]);

/** Parses a `.prompt` file; throws PromptFileError naming the file and line of a problem. */
export function parsePromptFile(text: string, file: string): PromptTemplate {
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
    if (lines[0]?.trim() !== "---") throw new PromptFileError(file, 1, "a prompt file starts with a '---' header line");
    const end = lines.findIndex((line, index) => index > 0 && line.trim() === "---");
    if (end < 0) throw new PromptFileError(file, lines.length, "the header is not closed with '---'");
    const header: Record<string, string> = {};
    for (let index = 1; index < end; index++) {
        const line = lines[index]!;
        if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
        const match = /^([A-Za-z]+)\s*:\s*(.*)$/.exec(line);
        if (!match) throw new PromptFileError(file, index + 1, `expected "key: value", got ${JSON.stringify(line)}`);
        const key = match[1]!.toLowerCase();
        if (!HEADER_KEYS.has(key)) throw new PromptFileError(file, index + 1, `unknown header key "${match[1]}" (known: ${[...HEADER_KEYS].join(", ")})`);
        header[key] = unquote(match[2]!.trim());
    }
    if (!header.name) throw new PromptFileError(file, 1, "the header needs a name");
    const body = lines
        .slice(end + 1)
        .join("\n")
        .trim();
    if (!body) throw new PromptFileError(file, end + 2, "the prompt body is empty");
    for (const [index, line] of lines.entries()) {
        for (const match of line.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
            if (!(PLACEHOLDERS as readonly string[]).includes(match[1]!)) {
                throw new PromptFileError(
                    file,
                    index + 1,
                    `unknown placeholder {{${match[1]}}} (known: ${PLACEHOLDERS.map((name) => `{{${name}}}`).join(", ")})`,
                );
            }
        }
    }
    return { name: header.name, description: header.description ?? "", system: header.system, body, source: file };
}

/** The placeholders a template uses (e.g. to ask the user for {{input}} only when needed). */
export function placeholdersOf(template: PromptTemplate): Placeholder[] {
    const text = `${template.system ?? ""}\n${template.body}`;
    return PLACEHOLDERS.filter((name) => new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`).test(text));
}

/** Fills in the placeholders; missing values become "". Returns the chat messages to send. */
export function renderPrompt(template: PromptTemplate, values: PromptValues): ChatMessage[] {
    const fill = (text: string): string => text.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (_, name: Placeholder) => values[name] ?? "");
    const user = { role: "user" as const, content: fill(template.body) };
    return template.system ? [{ role: "system", content: fill(template.system) }, user] : [user];
}

/**
 * Built-ins first, then templates from later sources overriding earlier ones of the same name
 * (compared without case): built-in < user folder < workspace folder.
 */
export function mergeTemplates(...sources: readonly PromptTemplate[][]): PromptTemplate[] {
    const byName = new Map<string, PromptTemplate>();
    for (const templates of sources) for (const template of templates) byName.set(template.name.toLowerCase(), template);
    return [...byName.values()];
}

function unquote(value: string): string {
    return /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
}
