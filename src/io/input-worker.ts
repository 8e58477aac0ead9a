/**
 * Entry of the worker threads of `tail --input` (built as dist/input-worker.cjs): renders the chunks
 * the main thread posts, in the options it was started with, and posts each result back.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { ChunkRenderOptions } from "./input-work.js";
import { renderChunk } from "./input-work.js";

// The main thread loads this script too, for the renderer, when it renders the pieces itself (no
// threads): see io/parallel-input.ts. There is no parent port then.
export { renderChunk };

const opts = workerData as ChunkRenderOptions;
parentPort?.on("message", (m: { seq: number; bytes: Uint8Array; atStart: boolean }) => {
  const r = renderChunk(m.bytes, m.atStart, opts);
  parentPort?.postMessage({ seq: m.seq, ...r }, [r.bytes.buffer as ArrayBuffer]);
});
