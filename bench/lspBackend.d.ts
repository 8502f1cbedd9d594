import { type CompletionRecord } from "../shared/src/protocol.js";
import type { Backend, ChatRun, KeystrokeEdit, PendingRequest, Position, RequestResult, ServerNumbers } from "./backend.js";
export interface LspBackendOptions {
    label: string;
    serverJs: string;
    /** The `codellama` section answered to workspace/configuration. */
    settings: Record<string, unknown>;
    /** Lines of the server's stderr and log messages go here (debugging the benchmark). */
    onLog?(line: string): void;
    readyTimeoutMs?: number;
}
export declare class LspBackend implements Backend {
    private readonly options;
    readonly label: string;
    private child;
    private connection;
    private home;
    private memory;
    private statuses;
    private seenRequests;
    private chatCount;
    /** `codellama/stats` answered (false: the server has no statistics; the client-side numbers still count). */
    statsAvailable: boolean;
    constructor(options: LspBackendOptions);
    get pid(): number | undefined;
    start(): Promise<void>;
    open(uri: string, languageId: string, text: string): Promise<void>;
    cursorRested(uri: string, position: Position): void;
    change(edit: KeystrokeEdit): void;
    request(uri: string, position: Position): PendingRequest;
    close(uri: string): void;
    /** Fetches `codellama/stats` and gives each request made since the last call the server's record of it. */
    attachServerNumbers(requests: readonly {
        sentAtEpoch: number;
        result?: RequestResult;
    }[]): Promise<void>;
    chat(question: string, maxTokens: number): ChatRun;
    stop(): Promise<{
        peakRssKb: number;
    }>;
}
export declare function serverNumbers(record: CompletionRecord): ServerNumbers;
/**
 * Pairs the client's requests (their Date.now() at sending, in sending order) with the server's
 * records. The server handles requests in order and stamps each on arrival, so records sorted by
 * arrival belong to an in-order subsequence of the requests (a request the server dropped before
 * completion started has no record). When there is one record per request they pair in order;
 * otherwise each record goes to the latest request sent at or before its arrival that is not before
 * the previous match. Returns one entry per request: its record or undefined.
 */
export declare function matchRecords<R extends {
    receivedAt: number;
}>(sentAtEpoch: readonly number[], records: readonly R[]): (R | undefined)[];
