/** The message of anything thrown, for the Output channel and the user. */
export function errorMessage(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}
