/**
 * What both server backends need from HTTP, written once: the bearer-token headers, JSON requests
 * with a timeout (retried while the connection fails), the server-sent-events reader, and streamed
 * generations whose abort follows the caller's signal and the engine's dispose.
 */
import { errorMessage, type Logger } from "../../log/logger.js";
import { ModelError, type ModelProblem } from "../errors.js";

const REQUEST_TIMEOUT_MS = 10_000;
const BACKOFF_MS = 250;

export interface ServerOptions {
    /** Base URL of the server. */
    url: string;
    /** Sent as a bearer token; from the environment (CODELLAMA_API_KEY), never a settings file. */
    apiKey?: string;
    logger: Logger;
    /** Told when requests start failing and when they work again. */
    onHealth?(healthy: boolean, problem?: ModelProblem): void;
}

/**
 * One server's HTTP side: `name` says which in messages ("llama.cpp server", "OpenAI-compatible
 * server"). Tracks the streamed requests in flight, so dispose() stops them.
 */
export class ServerConnection {
    private readonly inFlight = new Set<AbortController>();
    private healthy = true;

    constructor(
        readonly name: string,
        private readonly options: ServerOptions,
    ) {}

    get url(): string {
        return this.options.url;
    }

    headers(): Record<string, string> {
        return { "Content-Type": "application/json", ...(this.options.apiKey ? { Authorization: `Bearer ${this.options.apiKey}` } : {}) };
    }

    /**
     * A JSON request (GET without a body, POST with one) with a timeout, tried `attempts` times with
     * exponential backoff while the connection fails (only for idempotent requests). A refused API
     * key is not retried: it throws a ModelError whose fix is the key.
     */
    async json(url: URL, body?: unknown, attempts = 1): Promise<unknown> {
        let lastError: unknown;
        for (let attempt = 0; attempt < attempts; attempt++) {
            if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, BACKOFF_MS * 2 ** (attempt - 1)));
            try {
                const response = await fetch(url, {
                    method: body === undefined ? "GET" : "POST",
                    headers: this.headers(),
                    body: body === undefined ? undefined : JSON.stringify(body),
                    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
                });
                if (response.status === 401 || response.status === 403)
                    throw new ModelError("server-unreachable", `The ${this.name} at ${this.options.url} refused the API key (HTTP ${response.status}).`, {
                        fix: "api-key",
                    });
                if (!response.ok) throw new Error(`HTTP ${response.status} from ${url.pathname}`);
                return await response.json();
            } catch (error) {
                if (error instanceof ModelError) throw error;
                lastError = error;
                this.options.logger.debug(`${this.name} ${url.pathname} attempt ${attempt + 1} failed: ${errorMessage(error)}`);
            }
        }
        throw lastError;
    }

    /** The error for a server that cannot be reached (or refused the key) while connecting. */
    unreachable(error: unknown): ModelError {
        if (error instanceof ModelError) return error;
        return new ModelError("server-unreachable", `Cannot reach the ${this.name} at ${this.options.url} (${errorMessage(error)}).`, { cause: error });
    }

    /**
     * POSTs `body` and hands each server-sent event to `onEvent` until it returns true (stop reading),
     * the stream ends, or `signal` aborts. Resolves "cancelled" when the caller aborted; a failing
     * server is reported through onHealth and throws a ModelError.
     */
    async stream<T>(url: URL, body: object, signal: AbortSignal | undefined, onEvent: (event: T) => boolean | void): Promise<"done" | "cancelled"> {
        const controller = new AbortController();
        const abort = (): void => controller.abort();
        signal?.addEventListener("abort", abort, { once: true });
        this.inFlight.add(controller);
        try {
            const response = await fetch(url, { method: "POST", headers: this.headers(), signal: controller.signal, body: JSON.stringify(body) });
            if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`);
            for await (const event of serverSentEvents<T>(response.body)) {
                if (onEvent(event) === true) {
                    controller.abort();
                    break;
                }
            }
            this.setHealthy(true);
            return "done";
        } catch (error) {
            if (signal?.aborted) return "cancelled";
            // Aborted by onEvent (it has what it wanted) or by dispose().
            if (controller.signal.aborted) return "done";
            const failure = new ModelError("server-unreachable", `The ${this.name} at ${this.options.url} failed: ${errorMessage(error)}.`, { cause: error });
            this.setHealthy(false, failure.problem);
            throw failure;
        } finally {
            signal?.removeEventListener("abort", abort);
            this.inFlight.delete(controller);
        }
    }

    /** Stops every streamed request. */
    abortAll(): void {
        for (const controller of this.inFlight) controller.abort();
    }

    private setHealthy(healthy: boolean, problem?: ModelProblem): void {
        if (healthy === this.healthy) return;
        this.healthy = healthy;
        this.options.onHealth?.(healthy, problem);
    }
}

/** Parses a text/event-stream body into its `data:` JSON payloads. */
export async function* serverSentEvents<T>(body: ReadableStream<Uint8Array>): AsyncGenerator<T> {
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
            const event = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = event
                .split("\n")
                .filter((line) => line.startsWith("data:"))
                .map((line) => line.slice(5).trim())
                .join("\n");
            if (data && data !== "[DONE]") yield JSON.parse(data) as T;
        }
    }
}
