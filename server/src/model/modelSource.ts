import { createHash } from "node:crypto";
import dns from "node:dns/promises";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { resolveModelFile } from "node-llama-cpp";
import { formatBytes } from "../../../shared/src/byteSize.js";
import type { CodeLlamaConfig } from "../../../shared/src/settings.js";
import { ModelError } from "../engine/errors.js";
import { defaultModelsDirectory } from "./paths.js";

export interface DownloadProgress {
    downloadedBytes: number;
    totalBytes: number;
}

export interface ResolveModelOptions {
    /** May download the model when it is missing (the user approved it, or `model.autoDownload`). */
    allowDownload: boolean;
    onDownloadStart?(uri: string): void;
    onDownloadProgress?(progress: DownloadProgress): void;
    signal?: AbortSignal;
}

const REACHABILITY_TIMEOUT_MS = 10_000;
/** The size asked before a download is approved: a quick question, not worth a long wait. */
const SIZE_LOOKUP_TIMEOUT_MS = 3_000;

/**
 * Sizes of models offered for download, so the first-run question can name the size without asking
 * the network before the user agreed to download anything.
 */
const KNOWN_DOWNLOAD_BYTES: Readonly<Record<string, number>> = {
    "hf:TheBloke/CodeLlama-7B-Instruct-GGUF/codellama-7b-instruct.Q4_K_M.gguf": 4_081_095_360,
};
/** A download that makes no progress for this long is abandoned rather than hanging forever. */
const STALL_TIMEOUT_MS = 60_000;

/**
 * Turns the `model` configuration into a local GGUF path: the configured path as is, or the
 * configured URI, downloaded on first use into the models directory by node-llama-cpp's own
 * resolver (resumable; it writes to a temporary file and only renames a complete download).
 */
export async function resolveModelPath(model: CodeLlamaConfig["model"], options: ResolveModelOptions): Promise<string> {
    if (model.path) {
        const resolved = path.resolve(model.path);
        if (!fs.existsSync(resolved)) throw new ModelError("model-not-found", `Model file not found: ${resolved}.`);
        return resolved;
    }
    const directory = model.directory || defaultModelsDirectory();
    try {
        return await resolveModelFile(model.uri, { directory, download: false, cli: false });
    } catch {
        // Not downloaded yet.
    }
    if (!options.allowDownload) {
        const bytes = await downloadSize(model.uri);
        throw new ModelError(
            "model-not-downloaded",
            `The model ${modelFileName(model.uri)}${bytes === undefined ? "" : ` (${formatBytes(bytes)})`} is not downloaded yet.`,
            bytes === undefined ? {} : { downloadBytes: bytes },
        );
    }
    await assertReachable(model.uri);
    const expected = await remoteFileFacts(model.uri);
    options.onDownloadStart?.(model.uri);
    fs.mkdirSync(directory, { recursive: true });
    const stall = new AbortController();
    let stallTimer = setTimeout(() => stall.abort(), STALL_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, stall.signal]) : stall.signal;
    let downloaded: string;
    try {
        downloaded = await resolveModelFile(model.uri, {
            directory,
            cli: false,
            signal,
            onProgress: ({ totalSize, downloadedSize }) => {
                clearTimeout(stallTimer);
                stallTimer = setTimeout(() => stall.abort(), STALL_TIMEOUT_MS);
                options.onDownloadProgress?.({ downloadedBytes: downloadedSize, totalBytes: totalSize });
            },
        });
    } catch (error) {
        const reason = stall.signal.aborted ? `no data for ${STALL_TIMEOUT_MS / 1000} s` : options.signal?.aborted ? "cancelled" : String(error);
        throw new ModelError("download-failed", `Download of ${model.uri} failed (${reason}); the partial file is kept to resume later.`, { cause: error });
    } finally {
        clearTimeout(stallTimer);
    }
    await verifyDownload(downloaded, expected);
    return downloaded;
}

/** What the host says about the file before we download it: its size and, when it has one, its SHA-256. */
export interface ExpectedFile {
    size?: number;
    sha256?: string;
}

