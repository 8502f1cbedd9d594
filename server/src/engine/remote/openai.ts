import { ModelError } from "../errors.js";
import type { EngineInfo, GenerateOptions, Generation, InferenceEngine } from "../inference.js";
import { modelRoles } from "../modelRoles.js";
import { type ChatRequest, chatPieces, type InfillRequest, infillPieces, type PromptPiece, type SpecialToken } from "../promptFormat.js";
import { ServerConnection, type ServerOptions } from "./http.js";

export interface OpenAIOptions extends ServerOptions {
    /** Model to ask for; empty picks the first the server lists. */
    model: string;
    /** The server's context size in tokens (OpenAI's API does not tell); 0 (automatic): Llama 2's 4,096, what any server of these models holds. */
    contextSize: number;
}

/**
 * The model's own texts of its control tokens: servers that parse special tokens in prompts
 * (llama-server, vLLM) turn them back into the control tokens.
 */
const SPECIAL_TEXT: Record<SpecialToken, string> = {
    bos: "<s>",
    eos: "</s>",
    prefix: "\u2581<PRE>",
    suffix: "\u2581<SUF>",
    middle: "\u2581<MID>",
    step: "<step>",
};
const UNKNOWN_SERVER_CONTEXT = 4096;
const STOP_TEXTS = ["\u2581<EOT>", "<EOT>", "</s>"];

/** A prompt as text: control tokens as their texts, SentencePiece's leading space written out (Meta's text format "<PRE> {prefix}"). */
export function promptText(pieces: readonly PromptPiece[]): string {
    return pieces
        .map((piece) => ("special" in piece ? SPECIAL_TEXT[piece.special] : piece.leadingSpace && piece.text ? ` ${piece.text}` : piece.text))
        .join("");
}

/**
 * An OpenAI-compatible server (vLLM, TGI, llama-server's /v1). Its API takes text and has no
 * tokenizer: completion prompts go to /v1/completions as text, chat to /v1/chat/completions as
 * messages (the server applies the model's chat template), and tokens are counted as characters
 * for budgets, an over-estimate for code that keeps prompts within the server's context.
 */
export class OpenAIEngine implements InferenceEngine {
    private constructor(
        readonly info: EngineInfo,
        private readonly server: ServerConnection,
        private readonly model: string,
    ) {}

    static async connect(options: OpenAIOptions): Promise<OpenAIEngine> {
        const started = performance.now();
        const server = new ServerConnection("OpenAI-compatible server", options);
        let models: { data?: { id: string }[] };
        try {
            models = (await server.json(endpoint(options.url, "models"))) as typeof models;
        } catch (error) {
            throw server.unreachable(error);
        }
        const model = options.model || models.data?.[0]?.id;
        if (!model) throw new ModelError("server-unreachable", `The server at ${options.url} lists no models.`, { fix: "server-model" });
        const info: EngineInfo = {
            modelPath: model,
            modelName: model,
            // The API tells the model's name only; the server applies its chat template itself.
            roles: modelRoles({ name: model, fileName: model, parameterCount: 0, infillTokens: true, stepToken: false, bosEos: true }),
            device: `openai ${options.url}`,
            gpuLayers: 0,
            totalLayers: 0,
            contextSize: options.contextSize > 0 ? options.contextSize : UNKNOWN_SERVER_CONTEXT,
            loadMs: Math.round(performance.now() - started),
        };
        return new OpenAIEngine(info, server, model);
    }

    countTokens(text: string, leadingSpace: boolean): number {
        return countPieces([{ text, leadingSpace }]);
    }

    async chatPromptTokens(request: ChatRequest): Promise<number> {
        return countPieces(chatPieces(request));
    }

    /** Completion through /v1/completions with the prompt as text. */
    infill(request: InfillRequest, options: GenerateOptions): Promise<Generation> {
        const pieces = infillPieces(request);
        // OpenAI's API has no prompt cache this side could warm.
        if (options.maxTokens === 0)
            return Promise.resolve({
                text: "",
                generatedTokens: 0,
                stopReason: "max-tokens",
                promptTokens: countPieces(pieces),
                reusedTokens: 0,
                evaluatedTokens: 0,
                promptMs: 0,
                totalMs: 0,
            });
        return this.stream("completions", { prompt: promptText(pieces), stop: STOP_TEXTS }, countPieces(pieces), options, (choice) => choice.text);
    }

    /** Chat through /v1/chat/completions: the server applies the model's chat template. */
    chat({ messages }: ChatRequest, options: GenerateOptions): Promise<Generation> {
        const length = messages.reduce((sum, message) => sum + message.content.length, 0);
        return this.stream("chat/completions", { messages }, length, options, (choice) => choice.delta?.content);
    }

    async dispose(): Promise<void> {
        this.server.abortAll();
    }

    private async stream(
        path: string,
        body: object,
        promptTokens: number,
        options: GenerateOptions,
        piece: (choice: Choice) => string | undefined,
    ): Promise<Generation> {
        const started = performance.now();
        let text = "";
        let generatedTokens = 0;
        let promptMs = 0;
        let stopReason: Generation["stopReason"] = "end-of-generation";
        const outcome = await this.server.stream<{ choices?: Choice[] }>(
            endpoint(this.server.url, path),
            { model: this.model, ...body, max_tokens: options.maxTokens, temperature: 0, stream: true },
            options.signal,
            (chunk) => {
                if (promptMs === 0) promptMs = performance.now() - started;
                const choice = chunk.choices?.[0];
                if (!choice) return false;
                const delta = piece(choice) ?? "";
                if (delta) {
                    // Streamed pieces stand for generated tokens (servers send about one per token).
                    generatedTokens++;
                    text += delta;
                    if (options.onText?.(text) === true) {
                        stopReason = "stopped";
                        return true;
                    }
                }
                if (choice.finish_reason) {
                    stopReason = choice.finish_reason === "length" ? "max-tokens" : "end-of-generation";
                    return true;
                }
                return false;
            },
        );
        if (outcome === "cancelled") stopReason = "cancelled";
        // The API reports no cache use; count everything as evaluated.
        return {
            text,
            generatedTokens,
            stopReason,
            promptTokens,
            reusedTokens: 0,
            evaluatedTokens: promptTokens,
            promptMs,
            totalMs: performance.now() - started,
        };
    }
}

/** A prompt's length in this engine's tokens: a control token is one, a text one per character (code point). */
function countPieces(pieces: readonly PromptPiece[]): number {
    return pieces.reduce((sum, piece) => sum + ("special" in piece ? 1 : Array.from(promptText([piece])).length), 0);
}

interface Choice {
    text?: string;
    delta?: { content?: string };
    finish_reason?: string | null;
}

function endpoint(base: string, path: string): URL {
    const url = new URL(base);
    const prefix = url.pathname.replace(/\/+$/, "").replace(/\/v1$/, "");
    url.pathname = `${prefix}/v1/${path}`;
    return url;
}
