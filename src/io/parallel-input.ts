/**
 * `tail --input` of a large NDJSON file in pieces: worker threads (or, without them, the main thread)
 * parse, check and render the pieces (io/input-work.ts, with its fast path for the usual lines), and
 * the main thread writes their text in file order (the piece scheduler is io/parallel-chunks.ts). Output, errors and exit codes are the sequential reader's
 * (io/record-input.ts): records before a failing line are written, then the same message with the
 * same line number. A file that is one JSON document (its first value spans lines) is left to the
 * sequential reader, before anything is written.
 */
import type { ChunkRenderOptions, ChunkResult } from "./input-work.js";
import { outputRoom } from "./output-room.js";
import { runChunks, strictUtf8Check } from "./parallel-chunks.js";
import { addLineRecords, bad, MAX_DOCUMENT_CHARS, notUtf8, parses } from "./record-input.js";

export interface ParallelInputOptions extends ChunkRenderOptions {
  path: string;
  /** Worker threads; 0 renders the pieces on this thread (the same output, one core). */
  threads: number;
  /** The worker's script (dist/input-worker.cjs); with no threads, where the pieces' renderer is. */
  workerFile?: string | undefined;
  signal: AbortSignal;
  /**
   * Writes output, UTF-8 (with backpressure); calls `written`, if given, once the bytes are out of
   * the process (their memory is then used again).
   */
  write(bytes: Uint8Array, written?: () => void): Promise<void>;
}

export type ParallelOutcome = { kind: "done"; records: number } | { kind: "sequential" };

/** The error of a piece's failing line, thrown again by the sequential reader's check. */
function lineError(line: string, lineNo: number): Error {
  try {
    addLineRecords(parses(line), lineNo, []);
  } catch (e) {
    return e as Error;
  }
  return new Error(`line ${lineNo} of --input failed in a worker, not when checked again`);
}

type RenderChunk = typeof import("./input-work.js").renderChunk;

/**
 * The pieces' renderer, for work on this thread: from the worker threads' script, which exports it
 * (the CLI's bundle, which every command loads, leaves it and its fast path out), or from source.
 * Undefined for a bundle without its worker script.
 */
async function chunkRenderer(workerFile: string | undefined): Promise<RenderChunk | undefined> {
  if (workerFile !== undefined) return (require(workerFile) as { renderChunk: RenderChunk }).renderChunk;
  if (typeof __dirname === "string") return undefined;
  const source = "./input-work.js"; // not a literal: the bundler leaves it alone
  return ((await import(source)) as { renderChunk: RenderChunk }).renderChunk;
}

/** Renders the file with `threads` worker threads (0: on this thread); see the module comment. */
export async function renderInputInParallel(o: ParallelInputOptions): Promise<ParallelOutcome> {
  const render: ChunkRenderOptions = { format: o.format, full: o.full, tz: o.tz, nowMs: o.nowMs };
  const renderChunk = o.threads === 0 ? await chunkRenderer(o.workerFile) : undefined;
  if (o.threads === 0 && renderChunk === undefined) return { kind: "sequential" };
  let linesBefore = 0;
  let records = 0;
  let sawValue = false;
  let error: Error | undefined;
  const end = await runChunks<ChunkResult>({
    path: o.path,
    threads: o.threads,
    workerFile: o.threads > 0 ? o.workerFile : undefined,
    workerData: render,
    inline:
      renderChunk &&
      ((piece) => ({
        ...renderChunk(piece.bytes, piece.atStart, render, piece.sink),
        input: piece.bytes.buffer as ArrayBuffer,
      })),
    signal: o.signal,
    maxLineBytes: MAX_DOCUMENT_CHARS,
    write: o.write,
    reuseOutput: true,
    outputRoom,
    step: (r) => {
      if (!sawValue && r.sawValue) {
        sawValue = true;
        // Nothing is written before the first value: the sequential reader can start over.
        if (r.firstValueFailed) return { stop: "sequential" };
      }
      records += r.records;
      if (r.error?.kind === "utf8") error = notUtf8(o.path);
      // The same check with the line's number in the file gives the sequential reader's error.
      else if (r.error?.kind === "line") error = lineError(r.error.line, linesBefore + r.error.rel);
      linesBefore += r.lines;
      return { output: r.bytes, stop: error === undefined ? undefined : "after" };
    },
  });
  switch (end.kind) {
    case "sequential":
      return { kind: "sequential" };
    case "stopped":
      throw error;
    case "tooLong":
      throw bad(`line ${linesBefore + 1} is too long`);
    case "eof":
      if (!sawValue) throw bad("no records: the input is empty");
      return { kind: "done", records };
    default: // aborted (the bytes are checked by the threads: no notUtf8 end)
      return { kind: "done", records };
  }
}

