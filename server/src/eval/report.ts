/** Plain-text tables for the eval's terminal output. Pure. */

/** Columns padded to their widest cell; the first column left-aligned, the others right-aligned. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? "").length)));
    const line = (cells: readonly string[]) =>
        cells
            .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
            .join("  ")
            .trimEnd();
    return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n") + "\n";
}

export function percent(part: number, whole: number): string {
    return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(1)}%`;
}
