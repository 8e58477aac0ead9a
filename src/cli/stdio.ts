/**
 * stdout and stderr for the real process, without Node's stream machinery when it is not needed.
 *
 * `process.stdout` on a pipe or socket is a net.Socket: creating it loads `net` and the stream
 * modules, about 6 ms of a run that prints a page of help. When the file descriptor is a regular
 * file, a pipe or a socket (fstat says so: none is a terminal; child processes get socket pairs as
 * "pipes"), text is written with write(2) directly instead: to a file always (Node writes files
 * synchronously too), to a pipe or socket up to {@link DIRECT_PIPE_BYTES} (well within its buffer, so
 * the write does not wait for the reader), then `process.stdout` takes over (backpressure, `drain`),
 * also as soon as a write would block. Anything else (a terminal, a closed descriptor) is the
 * `process.*` stream itself. Errors surface as the stream's would: an `error` event (EPIPE included,
 * asynchronously), later writes dropped.
 */
import { EventEmitter } from "node:events";
import { fstatSync, writeSync } from "node:fs";
import type { WritableLike } from "../render/output.js";

/** Bytes written directly to a pipe before process.stdout takes over. */
const DIRECT_PIPE_BYTES = 16 * 1024;

export type StdioLike = WritableLike & NodeJS.EventEmitter & { readonly writableLength: number };

/** stdout (fd 1) or stderr (fd 2): a direct writer for files and pipes, else the process's stream. */
export function stdio(fd: 1 | 2): StdioLike {
  const real = (): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);
  let kind: "file" | "pipe" | undefined;
  try {
    const st = fstatSync(fd);
    kind = st.isFile() ? "file" : st.isFIFO() || st.isSocket() ? "pipe" : undefined;
  } catch {
    kind = undefined;
  }
  return kind === undefined
    ? real()
    : new DirectWriter(fd, kind === "pipe" ? DIRECT_PIPE_BYTES : Infinity, real);
}

class DirectWriter extends EventEmitter implements WritableLike {
  readonly isTTY = false;
  readonly columns = undefined;
  #stream: NodeJS.WriteStream | undefined;
  #budget: number;
  #failed = false;

  constructor(
    private readonly fd: number,
    budget: number,
    private readonly real: () => NodeJS.WriteStream,
  ) {
    super();
    this.#budget = budget;
  }

  get writableLength(): number {
    return this.#stream?.writableLength ?? 0;
  }

  write(chunk: string | Uint8Array, cb?: (err?: Error | null) => void): boolean {
    if (this.#stream !== undefined) return this.#stream.write(chunk, cb);
    if (this.#failed) return false;
    let buf =
      typeof chunk === "string"
        ? Buffer.from(chunk, "utf8")
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (buf.length > this.#budget) return this.#handOver(buf, cb);
    this.#budget -= buf.length;
    try {
      while (buf.length > 0) buf = buf.subarray(writeSync(this.fd, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EAGAIN") return this.#handOver(buf, cb); // non-blocking and full
      this.#failed = true;
      process.nextTick(() => {
        cb?.(e as Error);
        this.emit("error", e);
      });
      return true;
    }
    if (cb) process.nextTick(cb);
    return true;
  }

  /** From now on process.stdout (or stderr) writes, starting with `rest`; its events are ours. */
  #handOver(rest: Buffer, cb?: (err?: Error | null) => void): boolean {
    const stream = this.real();
    this.#stream = stream;
    stream.on("drain", () => this.emit("drain"));
    stream.on("error", (e) => this.emit("error", e));
    return stream.write(rest, cb);
  }
}
