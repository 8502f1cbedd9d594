import path from "node:path";
import type { Logger } from "../../log/logger.js";
import type { EngineInfo, GenerateOptions, Generation, InferenceEngine } from "../inference.js";
import { modelRoles } from "../modelRoles.js";
import {
    type ChatRequest,
    chatPieces,
    chatStopTokens,
    encodePieces,
    type InfillRequest,
    infillPieces,
    type PromptPiece,
    type SpecialTokenIds,
} from "../promptFormat.js";
import { encodeInfillingAsync, memoizeEncoder, type Token, type Tokenizer } from "../tokenizer.js";
import { ServerConnection, type ServerOptions } from "./http.js";

export interface LlamaServerOptions extends ServerOptions {
    /** Slot completions are pinned to, so this client's prompt stays cached there; -1 lets the server choose. */
    slot: number;
    logger: Logger;
}

/** llama-server's requests are idempotent: tried this often while the connection fails. */
const ATTEMPTS = 3;

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
 * A llama.cpp server (`llama-server`) in place of the embedded engine: prompts are still encoded
 * here as token ids (its /tokenize endpoint tokenizes), sent to /completion as token arrays with
 * `cache_prompt`, and streamed back. One team server can serve many editors this way.
 */
export class LlamaServerEngine implements InferenceEngine {
    private readonly tokenizer: Tokenizer;

    private constructor(
        readonly info: EngineInfo,
        private readonly server: ServerConnection,
        private readonly slot: number,
        private readonly special: SpecialTokenIds,
    ) {
        const tokenize = memoizeEncoder((text: string) => this.tokenize(text));
        this.tokenizer = { encode: tokenize, encodeInfilling: (text) => encodeInfillingAsync(tokenize, text) };
    }

    static async connect(options: LlamaServerOptions): Promise<LlamaServerEngine> {
        const started = performance.now();
        const server = new ServerConnection("llama.cpp server", options);
        const call = (pathname: string, body?: unknown) => server.json(new URL(pathname, options.url), body, ATTEMPTS);
        let props: { default_generation_settings?: { n_ctx?: number }; model_path?: string; chat_template?: string };
        try {
            await call("/health");
            props = (await call("/props")) as typeof props;
        } catch (error) {
            throw server.unreachable(error);
        }
        const single = async (text: string): Promise<Token | undefined> => {
            const { tokens } = (await call("/tokenize", { content: text, add_special: false, parse_special: true })) as { tokens: Token[] };
            return tokens.length === 1 ? tokens[0] : undefined;
        };
        const ids = await Promise.all(["<s>", "</s>", "\u2581<PRE>", "\u2581<SUF>", "\u2581<MID>", "<step>"].map(single));
        const special: SpecialTokenIds = {};
        (["bos", "eos", "prefix", "suffix", "middle", "step"] as const).forEach((name, index) => {
            if (ids[index] !== undefined) special[name] = ids[index];
        });
        const modelPath = props.model_path ?? options.url;
        // The server says neither the model's names nor its size: its file name and vocabulary tell.
        const roles = modelRoles({
            fileName: path.basename(modelPath),
            parameterCount: 0,
            infillTokens: special.prefix !== undefined && special.suffix !== undefined && special.middle !== undefined,
            stepToken: special.step !== undefined,
            bosEos: special.bos !== undefined && special.eos !== undefined,
            ...(props.chat_template ? { chatTemplate: props.chat_template } : {}),
        });
        const info: EngineInfo = {
            modelPath,
            modelName: path.basename(modelPath, ".gguf"),
            roles,
            device: `llama-server ${options.url}`,
            gpuLayers: 0,
            totalLayers: 0,
            contextSize: props.default_generation_settings?.n_ctx ?? 4096,
            loadMs: Math.round(performance.now() - started),
        };
        return new LlamaServerEngine(info, server, options.slot, special);
    }

    async countTokens(text: string, leadingSpace: boolean): Promise<number> {
        return (await (leadingSpace ? this.tokenizer.encode(text) : this.tokenizer.encodeInfilling(text))).length;
    }

    async chatPromptTokens(request: ChatRequest): Promise<number> {
        return (await this.encode(chatPieces(request))).length;
    }

    async infill(request: InfillRequest, options: GenerateOptions): Promise<Generation> {
        return this.generate("completion", await this.encode(infillPieces(request)), options);
    }

    async chat(request: ChatRequest, options: GenerateOptions): Promise<Generation> {
        const stopTokens = chatStopTokens(request.format)
            .map((name) => this.special[name])
            .filter((id) => id !== undefined);
        return this.generate("chat", await this.encode(chatPieces(request)), options, stopTokens);
    }

    async dispose(): Promise<void> {
        this.server.abortAll();
    }

    private encode(pieces: readonly PromptPiece[]): Promise<Token[]> {
        return encodePieces(pieces, this.tokenizer, this.special);
    }

    /** `stopTokens`: control tokens that end the answer (the server streams their ids, not their text). */
    private async generate(
        sequence: "completion" | "chat",
        prompt: readonly Token[],
        options: GenerateOptions,
        stopTokens: readonly Token[] = [],
    ): Promise<Generation> {
        const started = performance.now();
        let generatedTokens = 0;
        let text = "";
        let stopReason: Generation["stopReason"] = "max-tokens";
        let timings: Timings = {};
        let promptMs = 0;
        const body = {
            prompt,
            n_predict: options.maxTokens,
            temperature: 0,
            top_k: 1,
            cache_prompt: options.reuseCache !== false,
            // Completion stays on its slot so the typed-on prompt is found cached; chat may use any free one.
            id_slot: sequence === "completion" ? this.slot : -1,
            stream: true,
            return_tokens: true,
        };
        const outcome = await this.server.stream<CompletionChunk>(new URL("/completion", this.server.url), body, options.signal, (chunk) => {
            if (promptMs === 0) promptMs = performance.now() - started;
            if (chunk.stop) {
                timings = chunk.timings ?? {};
                stopReason = chunk.stop_type === "limit" ? "max-tokens" : "end-of-generation";
                return true;
            }
            if (!chunk.content && (chunk.tokens?.length ?? 0) === 0) return false;
            if (chunk.tokens?.some((token) => stopTokens.includes(token))) {
                stopReason = "end-of-generation";
                return true;
            }
            generatedTokens += chunk.tokens?.length ?? 0;
            text += chunk.content ?? "";
            if (options.onText?.(text) === true) {
                stopReason = "stopped";
                return true;
            }
            return false;
        });
        if (outcome === "cancelled") stopReason = "cancelled";
        const reused = timings.cache_n ?? 0;
        return {
            text,
            generatedTokens,
            stopReason,
            promptTokens: prompt.length,
            reusedTokens: reused,
            evaluatedTokens: timings.prompt_n ?? prompt.length - reused,
            promptMs: timings.prompt_ms ?? promptMs,
            totalMs: performance.now() - started,
        };
    }

    private async tokenize(text: string): Promise<Token[]> {
        const { tokens } = (await this.server.json(
            new URL("/tokenize", this.server.url),
            { content: text, add_special: false, parse_special: false },
            ATTEMPTS,
        )) as { tokens: Token[] };
        return tokens;
    }
}
