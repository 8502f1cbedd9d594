import type { ChatMessage } from "../../../shared/src/prompts/template.js";
import type { ChatAnswer } from "../../../shared/src/protocol.js";
import type { ChatFormatSetting } from "../../../shared/src/settings.js";
import type { InferenceEngine } from "../engine/inference.js";
import { chatUse } from "../engine/modelRoles.js";
import type { ModelManager } from "../model/modelManager.js";
import { fitConversation } from "./instructPrompt.js";

export interface ChatOptions {
    maxTokens: number;
    /** `chat.format`: over what the model file says (modelRoles.ts chatUse). */
    format: ChatFormatSetting;
    signal?: AbortSignal;
    onDelta?(delta: string): void;
}

/**
 * Answers a conversation on the engine's chat sequence (the completion sequence keeps its cache),
 * streaming text deltas as they are generated. Cancelling keeps what was produced.
 */
export async function answerChat(engine: InferenceEngine, messages: readonly ChatMessage[], options: ChatOptions): Promise<ChatAnswer> {
    const maxTokens = Math.min(options.maxTokens, Math.floor(engine.info.contextSize / 2));
    const { format } = chatUse(engine.info.roles, options.format);
    const prompt = await fitConversation(messages, engine.info.contextSize - maxTokens, (candidate) =>
        engine.chatPromptTokens({ messages: candidate, format }),
    );
    // Meta's decoding drops the space SentencePiece puts before the answer's first word (and the 70B's reply header ends in one).
    const answerText = (text: string): string => text.replace(/^ /, "");
    let sent = "";
    const send = (text: string): void => {
        const content = answerText(text);
        if (content.length > sent.length) options.onDelta?.(content.slice(sent.length));
        sent = content;
    };
    const generateOptions = { maxTokens, signal: options.signal, priority: "background" as const, onText: send };
    const generation = await engine.chat({ messages: prompt.messages, format }, generateOptions);
    send(generation.text);
    return {
        content: answerText(generation.text),
        stopReason: generation.stopReason === "stopped" ? "end-of-generation" : generation.stopReason,
        usage: { promptTokens: prompt.promptTokens, completionTokens: generation.generatedTokens, droppedMessages: prompt.droppedMessages },
    };
}

/**
 * Answers once the chat model (the completion model, or a separate one) is ready: a question asked
 * while it loads or downloads waits for it.
 * Cancelled while waiting: an empty answer marked cancelled. Rejects with ModelNotReady when loading
 * failed or a download waits for the user's consent.
 */
export async function answerWhenReady(
    models: Pick<ModelManager, "whenChatReady">,
    messages: readonly ChatMessage[],
    options: ChatOptions,
): Promise<ChatAnswer> {
    const engine = await models.whenChatReady(options.signal);
    if (!engine) return { content: "", stopReason: "cancelled", usage: { promptTokens: 0, completionTokens: 0, droppedMessages: 0 } };
    return answerChat(engine, messages, options);
}
