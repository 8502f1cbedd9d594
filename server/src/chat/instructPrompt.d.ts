import type { Token } from "../engine/promptFormat.js";
import type { Encoder } from "../completion/tokenBudget.js";
export type ChatRole = "system" | "user" | "assistant";
export interface ChatMessage {
    role: ChatRole;
    content: string;
}
export interface InstructTokens {
    bos: Token;
    eos: Token;
}
/** Why a conversation cannot be sent to an Instruct model; undefined when it can. */
export declare function conversationProblem(messages: unknown): string | undefined;
/**
 * Code Llama Instruct's (Llama 2 chat) format, as Meta's reference `chat_completion` builds it:
 * the system text folded into the first user turn, each finished exchange
 * `[BOS] + encode("[INST] {user} [/INST] {assistant} ") + [EOS]`, then
 * `[BOS] + encode("[INST] {user} [/INST]")`. User and assistant text are stripped.
 * Expects a valid conversation (see conversationProblem).
 */
export declare function buildInstructPrompt(messages: readonly ChatMessage[], encode: Encoder, special: InstructTokens): Promise<Token[]>;
/** The conversation without its `dropped` oldest messages (the system prompt stays). */
export declare function keptMessages(messages: readonly ChatMessage[], dropped: number): ChatMessage[];
export interface FittedConversation {
    tokens: Token[];
    /** Messages left out (oldest first) so that the rest fits. */
    droppedMessages: number;
}
/**
 * Drops the oldest exchanges until the prompt fits `budget` tokens. The system prompt and the last
 * user message are never dropped; when they alone do not fit, the last user message is cut from its
 * start (its end, nearest the question, is kept).
 */
export declare function fitConversation(messages: readonly ChatMessage[], budget: number, encode: Encoder, special: InstructTokens): Promise<FittedConversation>;
