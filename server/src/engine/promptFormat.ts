/**
 * The prompt formats of Code Llama and Llama 2, as control tokens and texts: completion fills in the
 * middle or continues the text before the cursor; chat is Llama 2's `[INST]` format or Code Llama
 * 70B's turns. Backends take the structured request and encode the pieces themselves: token ids
 * where they tokenize (embedded, llama-server), text where the API takes text (OpenAI-compatible
 * servers). The control tokens are ids, never their text: "<PRE>" typed in code does not tokenize
 * to the control token.
 */

import type { ChatMessage } from "../../../shared/src/prompts/template.js";
import type { FimFormat } from "../../../shared/src/settings.js";
import type { ChatFormat } from "./modelRoles.js";
import type { Token, Tokenizer } from "./tokenizer.js";

export type SpecialToken = "bos" | "eos" | "prefix" | "suffix" | "middle" | "step";

/** Ids of the control tokens in a model's vocabulary; a model without some cannot use the format that needs them. */
export type SpecialTokenIds = Partial<Record<SpecialToken, Token>>;

/**
 * One piece of a prompt: a control token, or a text encoded with SentencePiece's implicit leading
 * space (Meta's `encode`, at the start of a text) or without it (`encode_infilling`, text that
 * continues the one before).
 */
export type PromptPiece = { special: SpecialToken } | { text: string; leadingSpace: boolean };

/** A completion prompt's layout: one of the fill-in-the-middle layouts, or "continue" (the text before the cursor only, for models not trained to fill in). */
export type CompletionLayout = FimFormat | "continue";

/** A completion prompt before it is encoded: the texts around the cursor and the layout that orders them. */
export interface InfillRequest {
    format: CompletionLayout;
    /** Snippets of other files (as comments), before the prefix; "" for none. */
    context: string;
    /** The text before the cursor (psm-line: up to the start of the middle's first line). */
    prefix: string;
    suffix: string;
    /** psm-line: the typed lines after ▁<MID>, up to the cursor; "" otherwise. */
    middle: string;
}

/** Tokens that only the layout adds around prefix and suffix: BOS, PRE, SUF, MID to fill in; BOS to continue. */
export function layoutOverheadTokens(layout: CompletionLayout): number {
    return layout === "continue" ? 1 : 4;
}

/** Whether the prefix is encoded with the leading space: only when it starts the prompt's text (no snippets before it). */
export function prefixLeadingSpace(context: string): boolean {
    return context === "";
}

/**
 * The token sequence Code Llama was trained on, mirroring Meta's reference `infilling_prompt_tokens`:
 *   psm:      [BOS, PRE] + encode(prefix) + [SUF] + encode_infilling(suffix) + [MID]
 *   spm:      [BOS, PRE, SUF] + encode_infilling(suffix) + [MID] + encode(prefix)
 *   psm-line: [BOS, PRE] + encode(prefix up to a line start) + [SUF] + encode_infilling(suffix)
 *             + [MID] + encode_infilling(the text from that line start to the cursor)
 * psm-line is a valid PSM example whose middle starts at a line start (the cursor's line, or an
 * earlier one while typing line after line, see completion/promptLayout.ts): typing only appends
 * tokens, so the cached prompt stays valid. Snippets of other files come first in the prefix: they
 * get the leading space, the code after them none.
 *   continue: [BOS] + encode(prefix): Meta's `text_completion`, for models not trained to fill in
 *             (suffix and middle are empty).
 */
export function infillPieces(request: InfillRequest): PromptPiece[] {
    const prefix: PromptPiece[] = [
        ...(request.context ? [{ text: request.context, leadingSpace: true }] : []),
        { text: request.prefix, leadingSpace: prefixLeadingSpace(request.context) },
    ];
    const suffix: PromptPiece = { text: request.suffix, leadingSpace: false };
    switch (request.format) {
        case "psm":
        case "psm-line":
            return [
                { special: "bos" },
                { special: "prefix" },
                ...prefix,
                { special: "suffix" },
                suffix,
                { special: "middle" },
                { text: request.middle, leadingSpace: false },
            ];
        case "spm":
            return [{ special: "bos" }, { special: "prefix" }, { special: "suffix" }, suffix, { special: "middle" }, ...prefix];
        case "continue":
            return [{ special: "bos" }, ...prefix];
    }
}

/** A conversation and the format to lay it out in. */
export interface ChatRequest {
    messages: readonly ChatMessage[];
    format: ChatFormat;
}

/** The chat prompt in the request's format ("none" has no format of its own: Llama 2's, whose missing BOS/EOS encoding then names). */
export function chatPieces(request: ChatRequest): PromptPiece[] {
    return request.format === "codellama-70b" ? turnPieces(request.messages) : instructPieces(request.messages);
}

/** The control tokens that end a chat answer besides the model's end of generation: Code Llama 70B ends its turn with `<step>`. */
export function chatStopTokens(format: ChatFormat): SpecialToken[] {
    return format === "codellama-70b" ? ["step"] : [];
}

