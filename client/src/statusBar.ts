/**
 * The status bar item: holds the inputs of presentStatus() (last server status, connection state,
 * active editor) and renders it whenever one of them changes.
 */
import * as vscode from "vscode";
import type { ServerStatus } from "../../shared/src/protocol.js";
import { affects, completionsEnabled, isExcluded } from "./config.js";
import { type ConnectionState, presentStatus, type StatusPresentation } from "./statusDisplay.js";

export class StatusBar implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem("codellama.status", vscode.StatusBarAlignment.Right, 100);
    private readonly changed = new vscode.EventEmitter<StatusPresentation>();
    private readonly disposables: vscode.Disposable[] = [];
    private server: ServerStatus | undefined;
    private connection: ConnectionState = "starting";
    private current!: StatusPresentation;

    /** Fires after each render, with what is shown. */
    readonly onDidChange = this.changed.event;

    constructor() {
        this.item.name = "Code Llama";
        this.disposables.push(
            vscode.window.onDidChangeActiveTextEditor(() => this.render()),
            vscode.workspace.onDidChangeConfiguration((event) => {
                if (affects(event, "completion.enabled") || affects(event, "completion.exclude")) this.render();
            }),
        );
        this.render();
        this.item.show();
    }

    get presentation(): StatusPresentation {
        return this.current;
    }

    get serverStatus(): ServerStatus | undefined {
        return this.server;
    }

    setServerStatus(status: ServerStatus): void {
        this.server = status;
        this.render();
    }

    setConnection(connection: ConnectionState): void {
        if (connection === this.connection) return;
        this.connection = connection;
        // A (re)starting server has not said anything yet: the last status is stale.
        if (connection !== "running") this.server = undefined;
        this.render();
    }

    private render(): void {
        const document = vscode.window.activeTextEditor?.document;
        this.current = presentStatus({
            server: this.server,
            connection: this.connection,
            completionsEnabled: completionsEnabled(document),
            ...(document ? { languageId: document.languageId, excluded: isExcluded(document) } : {}),
        });
        this.item.text = this.current.text;
        this.item.tooltip = this.current.tooltip;
        this.item.command = this.current.command;
        this.item.backgroundColor = this.current.severity === "ok" ? undefined : new vscode.ThemeColor(`statusBarItem.${this.current.severity}Background`);
        this.changed.fire(this.current);
    }

    dispose(): void {
        for (const disposable of this.disposables) disposable.dispose();
        this.changed.dispose();
        this.item.dispose();
    }
}
