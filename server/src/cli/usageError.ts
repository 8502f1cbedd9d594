/** Flags or arguments that make no sense: the CLI prints the message with its usage hint and exits with 2. */
export class UsageError extends Error {}
