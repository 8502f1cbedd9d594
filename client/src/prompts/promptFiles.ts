/**
 * Prompt files: where they live and how a set of them becomes templates. A `.prompt` file (format:
 * shared/src/prompts/template.ts) in a workspace folder's `.codellama/prompts/` or in the user's
 * folder (`~/.codellama/prompts`, or `$CODELLAMA_PROMPTS_DIR`) adds a command to "Code Llama: Run
 * Prompt…", or overrides a built-in one (Explain, Debug) by name: built-in < user < workspace.
 * Pure (no VS Code API); reading the folders is promptLibrary.ts.
 */
import path from "node:path";
import { PromptFileError, type PromptTemplate, parsePromptFile } from "../../../shared/src/prompts/template.js";
import { errorMessage } from "../errorMessage.js";

/** Inside each workspace folder. */
export const WORKSPACE_PROMPTS_FOLDER = [".codellama", "prompts"] as const;
export const PROMPT_FILE_EXTENSION = ".prompt";

export function userPromptsFolder(env: NodeJS.ProcessEnv, home: string): string {
    return env.CODELLAMA_PROMPTS_DIR || path.join(home, ".codellama", "prompts");
}

export interface PromptFile {
    path: string;
    text: string;
}

export interface ParsedPromptFiles {
    templates: PromptTemplate[];
    /** Each names the file and line (`PromptFileError.message` is "file:line: problem"). */
    errors: PromptFileError[];
}

/** Parses each file (in path order); a broken file is reported and left out, the others still count. */
export function parsePromptFiles(files: readonly PromptFile[]): ParsedPromptFiles {
    const templates: PromptTemplate[] = [];
    const errors: PromptFileError[] = [];
    for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
        try {
            templates.push(parsePromptFile(file.text, file.path));
        } catch (error) {
            errors.push(error instanceof PromptFileError ? error : new PromptFileError(file.path, 1, errorMessage(error)));
        }
    }
    return { templates, errors };
}

export type TemplateOrigin = "built-in" | "user" | "workspace";

export function templateOrigin(template: PromptTemplate, userFolder: string): TemplateOrigin {
    if (template.source === "built-in") return "built-in";
    const relative = path.relative(userFolder, template.source);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? "user" : "workspace";
}
