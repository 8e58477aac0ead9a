/**
 * Entry of the worker threads of `tail --input` (built as dist/input-worker.cjs): renders the chunks
 * the main thread posts, in the options it was started with, and posts each result back.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ChunkRenderOptions } from "./input-work.js";
import { renderChunk } from "./input-work.js";
import type { PostedPiece } from "./parallel-chunks.js";

// The main thread loads this script too, for the renderer, when it renders the pieces itself (no
// threads): see io/parallel-input.ts. There is no parent port then.
export { renderChunk };

const opts = workerData as ChunkRenderOptions;
// This thread's own memory for a piece and its output (see below), reused from piece to piece.
let input = new Uint8Array(0);
let output: ArrayBuffer | undefined;

// Each reply gives the piece's memory back (`input`) and the output, copied into the memory that came
// with the piece (`sink`), which the main thread sends again with a later piece once written: no
// memory is made anew per piece. Both are shared memory: nothing is transferred (a transfer would
// detach an ArrayBuffer here, which slows this thread's optimised code: see io/parallel-chunks.ts).
// The piece is rendered in this thread's own memory, not in the shared one, and copied in and out
// whole: V8 is slower on shared memory, above all for the output's many small copies (measured on one
// thread: rendering into shared memory 10% slower, reading a piece from it 5%).
parentPort?.on("message", (m: PostedPiece) => {
  if (input.length < m.bytes.length) input = new Uint8Array(m.bytes.length + 64 * 1024);
  input.set(m.bytes);
  const r = renderChunk(input.subarray(0, m.bytes.length), m.atStart, opts, output);
  output = r.bytes.buffer as ArrayBuffer;
  const sink =
    m.sink !== undefined && m.sink.byteLength >= r.bytes.length
      ? m.sink
      : new SharedArrayBuffer(r.bytes.length);
  const bytes = new Uint8Array(sink, 0, r.bytes.length);
  bytes.set(r.bytes);
  parentPort?.postMessage({ seq: m.seq, ...r, bytes, input: m.bytes.buffer });
});
