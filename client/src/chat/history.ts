/**
 * Past chats, kept in the extension's global storage (`ExtensionContext.globalState`: per user, not
 * in the workspace), so they survive reloading the window and restarting the server. One key per
 * chat plus an index, newest first; the oldest chats beyond `limit` are deleted.
 */
import { type Chat, type ChatSummary, isChat, restoredChat, summarize } from "./conversation.js";

/** The part of vscode.Memento used here (a Map-backed fake in the unit tests). */
export interface KeyValueStore {
    get<T>(key: string): T | undefined;
    update(key: string, value: unknown): Thenable<void>;
}

export const HISTORY_LIMIT = 50;
const INDEX_KEY = "codellama.chats";
const chatKey = (id: string): string => `codellama.chat.${id}`;

export class ChatHistory {
    /** Writes in order, so a slow write never lands after a newer one. */
    private writes: Promise<unknown> = Promise.resolve();

    constructor(
        private readonly store: KeyValueStore,
        private readonly limit = HISTORY_LIMIT,
    ) {}

    /** Newest first. */
    list(): ChatSummary[] {
        const index = this.store.get<unknown>(INDEX_KEY);
        if (!Array.isArray(index)) return [];
        return index.filter(
            (entry): entry is ChatSummary => typeof entry?.id === "string" && typeof entry.title === "string" && typeof entry.updatedAt === "number",
        );
    }

    load(id: string): Chat | undefined {
        const chat = this.store.get<unknown>(chatKey(id));
        return isChat(chat) ? restoredChat(chat) : undefined;
    }

    /** The newest chat, e.g. to show again after a reload. */
    latest(): Chat | undefined {
        for (const { id } of this.list()) {
            const chat = this.load(id);
            if (chat) return chat;
        }
        return undefined;
    }

    /** Stores the chat (a chat without turns is not history) and moves it to the top. */
    save(chat: Chat): Promise<void> {
        if (chat.turns.length === 0) return this.writes.then(() => undefined);
        const entries = [summarize(chat), ...this.list().filter((entry) => entry.id !== chat.id)];
        const kept = entries.slice(0, this.limit);
        const dropped = entries.slice(this.limit);
        return this.enqueue([
            [chatKey(chat.id), structuredClone(chat)],
            [INDEX_KEY, kept],
            ...dropped.map((entry): [string, unknown] => [chatKey(entry.id), undefined]),
        ]);
    }

    delete(id: string): Promise<void> {
        return this.enqueue([
            [INDEX_KEY, this.list().filter((entry) => entry.id !== id)],
            [chatKey(id), undefined],
        ]);
    }

    /** Resolves when every write so far is stored. */
    flush(): Promise<void> {
        return this.writes.then(() => undefined);
    }

    private enqueue(updates: [string, unknown][]): Promise<void> {
        // Memento.update changes what get() returns at once; only persisting is asynchronous.
        const written = Promise.all(updates.map(([key, value]) => this.store.update(key, value)));
        this.writes = this.writes.then(
            () => written,
            () => written,
        );
        return written.then(() => undefined);
    }
}