const B_INST = "[INST]";
const E_INST = "[/INST]";
const B_SYS = "<<SYS>>\n";
const E_SYS = "\n<</SYS>>\n\n";

/**
 * Code Llama Instruct's (Llama 2 chat) format, as Meta's reference `chat_completion` builds it:
 * the system text folded into the first user turn, each finished exchange
 * `[BOS] + encode("[INST] {user} [/INST] {assistant} ") + [EOS]`, then
 * `[BOS] + encode("[INST] {user} [/INST]")`. User and assistant text are stripped.
 * Expects a valid conversation (see chat/instructPrompt.ts conversationProblem).
 */
export function instructPieces(messages: readonly ChatMessage[]): PromptPiece[] {
    const system = messages[0]?.role === "system" ? messages[0].content : undefined;
    const turns = messages.filter((message) => message.role !== "system");
    const pieces: PromptPiece[] = [];
    for (let index = 0; index < turns.length; index += 2) {
        const user = (index === 0 && system !== undefined ? B_SYS + system + E_SYS + turns[index]!.content : turns[index]!.content).trim();
        const assistant = turns[index + 1]?.content;
        if (assistant === undefined) pieces.push({ special: "bos" }, { text: `${B_INST} ${user} ${E_INST}`, leadingSpace: true });
        else pieces.push({ special: "bos" }, { text: `${B_INST} ${user} ${E_INST} ${assistant.trim()} `, leadingSpace: true }, { special: "eos" });
    }
    return pieces;
}

/**
 * Code Llama 70B's turn format, as Meta's reference `dialog_prompt_tokens` builds it (with
 * `_chat_completion_turns` inserting an empty system message when there is none):
 *   [BOS] + for each message: encode(" Source: {role}") + encode("\n\n " + content.strip()) (when
 *   the content is not empty) + [<step>]; then encode(" Source: assistant\nDestination: user") +
 *   encode("\n\n "). Generation stops at <step>.
 */
export function turnPieces(messages: readonly ChatMessage[]): PromptPiece[] {
    const withSystem = messages[0]?.role === "system" ? messages : [{ role: "system" as const, content: "" }, ...messages];
    const pieces: PromptPiece[] = [{ special: "bos" }];
    for (const message of withSystem) {
        pieces.push({ text: ` Source: ${message.role}`, leadingSpace: true });
        if (message.content) pieces.push({ text: `\n\n ${message.content.trim()}`, leadingSpace: true });
        pieces.push({ special: "step" });
    }
    pieces.push({ text: " Source: assistant\nDestination: user", leadingSpace: true }, { text: "\n\n ", leadingSpace: true });
    return pieces;
}

const MISSING: Record<SpecialToken, string> = {
    bos: "This model has no BOS/EOS tokens; it cannot use Code Llama Instruct's chat format.",
    eos: "This model has no BOS/EOS tokens; it cannot use Code Llama Instruct's chat format.",
    prefix: "This model has no fill-in-the-middle tokens (<PRE> <SUF> <MID>); use a Code Llama base or Instruct model.",
    suffix: "This model has no fill-in-the-middle tokens (<PRE> <SUF> <MID>); use a Code Llama base or Instruct model.",
    middle: "This model has no fill-in-the-middle tokens (<PRE> <SUF> <MID>); use a Code Llama base or Instruct model.",
    step: "This model has no <step> token, so it cannot use Code Llama 70B's chat format; use Llama 2's.",
};

/** The pieces as token ids; throws, naming what the model lacks, when a control token is not in its vocabulary. */
export async function encodePieces(pieces: readonly PromptPiece[], tokenizer: Tokenizer, special: SpecialTokenIds): Promise<Token[]> {
    assertSpecialTokens(pieces, special);
    const parts = await Promise.all(
        pieces.map((piece) =>
            "special" in piece ? [special[piece.special]!] : piece.leadingSpace ? tokenizer.encode(piece.text) : tokenizer.encodeInfilling(piece.text),
        ),
    );
    return parts.flat();
}

/** encodePieces for a tokenizer that answers at once (the embedded engine's). */
export function encodePiecesSync(
    pieces: readonly PromptPiece[],
    tokenizer: { encode(text: string): Token[]; encodeInfilling(text: string): Token[] },
    special: SpecialTokenIds,
): Token[] {
    assertSpecialTokens(pieces, special);
    return pieces.flatMap((piece) =>
        "special" in piece ? [special[piece.special]!] : piece.leadingSpace ? tokenizer.encode(piece.text) : tokenizer.encodeInfilling(piece.text),
    );
}

function assertSpecialTokens(pieces: readonly PromptPiece[], special: SpecialTokenIds): void {
    for (const piece of pieces) if ("special" in piece && special[piece.special] === undefined) throw new Error(MISSING[piece.special]);
}
