/**
 * The server's log. Imports nothing of the app: every layer may log. The levels are those of the
 * `codellama.log.level` setting (shared/src/settings.ts), which the LSP layer hands to setLevel.
 */
export const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where log lines go: the LSP connection's console, or stderr (never stdout, which may carry the protocol). */
export type LogSink = (level: LogLevel, message: string) => void;

export class Logger {
    constructor(
        private sink: LogSink,
        private level: LogLevel = "info",
    ) {}

    setLevel(level: LogLevel): void {
        this.level = level;
    }

    setSink(sink: LogSink): void {
        this.sink = sink;
    }

    isEnabled(level: LogLevel): boolean {
        return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(this.level);
    }

    error(message: string): void {
        this.log("error", message);
    }
    warn(message: string): void {
        this.log("warn", message);
    }
    info(message: string): void {
        this.log("info", message);
    }
    /** Document contents may only be logged at this level. */
    debug(message: string | (() => string)): void {
        if (this.isEnabled("debug")) this.log("debug", typeof message === "function" ? message() : message);
    }

    private log(level: LogLevel, message: string): void {
        if (this.isEnabled(level)) this.sink(level, message);
    }
}

export const stderrSink: LogSink = (level, message) => {
    process.stderr.write(`[${new Date().toISOString()}] ${level.padEnd(5)} ${message}\n`);
};

export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
