/** Entry point of the language server bundle (dist/server.js): `node dist/server.js --stdio`. */
import { runLanguageServer } from "./lsp/run.js";

runLanguageServer();
