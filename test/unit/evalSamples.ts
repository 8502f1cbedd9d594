// Small source files for the eval's unit tests, and every hole in them.
import { cutHole, type Hole, holeCandidates } from "../../server/src/eval/holes.js";
import type { EvalLanguage } from "../../server/src/eval/languages.js";

export const JS = `function add(a, b) {
    const sum = a + b;
    log(sum);
    if (sum > 10) {
        warn("big", sum);
    }
    return compute(a,
        b);
}
`;
export const PY = 'def size(path):\n    if os.path.isdir(path):\n        total = 0\n        return total\n    return os.path.getsize(path)\nprint(size("."))\n';

/** Every hole of the text, at the first cursor column where a class allows several. */
export function holesIn(text: string, language: EvalLanguage): Hole[] {
    return holeCandidates(text, language, () => 0).map((spec) => cutHole(text, spec));
}
