/** A model one can pick, as `codellama models` prints it and "Code Llama: Select Model…" offers it (server/src/model/catalogue.ts makes the list). */
/** A published model to download, or a `.gguf` file already in the models directory. */
export interface ModelChoice {
    /** "Code Llama 7B Instruct", or the file's own name for a local file. */
    label: string;
    /** To download (`hf:owner/repo/file.gguf`); absent for a local file. */
    uri?: string;
    /** A local file. */
    path?: string;
    quantization?: string;
    /** The file's size (for a download, what it will take). */
    fileBytes: number;
    /** Memory the model needs loaded: weights, a 4,096-token KV cache for completion and for chat, and overhead. */
    memoryBytes: number;
    /** This machine's memory holds it. */
    fits: boolean;
    downloaded: boolean;
    roles: { fillInTheMiddle: boolean; chat: boolean; chatFormat: "llama2" | "codellama-70b" | "none" };
}
