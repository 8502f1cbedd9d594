import type { TextDocument } from "vscode-languageserver-textdocument";
import type { CodeLlamaConfig } from "../config/schema.js";
import type { Engine, EngineTokenizer, Generation } from "../engine/engine.js";
import { cursorContext, type Position } from "./cursorContext.js";
import { buildFimPrompt, FIM_OVERHEAD_TOKENS, type Token } from "./fimPrompt.js";
import { TextStream } from "../engine/textStream.js";
import { detectIndentation } from "./indentation.js";
import { cutAtSpecialTokenText, type CursorSurroundings, postprocessCompletion, surroundings } from "./postprocess.js";
import { completionScope, cutToScope } from "./scope.js";
import { fimBudgets, fitToBudget, MAX_CHARS_PER_TOKEN } from "./tokenBudget.js";

export interface Completion {
    /** What to insert at `position`; "" when there is nothing worth showing. */
    text: string;
    /** The (validated) cursor position the text is inserted at. */
    position: Position;
    prompt: { tokens: number; prefixTokens: number; suffixTokens: number };
    generation: Omit<Generation, "tokens"> & { generatedTokens: number };
}

export type CompletionSettings = Pick<CodeLlamaConfig["completion"], "maxTokens" | "fimFormat" | "prefixShare" | "suffixShare" | "reuseCache">;

export interface CompletionPrompt {
    tokens: Token[];
    prefixTokens: number;
    suffixTokens: number;
    /** The (validated) cursor position. */
    position: Position;
    eol: "\n" | "\r\n";
    /** The text around the cursor the post-processing rules look at. */
    surroundings: CursorSurroundings;
}

/** Enough lines above the cursor to tell the file's indentation style. */
const INDENT_SAMPLE_CHARS = 8000;

/** Builds the FIM prompt for the cursor in `document`, each side cut to its share of the context. */
export function buildCompletionPrompt(tokenizer: EngineTokenizer, contextSize: number, document: TextDocument, position: Position, settings: CompletionSettings): CompletionPrompt {
    const fim = tokenizer.fim;
    if (!fim) throw new Error("This model has no fill-in-the-middle tokens (<PRE> <SUF> <MID>); use a Code Llama base or Instruct model.");
    const budgets = fimBudgets({ contextSize, maxTokens: settings.maxTokens, prefixShare: settings.prefixShare, suffixShare: settings.suffixShare, overhead: FIM_OVERHEAD_TOKENS });
    const context = cursorContext(document, position, budgets.prefix * MAX_CHARS_PER_TOKEN, budgets.suffix * MAX_CHARS_PER_TOKEN);
    const suffix = fitToBudget(context.suffix, budgets.suffix, "start", tokenizer.encodeInfilling);
    const around = surroundings(context.prefix, context.suffix, detectIndentation(context.prefix.slice(-INDENT_SAMPLE_CHARS)));
    if (settings.fimFormat === "psm-line") {
        const lineStart = context.prefix.lastIndexOf("\n") + 1;
        const typed = fitToBudget(context.prefix.slice(lineStart), budgets.prefix, "end", tokenizer.encodeInfilling);
        const before = fitToBudget(context.prefix.slice(0, lineStart), budgets.prefix - typed.tokens.length, "end", tokenizer.encode);
        return {
            tokens: buildFimPrompt("psm-line", fim, before.tokens, suffix.tokens, typed.tokens),
            prefixTokens: before.tokens.length + typed.tokens.length,
            suffixTokens: suffix.tokens.length,
            position: context.position,
            eol: context.eol,
            surroundings: around,
        };
    }
    const prefix = fitToBudget(context.prefix, budgets.prefix, "end", tokenizer.encode);
    return {
        tokens: buildFimPrompt(settings.fimFormat, fim, prefix.tokens, suffix.tokens),
        prefixTokens: prefix.tokens.length,
        suffixTokens: suffix.tokens.length,
        position: context.position,
        eol: context.eol,
        surroundings: around,
    };
}

/** Asks the engine for the middle at the cursor and post-processes it. */
export async function completeAt(engine: Engine, document: TextDocument, position: Position, settings: CompletionSettings, signal?: AbortSignal): Promise<Completion> {
    const prompt = buildCompletionPrompt(engine.tokenizer, engine.info.contextSize, document, position, settings);
    const { surroundings: around } = prompt;
    const scope = completionScope(around.linePrefix, around.lineSuffix, around.documentIndent?.size);
    const context = contextTail(prompt.tokens);
    const stream = new TextStream((tokens) => engine.tokenizer.detokenize(tokens, context));
    let text = "";
    const generation = await engine.generate("completion", prompt.tokens, {
        maxTokens: settings.maxTokens,
        signal,
        reuseCache: settings.reuseCache,
        // Stop as soon as the answer is complete for its scope, or the model spells out a control token.
        onToken: (_token, generated) => {
            text += stream.push(generated);
            return cutToScope(text, scope, around.documentIndent?.size).complete || cutAtSpecialTokenText(text) !== text;
        },
    });
    const raw = engine.tokenizer.detokenize(generation.tokens, context);
    const { tokens, ...stats } = generation;
    return {
        text: postprocessCompletion(raw, { ...around, eol: prompt.eol, scope }),
        position: prompt.position,
        prompt: { tokens: prompt.tokens.length, prefixTokens: prompt.prefixTokens, suffixTokens: prompt.suffixTokens },
        generation: { ...stats, generatedTokens: tokens.length },
    };
}

/** The few prompt tokens the detokenizer needs to place the first generated token's leading space. */
function contextTail(prompt: readonly Token[]): Token[] {
    return prompt.slice(-4);
}
