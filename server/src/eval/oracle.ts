/**
 * The oracle: a "model" that writes the ideal suggestion at a hole and then does what real models do,
 * streamed piece by piece through the rules completeAt runs during generation (answerRules: the
 * streaming stop check, then the post-processing of the finished text). What it measures is ours:
 * where generation stops and what the editor shows, on real code, without model weights. Pure.
 */

import { DEFAULT_INDENT, detectIndentation, type IndentStyle, indentation, tabWidth } from "../completion/indentation.js";
import { answerRules, cursorSurroundings } from "../completion/postprocess.js";
import { indentWidth } from "../completion/scope.js";
import type { Hole } from "./holes.js";
import { splitIntoPieces } from "./tokens.js";

export const BEHAVIOURS = ["stops", "runs-into-suffix", "runs-into-other-code", "repeats-closers", "spells-control-token", "other-indent-style"] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** What a model streams: `text`, then its end token when `ends` (else it would go on until stopped or out of tokens). */
export interface ModelAnswer {
    text: string;
    ends: boolean;
}

/** Code Llama's control tokens as a model spells them in plain text (the first with SentencePiece's leading space). */
export const CONTROL_TOKEN_TEXTS = [" <EOT>", "<EOT>", "</s>", "<MID>", " <SUF>"] as const;

/** Default `completion.maxTokens`: a model that never stops is cut there. */
export const ORACLE_MAX_TOKENS = 128;

/**
 * The answer of a model with `behaviour` at `hole`, or undefined where the behaviour has nothing to
 * do there (no auto-closed bracket to repeat, a one-line answer has no indentation style).
 * `otherCode` is code from another file, for a model that runs on into unrelated code; `pick`
 * chooses among equally plausible variants (seeded by the caller).
 */
export function modelAnswer(hole: Hole, behaviour: Behaviour, otherCode: string, pick: (count: number) => number): ModelAnswer | undefined {
    const { ideal, after } = hole;
    switch (behaviour) {
        case "stops":
            return { text: ideal, ends: true };
        case "runs-into-suffix":
            return { text: ideal + after, ends: false };
        case "runs-into-other-code": {
            // Where the file goes on with its next line, the model goes on with something else, at that line's indentation.
            const breaks = /\n+/.exec(after)?.[0] ?? "\n";
            const next =
                after
                    .split("\n")
                    .slice(1)
                    .find((line) => line.trim() !== "") ?? "";
            const style = cursorSurroundings(hole.before, after).documentIndent ?? DEFAULT_INDENT;
            return { text: ideal + breaks + indentBlock(otherCode, /^[ \t]*/.exec(next)![0], style), ends: false };
        }
        case "repeats-closers": {
            if (hole.afterPrefix) return { text: ideal + hole.dropped, ends: true };
            // The block's closing line is already in the file; the model writes it again.
            const closing = after
                .split("\n")
                .slice(1)
                .find((line) => line.trim() !== "");
            return closing !== undefined && /^\s*(?:[}\])]|fi\b|done\b|esac\b|end\b)/.test(closing) && after.startsWith("\n")
                ? { text: `${ideal}\n${closing}`, ends: true }
                : undefined;
        }
        case "spells-control-token":
            return { text: ideal + CONTROL_TOKEN_TEXTS[pick(CONTROL_TOKEN_TEXTS.length)] + after, ends: false };
        case "other-indent-style": {
            const style = cursorSurroundings(hole.before, hole.after).documentIndent;
            const lines = ideal.split("\n");
            // A document that mixes tabs and spaces has no other style.
            if (!style || style.mixed || !lines.slice(1).some((line) => /^[ \t]/.test(line))) return undefined;
            return { text: [lines[0], ...lines.slice(1).map((line) => inOtherStyle(line, style))].join("\n"), ends: true };
        }
    }
}

/** `code` without its common indentation, each line indented by `lead` and, deeper, in the document's style. */
function indentBlock(code: string, lead: string, style: IndentStyle): string {
    const tabs = tabWidth(detectIndentation(code));
    const lines = code.split("\n").map((line) => ({ width: indentWidth(line, tabs), code: line.trimStart() }));
    const common = Math.min(...lines.filter((line) => line.code !== "").map((line) => line.width));
    return lines.map((line) => (line.code === "" ? "" : lead + indentation(line.width - common, style) + line.code)).join("\n");
}

/** A line's indentation in the style the document does not use (tabs for spaces, spaces for tabs), as wide as it was. */
function inOtherStyle(line: string, style: IndentStyle): string {
    const lead = /^[ \t]*/.exec(line)![0];
    return indentation(indentWidth(lead, style.size), { ...style, useTabs: !style.useTabs }) + line.slice(lead.length);
}

/**
 * Streams `answer` piece by piece, as the engine does, through the same stop check completeAt
 * gives the engine, and returns the raw text generation ends with: at the check's stop, the end
 * token, or `maxTokens`.
 */
export function streamAnswer(answer: ModelAnswer, isComplete: (text: string) => boolean, maxTokens = ORACLE_MAX_TOKENS): string {
    let text = "";
    let count = 0;
    for (const piece of splitIntoPieces(answer.text)) {
        text += piece;
        if (isComplete(text) || ++count >= maxTokens) break;
    }
    return text;
}

/** What the editor shows for a model with this answer at the hole (line breaks "\n"). */
export function shownAt(hole: Hole, answer: ModelAnswer, maxTokens = ORACLE_MAX_TOKENS): string {
    const rules = answerRules(cursorSurroundings(hole.before, hole.after), "\n");
    return rules.finish(streamAnswer(answer, rules.isComplete, maxTokens));
}
