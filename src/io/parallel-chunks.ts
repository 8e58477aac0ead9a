/**
 * Large input files on several cores (`tail --input`, `filter-test --records`): the main thread cuts
 * the file into pieces of about 1 MiB that end at a newline and posts them to worker threads; it takes
 * their replies in file order, hands each to the caller (`step`), and writes what the caller makes of
 * it, in file order, with at most two pieces per thread between reading and writing (bounded memory).
 * What a thread does with a piece, and how a reply is judged (errors, a file that must be read the
 * sequential way after all), are the caller's: io/parallel-input.ts (tail) and io/parallel-filter.ts
 * (filter-test).
 *
 * Protocol: a piece is posted as `{ seq, bytes, atStart, sink? }` (`PostedPiece`; its memory is shared
 * with the thread, never transferred: see MemoryPool) and the thread answers `{ seq, ... }`. A
 * follow-up question about a piece (`ask`) goes to the same thread as `{ ask, seq, ... }` and is
 * answered `{ ask, ... }`. A thread transfers nothing either: what it sends back is in shared memory
 * or copied.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { open } from "node:fs/promises";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { completeUtf8Length } from "./utf8.js";

/** Bytes read at a time; a piece ends at the last newline of what was read. */
export const CHUNK_BYTES = 1024 * 1024;

/** Room past a read in a piece's memory, for what the read before left after its last newline. */
const PIECE_SLACK = 64 * 1024;

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

type Piece = { bytes: Uint8Array } | { tooLong: true } | { notUtf8: Utf8Failure };

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

/**
 * Memory for pieces and outputs that goes back and forth between the threads instead of being made
 * anew for each piece: fresh memory costs a page fault per 4 KiB on first touch (on this project's
 * virtual machines ~2 ms a MiB, a fifth of a piece's whole rendering), and freeing it costs as much
 * again. Bounded by the pieces in flight.
 *
 * With worker threads the memory is shared (`SharedArrayBuffer`): posted, it is shared, not
 * transferred, so that no thread ever detaches an `ArrayBuffer`. V8's optimised code assumes that no
 * `ArrayBuffer` of its isolate has been detached (its "array buffer detaching protector"): the first
 * detach throws away every optimised function of that thread at once, and the code made after that
 * checks for detached memory at each typed-array access. Measured on a thread rendering `tail --input`
 * pieces: its second piece ran as cold as its first (~120 ms instead of ~6 ms a MiB), and every piece
 * after that 15% slower. The pieces' protocol makes sure that one thread at a time uses a memory.
 */
class MemoryPool {
  readonly #free: ArrayBufferLike[] = [];

  /** `shared`: new memory is a `SharedArrayBuffer` (for worker threads), else an `ArrayBuffer`. */
  constructor(readonly shared: boolean) {}

  /** Memory of at least `min` bytes: a kept one, else new memory of `size` (or `min`) bytes. */
  take(min: number, size = min): ArrayBufferLike {
    for (let i = this.#free.length - 1; i >= 0; i--) {
      const b = this.#free[i] as ArrayBufferLike;
      if (b.byteLength >= min) {
        this.#free.splice(i, 1);
        return b;
      }
    }
    const n = Math.max(min, size);
    return this.shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n);
  }

  /** The last kept memory, if any, whatever its size. */
  takeAny(): ArrayBufferLike | undefined {
    return this.#free.pop();
  }

  /** Keeps `b` for later (memory that is not this pool's kind is not kept). */
  put(b: unknown): void {
    const mine = this.shared ? b instanceof SharedArrayBuffer : b instanceof ArrayBuffer;
    if (mine && (b as ArrayBufferLike).byteLength >= MIN_KEPT_BYTES && this.#free.length < MAX_KEPT)
      this.#free.push(b as ArrayBufferLike);
  }
}

/**
 * A sink of at least `room` bytes from `pool`: new memory has an eighth more, so that it serves the
 * later pieces too, whose room differs by a few bytes.
 */
function sinkFor(pool: MemoryPool, room: number): ArrayBufferLike {
  return pool.take(room, room + (room >> 3));
}

/** Memory smaller than this is not worth keeping. */
const MIN_KEPT_BYTES = 64 * 1024;
/** At most this many kept memories per pool (the pieces in flight need fewer). */
const MAX_KEPT = 16;

