// Minimal extension for the test rig's own checks (CommonJS: this folder's package.json has no
// "type", so it is not affected by the repo's "type": "module").
const vscode = require("vscode");

function activate(context) {
    const item = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 1000);
    item.text = "CODELLAMA-PROBE-ACTIVE";
    item.show();
    context.subscriptions.push(item);

    context.subscriptions.push(
        vscode.commands.registerCommand("codellamaProbe.hello", () => {
            const greeting = vscode.workspace.getConfiguration("codellamaProbe").get("greeting", "Hello");
            const message = `${greeting} from the Code Llama probe`;
            void vscode.window.showInformationMessage(message);
            return message;
        }),
    );

    // Inline completions: typing a word that ends in "probe" shows "_ghost()" as ghost text.
    context.subscriptions.push(
        vscode.languages.registerInlineCompletionItemProvider(
            { pattern: "**" },
            {
                provideInlineCompletionItems(document, position) {
                    const prefix = document.lineAt(position.line).text.slice(0, position.character);
                    if (!prefix.endsWith("probe")) return [];
                    return [new vscode.InlineCompletionItem("_ghost()", new vscode.Range(position, position))];
                },
            },
        ),
    );
}

function deactivate() {}

module.exports = { activate, deactivate };
