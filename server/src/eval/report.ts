/** Plain-text tables for the terminal: `codellama eval`'s and the benchmark's. Pure. */

/** Columns padded to their widest cell; a column of numbers (or "-", "n/a") right-aligned, others left-aligned. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
    const cells = [headers.map(String), ...rows.map((row) => row.map((cell) => String(cell)))];
    const numeric = headers.map((_, column) => rows.every((row) => typeof row[column] === "number" || /^[-\d.,×%/ ]+$|^n\/a$/.test(String(row[column] ?? ""))));
    const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
    const line = (row: readonly string[]): string =>
        row
            .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
            .join("  ")
            .trimEnd();
    return [line(cells[0]!), widths.map((width) => "-".repeat(width)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

export function percent(part: number, whole: number): string {
    return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(1)}%`;
}
