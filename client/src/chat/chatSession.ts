/**
 * The chat the panel shows: asks the server (`codellama/chat` with a partialResultToken, deltas as
 * `$/progress`), Stop (cancellation keeps the partial answer), new chat, past chats. An answer cut
 * off because the server went away is kept and marked "interrupted"; every change is stored in the
 * history at once (and every second while an answer streams), so a reload loses nothing.
 */
import { randomUUID } from "node:crypto";
import * as vscode from "vscode";
import { ErrorCodes, type LanguageClient, LSPErrorCodes, ResponseError, State } from "vscode-languageclient/node";
import { type ChatAnswer, chatDeltaProgress, chatRequest } from "../../../shared/src/protocol.js";
import { errorMessage } from "../errorMessage.js";
import { type Chat, type ChatSummary, type ChatTurn, type FixTarget, newChat, requestMessages, type TurnDisplay, titleFrom } from "./conversation.js";
import type { ChatHistory } from "./history.js";

export type ChatChange = { kind: "state" } | { kind: "turn"; chatId: string; turn: ChatTurn };

/** The parts of the LanguageClient the chat uses. */
export type ChatClient = Pick<LanguageClient, "sendRequest" | "onProgress" | "onDidChangeState" | "state">;

const TURN_UPDATE_MS = 40;
const SAVE_WHILE_STREAMING_MS = 1000;
const SERVER_GONE = "the Code Llama server stopped while answering";

interface Running {
    chatId: string;
    answer: ChatTurn;
    cancel: vscode.CancellationTokenSource;
    done: Promise<ChatTurn>;
}

export class ChatSession implements vscode.Disposable {
    private chat: Chat;
    private running: Running | undefined;
    private readonly changed = new vscode.EventEmitter<ChatChange>();
    private turnTimer: NodeJS.Timeout | undefined;
    private turnPending = false;
    private lastSave = 0;

    /** "state": the chat, history or busy flag changed; "turn": one turn changed (streaming). */
    readonly onDidChange = this.changed.event;

    constructor(
        private readonly client: ChatClient,
        private readonly history: ChatHistory,
        private readonly output: vscode.LogOutputChannel,
        private readonly now: () => number = Date.now,
    ) {
        // The last chat comes back after a reload (an answer cut off by it is marked interrupted).
        this.chat = history.latest() ?? newChat(randomUUID(), now());
    }

    get current(): Chat {
        return this.chat;
    }

    get busy(): boolean {
        return this.running !== undefined;
    }

    list(): ChatSummary[] {
        return this.history.list();
    }

    /** Starts a new chat (keeps the current one if it is still empty). */
    newChat(options: { title?: string; system?: string } = {}): Chat {
        if (this.chat.turns.length > 0 || this.running) this.chat = newChat(randomUUID(), this.now());
        if (options.title) this.chat.title = options.title;
        if (options.system !== undefined) this.chat.system = options.system;
        else delete this.chat.system;
        this.fire({ kind: "state" });
        return this.chat;
    }

    open(id: string): Chat | undefined {
        if (id === this.chat.id) return this.chat;
        const chat = this.history.load(id);
        if (!chat) return undefined;
        this.chat = chat;
        this.fire({ kind: "state" });
        return chat;
    }

    async delete(id: string): Promise<void> {
        if (this.running?.chatId === id) await this.stop();
        await this.history.delete(id);
        if (id === this.chat.id) this.chat = this.history.latest() ?? newChat(randomUUID(), this.now());
        this.fire({ kind: "state" });
    }

    /**
     * Asks `text` in the current chat; resolves with the finished answer turn (done, stopped,
     * interrupted or error: never rejects). An answer still running is stopped first.
     */
    async ask(text: string, options: { fixTarget?: FixTarget; display?: TurnDisplay } = {}): Promise<ChatTurn> {
        if (this.running) await this.stop();
        const chat = this.chat;
        const question: ChatTurn = { id: randomUUID(), role: "user", content: text, ...(options.display ? { display: options.display } : {}) };
        chat.turns.push(question);
        if (chat.turns.length === 1 && chat.title === "New chat") chat.title = options.display?.title ?? titleFrom(text);
        const messages = requestMessages(chat);
        const answer: ChatTurn = {
            id: randomUUID(),
            role: "assistant",
            content: "",
            status: "streaming",
            ...(options.fixTarget ? { fixTarget: options.fixTarget } : {}),
        };
        chat.turns.push(answer);
        chat.updatedAt = this.now();
        const cancel = new vscode.CancellationTokenSource();
        const running: Running = { chatId: chat.id, answer, cancel, done: Promise.resolve(answer) };
        this.running = running;
        void this.save(chat);
        this.fire({ kind: "state" });
        running.done = this.generate(chat, answer, messages, cancel);
        return running.done;
    }

    /** Stops the answer being generated; resolves when it has ended (with what was produced). */
    async stop(): Promise<void> {
        const running = this.running;
        if (!running) return;
        running.cancel.cancel();
        await running.done;
    }

