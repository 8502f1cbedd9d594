/**
 * The chat commands: Explain, Debug, Run Prompt… (prompt templates run in the chat panel), Open
 * Chat, New Chat, Chat History. A template run starts a new chat titled after it, with the
 * template's system message; Debug's answers can be applied to the code (fixPreview.ts).
 */
import path from "node:path";
import * as vscode from "vscode";
import { COMMANDS } from "../../../shared/src/commands.js";
import { type PromptTemplate, placeholdersOf, renderPrompt } from "../../../shared/src/prompts/template.js";
import type { ChatSession } from "../chat/chatSession.js";
import type { ChatView } from "../chat/chatView.js";
import { type ChatTurn, type FixTarget, lineSpan, type TurnDisplay } from "../chat/conversation.js";
import type { PromptLibrary } from "./promptLibrary.js";
import { isTargetArgument, promptValues, resolveTarget, type TargetArgument } from "./promptTarget.js";

export interface ChatCommandContext {
    session: ChatSession;
    view: ChatView;
    library: PromptLibrary;
}

/** Menus pass the editor's resource Uri; code actions and scripts pass a TargetArgument. */
const targetOf = (argument: unknown): TargetArgument | undefined => (isTargetArgument(argument) ? argument : undefined);

export function registerChatCommands(ctx: ChatCommandContext): vscode.Disposable[] {
    const byName = async (name: string, argument: unknown): Promise<ChatTurn | undefined> => {
        const template = await ctx.library.find(name);
        if (!template) throw new Error(`no prompt template named ${name}`);
        return runTemplate(ctx, template, targetOf(argument));
    };
    return [
        vscode.commands.registerCommand(COMMANDS.explain, (argument?: unknown) => byName("Explain", argument)),
        vscode.commands.registerCommand(COMMANDS.debug, (argument?: unknown) => byName("Debug", argument)),
        vscode.commands.registerCommand(COMMANDS.runPrompt, async (name?: unknown, argument?: unknown) => {
            if (typeof name === "string") return byName(name, argument);
            const template = await pickTemplate(ctx.library);
            return template ? runTemplate(ctx, template, undefined) : undefined;
        }),
        vscode.commands.registerCommand(COMMANDS.openChat, () => ctx.view.reveal()),
        vscode.commands.registerCommand(COMMANDS.newChat, async () => {
            await ctx.session.stop();
            ctx.session.newChat();
            await ctx.view.reveal();
        }),
        vscode.commands.registerCommand(COMMANDS.chatHistory, async () => {
            const picked = await vscode.window.showQuickPick(
                ctx.session.list().map((entry) => ({ label: entry.title, description: new Date(entry.updatedAt).toLocaleString(), id: entry.id })),
                { title: "Code Llama: Past Chats", placeHolder: "Open a chat" },
            );
            if (!picked) return;
            if (picked.id !== ctx.session.current.id) await ctx.session.stop();
            ctx.session.open(picked.id);
            await ctx.view.reveal();
        }),
    ];
}

async function pickTemplate(library: PromptLibrary): Promise<PromptTemplate | undefined> {
    const items = (await library.templates()).map((template) => ({
        label: template.name,
        description: library.origin(template),
        detail: template.description || undefined,
        template,
    }));
    const picked = await vscode.window.showQuickPick(items, {
        title: "Code Llama: Run Prompt",
        placeHolder: "Pick a prompt for the selection (add your own as .prompt files in .codellama/prompts)",
        matchOnDescription: true,
        matchOnDetail: true,
    });
    return picked?.template;
}

/**
 * Runs a template on its target in a new chat; resolves with the answer (undefined when there was
 * nothing to run it on, or the user cancelled).
 */
export async function runTemplate(ctx: ChatCommandContext, template: PromptTemplate, argument: TargetArgument | undefined): Promise<ChatTurn | undefined> {
    const used = placeholdersOf(template);
    const needsCode = used.some((name) => name === "selection" || name === "language" || name === "file" || name === "diagnostics");
    const target = await resolveTarget(argument);
    if (!target && needsCode) {
        void vscode.window.showInformationMessage(`Code Llama: open a file and select the code to ${template.name.toLowerCase()}.`);
        return undefined;
    }
    const values = await promptValues(used, target, template.name);
    if (!values) return undefined;
    const messages = renderPrompt(template, values);
    const question = messages.at(-1)!.content;
    const system = messages.find((message) => message.role === "system")?.content;
    const file = target ? path.basename(target.document.uri.path) : undefined;
    ctx.session.newChat({ title: file ? `${template.name}: ${file}` : template.name, ...(system !== undefined ? { system } : {}) });
    await ctx.view.reveal(false);
    const fixTarget: FixTarget | undefined =
        target && offersFix(template)
            ? {
                  uri: target.document.uri.toString(),
                  range: [target.range.start.line, target.range.start.character, target.range.end.line, target.range.end.character],
                  text: target.document.getText(target.range),
              }
            : undefined;
    const display: TurnDisplay | undefined =
        target && values.selection !== undefined
            ? { title: `${template.name} ${file}, ${lineSpan(target.range)}`, code: values.selection, language: target.document.languageId }
            : undefined;
    return ctx.session.ask(question, { ...(fixTarget ? { fixTarget } : {}), ...(display ? { display } : {}) });
}

/** Debug, and any template given the editor's problems, answers with a fix to apply. */
function offersFix(template: PromptTemplate): boolean {
    return template.name.toLowerCase() === "debug" || placeholdersOf(template).includes("diagnostics");
}
