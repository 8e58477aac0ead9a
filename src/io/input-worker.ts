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
// Each reply gives the piece's memory back (`input`) and moves the output's to the main thread, which
// sends it back with a later piece (`sink`) once written: no memory is made anew per piece.
parentPort?.on("message", (m: PostedPiece) => {
  const r = renderChunk(m.bytes, m.atStart, opts, m.sink);
  const input = m.bytes.buffer as ArrayBuffer;
  parentPort?.postMessage({ seq: m.seq, ...r, input }, [r.bytes.buffer as ArrayBuffer, input]);
});
