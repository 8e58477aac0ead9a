/**
 * Large input files on several cores (`tail --input`, `filter-test --records`): the main thread cuts
 * the file into pieces of about 1 MiB that end at a newline and posts them to worker threads; it takes
 * their replies in file order, hands each to the caller (`step`), and writes what the caller makes of
 * it, in file order, with at most two pieces per thread between reading and writing (bounded memory).
 * What a thread does with a piece, and how a reply is judged (errors, a file that must be read the
 * sequential way after all), are the caller's: io/parallel-input.ts (tail) and io/parallel-filter.ts
 * (filter-test).
 *
 * Protocol: a piece is posted as `{ seq, bytes, atStart }` (bytes transferred) and the thread answers
 * `{ seq, ... }`. A follow-up question about a piece (`ask`) goes to the same thread as
 * `{ ask, seq, ... }` and is answered `{ ask, ... }`.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import { completeUtf8Length } from "./utf8.js";

/** Bytes read at a time; a piece ends at the last newline of what was read. */
export const CHUNK_BYTES = 1024 * 1024;

/** Pieces posted but not yet written, per thread (bounds memory). */
const IN_FLIGHT_PER_THREAD = 2;

/** Where the bytes that are not UTF-8 were found, for the sequential reader's message. */
export interface Utf8Failure {
  /** The last (at most 3) bytes read before `chunk`. */
  tail: Uint8Array;
  /** The read that failed (empty when the file ends in the middle of a character). */
  chunk: Uint8Array;
  /** Bytes of the file before `chunk`. */
  bytesBefore: number;
  /** Whether `chunk` ends the file. */
  last: boolean;
}

type Piece = { bytes: Buffer } | { tooLong: true } | { notUtf8: Utf8Failure };

/**
 * A check of a stream of reads that answers, read by read, as `strictUtf8Decoder` (io/utf8.ts) would
 * decode them (a character cut at the end of a read is carried over to the next), without decoding.
 */
export function strictUtf8Check(): (chunk: Uint8Array, last: boolean) => boolean {
  let pending: Buffer | undefined;
  return (chunk, last) => {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (pending !== undefined) buf = Buffer.concat([pending, buf]);
    pending = undefined;
    if (isAscii(buf)) return true;
    const end = last ? buf.length : completeUtf8Length(buf);
    if (end < buf.length) pending = Buffer.from(buf.subarray(end));
    return isUtf8(buf.subarray(0, end));
  };
}

/** How the file is cut (see {@link ChunkRunOptions}). */
interface PieceOptions {
  /** A line longer than this (bytes) ends the pieces with `tooLong`. */
  maxLineBytes: number;
  /** Check the bytes as the sequential reader of filter-test does: see {@link ChunkRunOptions}. */
  checkUtf8: boolean;
}

/** The file in pieces that end at a newline (the last one at the end of the file). */
async function* pieces(path: string, o: PieceOptions): AsyncGenerator<Piece> {
  const fh = await open(path, "r");
  const utf8 = o.checkUtf8 ? strictUtf8Check() : undefined;
  let before = 0;
  let tail: Uint8Array = new Uint8Array(0);
  try {
    let carry: Buffer | undefined;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const got = buf.subarray(0, bytesRead);
      if (utf8 !== undefined && !utf8(got, false)) {
        yield { notUtf8: { tail, chunk: got, bytesBefore: before, last: false } };
        return;
      }
      before += bytesRead;
      tail = Buffer.from(got.subarray(Math.max(0, bytesRead - 3)));
      const nl = got.lastIndexOf(10);
      if (nl < 0) {
        carry = carry === undefined ? Buffer.from(got) : Buffer.concat([carry, got]);
        if (carry.length > o.maxLineBytes) {
          yield { tooLong: true };
          return;
        }
        continue;
      }
      const head = got.subarray(0, nl + 1);
      const piece = carry === undefined ? head : Buffer.concat([carry, head]);
      carry = nl + 1 < got.length ? Buffer.from(got.subarray(nl + 1)) : undefined;
      yield { bytes: piece };
    }
    if (utf8 !== undefined && !utf8(new Uint8Array(0), true)) {
      yield { notUtf8: { tail, chunk: new Uint8Array(0), bytesBefore: before, last: true } };
      return;
    }
    if (carry !== undefined && carry.length > 0) yield { bytes: carry };
  } finally {
    await fh.close();
  }
}

/** A follow-up question about piece `seq`, answered by the thread that has it. */
export type Ask = <T>(seq: number, message: object, transfer?: ArrayBuffer[]) => Promise<T>;

/** What the caller makes of one piece's reply. */
export interface ChunkStep {
  /** Its output, written once every earlier piece's is (it may come later, e.g. from an `ask`). */
  output?: Uint8Array | Promise<Uint8Array> | undefined;
  /**
   * `after`: stop once this output is written (an error in this piece). `sequential`: stop at once;
   * the caller reads the file the sequential way: only allowed while nothing has been written.
   */
  stop?: "after" | "sequential" | undefined;
}

