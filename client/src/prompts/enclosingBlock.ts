/**
 * What "Explain" explains when nothing is selected: the function, method or class around the
 * cursor, from the document's symbols; without a suitable symbol (no language support, or the
 * cursor between functions), the block of lines around the cursor. Pure: positions are plain
 * {line, character} and symbol kinds are vscode.SymbolKind's values. Tested in test/unit/chatPrompts.test.ts.
 */
export interface Pos {
    line: number;
    character: number;
}
export interface LineRange {
    start: Pos;
    end: Pos;
}
/** A DocumentSymbol (with children) or a SymbolInformation's location range (without). */
export interface SymbolNode {
    kind: number;
    range: LineRange;
    children?: readonly SymbolNode[];
}

/** vscode.SymbolKind values (0-based, unlike LSP's). */
export const SymbolKind = {
    File: 0,
    Module: 1,
    Namespace: 2,
    Package: 3,
    Class: 4,
    Method: 5,
    Property: 6,
    Field: 7,
    Constructor: 8,
    Enum: 9,
    Interface: 10,
    Function: 11,
    Variable: 12,
    Constant: 13,
    Object: 18,
    Struct: 22,
    Event: 23,
    Operator: 24,
} as const;

/** Kinds that are a unit worth explaining on their own. */
const BLOCK_KINDS = new Set<number>([
    SymbolKind.Method,
    SymbolKind.Constructor,
    SymbolKind.Function,
    SymbolKind.Class,
    SymbolKind.Interface,
    SymbolKind.Enum,
    SymbolKind.Struct,
    SymbolKind.Operator,
    SymbolKind.Event,
]);
/** Kinds that count only when they span lines (`const add = (a, b) => {...}`, an object literal). */
const MULTILINE_KINDS = new Set<number>([SymbolKind.Variable, SymbolKind.Constant, SymbolKind.Property, SymbolKind.Field, SymbolKind.Object]);

/** Lines each way the fallback takes at most. */
export const FALLBACK_RADIUS = 15;

const before = (a: Pos, b: Pos): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
const contains = (range: LineRange, position: Pos): boolean => before(range.start, position) && before(position, range.end);
const size = (range: LineRange): number => (range.end.line - range.start.line) * 100_000 + (range.end.character - range.start.character);

function qualifies(symbol: SymbolNode): boolean {
    if (BLOCK_KINDS.has(symbol.kind)) return true;
    return MULTILINE_KINDS.has(symbol.kind) && symbol.range.end.line > symbol.range.start.line;
}

/**
 * The innermost function-like symbol containing `position`, or undefined. Among nested symbols the
 * deepest that qualifies wins (a method rather than its class); a flat list (SymbolInformation)
 * is searched for the smallest.
 */
export function enclosingSymbolRange(symbols: readonly SymbolNode[], position: Pos): LineRange | undefined {
    let best: LineRange | undefined;
    const visit = (nodes: readonly SymbolNode[]): void => {
        for (const node of nodes) {
            if (!contains(node.range, position)) continue;
            if (qualifies(node) && (best === undefined || size(node.range) <= size(best))) best = node.range;
            if (node.children) visit(node.children);
        }
    };
    visit(symbols);
    return best;
}

/**
 * The fallback: the paragraph around `line` (the non-blank lines next to it, at most `radius` each
 * way), or, on a blank line, the `radius` lines around it. Whole lines, end at the last line's end.
 */
export function surroundingLines(lines: readonly string[], line: number, radius = FALLBACK_RADIUS): LineRange {
    const last = Math.max(0, lines.length - 1);
    const at = Math.min(Math.max(0, line), last);
    const blank = (index: number): boolean => (lines[index] ?? "").trim() === "";
    let start: number;
    let end: number;
    if (blank(at)) {
        start = Math.max(0, at - radius);
        end = Math.min(last, at + radius);
    } else {
        start = at;
        end = at;
        while (start > 0 && at - start < radius && !blank(start - 1)) start--;
        while (end < last && end - at < radius && !blank(end + 1)) end++;
    }
    return { start: { line: start, character: 0 }, end: { line: end, character: (lines[end] ?? "").length } };
}
