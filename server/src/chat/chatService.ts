import type { Engine } from "../engine/engine.js";
import { type ChatMessage, fitConversation } from "./instructPrompt.js";
import { TextStream } from "../engine/textStream.js";

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
export async function answerChat(engine: Engine, messages: readonly ChatMessage[], options: ChatOptions): Promise<ChatAnswer> {
    const { tokenizer } = engine;
    if (tokenizer.bos === undefined || tokenizer.eos === undefined) throw new Error("This model has no BOS/EOS tokens; it cannot use Code Llama Instruct's chat format.");
    const maxTokens = Math.min(options.maxTokens, Math.floor(engine.info.contextSize / 2));
    const prompt = fitConversation(messages, engine.info.contextSize - maxTokens, tokenizer.encode, { bos: tokenizer.bos, eos: tokenizer.eos });
    // Meta's decoding drops the space SentencePiece puts before the answer's first word.
    const stream = new TextStream((tokens) => tokenizer.detokenize(tokens));
    const generation = await engine.generate("chat", prompt.tokens, {
        maxTokens,
        signal: options.signal,
        priority: "background",
        onToken: (_token, generated) => {
            const delta = stream.push(generated);
            if (delta) options.onDelta?.(delta);
        },
    });
    const tail = stream.finish(generation.tokens);
    if (tail) options.onDelta?.(tail);
    return {
        content: tokenizer.detokenize(generation.tokens),
        stopReason: generation.stopReason === "stopped" ? "end-of-generation" : generation.stopReason,
        usage: { promptTokens: prompt.tokens.length, completionTokens: generation.tokens.length, droppedMessages: prompt.droppedMessages },
    };
}
