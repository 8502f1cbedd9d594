import { Transform, type TransformCallback } from "node:stream";

/** Bodies larger than this are skipped: no LSP message is that big, and buffering it could exhaust memory. */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
const HEADER_END = Buffer.from("\r\n\r\n");
const CONTENT_LENGTH = /^content-length:[ \t]*(\d+)[ \t]*$/im;
const HEADER_LINE = /^[A-Za-z][A-Za-z0-9-]*:[^\r\n]*$/;
const RESYNC_MARK = Buffer.from("Content-Length:");
/** A header block longer than this is garbage, not a header. */
const MAX_HEADER_BYTES = 4096;

/**
 * Guards the protocol reader against malformed framing: vscode-jsonrpc stops reading for good after
 * one bad header. Frames with valid headers pass through unchanged; anything else is dropped up to
 * the next `Content-Length:` and reported through `onDrop`, so the server keeps serving.
 */
export class FramingGuard extends Transform {
    private buffer: Buffer = Buffer.alloc(0);
    private skipBytes = 0;

    constructor(private readonly onDrop: (reason: string) => void = () => undefined) {
        super();
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
        this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
        this.drain();
        callback();
    }

    private drain(): void {
        for (;;) {
            if (this.skipBytes > 0) {
                const skipped = Math.min(this.skipBytes, this.buffer.length);
                this.buffer = this.buffer.subarray(skipped);
                this.skipBytes -= skipped;
                if (this.skipBytes > 0) return;
            }
            if (this.buffer.length === 0) return;
            const headerEnd = this.buffer.indexOf(HEADER_END);
            if (headerEnd < 0) {
                if (this.buffer.length > MAX_HEADER_BYTES) this.resync("header too long");
                return;
            }
            const header = this.buffer.subarray(0, headerEnd).toString("latin1");
            const length = CONTENT_LENGTH.exec(header);
            if (!length || !header.split("\r\n").every((line) => HEADER_LINE.test(line))) {
                this.resync(`malformed header ${JSON.stringify(header.slice(0, 80))}`);
                continue;
            }
            const size = Number(length[1]);
            const bodyStart = headerEnd + HEADER_END.length;
            if (size > MAX_MESSAGE_BYTES) {
                this.onDrop(`message of ${size} bytes skipped (limit ${MAX_MESSAGE_BYTES})`);
                this.buffer = this.buffer.subarray(bodyStart);
                this.skipBytes = size;
                continue;
            }
            if (this.buffer.length < bodyStart + size) return;
            this.push(Buffer.concat([Buffer.from(`Content-Length: ${size}\r\n\r\n`, "ascii"), this.buffer.subarray(bodyStart, bodyStart + size)]));
            this.buffer = this.buffer.subarray(bodyStart + size);
        }
    }

    /** Drops bytes up to the next plausible frame start. */
    private resync(reason: string): void {
        this.onDrop(reason);
        const next = this.buffer.indexOf(RESYNC_MARK, 1);
        this.buffer = next < 0 ? Buffer.alloc(0) : this.buffer.subarray(next);
    }
}
