import type { Token } from "../engine/promptFormat.js";
import type { Encoder } from "../completion/tokenBudget.js";

import type { ChatMessage } from "../../../shared/src/prompts/template.js";

export type { ChatMessage };

const B_INST = "[INST]";
const E_INST = "[/INST]";
const B_SYS = "<<SYS>>\n";
const E_SYS = "\n<</SYS>>\n\n";

export interface InstructTokens {
    bos: Token;
    eos: Token;
}

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

/**
 * Code Llama Instruct's (Llama 2 chat) format, as Meta's reference `chat_completion` builds it:
 * the system text folded into the first user turn, each finished exchange
 * `[BOS] + encode("[INST] {user} [/INST] {assistant} ") + [EOS]`, then
 * `[BOS] + encode("[INST] {user} [/INST]")`. User and assistant text are stripped.
 * Expects a valid conversation (see conversationProblem).
 */
export async function buildInstructPrompt(messages: readonly ChatMessage[], encode: Encoder, special: InstructTokens): Promise<Token[]> {
    return (await Promise.all(exchanges(messages).map((exchange) => exchangeTokens(exchange, encode, special)))).flat();
}

interface Exchange {
    user: string;
    assistant?: string;
}

function exchanges(messages: readonly ChatMessage[]): Exchange[] {
    const system = messages[0]?.role === "system" ? messages[0].content : undefined;
    const turns = messages.filter((message) => message.role !== "system");
    const result: Exchange[] = [];
    for (let index = 0; index < turns.length; index += 2) {
        const user = index === 0 && system !== undefined ? B_SYS + system + E_SYS + turns[index]!.content : turns[index]!.content;
        result.push({ user, assistant: turns[index + 1]?.content });
    }
    return result;
}

async function exchangeTokens(exchange: Exchange, encode: Encoder, special: InstructTokens): Promise<Token[]> {
    if (exchange.assistant === undefined) return [special.bos, ...(await encode(`${B_INST} ${exchange.user.trim()} ${E_INST}`))];
    return [special.bos, ...(await encode(`${B_INST} ${exchange.user.trim()} ${E_INST} ${exchange.assistant.trim()} `)), special.eos];
}

/** The conversation without its `dropped` oldest messages (the system prompt stays). */
export function keptMessages(messages: readonly ChatMessage[], dropped: number): ChatMessage[] {
    const system = messages[0]?.role === "system" ? [messages[0]] : [];
    return [...system, ...messages.slice(system.length + dropped)];
}

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
export async function fitConversation(messages: readonly ChatMessage[], budget: number, encode: Encoder, special: InstructTokens): Promise<FittedConversation> {
    const system = messages[0]?.role === "system" ? [messages[0]] : [];
    const turns = messages.slice(system.length);
    for (let dropped = 0; dropped < turns.length; dropped += 2) {
        const tokens = await buildInstructPrompt([...system, ...turns.slice(dropped)], encode, special);
        if (tokens.length <= budget) return { tokens, droppedMessages: dropped };
    }
    const last = turns.at(-1)!;
    const droppedMessages = turns.length - 1;
    let lo = 0;
    let hi = last.content.length;
    let best = await buildInstructPrompt([...system, { role: "user", content: "" }], encode, special);
    while (lo < hi) {
        const keep = Math.ceil((lo + hi) / 2);
        const tokens = await buildInstructPrompt([...system, { role: "user", content: last.content.slice(last.content.length - keep) }], encode, special);
        if (tokens.length <= budget) {
            lo = keep;
            best = tokens;
        } else {
            hi = keep - 1;
        }
    }
    return { tokens: best, droppedMessages };
}
