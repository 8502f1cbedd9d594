import type { Token } from "../completion/fimPrompt.js";
import type { ChatMessage } from "../chat/instructPrompt.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { ModelError, type ModelProblem } from "./errors.js";
import type { EngineInfo, EngineTokenizer, Generation, GenerateOptions, InferenceEngine, SequenceName } from "./inference.js";
import { serverSentEvents } from "./llamaServer.js";

export interface OpenAIOptions {
    /** Base URL of an OpenAI-compatible server (vLLM, TGI, llama-server); `/v1/...` is appended. */
    url: string;
    apiKey?: string;
    /** Model to ask for; empty picks the first the server lists. */
    model: string;
    /** The server's context size in tokens (OpenAI's API does not tell). */
    contextSize: number;
    logger: Logger;
    onHealth?(healthy: boolean, problem?: ModelProblem): void;
}

/**
 * OpenAI's API has no tokenizer, so prompts are built as text: "tokens" here are characters (a
 * conservative budget: a token is several characters) and the control tokens are written as the
 * model's own token texts (`▁<PRE>`, `<s>`...), which servers that parse special tokens in prompts
 * (llama-server, vLLM) turn back into the control tokens.
 */
const SPECIAL_TEXT = new Map<Token, string>([
    [-1, "<s>"],
    [-2, "</s>"],
    [-3, "\u2581<PRE>"],
    [-4, "\u2581<SUF>"],
    [-5, "\u2581<MID>"],
]);
const STOP_TEXTS = ["\u2581<EOT>", "<EOT>", "</s>"];
const REQUEST_TIMEOUT_MS = 10_000;

const codes = (text: string): Token[] => Array.from(text, (ch) => ch.codePointAt(0)!);

/** Renders a character-and-control-token prompt as text. */
export function promptText(prompt: readonly Token[]): string {
    return prompt.map((token) => SPECIAL_TEXT.get(token) ?? String.fromCodePoint(token)).join("");
}

export class OpenAIEngine implements InferenceEngine {
    readonly tokenizer: EngineTokenizer = {
        // SentencePiece's implicit leading space, as Meta's text format "<PRE> {prefix}" has it.
        encode: (text) => (text ? codes(` ${text}`) : []),
        encodeInfilling: codes,
        fim: { bos: -1, prefix: -3, suffix: -4, middle: -5 },
        bos: -1,
        eos: -2,
    };
    private readonly inFlight = new Set<AbortController>();

    private constructor(readonly info: EngineInfo, private readonly options: OpenAIOptions & { model: string }) {}

    static async connect(options: OpenAIOptions): Promise<OpenAIEngine> {
        const started = performance.now();
        let models: { data?: { id: string }[] };
        try {
            const response = await fetch(endpoint(options.url, "models"), { headers: headers(options), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
            if (response.status === 401 || response.status === 403) throw new ModelError("server-unreachable", `The OpenAI-compatible server at ${options.url} refused the API key (HTTP ${response.status}).`, { fix: "api-key" });
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            models = (await response.json()) as typeof models;
        } catch (error) {
            if (error instanceof ModelError) throw error;
            throw new ModelError("server-unreachable", `Cannot reach the OpenAI-compatible server at ${options.url} (${errorMessage(error)}).`, { cause: error });
        }
        const model = options.model || models.data?.[0]?.id;
        if (!model) throw new ModelError("server-unreachable", `The server at ${options.url} lists no models.`, { fix: "server-model" });
        const info: EngineInfo = {
            modelPath: model,
            modelName: model,
            device: `openai ${options.url}`,
            gpuLayers: 0,
            totalLayers: 0,
            // Characters, not tokens: at least one character per token keeps prompts inside the server's context.
            contextSize: options.contextSize,
            loadMs: Math.round(performance.now() - started),
        };
        return new OpenAIEngine(info, { ...options, model });
    }

    /** Completion (and, as a fallback, a chat prompt) through /v1/completions with the prompt as text. */
    generate(_sequence: SequenceName, prompt: readonly Token[], options: GenerateOptions): Promise<Generation> {
        // OpenAI's API has no prompt cache this side could warm.
        if (options.maxTokens === 0) return Promise.resolve({ tokens: [], text: "", stopReason: "max-tokens", promptTokens: prompt.length, reusedTokens: 0, evaluatedTokens: 0, promptMs: 0, totalMs: 0 });
        return this.stream("completions", { prompt: promptText(prompt), stop: STOP_TEXTS }, prompt.length, options, (choice) => choice.text);
    }

    /** Chat through /v1/chat/completions: the server applies the model's chat template. */
    chat(messages: readonly ChatMessage[], options: GenerateOptions): Promise<Generation> {
        const length = messages.reduce((sum, message) => sum + message.content.length, 0);
        return this.stream("chat/completions", { messages }, length, options, (choice) => choice.delta?.content);
    }

    async dispose(): Promise<void> {
        for (const controller of this.inFlight) controller.abort();
    }

    private async stream(path: string, body: object, promptLength: number, options: GenerateOptions, piece: (choice: Choice) => string | undefined): Promise<Generation> {
        const started = performance.now();
        const controller = new AbortController();
        const abort = (): void => controller.abort();
        options.signal?.addEventListener("abort", abort, { once: true });
        this.inFlight.add(controller);
        let text = "";
        let generated = 0;
        let promptMs = 0;
        let stopReason: Generation["stopReason"] = "end-of-generation";
        try {
            const response = await fetch(endpoint(this.options.url, path), {
                method: "POST",
                headers: headers(this.options),
                signal: controller.signal,
                body: JSON.stringify({ model: this.options.model, ...body, max_tokens: options.maxTokens, temperature: 0, stream: true }),
            });
            if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
            for await (const chunk of serverSentEvents<{ choices?: Choice[] }>(response.body)) {
                if (promptMs === 0) promptMs = performance.now() - started;
                const choice = chunk.choices?.[0];
                if (!choice) continue;
                const delta = piece(choice) ?? "";
                if (delta) {
                    generated++;
                    text += delta;
                    if (options.onText?.(text) === true) {
                        stopReason = "stopped";
                        controller.abort();
                        break;
                    }
                }
                if (choice.finish_reason) {
                    stopReason = choice.finish_reason === "length" ? "max-tokens" : "end-of-generation";
                    break;
                }
            }
            this.options.onHealth?.(true);
        } catch (error) {
            if (options.signal?.aborted) stopReason = "cancelled";
            else if (!controller.signal.aborted) {
                const failure = new ModelError("server-unreachable", `The OpenAI-compatible server at ${this.options.url} failed: ${errorMessage(error)}.`, { cause: error });
                this.options.onHealth?.(false, failure.problem);
                throw failure;
            }
        } finally {
            options.signal?.removeEventListener("abort", abort);
            this.inFlight.delete(controller);
        }
        // The API reports no cache use; count everything as evaluated.
        // Streamed pieces stand for generated tokens (servers send about one per token).
        return { tokens: new Array<Token>(generated).fill(0), text, stopReason, promptTokens: promptLength, reusedTokens: 0, evaluatedTokens: promptLength, promptMs, totalMs: performance.now() - started };
    }
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

function headers(options: Pick<OpenAIOptions, "apiKey">): Record<string, string> {
    return { "Content-Type": "application/json", ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}) };
}