/** The https URL a model URI downloads from (`hf:owner/repo/file` is Hugging Face's resolve URL). */
export function downloadUrl(uri: string): string {
    const hf = /^(?:hf|huggingface):([^/]+)\/([^/]+)\/(.+)$/i.exec(uri);
    if (hf) {
        const [, owner, repo, file] = hf;
        const [path, revision = "main"] = file!.split("#");
        return `${process.env.HF_ENDPOINT || "https://huggingface.co"}/${owner}/${repo}/resolve/${revision}/${path}`;
    }
    if (!/^https:\/\//i.test(uri)) throw new ModelError("download-failed", `Models are only downloaded over HTTPS, not from ${uri}.`, { fix: "model-uri" });
    return uri;
}

/**
 * How big the download of `uri` is: known for the models offered by default, else what the host
 * says (a HEAD request to the host the user configured); undefined when neither tells.
 */
export async function downloadSize(uri: string): Promise<number | undefined> {
    const known = KNOWN_DOWNLOAD_BYTES[uri];
    if (known !== undefined) return known;
    try {
        return (await remoteFileFacts(uri, SIZE_LOOKUP_TIMEOUT_MS)).size;
    } catch {
        return undefined;
    }
}

/** The file a model URI names: "codellama-7b-instruct.Q4_K_M.gguf". */
export function modelFileName(uri: string): string {
    return uri.split("#")[0]!.split("/").pop() || uri;
}

/** Reads the size and hash headers (Hugging Face: X-Linked-Size, X-Linked-Etag) without following the redirect. */
async function remoteFileFacts(uri: string, timeoutMs = REACHABILITY_TIMEOUT_MS): Promise<ExpectedFile> {
    try {
        const response = await fetch(downloadUrl(uri), { method: "HEAD", redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
        return expectedFromHeaders(response.headers);
    } catch (error) {
        if (error instanceof ModelError) throw error;
        return {};
    }
}

export function expectedFromHeaders(headers: Headers): ExpectedFile {
    const size = Number(headers.get("x-linked-size") ?? headers.get("content-length") ?? NaN);
    const etag = (headers.get("x-linked-etag") ?? "").replace(/^W\//, "").replace(/"/g, "");
    return { ...(Number.isFinite(size) && size > 0 ? { size } : {}), ...(/^[0-9a-f]{64}$/i.test(etag) ? { sha256: etag.toLowerCase() } : {}) };
}

/**
 * Checks a finished download against what the host announced; a file that does not match is
 * deleted, never loaded.
 */
export async function verifyDownload(file: string, expected: ExpectedFile): Promise<void> {
    const fail = (reason: string): ModelError => {
        fs.rmSync(file, { force: true });
        return new ModelError("download-failed", `The downloaded model ${path.basename(file)} ${reason}; it was deleted.`);
    };
    const { size } = await fs.promises.stat(file);
    if (expected.size !== undefined && size !== expected.size) throw fail(`has ${size} bytes, the host announced ${expected.size}`);
    if (expected.sha256 !== undefined) {
        const hash = createHash("sha256");
        for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
        const actual = hash.digest("hex");
        if (actual !== expected.sha256) throw fail(`has SHA-256 ${actual}, the host announced ${expected.sha256}`);
    }
}

/** The host a model URI downloads from. */
export function downloadHost(uri: string): string {
    if (/^(hf|huggingface):/i.test(uri)) return new URL(process.env.HF_ENDPOINT || "https://huggingface.co").hostname;
    try {
        return new URL(uri).hostname;
    } catch {
        throw new ModelError("download-failed", `Not a model URI or URL: ${uri}.`, { fix: "model-uri" });
    }
}

/**
 * Fails fast when the download host cannot be reached: node-llama-cpp's downloader retries for
 * many minutes offline, which would leave the user staring at a spinner.
 */
async function assertReachable(uri: string): Promise<void> {
    const host = downloadHost(uri);
    const offline = (reason: string): ModelError => new ModelError("offline", `Cannot download the model ${uri}: ${host} is unreachable (${reason}).`);
    let address: string;
    try {
        address = (await withTimeout(dns.lookup(host), REACHABILITY_TIMEOUT_MS, "DNS lookup timed out")).address;
    } catch (error) {
        throw offline((error as NodeJS.ErrnoException).code ?? String(error));
    }
    await new Promise<void>((resolve, reject) => {
        const socket = net.connect({ host: address, port: 443, timeout: REACHABILITY_TIMEOUT_MS });
        socket.once("connect", () => {
            socket.destroy();
            resolve();
        });
        socket.once("timeout", () => {
            socket.destroy();
            reject(offline("connection timed out"));
        });
        socket.once("error", (error: NodeJS.ErrnoException) => reject(offline(error.code ?? error.message)));
    });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        promise,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(message)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}
