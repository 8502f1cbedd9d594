/** Why `params` is not a valid `{ textDocument: { uri }, position: { line, character } }`; undefined when it is. */
export function positionParamsProblem(params: unknown): string | undefined {
    if (typeof params !== "object" || params === null) return "params must be an object";
    const { textDocument, position } = params as Record<string, unknown>;
    if (typeof textDocument !== "object" || textDocument === null || typeof (textDocument as Record<string, unknown>).uri !== "string")
        return "textDocument.uri must be a string";
    if (typeof position !== "object" || position === null) return "position must be an object";
    const { line, character } = position as Record<string, unknown>;
    if (!isIndex(line) || !isIndex(character)) return "position.line and position.character must be non-negative integers";
    return undefined;
}

/** Why `params` is not a valid `{ textDocument: { uri }, range: { start, end } }`; undefined when it is. */
export function rangeParamsProblem(params: unknown): string | undefined {
    if (typeof params !== "object" || params === null) return "params must be an object";
    const { textDocument, range } = params as Record<string, unknown>;
    if (typeof range !== "object" || range === null) return "range must be an object";
    const { start, end } = range as Record<string, unknown>;
    return positionParamsProblem({ textDocument, position: start }) ?? positionParamsProblem({ textDocument, position: end });
}

function isIndex(value: unknown): boolean {
    return typeof value === "number" && Number.isInteger(value) && value >= 0;
}
