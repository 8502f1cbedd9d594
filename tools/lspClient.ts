// The one LSP test client of tests, the benchmark and scripts: starts the built language server
// (dist/server.js) over stdio in its own temporary HOME, as an editor would, and talks LSP to it.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
    type CancellationToken,
    type ClientCapabilities,
    ConfigurationRequest,
    createProtocolConnection,
    DidChangeConfigurationNotification,
    DidChangeTextDocumentNotification,
    DidOpenTextDocumentNotification,
    ExitNotification,
    InitializedNotification,
    InitializeRequest,
    type InlineCompletionList,
    InlineCompletionRequest,
    LogMessageNotification,
    type LogMessageParams,
    type ProtocolConnection,
    type ServerCapabilities,
    ShowMessageNotification,
    type ShowMessageParams,
    ShowMessageRequest,
    type ShowMessageRequestParams,
    ShutdownRequest,
    StreamMessageReader,
    StreamMessageWriter,
    WorkDoneProgressCreateRequest,
} from "vscode-languageserver-protocol/node";
import { type CompletionRecord, type ServerStatus, statsRequest, statusNotification } from "../shared/src/protocol.js";
import { privateHome, waitForExit } from "./process.js";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SERVER_JS = path.join(REPO_ROOT, "dist", "server.js");

export interface StartOptions {
    /** The `codellama` section answered to workspace/configuration. */
    settings?: Record<string, unknown>;
    initializationOptions?: unknown;
    /** Set experimental.codellamaStatus (the client shows status itself). Default true. */
    showsStatus?: boolean;
    /** Answer to window/showMessageRequest: the title of the action to pick. */
    pickAction?: string;
    /** Declare textDocument.inlineCompletion (ghost text). Default true. */
    inlineCompletion?: boolean;
    /** The server bundle to run; default dist/server.js. */
    serverJs?: string;
    /** Lines of the server's stderr and its log messages. */
    onLog?(line: string): void;
    /** The workspace folder, e.g. "file:///w"; none by default. */
    rootUri?: string;
}

export interface ServerUnderTest {
    connection: ProtocolConnection;
    process: ChildProcess;
    capabilities: ServerCapabilities;
    statuses: ServerStatus[];
    messages: ShowMessageParams[];
    questions: ShowMessageRequestParams[];
    logs: LogMessageParams[];
    /** Work-done progress the server created (window/workDoneProgress/create), by token. */
    progressTokens: (string | number)[];
    /** Everything the server wrote to stdout, to check it carries nothing but LSP frames. */
    stdout: () => Buffer;
    setSettings(settings: Record<string, unknown>): void;
    /** Resolves with the first status, seen already or yet to come, that matches; rejects when the server exits first. */
    waitForStatus(predicate: (status: ServerStatus) => boolean, timeoutMs?: number): Promise<ServerStatus>;
    /** Like waitForStatus, for statuses that arrive from now on. */
    nextStatus(predicate: (status: ServerStatus) => boolean, timeoutMs?: number): Promise<ServerStatus>;
    open(uri: string, text: string, languageId?: string): void;
    complete(uri: string, line: number, character: number, token?: CancellationToken): Promise<InlineCompletionList>;
    stop(): Promise<void>;
}

/** Base settings for tests: one thread (2 busy cores), a small context. */
export function testSettings(modelPath: string, extra: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
    return {
        ...extra,
        model: { path: modelPath, ...extra.model },
        engine: { threads: 1, contextSize: 1024, ...extra.engine },
        // Tests see the full prompt, the whole answer and one model call per request, however loaded
        // the machine; those about cutting a cold prompt, the time cap or preparing the next
        // suggestion turn them on.
        completion: { coldPromptMs: 0, maxTimeMs: 0, prepareNext: false, ...extra.completion },
        log: { level: "debug", ...extra.log },
    };
}

