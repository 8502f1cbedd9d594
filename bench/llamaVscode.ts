/**
 * How llama.vscode (ggml-org/llama.vscode, src/completion.ts and src/llama-server.ts) asks
 * llama.cpp's `llama-server` for a completion, reduced to what the benchmark needs (pure):
 *
 * - `input_prefix`: the `n_prefix` (256) lines above the cursor's line, each followed by "\n";
 * - `prompt`: the cursor's line up to the cursor ("" when that is only indentation);
 * - `input_suffix`: the rest of the cursor's line, "\n", the `n_suffix` (64) lines below, "\n";
 * - `cache_prompt: true`, `n_predict`, `n_indent` (the line's indentation, when not 0), no streaming,
 *   and its sampling (`top_k` 40, `top_p` 0.99, samplers top_k, top_p, infill), or greedy sampling
 *   (`top_k` 1) like this server: on a random-weight test model the infill sampler ends every answer
 *   after one token, so the benchmark asks for greedy sampling unless told otherwise;
 * - an automatic request is skipped when more than `max_line_suffix` (8) characters follow the cursor;
 * - results go into an LRU cache keyed by prefix|suffix|prompt; a request whose prompt extends a cached
 *   one by text the cached completion starts with is answered from the cache;
 * - one request at a time: a new one polls every 150 ms until the running one is done, and gives up
 *   when VS Code cancels it meanwhile; a running HTTP request is never aborted.
 *
 * Left out (they would add llama-server work, so leaving them out favours llama-server): the ring
 * buffer of extra context chunks (`input_extra`), the speculative request for the text after an
 * accepted suggestion, RAG, and the `t_max_prompt_ms` / `t_max_predict_ms` time limits (so that both
 * stacks generate up to the same number of tokens).
 */

export const LLAMA_VSCODE_DEFAULTS = {
    nPrefix: 256,
    nSuffix: 64,
    maxLineSuffix: 8,
    maxCacheKeys: 250,
    /** DELAY_BEFORE_COMPL_REQUEST: the poll interval while another request runs. */
    pollMs: 150,
} as const;

export interface InfillInput {
    inputPrefix: string;
    inputSuffix: string;
    prompt: string;
    /** Indentation of the cursor's line (characters). */
    nIndent: number;
    /** Text after the cursor on its line. */
    lineSuffix: string;
}

/** The prefix, suffix and prompt llama.vscode sends for the cursor at `position` (0-based line, UTF-16 character). */
export function infillInput(text: string, position: { line: number; character: number }, options: { nPrefix?: number; nSuffix?: number } = {}): InfillInput {
    const nPrefix = options.nPrefix ?? LLAMA_VSCODE_DEFAULTS.nPrefix;
    const nSuffix = options.nSuffix ?? LLAMA_VSCODE_DEFAULTS.nSuffix;
    // VS Code's TextDocument.lineAt(): lines without their line break.
    const lines = text.split(/\r?\n/);
    const line = Math.min(Math.max(0, position.line), lines.length - 1);
    const lineText = lines[line]!;
    const cursor = Math.min(Math.max(0, position.character), lineText.length);
    const prefixLines = lines.slice(Math.max(0, line - nPrefix), line);
    const suffixLines = lines.slice(line + 1, Math.min(lines.length - 1, line + nSuffix) + 1);
    const linePrefix = lineText.slice(0, cursor);
    const lineSuffix = lineText.slice(cursor);
    return {
        inputPrefix: prefixLines.join("\n") + "\n",
        inputSuffix: lineSuffix + "\n" + suffixLines.join("\n") + "\n",
        prompt: /^[ \t]*$/.test(linePrefix) ? "" : linePrefix,
        nIndent: lineText.length - lineText.trimStart().length,
        lineSuffix,
    };
}

export interface InfillPayloadOptions {
    nPredict: number;
    /** Sent as `cache_prompt` (llama.vscode: true). */
    cachePrompt?: boolean;
    /** "llama.vscode": its sampler chain; "greedy" (default): top_k 1, as this server decodes. */
    sampling?: "greedy" | "llama.vscode";
}

/** The JSON body of POST /infill, as llama.vscode's createRequestPayload builds it (without input_extra chunks and time limits; greedy unless asked for llama.vscode's sampling). */
export function infillPayload(input: InfillInput, options: InfillPayloadOptions): Record<string, unknown> {
    return {
        input_prefix: input.inputPrefix,
        input_suffix: input.inputSuffix,
        input_extra: [],
        prompt: input.prompt,
        n_predict: options.nPredict,
        ...(options.sampling === "llama.vscode" ? { top_k: 40, top_p: 0.99, samplers: ["top_k", "top_p", "infill"] } : { top_k: 1, samplers: ["top_k"] }),
        stream: false,
        cache_prompt: options.cachePrompt ?? true,
        ...(input.nIndent ? { n_indent: input.nIndent } : {}),
    };
}

/** llama.vscode skips an automatic request when more than `maxLineSuffix` characters follow the cursor. */
export function skipsAutomaticRequest(input: InfillInput, maxLineSuffix: number = LLAMA_VSCODE_DEFAULTS.maxLineSuffix): boolean {
    return input.lineSuffix.length > maxLineSuffix;
}

/** Trailing blank lines removed, as llama.vscode does before showing and caching a completion. */
export function trimSuggestion(content: string): string {
    const lines = content.split(/\r?\n/);
    while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
    return lines.join("\n");
}

/** llama.vscode's LRU result cache and its lookup that also serves a prompt typed through a cached completion. */
export class ResultCache {
    private readonly entries = new Map<string, string>();

    constructor(private readonly maxKeys: number = LLAMA_VSCODE_DEFAULTS.maxCacheKeys) {}

    static key(input: Pick<InfillInput, "inputPrefix" | "inputSuffix">, prompt: string): string {
        return `${input.inputPrefix}|${input.inputSuffix}|${prompt}`;
    }

    get size(): number {
        return this.entries.size;
    }

    put(input: Pick<InfillInput, "inputPrefix" | "inputSuffix" | "prompt">, completion: string): void {
        const key = ResultCache.key(input, input.prompt);
        this.entries.delete(key);
        this.entries.set(key, completion);
        while (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
    }

    private touch(key: string): string | undefined {
        const value = this.entries.get(key);
        if (value === undefined) return undefined;
        this.entries.delete(key);
        this.entries.set(key, value);
        return value;
    }

    /**
     * The cached completion for exactly this request, or, for a prompt that extends a cached prompt
     * by text the cached completion starts with, the rest of that completion.
     */
    lookup(input: Pick<InfillInput, "inputPrefix" | "inputSuffix" | "prompt">): string | undefined {
        const exact = this.touch(ResultCache.key(input, input.prompt));
        if (exact !== undefined) return exact;
        const { prompt } = input;
        for (let length = prompt.length; length >= 0; length--) {
            const cached = this.touch(ResultCache.key(input, prompt.slice(0, length)));
            const typed = prompt.slice(length);
            if (cached?.startsWith(typed)) return cached.slice(typed.length);
        }
        return undefined;
    }
}
