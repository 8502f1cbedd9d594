import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chatUse, completionUse, type ModelFacts, type ModelRoles, modelRoles } from "../../server/src/engine/modelRoles.js";

/** Code Llama's 32,016-token vocabulary: BOS/EOS and the infill tokens, no <step>. */
const CODE_LLAMA_VOCAB = { infillTokens: true, stepToken: false, bosEos: true } as const;
/** Code Llama 70B's: the infill tokens and <step>. */
const CODE_LLAMA_70B_VOCAB = { infillTokens: true, stepToken: true, bosEos: true } as const;
/** Llama 2's 32,000 tokens: no infill tokens. */
const LLAMA_2_VOCAB = { infillTokens: false, stepToken: false, bosEos: true } as const;

const facts = (overrides: Partial<ModelFacts> & Pick<ModelFacts, "infillTokens" | "stepToken" | "bosEos">): ModelFacts => ({
    fileName: "model.gguf",
    parameterCount: 0,
    ...overrides,
});
const roles = (overrides: Partial<ModelRoles>): ModelRoles => ({
    family: "code-llama",
    size: "7B",
    variant: "base",
    fim: true,
    chatFormat: "llama2",
    instruct: false,
    infillTokens: true,
    stepToken: false,
    ...overrides,
});

describe("modelRoles: names as converters write them", () => {
    it("TheBloke's general.name of Code Llama 34B Instruct: Instruct, [INST], no fill in the middle", () => {
        assert.deepEqual(
            modelRoles(facts({ name: "codellama_codellama-34b-instruct-hf", ...CODE_LLAMA_VOCAB })),
            roles({ size: "34B", variant: "instruct", fim: false, instruct: true }),
        );
    });
    it("TheBloke's Code Llama 7B Instruct: fills in the middle and chats", () => {
        assert.deepEqual(
            modelRoles(facts({ name: "codellama_codellama-7b-instruct-hf", ...CODE_LLAMA_VOCAB })),
            roles({ variant: "instruct", instruct: true }),
        );
    });
    it("the newer basename / size_label / finetune keys", () => {
        assert.deepEqual(modelRoles(facts({ name: "CodeLlama 13b Hf", basename: "CodeLlama", sizeLabel: "13B", ...CODE_LLAMA_VOCAB })), roles({ size: "13B" }));
        assert.deepEqual(
            modelRoles(facts({ name: "Model", basename: "CodeLlama", sizeLabel: "13B", finetune: "Instruct", ...CODE_LLAMA_VOCAB })),
            roles({ size: "13B", variant: "instruct", instruct: true }),
        );
        assert.deepEqual(
            modelRoles(facts({ name: "CodeLlama", sizeLabel: "34B", finetune: "Python", ...CODE_LLAMA_VOCAB })),
            roles({ size: "34B", variant: "python", fim: false }),
        );
    });
    it("Python models, of any size, continue the code", () => {
        assert.deepEqual(modelRoles(facts({ name: "codellama_codellama-7b-python-hf", ...CODE_LLAMA_VOCAB })), roles({ variant: "python", fim: false }));
        assert.deepEqual(
            modelRoles(facts({ name: "codellama_codellama-13b-python-hf", ...CODE_LLAMA_VOCAB })),
            roles({ size: "13B", variant: "python", fim: false }),
        );
    });
    it("70B Instruct: <step> in the vocabulary makes the turn format; no fill in the middle", () => {
        assert.deepEqual(
            modelRoles(facts({ name: "codellama_codellama-70b-instruct-hf", ...CODE_LLAMA_70B_VOCAB })),
            roles({ size: "70B", variant: "instruct", fim: false, chatFormat: "codellama-70b", instruct: true, stepToken: true }),
        );
    });
    it("70B base: the turn format too (Meta's chat_completion takes it whenever the vocabulary has <step>), not instruct", () => {
        assert.deepEqual(
            modelRoles(facts({ name: "codellama_codellama-70b-hf", ...CODE_LLAMA_70B_VOCAB })),
            roles({ size: "70B", fim: false, chatFormat: "codellama-70b", stepToken: true }),
        );
    });
    it("a 70B chat template without <step> in the vocabulary still says the format", () => {
        const template =
            "{{ '<s>' }}{% for message in messages %}{{ 'Source: ' + message['role'] + '\\n\\n ' + message['content'] | trim + ' <step> ' }}{% endfor %}{{ 'Source: assistant\\nDestination: user\\n\\n ' }}";
        assert.equal(modelRoles(facts({ name: "CodeLlama-70b-Instruct", chatTemplate: template, ...CODE_LLAMA_VOCAB })).chatFormat, "codellama-70b");
    });
    it("Llama 2 Chat: 32,000 tokens without infill tokens, [INST], continues code", () => {
        for (const [name, size] of [
            ["LLaMA v2", "7B"],
            ["llama-2-13b-chat.Q4_K_M", "13B"],
            ["Llama-2-70b-chat-hf", "70B"],
        ] as const) {
            const fileName = `llama-2-${size.toLowerCase()}-chat.Q4_K_M.gguf`;
            assert.deepEqual(
                modelRoles(facts({ name, fileName, ...LLAMA_2_VOCAB })),
                roles({ family: "llama-2", size, variant: "chat", fim: false, instruct: true, infillTokens: false }),
                name,
            );
        }
    });
    it("the size from the parameter count when no name says it", () => {
        const unnamed = (parameterCount: number): string | undefined => modelRoles(facts({ name: "my-finetune", parameterCount, ...CODE_LLAMA_VOCAB })).size;
        assert.equal(unnamed(6_738_546_688), "7B");
        assert.equal(unnamed(13_016_028_160), "13B");
        assert.equal(unnamed(33_743_970_304), "34B");
        assert.equal(unnamed(68_976_648_192), "70B");
        assert.equal(unnamed(1_000_000), undefined);
    });
    it("a fine-tune whose name says nothing: the vocabulary decides (infill tokens: fills in)", () => {
        assert.deepEqual(modelRoles(facts({ name: "my-finetune", ...CODE_LLAMA_VOCAB })), roles({ family: "unknown", size: undefined }));
        assert.deepEqual(
            modelRoles(facts({ name: "my-finetune", ...LLAMA_2_VOCAB })),
            roles({ family: "unknown", size: undefined, fim: false, infillTokens: false }),
        );
    });
    it("the file name when the metadata names nothing", () => {
        assert.deepEqual(
            modelRoles(facts({ fileName: "codellama-34b-instruct.Q4_K_M.gguf", ...CODE_LLAMA_VOCAB })),
            roles({ size: "34B", variant: "instruct", fim: false, instruct: true }),
        );
    });
    it("digits in a hash of the file name are no size", () => {
        assert.equal(
            modelRoles(facts({ name: "tiny-codellama-tiny-scripted", fileName: "tiny-scripted-q8_0-a3b4f09.gguf", ...CODE_LLAMA_VOCAB })).size,
            undefined,
        );
        assert.equal(modelRoles(facts({ fileName: "codellama-7b.Q4_K_M.gguf", ...CODE_LLAMA_VOCAB })).size, "7B");
    });
    it("a vocabulary without BOS/EOS cannot chat in either format", () => {
        assert.equal(modelRoles(facts({ name: "x", infillTokens: false, stepToken: false, bosEos: false })).chatFormat, "none");
    });
});

