import os from "node:os";
import path from "node:path";

/** The per-user cache directory for downloaded models, following each platform's convention. */
export function defaultModelsDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
    const home = env.HOME ?? env.USERPROFILE ?? os.homedir();
    if (platform === "win32") return path.join(env.LOCALAPPDATA ?? path.join(home, "AppData", "Local"), "codellama", "models");
    if (platform === "darwin") return path.join(home, "Library", "Caches", "codellama", "models");
    return path.join(env.XDG_CACHE_HOME || path.join(home, ".cache"), "codellama", "models");
}