/**
 * The file in pieces that end at a newline (the last one at the end of the file). Each piece is in
 * memory of its own, taken from `pool` (a piece starts with what the last read left after its last
 * newline, then one read), so that it can move to another thread without a copy.
 */
async function* pieces(path: string, o: PieceOptions, pool: MemoryPool): AsyncGenerator<Piece> {
  const fh = await open(path, "r");
  const utf8 = o.checkUtf8 ? strictUtf8Check() : undefined;
  let before = 0;
  let tail: Uint8Array = new Uint8Array(0);
  try {
    let carry: Buffer | undefined;
    for (;;) {
      const c = carry?.length ?? 0;
      const mem = pool.take(c + CHUNK_BYTES, CHUNK_BYTES + PIECE_SLACK);
      const buf = Buffer.from(mem);
      if (carry !== undefined) buf.set(carry, 0);
      const { bytesRead } = await fh.read(buf, c, CHUNK_BYTES, null);
      if (bytesRead === 0) {
        pool.put(mem);
        break;
      }
      const got = buf.subarray(c, c + bytesRead);
      if (utf8 !== undefined && !utf8(got, false)) {
        yield { notUtf8: { tail, chunk: got, bytesBefore: before, last: false } };
        return;
      }
      before += bytesRead;
      tail = Buffer.from(got.subarray(Math.max(0, bytesRead - 3)));
      const nl = got.lastIndexOf(10);
      if (nl < 0) {
        carry = Buffer.from(buf.subarray(0, c + bytesRead));
        pool.put(mem);
        if (carry.length > o.maxLineBytes) {
          yield { tooLong: true };
          return;
        }
        continue;
      }
      const end = c + nl + 1;
      carry = end < c + bytesRead ? Buffer.from(buf.subarray(end, c + bytesRead)) : undefined;
      yield { bytes: new Uint8Array(mem, 0, end) };
    }
    if (utf8 !== undefined && !utf8(new Uint8Array(0), true)) {
      yield { notUtf8: { tail, chunk: new Uint8Array(0), bytesBefore: before, last: true } };
      return;
    }
    if (carry !== undefined && carry.length > 0) {
      const mem = pool.take(carry.length);
      new Uint8Array(mem).set(carry);
      yield { bytes: new Uint8Array(mem, 0, carry.length) };
    }
  } finally {
    await fh.close();
  }
}

/** A follow-up question about piece `seq`, answered by the thread that has it. */
export type Ask = <T>(seq: number, message: object) => Promise<T>;

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
  /**
   * What a thread does with a posted piece, done here when `threads` is 0 (no `ask` then). A reply
   * that holds `input` (the piece's memory, its `bytes.buffer`, from a thread or from here) gives that
   * memory back for a later piece.
   */
  inline?: ((piece: PostedPiece) => Reply) | undefined;
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
  /**
   * Writes output (with backpressure); calls `written`, if given, once the bytes are out of the
   * process (their memory may then be used again).
   */
  write(bytes: Uint8Array, written?: () => void): Promise<void>;
  /**
   * The outputs' memory is the threads' to use again: an output written as it came (a `Uint8Array`
   * over memory that nothing else holds, from a reply or an answer to `ask`) goes, once written, with
   * a later piece or question as its `sink`, memory for the thread to write its output into.
   */
  reuseOutput?: boolean;
  /**
   * With `reuseOutput`: each piece goes with a sink of at least `outputRoom(piece's bytes)` bytes;
   * without it pieces go without one (their output, if any, comes from `ask`). A question (`ask`)
   * goes with a kept one, if any.
   */
  outputRoom?: ((pieceBytes: number) => number) | undefined;
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

/** A piece as a thread gets it. */
export interface PostedPiece {
  seq: number;
  /** The piece, in memory of its own (its `buffer` may be given back as the reply's `input`). */
  bytes: Uint8Array;
  atStart: boolean;
  /** With `reuseOutput`: memory to write the output into (an earlier output's, once written). */
  sink?: ArrayBufferLike | undefined;
}

/**
 * Worker threads made from now on compile optimised code on their own thread, not on V8's background
 * threads: Node 20 can abort the process ("Assertion failed: (data.first) != nullptr" in
 * NodePlatform::ForIsolate) when a background compile of a worker's code is still running while the
 * worker is torn down (the test suite hit it once: a threaded filter-test run died so). The compile
 * work is the same; with every core busy with a thread anyway, nothing measurable is lost. The flag
 * is read when an isolate is made, so this thread keeps compiling in the background.
 */
