/** What the replay needs from a completion stack: this server over LSP, or llama-server the way llama.vscode drives it. */

export interface Position {
    line: number;
    character: number;
}

/** One keystroke: `inserted` typed at `position` (before the insertion); `text` is the whole document after it. */
export interface KeystrokeEdit {
    uri: string;
    version: number;
    position: Position;
    inserted: string;
    text: string;
}

/** What the stack's own side measured for one request. */
export interface ServerNumbers {
    /** "model": generated now; "typed-through" / "cache" / "prepared": served without a model call. */
    source: "model" | "typed-through" | "cache" | "prepared";
    /** The server's own outcome, where it reports one. */
    outcome?: string;
    promptTokens: number;
    reusedTokens: number;
    evaluatedTokens: number;
    generatedTokens: number;
    /** Prompt evaluation + generation inside the engine. */
    engineMs: number;
    /** From arrival to answer, measured by the server (LSP) or around the HTTP call (llama-server). */
    serverLatencyMs?: number;
    /** Waiting for the engine while a superseded request stopped (this server). */
    queuedMs?: number;
}

export type Outcome = "answered" | "empty" | "cancelled" | "error" | "skipped";

export interface RequestResult {
    /**
     * answered: a suggestion the editor would show; empty: nothing to show; cancelled: superseded by
     * the next keystroke (or its answer came after it, which the editor drops); skipped: the client
     * decided not to ask (llama.vscode with text after the cursor).
     */
    outcome: Outcome;
    /** From the keystroke's request (the editor asking the provider) to the answer, client side. */
    latencyMs: number;
    text?: string;
    error?: string;
    /** Known at once for llama-server; for this server filled in later from `codellama/stats`. */
    server?: ServerNumbers;
}

export interface PendingRequest {
    /** Date.now() when the request was made (matches the server's receivedAt clock). */
    sentAtEpoch: number;
    done: Promise<RequestResult>;
    /** What VS Code does when the next keystroke comes: cancel the request's token. */
    cancel(): void;
}

export interface ChatRun {
    /** Streamed pieces, their characters, and the tokens the answer reports generating. */
    done: Promise<{ deltas: number; chars: number; tokens?: number; ms: number; stopReason?: string; error?: string }>;
    cancel(): void;
}

/** "default": the stack's own thread choice; a number: that many threads fixed. */
export type ThreadSetting = "default" | number;

/** "2", or "2/1" when prompts and generation run different counts. */
export function threadsLabel(threads: { prompt: number; generation: number }): string {
    return threads.prompt === threads.generation ? `${threads.prompt}` : `${threads.prompt}/${threads.generation}`;
}

/** The threads a stack runs and the speeds it measured, as far as it says. */
export interface EngineFacts {
    /** "2", or "2/1" for prompt evaluation / generation. */
    threads?: string;
    promptTokensPerSecond?: number;
    generationTokensPerSecond?: number;
}

export interface Backend {
    readonly label: string;
    readonly pid: number | undefined;
    start(): Promise<void>;
    open(uri: string, languageId: string, text: string): Promise<void>;
    change(edit: KeystrokeEdit): void;
    request(uri: string, position: Position): PendingRequest;
    /** The cursor came to rest at `position` without an edit, as an editor client notices it (this server: codellama/warmCache). */
    cursorRested?(uri: string, position: Position): void;
    close(uri: string): void;
    /** Server-side numbers of the requests made since the last call, when the stack reports them separately. */
    attachServerNumbers?(requests: readonly { sentAtEpoch: number; result?: RequestResult }[]): Promise<void>;
    /** A streaming chat answer, where the stack has one. */
    chat?(question: string, maxTokens: number): ChatRun;
    /** Its threads and measured speeds, once it has run. */
    engineFacts?(): EngineFacts;
    /** Peak RSS of the stack's process(es), KiB. */
    stop(): Promise<{ peakRssKb: number }>;
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
