import path from "node:path";
import { encodeInfillingAsync, type Token } from "../completion/fimPrompt.js";
import { memoizeEncoder } from "./encoderMemo.js";
import { errorMessage, type Logger } from "../log/logger.js";
import { ModelError, type ModelProblem } from "./errors.js";
import type { EngineInfo, EngineTokenizer, Generation, GenerateOptions, InferenceEngine, SequenceName } from "./inference.js";

export interface LlamaServerOptions {
    /** Base URL of llama.cpp's `llama-server`, e.g. http://127.0.0.1:8080. */
    url: string;
    /** Sent as a bearer token (llama-server --api-key); from the environment, never a settings file. */
    apiKey?: string;
    /** Slot completions are pinned to, so this client's prompt stays cached there; -1 lets the server choose. */
    slot: number;
    logger: Logger;
    /** Told when requests start failing and when they work again. */
    onHealth?(healthy: boolean, problem?: ModelProblem): void;
}

const REQUEST_TIMEOUT_MS = 10_000;
const RETRIES = 3;
const BACKOFF_MS = 250;

interface Timings {
    prompt_n?: number;
    cache_n?: number;
    prompt_ms?: number;
}
interface CompletionChunk {
    content?: string;
    tokens?: number[];
    stop?: boolean;
    stop_type?: string;
    timings?: Timings;
}

/**
 * A llama.cpp server (`llama-server`) in place of the embedded engine: prompts are still built here
 * from token ids (its /tokenize endpoint tokenizes), sent to /completion as token arrays with
 * `cache_prompt`, and streamed back. One team server can serve many editors this way.
 */
export class LlamaServerEngine implements InferenceEngine {
    readonly tokenizer: EngineTokenizer;
    private readonly inFlight = new Set<AbortController>();
    private healthy = true;

    private constructor(readonly info: EngineInfo, private readonly options: LlamaServerOptions, special: { bos: Token; eos: Token; prefix: Token; suffix: Token; middle: Token } | undefined) {
        const tokenize = memoizeEncoder((text: string) => this.tokenize(text));
        this.tokenizer = {
            encode: tokenize,
            encodeInfilling: (text) => encodeInfillingAsync(tokenize, text),
            fim: special && { bos: special.bos, prefix: special.prefix, suffix: special.suffix, middle: special.middle },
            bos: special?.bos,
            eos: special?.eos,
        };
    }

    static async connect(options: LlamaServerOptions): Promise<LlamaServerEngine> {
        const started = performance.now();
        const call = (pathname: string, body?: unknown) => request(options, pathname, body);
        let props: { default_generation_settings?: { n_ctx?: number }; model_path?: string; total_slots?: number };
        try {
            await call("/health");
            props = (await call("/props")) as typeof props;
        } catch (error) {
            throw new ModelError("server-unreachable", `Cannot reach the llama.cpp server at ${options.url} (${errorMessage(error)}).`, { cause: error });
        }
        const single = async (text: string): Promise<Token | undefined> => {
            const { tokens } = (await call("/tokenize", { content: text, add_special: false, parse_special: true })) as { tokens: Token[] };
            return tokens.length === 1 ? tokens[0] : undefined;
        };
        const [bos, eos, prefix, suffix, middle] = await Promise.all(["<s>", "</s>", "\u2581<PRE>", "\u2581<SUF>", "\u2581<MID>"].map(single));
        const special = bos !== undefined && eos !== undefined && prefix !== undefined && suffix !== undefined && middle !== undefined ? { bos, eos, prefix, suffix, middle } : undefined;
        const modelPath = props.model_path ?? options.url;
        const info: EngineInfo = {
            modelPath,
            modelName: path.basename(modelPath, ".gguf"),
            device: `llama-server ${options.url}`,
            gpuLayers: 0,
            totalLayers: 0,
            contextSize: props.default_generation_settings?.n_ctx ?? 4096,
            loadMs: Math.round(performance.now() - started),
        };
        return new LlamaServerEngine(info, options, special);
    }