function noConcurrentCompilation(): void {
  setFlagsFromString("--no-concurrent-recompilation");
}

/** Runs the pieces of the file through `threads` worker threads; see the module comment. */
export async function runChunks<Reply>(o: ChunkRunOptions<Reply>): Promise<ChunkRunEnd> {
  const workers: Worker[] = [];
  const replies = new Map<number, Reply>();
  // Shared with worker threads (see MemoryPool); on this thread alone, nothing moves.
  const inputMemory = new MemoryPool(o.threads > 0);
  const outputMemory = new MemoryPool(o.threads > 0);
  // Pieces posted to each thread and not yet answered: the next piece goes to the least busy.
  const busy: number[] = [];
  const owner = new Map<number, number>();
  const reply = (m: { seq: number; input?: unknown }): void => {
    inputMemory.put(m.input);
    const w = owner.get(m.seq);
    if (w !== undefined) busy[w] = (busy[w] as number) - 1;
    replies.set(m.seq, m as Reply);
    notify();
  };
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
      postMessage: (m: PostedPiece) =>
        setImmediate(() => {
          try {
            reply({ ...inline(m), seq: m.seq } as { seq: number });
          } catch (e) {
            fail(e as Error);
          }
        }),
      terminate: async () => 0,
    };
    workers.push(here as unknown as Worker);
    busy.push(0);
  }
  if (o.threads > 0) noConcurrentCompilation();
  for (let i = 0; i < o.threads; i++) {
    const w = new Worker(o.workerFile as string, { workerData: o.workerData });
    w.on("message", (m: { seq: number; ask?: number }) => {
      if (m.ask !== undefined) {
        asked.get(m.ask)?.resolve(m);
        asked.delete(m.ask);
        notify();
      } else reply(m);
    });
    w.on("error", (e) => fail(e));
    w.on("exit", (code) => {
      if (code !== 0) fail(new Error(`an input worker thread stopped (exit ${code})`));
    });
    workers.push(w);
    busy.push(0);
  }
  const workerOf = (seq: number): Worker => workers[owner.get(seq) ?? 0] as Worker;
  const post = (piece: PostedPiece): void => {
    let w = 0;
    for (let i = 1; i < busy.length; i++) if ((busy[i] as number) < (busy[w] as number)) w = i;
    owner.set(piece.seq, w);
    busy[w] = (busy[w] as number) + 1;
    // Nothing is transferred: the memory is shared (see MemoryPool).
    (workers[w] as Worker).postMessage(piece);
  };
  let asks = 0;
  const ask: Ask = <T>(seq: number, message: object) =>
    new Promise<T>((resolve, reject) => {
      if (failure !== undefined) return reject(failure);
      const id = asks++;
      asked.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const sink = o.reuseOutput === true ? outputMemory.takeAny() : undefined;
      workerOf(seq).postMessage({ ...message, ask: id, seq, sink });
    });

  const source = pieces(
    o.path,
    { maxLineBytes: o.maxLineBytes, checkUtf8: o.checkUtf8 === true },
    inputMemory,
  );
  let end: ChunkRunEnd | undefined;
  let posted = 0;
  let stepped = 0;
  let written = 0;
  // Outputs are written one after the other, in file order, while later replies are stepped.
  let writing: Promise<void> = Promise.resolve();
  const queue = (output: ChunkStep["output"]): void => {
    writing = writing.then(async () => {
      const bytes = await output;
      if (failure === undefined && bytes !== undefined && bytes.length > 0)
        await o.write(bytes, o.reuseOutput === true ? () => outputMemory.put(bytes.buffer) : undefined);
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
          // The piece's memory is its own: the thread uses it in place (shared, not copied).
          const bytes = p.value.bytes;
          const sink =
            o.reuseOutput === true && o.outputRoom !== undefined
              ? sinkFor(outputMemory, o.outputRoom(bytes.length))
              : undefined;
          post({ seq: posted, bytes, atStart: posted === 0, sink });
          posted++;
        }
      }
      const next = replies.get(stepped);
      if (next !== undefined) {
        replies.delete(stepped);
        const s = o.step(next, stepped, ask);
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