export async function startServer(options: StartOptions = {}): Promise<ServerUnderTest> {
    const home = privateHome("codellama-lsp-");
    const child = spawn(process.execPath, [options.serverJs ?? SERVER_JS, "--stdio"], { env: home.env, stdio: ["pipe", "pipe", "pipe"] });
    const stdoutChunks: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => stdoutChunks.push(chunk));
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => options.onLog?.(`[stderr] ${chunk.trimEnd()}`));

    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    let settings = options.settings ?? {};
    const statuses: ServerStatus[] = [];
    const waiters: { predicate: (s: ServerStatus) => boolean; resolve: (s: ServerStatus) => void; reject: (error: Error) => void }[] = [];
    child.once("exit", (code, signal) => {
        for (const waiter of waiters.splice(0))
            waiter.reject(
                new Error(`The server exited (${signal ?? code}); statuses so far: ${JSON.stringify(statuses.map((s) => `${s.state}: ${s.message}`))}`),
            );
    });
    const messages: ShowMessageParams[] = [];
    const questions: ShowMessageRequestParams[] = [];
    const logs: LogMessageParams[] = [];

    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map((item) => (item.section === "codellama" ? settings : null)));
    const progressTokens: (string | number)[] = [];
    connection.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
        progressTokens.push(token);
    });
    connection.onRequest("client/registerCapability", () => null);
    connection.onRequest(ShowMessageRequest.type, (params) => {
        questions.push(params);
        return params.actions?.find((action) => action.title === options.pickAction) ?? null;
    });
    connection.onNotification(ShowMessageNotification.type, (params) => {
        messages.push(params);
    });
    connection.onNotification(LogMessageNotification.type, (params) => {
        logs.push(params);
        options.onLog?.(params.message);
    });
    connection.onNotification(statusNotification, (status) => {
        statuses.push(status);
        for (const waiter of [...waiters]) {
            if (waiter.predicate(status)) {
                waiters.splice(waiters.indexOf(waiter), 1);
                waiter.resolve(status);
            }
        }
    });
    connection.listen();

    const capabilities: ClientCapabilities = {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: false } } },
        textDocument: options.inlineCompletion === false ? {} : { inlineCompletion: { dynamicRegistration: false } },
        experimental: { codellamaStatus: options.showsStatus ?? true },
    };
    const initializeResult = await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid,
        rootUri: options.rootUri ?? null,
        capabilities,
        initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});

    function nextStatus(predicate: (status: ServerStatus) => boolean, timeoutMs = 60_000): Promise<ServerStatus> {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(
                () => reject(new Error(`No matching status within ${timeoutMs} ms; got ${JSON.stringify(statuses.map((s) => `${s.state}: ${s.message}`))}`)),
                timeoutMs,
            );
            if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`The server has exited (${child.signalCode ?? child.exitCode})`));
            waiters.push({
                predicate,
                resolve: (status) => {
                    clearTimeout(timer);
                    resolve(status);
                },
                reject: (error) => {
                    clearTimeout(timer);
                    reject(error);
                },
            });
        });
    }

    let stopped = false;
    return {
        connection,
        process: child,
        capabilities: initializeResult.capabilities,
        statuses,
        messages,
        questions,
        logs,
        progressTokens,
        stdout: () => Buffer.concat(stdoutChunks),
        setSettings(next) {
            settings = next;
            void connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
        },
        waitForStatus(predicate, timeoutMs = 60_000) {
            const seen = statuses.find(predicate);
            return seen ? Promise.resolve(seen) : nextStatus(predicate, timeoutMs);
        },
        nextStatus,
        open(uri, text, languageId = "typescript") {
            void connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: 1, text } });
        },
        complete(uri, line, character, token) {
            return connection.sendRequest(
                InlineCompletionRequest.type,
                { textDocument: { uri }, position: { line, character }, context: { triggerKind: 2 } },
                token,
            ) as Promise<InlineCompletionList>;
        },
        async stop() {
            if (stopped) return;
            stopped = true;
            try {
                if (child.exitCode === null) {
                    await withTimeout(connection.sendRequest(ShutdownRequest.type), 10_000);
                    await connection.sendNotification(ExitNotification.type);
                }
            } catch {
                // The server may already be gone; it is killed below either way.
            }
            const exited = child.exitCode !== null || (await waitForExit(child, 5_000));
            if (!exited && child.pid) process.kill(child.pid, "SIGKILL");
            connection.dispose();
            home.remove();
        },
    };
}

/** The server's most recent completion records (codellama/stats). */
export const recent = async (server: ServerUnderTest): Promise<CompletionRecord[]> => (await server.connection.sendRequest(statsRequest)).recent;

/** Types `text` at (line, character) one character per didChange, like an editor. */
export function typist(server: ServerUnderTest, uri: string) {
    let version = 1;
    return (line: number, character: number, ch: string): void => {
        void server.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version: ++version },
            contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: ch }],
        });
    };
}

/** A statusNotification predicate. */
export const isState = (state: ServerStatus["state"]) => (status: ServerStatus) => status.state === state;

/** Checks that a byte stream is a sequence of well-formed `Content-Length` framed JSON messages. */
export function assertOnlyLspFrames(bytes: Buffer): number {
    let offset = 0;
    let frames = 0;
    while (offset < bytes.length) {
        const headerEnd = bytes.indexOf("\r\n\r\n", offset);
        if (headerEnd < 0) throw new Error(`Stray bytes on stdout at ${offset}: ${JSON.stringify(bytes.subarray(offset, offset + 80).toString())}`);
        const header = bytes.subarray(offset, headerEnd).toString("ascii");
        const match = /^Content-Length: (\d+)$/im.exec(header);
        if (!match || !/^(Content-(Length|Type): [^\r\n]+\r?\n?)+$/i.test(header + "\n"))
            throw new Error(`Not an LSP header on stdout: ${JSON.stringify(header.slice(0, 120))}`);
        const start = headerEnd + 4;
        const body = bytes.subarray(start, start + Number(match[1]));
        JSON.parse(body.toString("utf8"));
        offset = start + Number(match[1]);
        frames++;
    }
    return frames;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);
}

/** Polls `condition` until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, what = "condition", timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`${what}: not met in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
}
