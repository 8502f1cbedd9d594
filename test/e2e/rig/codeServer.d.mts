// Types for codeServer.mjs (plain JS so the shim can run without a TypeScript loader).
import type { BrowserContext, Page } from "playwright-core";

export declare const CODE_SERVER_VERSION: string;
export declare function codeServerDir(env?: NodeJS.ProcessEnv): string;
export declare function findCodeServer(env?: NodeJS.ProcessEnv): string | null;
export declare function requireCodeServer(env?: NodeJS.ProcessEnv): string;
export declare const CHROMIUM_PATH: string;
export declare const CHROMIUM_ARGS: readonly string[];
export declare const DEFAULT_USER_SETTINGS: Readonly<Record<string, unknown>>;
export declare function writeUserSettings(userDataDir: string, settings?: Record<string, unknown>): string;
export declare function freePort(): Promise<number>;
export declare function makeRunDir(prefix?: string): string;
export declare function isolatedEnv(runDir: string): Record<string, string>;
export declare function installExtension(opts: { runDir: string; userDataDir: string; extensionsDir: string; vsix: string }): string;
export declare function killProcessGroup(pid: number | undefined, graceMs?: number): Promise<void>;
export declare function killProcessGroupNow(pid: number | undefined): void;

export interface StartCodeServerOptions {
    /** Per-run directory: HOME, TMPDIR, config and log go below it. */
    runDir: string;
    userDataDir: string;
    extensionsDir: string;
    /** code-server launcher; default: the one setup-test-env.sh installed. */
    bin?: string;
    /** Extra environment for code-server and so for the extension host. */
    env?: Record<string, string | undefined>;
    extraArgs?: string[];
    logFile?: string;
    startTimeoutMs?: number;
}
export interface CodeServer {
    pid: number;
    port: number;
    /** "127.0.0.1:PORT", the remote authority of vscode-remote:// URIs. */
    authority: string;
    baseUrl: string;
    logFile: string;
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    /** Ends code-server's whole process group (extension host included). */
    stop(): Promise<void>;
}
export declare function startCodeServer(opts: StartCodeServerOptions): Promise<CodeServer>;

export interface WorkbenchUrlOptions {
    baseUrl: string;
    authority: string;
    /** Folder or .code-workspace file; none: an empty window. */
    workspace?: string;
    extensionDevelopmentPaths?: string[];
    extensionTestsPath?: string;
    disableExtensions?: boolean;
}
export declare function workbenchUrl(opts: WorkbenchUrlOptions): string;
export declare function launchChromium(
    runDir: string,
    opts?: { viewport?: { width: number; height: number } },
): Promise<{ context: BrowserContext; page: Page }>;
export declare function isNoise(line: string): boolean;
export declare function tail(file: string, lines?: number): string;
