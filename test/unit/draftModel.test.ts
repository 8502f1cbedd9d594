import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { draftChoice } from "../../server/src/model/draftModel.js";

const B = 1e9;
const SEVEN_AND_34 = { vocabularyProblem: undefined, completionParameters: 6.7 * B, chatParameters: 33.7 * B };
const MISMATCH = "X cannot be the draft model of Y: it has 32000 tokens, the model 32016. A draft model must share the vocabulary.";

describe("the completion model as the chat model's draft (chat.draftModel)", () => {
    it("auto: on for a chat model at least 3 times the completion model's parameters, of the same vocabulary", () => {
        assert.deepEqual(draftChoice("auto", SEVEN_AND_34), { draft: true });
        assert.deepEqual(draftChoice("auto", { ...SEVEN_AND_34, chatParameters: 3 * 6.7 * B }), { draft: true });
        assert.deepEqual(draftChoice("auto", { ...SEVEN_AND_34, chatParameters: 13 * B }), {
            draft: false,
            why: "the chat model (13.0B parameters) is not 3 times the completion model's size (6.7B); codellama.chat.draftModel: on drafts anyway",
            warn: false,
        });
        assert.deepEqual(draftChoice("auto", { vocabularyProblem: undefined, completionParameters: 0, chatParameters: 134e6 }), {
            draft: false,
            why: "the chat model (134M parameters) is not 3 times the completion model's size (unknown); codellama.chat.draftModel: on drafts anyway",
            warn: false,
        });
    });

    it("auto: another vocabulary is no draft, quietly (the user did not ask)", () => {
        assert.deepEqual(draftChoice("auto", { ...SEVEN_AND_34, vocabularyProblem: MISMATCH }), { draft: false, why: MISMATCH, warn: false });
    });

    it("on: whatever the sizes; another vocabulary is refused with the reason to show", () => {
        assert.deepEqual(draftChoice("on", { ...SEVEN_AND_34, chatParameters: 6.7 * B }), { draft: true });
        assert.deepEqual(draftChoice("on", { ...SEVEN_AND_34, vocabularyProblem: MISMATCH }), { draft: false, why: MISMATCH, warn: true });
    });

    it("off: never", () => {
        assert.deepEqual(draftChoice("off", SEVEN_AND_34), { draft: false, why: "codellama.chat.draftModel is off", warn: false });
    });
});