export interface ChunkRunOptions<Reply> {
  path: string;
  /** Worker threads; 0 runs `inline` on this thread instead (the pieces' work, without threads). */
  threads: number;
  /** The worker threads' script (with `threads` > 0). */
  workerFile?: string | undefined;
  /** What a thread does with a posted piece, done here when `threads` is 0 (no `ask` then). */
  inline?: ((piece: { seq: number; bytes: Uint8Array; atStart: boolean }) => Reply) | undefined;
  /** Given to every thread (`workerData`): what to do with the pieces. */
  workerData: unknown;
  signal: AbortSignal;
  /** A line longer than this (bytes) ends the run with `tooLong`. */
  maxLineBytes: number;
  /**
   * Check on this thread that the file is UTF-8, read by read ({@link CHUNK_BYTES}) as filter-test's
   * sequential reader decodes it: at the first read that fails, the run ends (`notUtf8`) after the
   * pieces before that read, which are then exactly the lines that reader handles before its error.
   */
  checkUtf8?: boolean;
  /** Writes output (with backpressure). */
  write(bytes: Uint8Array): Promise<void>;
  /** Called with each piece's reply, in file order. */
  step(reply: Reply, seq: number, ask: Ask): ChunkStep;
}

/** How a run ended. */
export type ChunkRunEnd =
  | { kind: "eof" }
  /** A line longer than `maxLineBytes`, after the lines before it. */
  | { kind: "tooLong" }
  | { kind: "notUtf8"; failure: Utf8Failure }
  /** A step said `after`. */
  | { kind: "stopped" }
  | { kind: "sequential" }
  | { kind: "aborted" };

/** Runs the pieces of the file through `threads` worker threads; see the module comment. */
export async function runChunks<Reply>(o: ChunkRunOptions<Reply>): Promise<ChunkRunEnd> {
  const workers: Worker[] = [];
  const replies = new Map<number, Reply>();
  const asked = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let failure: Error | undefined;
  // The main loop's wake-up: called on every reply, failure and finished write.
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (e: Error): void => {
    failure ??= e;
    for (const a of asked.values()) a.reject(failure);
    asked.clear();
    notify();
  };
  if (o.threads === 0) {
    const inline = o.inline;
    if (inline === undefined) throw new Error("runChunks: no threads and no inline work");
    // One "thread" that is this one: each piece is worked on in its own turn of the event loop, so
    // that writes of earlier pieces go on in between.
    const here = {
      postMessage: (m: { seq: number; bytes: Uint8Array; atStart: boolean }) =>
        setImmediate(() => {
          try {
            replies.set(m.seq, inline(m));
            notify();
          } catch (e) {
            fail(e as Error);
          }
        }),
      terminate: async () => 0,
    };
    workers.push(here as unknown as Worker);
  }
  for (let i = 0; i < o.threads; i++) {
    const w = new Worker(o.workerFile as string, { workerData: o.workerData });
    w.on("message", (m: { seq: number; ask?: number }) => {
      if (m.ask !== undefined) {
        asked.get(m.ask)?.resolve(m);
        asked.delete(m.ask);
      } else replies.set(m.seq, m as Reply);
      notify();
    });
    w.on("error", (e) => fail(e));
    w.on("exit", (code) => {
      if (code !== 0) fail(new Error(`an input worker thread stopped (exit ${code})`));
    });
    workers.push(w);
  }
  const workerOf = (seq: number): Worker => workers[seq % workers.length] as Worker;
  let asks = 0;
  const ask: Ask = <T>(seq: number, message: object, transfer: ArrayBuffer[] = []) =>
    new Promise<T>((resolve, reject) => {
      if (failure !== undefined) return reject(failure);
      const id = asks++;
      asked.set(id, { resolve: resolve as (v: unknown) => void, reject });
      workerOf(seq).postMessage({ ...message, ask: id, seq }, transfer);
    });

  const source = pieces(o.path, { maxLineBytes: o.maxLineBytes, checkUtf8: o.checkUtf8 === true });
  let end: ChunkRunEnd | undefined;
  let posted = 0;
  let stepped = 0;
  let written = 0;
  // Outputs are written one after the other, in file order, while later replies are stepped.
  let writing: Promise<void> = Promise.resolve();
  const queue = (output: ChunkStep["output"]): void => {
    writing = writing.then(async () => {
      const bytes = await output;
      if (failure === undefined && bytes !== undefined && bytes.length > 0) await o.write(bytes);
      written++;
      notify();
    });
    writing.catch(fail);
  };
  const maxInFlight = Math.max(1, o.threads) * IN_FLIGHT_PER_THREAD;
  o.signal.addEventListener("abort", notify, { once: true });
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      if (o.signal.aborted) return { kind: "aborted" };
      while (end === undefined && posted - written < maxInFlight) {
        const p = await source.next();
        if (p.done) end = { kind: "eof" };
        else if ("tooLong" in p.value) end = { kind: "tooLong" };
        else if ("notUtf8" in p.value) end = { kind: "notUtf8", failure: p.value.notUtf8 };
        else {
          // Copied into memory of its own, which then moves to the thread (transferred, not cloned);
          // a Buffer's memory may be Node's shared pool, which must never be transferred.
          const data = new Uint8Array(new ArrayBuffer(p.value.bytes.byteLength));
          data.set(p.value.bytes);
          workerOf(posted).postMessage({ seq: posted, bytes: data, atStart: posted === 0 }, [data.buffer]);
          posted++;
        }
      }
      const reply = replies.get(stepped);
      if (reply !== undefined) {
        replies.delete(stepped);
        const s = o.step(reply, stepped, ask);
        stepped++;
        if (s.stop === "sequential") return { kind: "sequential" };
        queue(s.output);
        if (s.stop === "after") {
          await writing;
          if (failure !== undefined) throw failure;
          return { kind: "stopped" };
        }
        continue;
      }
      if (end !== undefined && stepped === posted) {
        await writing;
        if (failure !== undefined) throw failure;
        return end;
      }
      if (failure === undefined && !o.signal.aborted)
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
    }
  } finally {
    o.signal.removeEventListener("abort", notify);
    await source.return(undefined);
    await writing.catch(() => undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
