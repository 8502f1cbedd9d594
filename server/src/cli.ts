/** Entry point of the CLI bundle (dist/cli.js). */
import { runCli } from "./cli/main.js";

void runCli(process.argv.slice(2));
