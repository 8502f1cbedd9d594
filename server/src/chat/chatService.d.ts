import type { InferenceEngine } from "../engine/inference.js";
import { type ChatMessage } from "./instructPrompt.js";
export interface ChatOptions {
    maxTokens: number;
    signal?: AbortSignal;
    onDelta?(delta: string): void;
}
export interface ChatAnswer {
    content: string;
    stopReason: "end-of-generation" | "max-tokens" | "cancelled";
    usage: {
        promptTokens: number;
        completionTokens: number;
        /** Oldest messages left out so the conversation fits the context (0 when all fit). */
        droppedMessages: number;
    };
}
/**
 * Answers a conversation on the engine's chat sequence (the completion sequence keeps its cache),
 * streaming text deltas as they are generated. Cancelling keeps what was produced.
 */
export declare function answerChat(engine: InferenceEngine, messages: readonly ChatMessage[], options: ChatOptions): Promise<ChatAnswer>;
