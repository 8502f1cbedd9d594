/**
 * A conversation for Code Llama Instruct: whether it can be sent, and which part of it fits the
 * context. The engine lays it out in the Instruct format and counts its tokens (see
 * engine/promptFormat.ts, instructPieces).
 */
import type { ChatMessage } from "../../../shared/src/prompts/template.js";

/** Why a conversation cannot be sent to an Instruct model; undefined when it can. */
export function conversationProblem(messages: unknown): string | undefined {
    if (!Array.isArray(messages) || messages.length === 0) return "messages must be a non-empty array";
    for (const [index, message] of messages.entries()) {
        if (typeof message !== "object" || message === null) return `messages[${index}] must be an object`;
        const { role, content } = message as Record<string, unknown>;
        if (role !== "system" && role !== "user" && role !== "assistant") return `messages[${index}].role must be "system", "user" or "assistant"`;
        if (typeof content !== "string") return `messages[${index}].content must be a string`;
        if (role === "system" && index !== 0) return "only the first message may be a system message";
    }
    const turns = (messages as ChatMessage[]).filter((message) => message.role !== "system");
    for (const [index, message] of turns.entries()) {
        if (message.role !== (index % 2 === 0 ? "user" : "assistant")) return "user and assistant messages must alternate, starting with user";
    }
    if (turns.at(-1)?.role !== "user") return "the last message must be from the user";
    return undefined;
}

/** The conversation without its `dropped` oldest messages (the system prompt stays). */
export function keptMessages(messages: readonly ChatMessage[], dropped: number): ChatMessage[] {
    const system = messages[0]?.role === "system" ? [messages[0]] : [];
    return [...system, ...messages.slice(system.length + dropped)];
}

export interface FittedConversation {
    /** What to send: the system prompt, the newest exchanges that fit, the last user message (cut from its start when it alone does not fit). */
    messages: ChatMessage[];
    promptTokens: number;
    /** Messages left out (oldest first) so that the rest fits. */
    droppedMessages: number;
}

/** The tokens of a conversation's prompt, as the engine encodes it. */
export type ConversationTokens = (messages: readonly ChatMessage[]) => Promise<number>;

/**
 * Drops the oldest exchanges until the prompt fits `budget` tokens. The system prompt and the last
 * user message are never dropped; when they alone do not fit, the last user message is cut from its
 * start (its end, nearest the question, is kept).
 */
export async function fitConversation(messages: readonly ChatMessage[], budget: number, count: ConversationTokens): Promise<FittedConversation> {
    const system = messages[0]?.role === "system" ? [messages[0]] : [];
    const turns = messages.slice(system.length);
    for (let dropped = 0; dropped < turns.length; dropped += 2) {
        const kept = keptMessages(messages, dropped);
        const promptTokens = await count(kept);
        if (promptTokens <= budget) return { messages: kept, promptTokens, droppedMessages: dropped };
    }
    const last = turns.at(-1)!;
    const droppedMessages = turns.length - 1;
    const cut = (keep: number): ChatMessage[] => [...system, { role: "user", content: last.content.slice(last.content.length - keep) }];
    let lo = 0;
    let hi = last.content.length;
    let best = { messages: cut(0), promptTokens: await count(cut(0)) };
    while (lo < hi) {
        const keep = Math.ceil((lo + hi) / 2);
        const promptTokens = await count(cut(keep));
        if (promptTokens <= budget) {
            lo = keep;
            best = { messages: cut(keep), promptTokens };
        } else {
            hi = keep - 1;
        }
    }
    return { ...best, droppedMessages };
}
