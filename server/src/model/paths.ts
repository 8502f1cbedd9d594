import os from "node:os";
import path from "node:path";

/** The per-user cache directory of Code Llama, following each platform's convention. */
export function userCacheDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
    const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
    if (platform === "win32") return path.join(env.LOCALAPPDATA ?? path.join(home, "AppData", "Local"), "codellama");
    if (platform === "darwin") return path.join(home, "Library", "Caches", "codellama");
    return path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "codellama");
}

/** The per-user cache directory for downloaded models. */
export function defaultModelsDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
    return path.join(userCacheDirectory(env, platform), "models");
}

/** Where the thread calibrations are kept (see engine/threadCache.ts). */
export function threadCacheFile(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
    return path.join(userCacheDirectory(env, platform), "threads.json");
}