describe("completionUse and chatUse: the settings over the file", () => {
    it("auto: as the file says", () => {
        assert.deepEqual(completionUse(roles({}), "auto"), { mode: "fill-in-the-middle" });
        assert.deepEqual(completionUse(roles({ size: "34B", fim: false }), "auto"), { mode: "continue", reason: "not-trained" });
        assert.deepEqual(chatUse(roles({}), "auto"), { format: "llama2" });
        assert.deepEqual(chatUse(roles({ chatFormat: "codellama-70b", stepToken: true }), "auto"), { format: "codellama-70b" });
    });
    it("completion.mode forces fill in the middle when the vocabulary has the tokens, continuing otherwise", () => {
        assert.deepEqual(completionUse(roles({ fim: false }), "fill-in-the-middle"), { mode: "fill-in-the-middle" });
        assert.deepEqual(completionUse(roles({ fim: false, infillTokens: false }), "fill-in-the-middle"), { mode: "continue", reason: "no-infill-tokens" });
        assert.deepEqual(completionUse(roles({}), "continue"), { mode: "continue", reason: "setting" });
    });
    it("chat.format forces a format; the 70B format only with <step> in the vocabulary", () => {
        assert.deepEqual(chatUse(roles({ chatFormat: "codellama-70b", stepToken: true }), "llama2"), { format: "llama2" });
        assert.deepEqual(chatUse(roles({ stepToken: true }), "codellama-70b"), { format: "codellama-70b" });
        assert.deepEqual(chatUse(roles({}), "codellama-70b"), { format: "llama2", noStepToken: true });
    });
});
