/**
 * Entry of the worker threads of `filter-test --records` (built as dist/filter-worker.cjs): evaluates
 * the pieces the main thread posts, answers with their counts, and keeps their results until the main
 * thread asks for their text (see io/parallel-filter.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { EvaluatedChunk, FilterWorkOptions, RenderPlace } from "./filter-work.js";
import { createFilterWork, evaluateChunk, renderHeld } from "./filter-work.js";

const work = createFilterWork(workerData as FilterWorkOptions);
const held = new Map<number, NonNullable<EvaluatedChunk["held"]>>();

type Message =
  | { seq: number; bytes: Uint8Array; atStart: boolean }
  | ({ seq: number; ask: number; sink?: SharedArrayBuffer } & RenderPlace);

// This thread's own memory for a piece, used for every piece: the piece is read here, not in the
// shared memory it came in (V8 is slower on shared memory), which goes back to the main thread for a
// later piece at once. Held results do not refer to it (their text is strings, copied out of it).
let own = new Uint8Array(0);

parentPort?.on("message", async (m: Message) => {
  const w = await work;
  if ("ask" in m) {
    const h = held.get(m.seq);
    held.delete(m.seq);
    // Shared memory (renderHeld, into `sink` when large enough), not transferred: see
    // io/parallel-chunks.ts.
    const bytes = h === undefined ? new Uint8Array(0) : renderHeld(h, m, w, m.sink);
    parentPort?.postMessage({ ask: m.ask, bytes });
    return;
  }
  const n = m.bytes.length;
  if (own.length < n) own = new Uint8Array(n + 64 * 1024);
  own.set(m.bytes);
  const r = evaluateChunk(own.subarray(0, n), m.atStart, w);
  if (r.held !== undefined) held.set(m.seq, r.held);
  parentPort?.postMessage({ seq: m.seq, ...r.result, input: m.bytes.buffer });
});
