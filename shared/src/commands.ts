/**
 * Every command id, in one place. COMMANDS are the extension's (contributed in package.json, which a
 * test holds against this list); SERVER_COMMANDS are the language server's workspace/executeCommand
 * commands, for clients to run.
 */
export const COMMANDS = {
    toggleCompletions: "codellama.toggleCompletions",
    toggleCompletionsForLanguage: "codellama.toggleCompletionsForLanguage",
    triggerCompletion: "codellama.triggerCompletion",
    selectModel: "codellama.selectModel",
    selectModelFile: "codellama.selectModelFile",
    downloadModel: "codellama.downloadModel",
    showLogs: "codellama.showLogs",
    restartServer: "codellama.restartServer",
    showMenu: "codellama.showMenu",
    openChat: "codellama.openChat",
    newChat: "codellama.newChat",
    chatHistory: "codellama.chatHistory",
    explain: "codellama.explain",
    debug: "codellama.debug",
    runPrompt: "codellama.runPrompt",
    previewFix: "codellama.previewFix",
    acceptFix: "codellama.acceptFix",
    discardFix: "codellama.discardFix",
    showStatistics: "codellama.showStatistics",
    setServerApiKey: "codellama.setServerApiKey",
    acceptNextWord: "codellama.acceptNextWord",
    dismissSuggestion: "codellama.dismissSuggestion",
} as const;

export const SERVER_COMMANDS = {
    /** The client's user took a suggestion (acceptance statistics, local only). */
    completionAccepted: "codellama.completionAccepted",
    /** The client's user took the next word of a suggestion. */
    completionPartiallyAccepted: "codellama.completionPartiallyAccepted",
    /** For LSP clients without a chat UI of their own: the question as the argument; returns a ChatAnswer. */
    chat: "codellama.lsp.chat",
    /** The built-in Explain prompt for `{ uri, range? }` of an open document; returns a ChatAnswer. */
    explain: "codellama.lsp.explain",
} as const;