    async generate(sequence: SequenceName, prompt: readonly Token[], options: GenerateOptions): Promise<Generation> {
        const started = performance.now();
        const controller = new AbortController();
        const abort = (): void => controller.abort();
        options.signal?.addEventListener("abort", abort, { once: true });
        this.inFlight.add(controller);
        const tokens: Token[] = [];
        let text = "";
        let stopReason: Generation["stopReason"] = "max-tokens";
        let timings: Timings = {};
        let promptMs = 0;
        try {
            const response = await fetch(new URL("/completion", this.options.url), {
                method: "POST",
                headers: headers(this.options),
                signal: controller.signal,
                body: JSON.stringify({
                    prompt,
                    n_predict: options.maxTokens,
                    temperature: 0,
                    top_k: 1,
                    cache_prompt: options.reuseCache !== false,
                    // Completion stays on its slot so the typed-on prompt is found cached; chat may use any free one.
                    id_slot: sequence === "completion" ? this.options.slot : -1,
                    stream: true,
                    return_tokens: true,
                }),
            });
            if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
            for await (const chunk of serverSentEvents<CompletionChunk>(response.body)) {
                if (promptMs === 0) promptMs = performance.now() - started;
                if (chunk.stop) {
                    timings = chunk.timings ?? {};
                    stopReason = chunk.stop_type === "limit" ? "max-tokens" : "end-of-generation";
                    break;
                }
                if (!chunk.content && (chunk.tokens?.length ?? 0) === 0) continue;
                tokens.push(...(chunk.tokens ?? []));
                text += chunk.content ?? "";
                if (options.onText?.(text) === true) {
                    stopReason = "stopped";
                    controller.abort();
                    break;
                }
            }
            this.setHealthy(true);
        } catch (error) {
            if (options.signal?.aborted) stopReason = "cancelled";
            else if (!controller.signal.aborted) {
                const failure = new ModelError("server-unreachable", `The llama.cpp server at ${this.options.url} failed: ${errorMessage(error)}.`, { cause: error });
                this.setHealthy(false, failure.problem);
                throw failure;
            }
        } finally {
            options.signal?.removeEventListener("abort", abort);
            this.inFlight.delete(controller);
        }
        const reused = timings.cache_n ?? 0;
        return {
            tokens,
            text,
            stopReason,
            promptTokens: prompt.length,
            reusedTokens: reused,
            evaluatedTokens: timings.prompt_n ?? prompt.length - reused,
            promptMs: timings.prompt_ms ?? promptMs,
            totalMs: performance.now() - started,
        };
    }

    async dispose(): Promise<void> {
        for (const controller of this.inFlight) controller.abort();
    }

    private async tokenize(text: string): Promise<Token[]> {
        const { tokens } = (await request(this.options, "/tokenize", { content: text, add_special: false, parse_special: false })) as { tokens: Token[] };
        return tokens;
    }

    private setHealthy(healthy: boolean, problem?: ModelProblem): void {
        if (healthy === this.healthy) return;
        this.healthy = healthy;
        this.options.onHealth?.(healthy, problem);
    }
}

function headers(options: LlamaServerOptions): Record<string, string> {
    return { "Content-Type": "application/json", ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}) };
}

/** A JSON request with a timeout, retried with exponential backoff when the connection fails (it is idempotent). */
async function request(options: LlamaServerOptions, pathname: string, body?: unknown): Promise<unknown> {
    let lastError: unknown;
    for (let attempt = 0; attempt < RETRIES; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * 2 ** (attempt - 1)));
        try {
            const response = await fetch(new URL(pathname, options.url), {
                method: body === undefined ? "GET" : "POST",
                headers: headers(options),
                body: body === undefined ? undefined : JSON.stringify(body),
                signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
            });
            if (response.status === 401 || response.status === 403) throw new ModelError("server-unreachable", `The llama.cpp server at ${options.url} refused the API key (HTTP ${response.status}).`, { fix: "api-key" });
            if (!response.ok) throw new Error(`HTTP ${response.status} from ${pathname}`);
            return await response.json();
        } catch (error) {
            if (error instanceof ModelError) throw error;
            lastError = error;
            options.logger.debug(`llama-server ${pathname} attempt ${attempt + 1} failed: ${errorMessage(error)}`);
        }
    }
    throw lastError;
}

/** Parses a text/event-stream body into its `data:` JSON payloads. */
export async function* serverSentEvents<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = event.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).join("\n");
            if (data && data !== "[DONE]") yield JSON.parse(data) as T;
        }
    }
}
