/**
 * The prompt templates the commands run: the built-in Explain and Debug, the user's prompt files and
 * the workspace's (these only in a trusted workspace, or after the user agreed for this session).
 * Read afresh on each use, so a saved edit counts at once; a broken file is reported in the
 * "Code Llama" output with file:line and left out.
 */
import os from "node:os";
import * as vscode from "vscode";
import { builtinTemplates } from "../../../shared/src/prompts/builtin.js";
import { mergeTemplates, type PromptTemplate } from "../../../shared/src/prompts/template.js";
import { errorMessage } from "../errorMessage.js";
import {
    PROMPT_FILE_EXTENSION,
    type PromptFile,
    parsePromptFiles,
    type TemplateOrigin,
    templateOrigin,
    userPromptsFolder,
    WORKSPACE_PROMPTS_FOLDER,
} from "./promptFiles.js";
import { PromptTrust } from "./promptTrust.js";

const USE = "Use Them";

export class PromptLibrary implements vscode.Disposable {
    readonly userFolder: string;
    private readonly trust: PromptTrust;
    private readonly reported = new Set<string>();
    private readonly disposables: vscode.Disposable[] = [];

    constructor(
        private readonly output: vscode.LogOutputChannel,
        userFolder = userPromptsFolder(process.env, os.homedir()),
    ) {
        this.userFolder = userFolder;
        this.trust = new PromptTrust(
            () => vscode.workspace.isTrusted,
            async (count) =>
                (await vscode.window.showWarningMessage(
                    `This workspace is not trusted. Use its ${count} prompt file${count === 1 ? "" : "s"} from .codellama/prompts in this session?`,
                    {
                        modal: true,
                        detail: "Prompt files decide what Code Llama is asked, and can replace the built-in Explain and Debug. The built-in prompts and your own (in your user folder) work either way.",
                    },
                    USE,
                )) === USE,
        );
        this.disposables.push(vscode.workspace.onDidGrantWorkspaceTrust(() => this.trust.reset()));
    }

    /** Built-in < user < workspace, by name. */
    async templates(): Promise<PromptTemplate[]> {
        const [user, workspace] = await Promise.all([
            this.readFolder(vscode.Uri.file(this.userFolder)),
            Promise.all(
                (vscode.workspace.workspaceFolders ?? []).map((folder) => this.readFolder(vscode.Uri.joinPath(folder.uri, ...WORKSPACE_PROMPTS_FOLDER))),
            ).then((lists) => lists.flat()),
        ]);
        const userParsed = parsePromptFiles(user);
        const useWorkspace = workspace.length > 0 && (await this.trust.allowed(workspace.length));
        const workspaceParsed = useWorkspace ? parsePromptFiles(workspace) : { templates: [], errors: [] };
        this.report([...userParsed.errors, ...workspaceParsed.errors]);
        return mergeTemplates(builtinTemplates(), userParsed.templates, workspaceParsed.templates);
    }

    async find(name: string): Promise<PromptTemplate | undefined> {
        const key = name.toLowerCase();
        return (await this.templates()).find((template) => template.name.toLowerCase() === key);
    }

    origin(template: PromptTemplate): TemplateOrigin {
        return templateOrigin(template, this.userFolder);
    }

    private async readFolder(folder: vscode.Uri): Promise<PromptFile[]> {
        let entries: [string, vscode.FileType][];
        try {
            entries = await vscode.workspace.fs.readDirectory(folder);
        } catch {
            return []; // no such folder: nothing to add
        }
        const files = entries.filter(([name, type]) => name.endsWith(PROMPT_FILE_EXTENSION) && (type & vscode.FileType.File) !== 0);
        const decoder = new TextDecoder();
        const read = await Promise.all(
            files.map(async ([name]): Promise<PromptFile | undefined> => {
                const uri = vscode.Uri.joinPath(folder, name);
                try {
                    return { path: uri.fsPath, text: decoder.decode(await vscode.workspace.fs.readFile(uri)) };
                } catch (error) {
                    this.output.warn(`Could not read the prompt file ${uri.fsPath}: ${errorMessage(error)}`);
                    return undefined;
                }
            }),
        );
        return read.filter((file): file is PromptFile => file !== undefined);
    }

    /** Each problem once per session: in the output, with a notification pointing there. */
    private report(errors: readonly Error[]): void {
        const fresh = errors.filter((error) => !this.reported.has(error.message));
        if (fresh.length === 0) return;
        for (const error of fresh) {
            this.reported.add(error.message);
            this.output.error(`Prompt file ${error.message}`);
        }
        void vscode.window
            .showWarningMessage(
                `Code Llama: ${fresh.length === 1 ? "a prompt file has a problem" : `${fresh.length} prompt files have problems`}: ${fresh[0]!.message}`,
                "Show Log",
            )
            .then((choice) => {
                if (choice) this.output.show(true);
            });
    }

    dispose(): void {
        for (const disposable of this.disposables) disposable.dispose();
    }
}
