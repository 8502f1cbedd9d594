/**
 * Seeded, reproducible choice of holes from a set of files: the same files and seed give the same
 * holes, whatever order the disk lists them in. Pure.
 */
import { cutHole, HOLE_CLASSES, type HoleClass, holeCandidates } from "./holes.js";
import type { HoleSource, SourcedHole } from "./oracleRun.js";
import { seededRandom, shuffle } from "./seededRandom.js";

/** A file to cut holes from: its normalised text (normaliseSource) and where it came from. */
export interface SourceText {
    source: HoleSource;
    text: string;
}

export interface SampleOptions {
    seed: number;
    /** Holes of each class in each language (fewer where the files have fewer). */
    perClass: number;
    /** Most holes of one class from one file, so that no file dominates a class. */
    perFile?: number;
    classes?: readonly HoleClass[];
}

/**
 * Up to `perClass` holes of each class in each language, from files in a seeded order, each with
 * code from another file of its language (a definition or a statement) for the model that runs on
 * into other code.
 */
export function sampleHoles(files: readonly SourceText[], options: SampleOptions): SourcedHole[] {
    const random = seededRandom(options.seed);
    const classes = options.classes ?? HOLE_CLASSES;
    const perFile = options.perFile ?? 2;
    const sorted = [...files].sort((a, b) => (a.source.file < b.source.file ? -1 : a.source.file > b.source.file ? 1 : 0));
    const byLanguage = new Map<string, SourceText[]>();
    for (const file of shuffle(sorted, random)) {
        if (!byLanguage.has(file.source.language)) byLanguage.set(file.source.language, []);
        byLanguage.get(file.source.language)!.push(file);
    }
    const holes: SourcedHole[] = [];
    for (const language of [...byLanguage.keys()].sort()) {
        const picked: { file: SourceText; hole: ReturnType<typeof cutHole> }[] = [];
        const definitions: { file: string; code: string }[] = [];
        const counts = new Map<HoleClass, number>(classes.map((cls) => [cls, 0]));
        for (const file of byLanguage.get(language)!) {
            if ([...counts.values()].every((count) => count >= options.perClass)) break;
            const candidates = holeCandidates(file.text, file.source.language, random);
            // Definitions and statements whose first line starts them (not a brace below a header).
            for (const spec of candidates
                .filter((candidate) => candidate.class === "function-body" || candidate.class === "multi-line-statement")
                .slice(0, 2)) {
                const lineStart = file.text.lastIndexOf("\n", spec.cursor - 1) + 1;
                if (file.text.slice(lineStart, spec.cursor).trim() !== "{")
                    definitions.push({ file: file.source.file, code: file.text.slice(lineStart, spec.truthEnd) });
            }
            for (const cls of classes) {
                const room = Math.min(perFile, options.perClass - counts.get(cls)!);
                if (room <= 0) continue;
                const ofClass = shuffle(
                    candidates.filter((candidate) => candidate.class === cls),
                    random,
                ).slice(0, room);
                for (const spec of ofClass) picked.push({ file, hole: cutHole(file.text, spec) });
                counts.set(cls, counts.get(cls)! + ofClass.length);
            }
        }
        for (const { file, hole } of picked) {
            const others = definitions.filter((definition) => definition.file !== file.source.file);
            const otherCode = others.length > 0 ? others[Math.floor(random() * others.length)]!.code : "x = 1";
            holes.push({ source: file.source, hole, otherCode });
        }
    }
    return holes;
}
