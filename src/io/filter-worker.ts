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
  | ({ seq: number; ask: number } & RenderPlace);

parentPort?.on("message", async (m: Message) => {
  const w = await work;
  if ("ask" in m) {
    const h = held.get(m.seq);
    held.delete(m.seq);
    const bytes = h === undefined ? new Uint8Array(0) : renderHeld(h, m, w);
    parentPort?.postMessage({ ask: m.ask, bytes }, [bytes.buffer as ArrayBuffer]);
    return;
  }
  const r = evaluateChunk(m.bytes, m.atStart, w);
  if (r.held !== undefined) held.set(m.seq, r.held);
  // Without held results nothing here refers to the piece any more: its memory goes back to the main
  // thread for a later piece (io/parallel-chunks.ts), rather than being made anew for each.
  const input = r.held === undefined ? (m.bytes.buffer as ArrayBuffer) : undefined;
  parentPort?.postMessage({ seq: m.seq, ...r.result, input }, input === undefined ? [] : [input]);
});