    private async generate(
        chat: Chat,
        answer: ChatTurn,
        messages: ReturnType<typeof requestMessages>,
        cancel: vscode.CancellationTokenSource,
    ): Promise<ChatTurn> {
        const partialResultToken = `codellama-chat-${answer.id}`;
        const disposables: vscode.Disposable[] = [cancel];
        try {
            disposables.push(
                this.client.onProgress(chatDeltaProgress, partialResultToken, ({ delta }) => {
                    if (answer.status !== "streaming") return;
                    answer.content += delta;
                    this.turnChanged(chat, answer);
                }),
            );
            // The server going away rejects the request too, but only once the client noticed:
            // the state change is the earlier and surer sign.
            const serverGone = new Promise<"gone">((resolve) => {
                disposables.push(
                    this.client.onDidChangeState(({ newState }) => {
                        if (newState !== State.Running) resolve("gone");
                    }),
                );
            });
            const request = this.client.sendRequest(chatRequest, { messages, partialResultToken }, cancel.token);
            request.catch(() => undefined); // may reject after the race below was decided
            const result: ChatAnswer | "gone" = await Promise.race([request, serverGone]);
            if (result === "gone") {
                this.finish(answer, "interrupted", SERVER_GONE);
            } else {
                answer.content = result.content;
                this.finish(answer, result.stopReason === "cancelled" ? "stopped" : "done");
            }
        } catch (error) {
            if (cancel.token.isCancellationRequested && isCancellation(error)) this.finish(answer, "stopped");
            else if (isConnectionLoss(error) && answer.content) this.finish(answer, "interrupted", SERVER_GONE);
            else {
                const message = errorText(error);
                this.output.warn(`Chat: ${message}`);
                this.finish(answer, answer.content ? "interrupted" : "error", message);
            }
        } finally {
            for (const disposable of disposables) disposable.dispose();
            this.cancelTurnUpdate(); // the "state" below carries the finished answer
            if (this.running?.answer === answer) this.running = undefined;
            chat.updatedAt = this.now();
            await this.save(chat);
            this.fire({ kind: "state" });
        }
        return answer;
    }

    private finish(answer: ChatTurn, status: NonNullable<ChatTurn["status"]>, error?: string): void {
        answer.status = status;
        if (error) answer.error = error;
        else delete answer.error;
    }

    /**
     * Streamed deltas reach the view at once, then at most once per TURN_UPDATE_MS (the first
     * token shows immediately; a fast model does not flood the webview). Saves now and then.
     */
    private turnChanged(chat: Chat, answer: ChatTurn): void {
        if (this.now() - this.lastSave >= SAVE_WHILE_STREAMING_MS) void this.save(chat);
        if (this.turnTimer) {
            this.turnPending = true;
            return;
        }
        this.fire({ kind: "turn", chatId: chat.id, turn: { ...answer } });
        const tick = (): void => {
            if (!this.turnPending) {
                this.turnTimer = undefined;
                return;
            }
            this.turnPending = false;
            this.fire({ kind: "turn", chatId: chat.id, turn: { ...answer } });
            this.turnTimer = setTimeout(tick, TURN_UPDATE_MS);
        };
        this.turnTimer = setTimeout(tick, TURN_UPDATE_MS);
    }

    private async save(chat: Chat): Promise<void> {
        this.lastSave = this.now();
        try {
            await this.history.save(chat);
        } catch (error) {
            this.output.error(`Could not store the chat history: ${errorText(error)}`);
        }
    }

    private fire(change: ChatChange): void {
        if (change.kind === "state") this.cancelTurnUpdate();
        this.changed.fire(change);
    }

    private cancelTurnUpdate(): void {
        if (this.turnTimer) clearTimeout(this.turnTimer);
        this.turnTimer = undefined;
        this.turnPending = false;
    }

    /** Resolves when the history holds everything so far (tests, deactivation). */
    flush(): Promise<void> {
        return this.history.flush();
    }

    dispose(): void {
        this.running?.cancel.cancel();
        if (this.turnTimer) clearTimeout(this.turnTimer);
        this.changed.dispose();
    }
}

function isCancellation(error: unknown): boolean {
    return (
        (error instanceof ResponseError && (error.code === LSPErrorCodes.RequestCancelled || error.code === LSPErrorCodes.ServerCancelled)) ||
        error instanceof vscode.CancellationError
    );
}

function isConnectionLoss(error: unknown): boolean {
    return (
        error instanceof ResponseError &&
        (error.code === ErrorCodes.PendingResponseRejected || error.code === ErrorCodes.ConnectionInactive || error.code === ErrorCodes.MessageWriteError)
    );
}

function errorText(error: unknown): string {
    if (error instanceof ResponseError && error.code === ErrorCodes.ConnectionInactive)
        return "the Code Llama server is not running (run “Code Llama: Restart Server”)";
    return errorMessage(error);
}
