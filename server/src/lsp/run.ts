import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver/node";
import { errorMessage, Logger, stderrSink } from "../log/logger.js";
import { FramingGuard } from "./framing.js";
import { startServer } from "./server.js";

/**
 * Starts the server on the transport named on the command line (--stdio, --node-ipc, --socket=N).
 * Logs go to the client's log (window/logMessage), never to stdout, which carries the protocol.
 */
export function runLanguageServer(): void {
    const logger = new Logger(stderrSink);
    // A bug in one request must not take the editor's assistant down with it.
    process.on("unhandledRejection", (reason) => logger.error(`Unhandled rejection: ${errorMessage(reason)}`));
    process.on("uncaughtException", (error) => logger.error(`Uncaught exception: ${error.stack ?? error.message}`));
    // On stdio, malformed framing must not stop the reader (see FramingGuard); other transports are the client's own.
    const connection = process.argv.includes("--stdio")
        ? createConnection(
              ProposedFeatures.all,
              new StreamMessageReader(process.stdin.pipe(new FramingGuard((reason) => logger.warn(`Dropped input: ${reason}`)))),
              new StreamMessageWriter(process.stdout),
          )
        : createConnection(ProposedFeatures.all);
    logger.setSink((level, message) => {
        if (level === "error") connection.console.error(message);
        else if (level === "warn") connection.console.warn(message);
        else if (level === "info") connection.console.info(message);
        else connection.console.debug(message);
    });
    startServer(connection, logger);
}
