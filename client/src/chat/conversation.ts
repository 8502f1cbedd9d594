/**
 * A chat as the panel shows it and the history stores it, and the pure rules around it: which
 * messages are sent to the server, what a chat is called, what an answer left unfinished becomes.
 * No VS Code API here (unit-tested in test/unit/chatConversation.test.ts).
 */
import type { ChatMessage } from "../../../shared/src/protocol.js";

/**
 * How an answer ended. "streaming" only while it is generated (a stored "streaming" answer was cut
 * off by a window reload); "stopped": the user pressed Stop; "interrupted": the server went away
 * while answering; "error": the server refused or failed (e.g. the model is not loaded).
 */
export type TurnStatus = "streaming" | "done" | "stopped" | "interrupted" | "error";

/** Where a Debug answer's code block can be applied: the code the question was about. */
export interface FixTarget {
    uri: string;
    /** 0-based [startLine, startCharacter, endLine, endCharacter], as the text was when asked. */
    range: [number, number, number, number];
    /** The text of the range when asked: a fix is previewed only while it is still there. */
    text: string;
}

export interface ChatTurn {
    id: string;
    role: "user" | "assistant";
    /** Markdown (user turns too: a prompt template's text with its code block). */
    content: string;
    /** Assistant turns only. */
    status?: TurnStatus;
    /** Why an answer ended with "error" or "interrupted", for people. */
    error?: string;
    /** Assistant turns answering a Debug question: their code blocks can be applied here. */
    fixTarget?: FixTarget;
    /** User turns built from a prompt template (Explain, Debug...): what the chat shows of them. */
    display?: TurnDisplay;
}

/**
 * A question built from a prompt template, as the chat shows it: a short title and the code it is
 * about; the full text (the template's instructions to the model) is folded away.
 */
export interface TurnDisplay {
    /** E.g. "Explain add.js, lines 3–10". */
    title: string;
    code?: string;
    /** The code's language id, for highlighting. */
    language?: string;
}

export interface Chat {
    id: string;
    title: string;
    createdAt: number;
    updatedAt: number;
    /** A prompt template's system message, sent first. */
    system?: string;
    turns: ChatTurn[];
}

/** What the history list shows of a chat. */
export interface ChatSummary {
    id: string;
    title: string;
    updatedAt: number;
    turns: number;
}

export const MAX_TITLE_LENGTH = 60;

/**
 * The lines a range covers, for people: "line 4", "lines 3–10" (0-based positions in). A range that
 * ends at the start of a line (a selection of whole lines) does not cover that line.
 */
export function lineSpan(range: { start: { line: number }; end: { line: number; character: number } }): string {
    const start = range.start.line;
    const end = range.end.character === 0 && range.end.line > start ? range.end.line - 1 : range.end.line;
    return start === end ? `line ${start + 1}` : `lines ${start + 1}–${end + 1}`;
}

export function newChat(id: string, now: number): Chat {
    return { id, title: "New chat", createdAt: now, updatedAt: now, turns: [] };
}

export function summarize(chat: Chat): ChatSummary {
    return { id: chat.id, title: chat.title, updatedAt: chat.updatedAt, turns: chat.turns.length };
}

/** A title from the first line of a question that says something: "Explain what add() does". */
export function titleFrom(text: string): string {
    const line =
        text
            .split(/\r?\n/)
            .map((l) =>
                l
                    .replace(/[#>*_`]+/g, " ")
                    .replace(/\s+/g, " ")
                    .trim(),
            )
            .find((l) => l.length > 0) ?? "";
    if (!line) return "New chat";
    return line.length > MAX_TITLE_LENGTH ? `${line.slice(0, MAX_TITLE_LENGTH - 1).trimEnd()}…` : line;
}

/**
 * The conversation to send for the chat's last (user) turn: the system message, then user and
 * assistant alternating. An answer that produced nothing (an error) is left out together with its
 * question, so the server gets a valid alternation; a stopped or interrupted answer is kept with
 * the part that was produced (it is context the user saw).
 */
export function requestMessages(chat: Chat): ChatMessage[] {
    const messages: ChatMessage[] = chat.system ? [{ role: "system", content: chat.system }] : [];
    let pendingUser: string | undefined;
    for (const turn of chat.turns) {
        if (turn.role === "user") {
            // Two questions in a row (the first got no answer): only the later one counts.
            pendingUser = turn.content;
            continue;
        }
        if (pendingUser === undefined) continue;
        if (turn.status === "streaming" || !turn.content.trim()) {
            pendingUser = undefined;
            continue;
        }
        messages.push({ role: "user", content: pendingUser }, { role: "assistant", content: turn.content });
        pendingUser = undefined;
    }
    if (pendingUser !== undefined) messages.push({ role: "user", content: pendingUser });
    return messages;
}

/**
 * A chat read back from storage: an answer still "streaming" was cut off (the window closed or
 * reloaded during it) and is marked interrupted, keeping its text.
 */
export function restoredChat(chat: Chat): Chat {
    if (!chat.turns.some((turn) => turn.status === "streaming")) return chat;
    return {
        ...chat,
        turns: chat.turns.map((turn) =>
            turn.status === "streaming" ? { ...turn, status: "interrupted", error: "The window closed while the answer was generated." } : turn,
        ),
    };
}

/** Checks the shape of a stored chat (storage may hold an older or damaged value). */
export function isChat(value: unknown): value is Chat {
    if (typeof value !== "object" || value === null) return false;
    const chat = value as Partial<Chat>;
    return (
        typeof chat.id === "string" &&
        typeof chat.title === "string" &&
        typeof chat.createdAt === "number" &&
        typeof chat.updatedAt === "number" &&
        Array.isArray(chat.turns) &&
        chat.turns.every(
            (turn) =>
                typeof turn === "object" &&
                turn !== null &&
                (turn.role === "user" || turn.role === "assistant") &&
                typeof turn.content === "string" &&
                typeof turn.id === "string",
        )
    );
}
