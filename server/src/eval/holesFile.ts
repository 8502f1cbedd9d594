/**
 * A holes file: where `npm run eval` cut its holes (file, offsets, ideal), so that `codellama eval
 * --holes FILE` runs the same holes through a real model. The files are read again; a hole whose file
 * is gone or changed is skipped and counted.
 */
import fs from "node:fs";
import { cutHole, type HoleSpec, normaliseSource } from "./holes.js";
import type { HoleSource, SourcedHole } from "./oracleRun.js";

interface HolesFileEntry extends HoleSource, HoleSpec {
    ideal: string;
}

export function writeHolesFile(file: string, holes: readonly SourcedHole[]): void {
    const entries: HolesFileEntry[] = holes.map(({ source, hole }) => ({
        ...source,
        class: hole.class,
        cursor: hole.cursor,
        truthEnd: hole.truthEnd,
        afterStart: hole.afterStart,
        afterPrefix: hole.afterPrefix,
        ideal: hole.ideal,
    }));
    fs.writeFileSync(file, JSON.stringify({ holes: entries }));
}

export function readHolesFile(file: string): { holes: SourcedHole[]; skipped: number } {
    let parsed: unknown;
    try {
        parsed = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new Error(`${file} is not a holes file (written by npm run eval): ${error instanceof Error ? error.message : String(error)}`);
    }
    const entries = (parsed as { holes?: unknown }).holes;
    if (!Array.isArray(entries)) throw new Error(`${file} is not a holes file (written by npm run eval): it has no "holes" list`);
    const texts = new Map<string, string | undefined>();
    const holes: SourcedHole[] = [];
    let skipped = 0;
    for (const entry of entries as HolesFileEntry[]) {
        if (!texts.has(entry.file)) {
            try {
                texts.set(entry.file, normaliseSource(fs.readFileSync(entry.file, "utf8")));
            } catch {
                texts.set(entry.file, undefined);
            }
        }
        const text = texts.get(entry.file);
        if (text === undefined || text.slice(entry.cursor, entry.truthEnd) !== entry.ideal) {
            skipped++;
            continue;
        }
        const { file, package: pkg, version, licence, language, ...spec } = entry;
        holes.push({ source: { file, package: pkg, version, licence, language }, hole: cutHole(text, spec), otherCode: "" });
    }
    return { holes, skipped };
}
