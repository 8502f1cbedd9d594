/**
 * Tells the server what the user copies from an editor (codellama/didCopy): code copied is often
 * code about to be used elsewhere, so the server keeps those lines as extra context for completions
 * in other files. VS Code has no copy event; a paste-edit provider's prepareDocumentPaste is called
 * on every copy from a text editor (it adds nothing to the clipboard and never edits a paste).
 */
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { didCopyNotification } from "../../shared/src/protocol.js";

/** Announced so that VS Code calls prepareDocumentPaste; nothing is ever stored under it. */
const COPY_MIME = "application/vnd.codellama.copied";

export function watchCopies(client: LanguageClient, onSent: (event: { uri: string; range: vscode.Range }) => void): vscode.Disposable {
    return vscode.languages.registerDocumentPasteEditProvider(
        [{ scheme: "file" }, { scheme: "untitled" }],
        {
            prepareDocumentPaste(document, ranges) {
                const range = ranges[0];
                if (!range || range.isEmpty || !client.isRunning()) return;
                client
                    .sendNotification(didCopyNotification, {
                        textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
                        range: client.code2ProtocolConverter.asRange(range),
                    })
                    .then(
                        () => onSent({ uri: document.uri.toString(), range }),
                        () => undefined,
                    );
            },
        },
        { providedPasteEditKinds: [], copyMimeTypes: [COPY_MIME] },
    );
}