export interface StdinPiecesOptions extends ChunkRenderOptions {
  stdin: AsyncIterable<Buffer | string>;
  /** The worker's script (dist/input-worker.cjs): where the pieces' renderer is. */
  workerFile: string | undefined;
  signal: AbortSignal;
  /** Writes output, UTF-8 (with backpressure); `written`: see {@link ParallelInputOptions}. */
  write(bytes: Uint8Array, written?: () => void): Promise<void>;
}

/** How stdin went: rendered, or to be read the sequential way from `replay` (nothing written yet). */
export type StdinOutcome =
  | { kind: "done"; records: number }
  | { kind: "sequential"; replay: AsyncIterable<Buffer | string> };

/** Smallest first read of stdin that is rendered in pieces (a pipe from a file reads 64 KiB). */
const PIECES_MIN_READ = 16 * 1024;

/** The chunks read so far, then the rest of `it`. */
async function* replayOf(
  held: readonly Buffer[],
  it: AsyncIterator<Buffer | string>,
): AsyncGenerator<Buffer | string> {
  yield* held;
  for (;;) {
    const n = await it.next();
    if (n.done) return;
    yield n.value;
  }
}

/**
 * `tail --input -`: stdin rendered on this thread in pieces, as they come (each read's complete
 * lines), through the pieces' renderer and its fast path. Output, errors and exit codes are the
 * sequential reader's: bytes are checked read by read as it decodes them, a bad line ends the output
 * after the records before it, and until the first value shows the input to be NDJSON (not one JSON
 * document over many lines, such as `aws dynamodbstreams get-records` prints) nothing is written and
 * everything read is kept, to be handed to the sequential reader.
 */
export async function renderStdinInPieces(o: StdinPiecesOptions): Promise<StdinOutcome> {
  const it = o.stdin[Symbol.asyncIterator]();
  const held: Buffer[] = [];
  // A first read this small is a small input or a live pipe: not worth loading the pieces' renderer.
  const first = await it.next();
  if (first.done) return { kind: "sequential", replay: replayOf(held, it) };
  held.push(typeof first.value === "string" ? Buffer.from(first.value) : first.value);
  if ((held[0] as Buffer).length < PIECES_MIN_READ) return { kind: "sequential", replay: replayOf(held, it) };
  const renderChunk = await chunkRenderer(o.workerFile);
  if (renderChunk === undefined) return { kind: "sequential", replay: replayOf(held, it) };
  const render: ChunkRenderOptions = { format: o.format, full: o.full, tz: o.tz, nowMs: o.nowMs };
  const utf8 = strictUtf8Check();
  let carry: Buffer | undefined;
  let atStart = true;
  let sawValue = false;
  let linesBefore = 0;
  let records = 0;
  let next: Buffer | undefined = held[0];
  // The last output's memory, once written: the next piece's output goes there (no fresh memory).
  let spare: ArrayBuffer | undefined;
  for (;;) {
    if (o.signal.aborted) return { kind: "done", records };
    let chunk = next;
    next = undefined;
    if (chunk === undefined) {
      const n = await it.next();
      chunk = n.done ? undefined : typeof n.value === "string" ? Buffer.from(n.value) : n.value;
      if (chunk !== undefined && !sawValue) held.push(chunk);
    }
    if (!utf8(chunk ?? new Uint8Array(0), chunk === undefined)) {
      if (!sawValue) return { kind: "sequential", replay: replayOf(held, it) };
      throw notUtf8("stdin");
    }
    const bytes = chunk === undefined ? carry : carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    if (bytes === undefined) break;
    const cut = chunk === undefined ? bytes.length : bytes.lastIndexOf(10) + 1;
    carry = cut < bytes.length ? Buffer.from(bytes.subarray(cut)) : undefined;
    if (cut > 0) {
      const r = renderChunk(bytes.subarray(0, cut), atStart, render, spare);
      spare = undefined;
      atStart = false;
      if (!sawValue && r.sawValue) {
        // Nothing is written before the first value: the sequential reader can start over.
        if (r.firstValueFailed) return { kind: "sequential", replay: replayOf(held, it) };
        sawValue = true;
        held.length = 0;
      }
      if (r.bytes.length > 0)
        await o.write(r.bytes, () => {
          spare = r.bytes.buffer as ArrayBuffer;
        });
      records += r.records;
      if (r.error?.kind === "line") throw lineError(r.error.line, linesBefore + r.error.rel);
      if (r.error?.kind === "utf8") throw notUtf8("stdin");
      linesBefore += r.lines;
    }
    if (carry !== undefined && carry.length > MAX_DOCUMENT_CHARS) {
      if (!sawValue) return { kind: "sequential", replay: replayOf(held, it) };
      throw bad(`line ${linesBefore + 1} is too long`);
    }
    if (chunk === undefined) break;
  }
  // Nothing but blank lines: the sequential reader says so, in its words.
  if (!sawValue) return { kind: "sequential", replay: replayOf(held, it) };
  return { kind: "done", records };
}
