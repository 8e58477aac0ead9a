/**
 * `tail --input <file>` on several cores: a large NDJSON file is cut into chunks at line boundaries,
 * worker threads parse, check and render the chunks (io/input-work.ts), and the main thread writes
 * their text in file order. Output, errors and exit codes are the sequential reader's
 * (io/record-input.ts): records before a failing line are written, then the same message with the
 * same line number. A file that is one JSON document (its first value spans lines) is left to the
 * sequential reader, before anything is written.
 */
import { open } from "node:fs/promises";
import { Worker } from "node:worker_threads";
import type { ChunkRenderOptions, ChunkResult } from "./input-work.js";
import { addLineRecords, bad, MAX_DOCUMENT_CHARS, notUtf8, parses } from "./record-input.js";

/** Bytes read per chunk (a chunk ends at the last newline in it). */
const CHUNK_BYTES = 1024 * 1024;

/** Chunks posted but not yet written, per thread (bounds memory). */
const IN_FLIGHT_PER_THREAD = 2;

export interface ParallelInputOptions extends ChunkRenderOptions {
  path: string;
  threads: number;
  /** The worker's script (dist/input-worker.cjs). */
  workerFile: string;
  signal: AbortSignal;
  /** Writes output, UTF-8 (with backpressure). */
  write(bytes: Uint8Array): Promise<void>;
}

export type ParallelOutcome = { kind: "done"; records: number } | { kind: "sequential" };

type Piece = { bytes: Buffer } | { tooLong: true };

/** The file in pieces that end at a newline (the last one at the end of the file). */
async function* pieces(path: string): AsyncGenerator<Piece> {
  const fh = await open(path, "r");
  try {
    let carry: Buffer | undefined;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const got = buf.subarray(0, bytesRead);
      const nl = got.lastIndexOf(10);
      if (nl < 0) {
        carry = carry === undefined ? Buffer.from(got) : Buffer.concat([carry, got]);
        if (carry.length > MAX_DOCUMENT_CHARS) {
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
    if (carry !== undefined && carry.length > 0) yield { bytes: carry };
  } finally {
    await fh.close();
  }
}

/** Renders the file with `threads` worker threads; see the module comment. */
export async function renderInputInParallel(o: ParallelInputOptions): Promise<ParallelOutcome> {
  const render: ChunkRenderOptions = { format: o.format, full: o.full, tz: o.tz, nowMs: o.nowMs };
  const workers: Worker[] = [];
  const results = new Map<number, ChunkResult>();
  let failure: Error | undefined;
  // Called on every message and failure while the main thread waits for a result.
  let wake: (() => void) | undefined;
  const fail = (e: Error): void => {
    failure ??= e;
    wake?.();
  };
  for (let i = 0; i < o.threads; i++) {
    const w = new Worker(o.workerFile, { workerData: render });
    w.on("message", (m: ChunkResult & { seq: number }) => {
      results.set(m.seq, m);
      wake?.();
    });
    w.on("error", (e) => fail(e));
    w.on("exit", (code) => {
      if (code !== 0) fail(new Error(`an input worker thread stopped (exit ${code})`));
    });
    workers.push(w);
  }
  /** The result of chunk `seq`, once its thread has posted it. */
  const resultOf = (seq: number): Promise<ChunkResult> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (failure !== undefined) reject(failure);
        else if (results.has(seq)) {
          const r = results.get(seq) as ChunkResult;
          results.delete(seq);
          resolve(r);
        } else return;
        wake = undefined;
      };
      wake = check;
      check();
    });

  const source = pieces(o.path);
  let posted = 0;
  let tooLong = false;
  let eof = false;
  let linesBefore = 0;
  let records = 0;
  let sawValue = false;
  const maxInFlight = o.threads * IN_FLIGHT_PER_THREAD;
  try {
    for (let next = 0; ; next++) {
      while (!eof && posted - next < maxInFlight) {
        const p = await source.next();
        if (p.done) eof = true;
        else if ("tooLong" in p.value) {
          tooLong = true;
          eof = true;
        } else {
          // Copied into memory of its own, which then moves to the thread (transferred, not cloned);
          // a Buffer's memory may be Node's shared pool, which must never be transferred.
          const data = new Uint8Array(new ArrayBuffer(p.value.bytes.byteLength));
          data.set(p.value.bytes);
          (workers[posted % workers.length] as Worker).postMessage(
            { seq: posted, bytes: data, atStart: posted === 0 },
            [data.buffer],
          );
          posted++;
        }
      }
      if (next === posted) break;
      if (o.signal.aborted) return { kind: "done", records };
      const r = await resultOf(next);
      if (!sawValue && r.sawValue) {
        sawValue = true;
        // Nothing is written before the first value: the sequential reader can start over.
        if (r.firstValueFailed) return { kind: "sequential" };
      }
      if (r.bytes.length > 0) await o.write(r.bytes);
      records += r.records;
      if (r.error?.kind === "utf8") throw notUtf8(o.path);
      if (r.error?.kind === "line") {
        // The same check with the line's number in the file throws the sequential reader's error.
        addLineRecords(parses(r.error.line), linesBefore + r.error.rel, []);
        throw new Error(
          `line ${linesBefore + r.error.rel} of --input failed in a worker, not when checked again`,
        );
      }
      linesBefore += r.lines;
    }
    if (tooLong) throw bad(`line ${linesBefore + 1} is too long`);
    if (!sawValue) throw bad("no records: the input is empty");
    return { kind: "done", records };
  } finally {
    await source.return(undefined);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
