/**
 * Workspace trust for prompt files: a workspace's `.codellama/prompts` decide what the model is asked
 * (and a built-in command can be overridden by one), so in an untrusted workspace they are used only
 * after the user said yes, asked once per session (window). Granting trust makes them count at once.
 * Pure: the VS Code side injects isTrusted and ask. Tested in test/unit/chatPrompts.test.ts.
 */
export class PromptTrust {
    private decision: boolean | undefined;
    private asking: Promise<boolean> | undefined;

    constructor(
        private readonly isTrusted: () => boolean,
        /** Asks the user whether to use the `count` prompt files of this untrusted workspace. */
        private readonly ask: (count: number) => Promise<boolean>,
    ) {}

    /** Whether the workspace's prompt files (there are `count`) may be used now. */
    async allowed(count: number): Promise<boolean> {
        if (this.isTrusted()) return true;
        if (count === 0) return false;
        if (this.decision !== undefined) return this.decision;
        // Two commands at once ask one question.
        this.asking ??= this.ask(count).then(
            (answer) => {
                this.decision = answer;
                this.asking = undefined;
                return answer;
            },
            () => {
                this.asking = undefined;
                return false;
            },
        );
        return this.asking;
    }

    /** Trust was granted (or changed): forget the session's answer. */
    reset(): void {
        this.decision = undefined;
    }
}
