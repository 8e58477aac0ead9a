/**
 * `filter-test --records <file>` on several cores: worker threads read, evaluate and count the pieces of
 * a large NDJSON file (io/filter-work.ts; the piece scheduler is io/parallel-chunks.ts); the main thread
 * adds up their counts in file order, tells each thread where its piece's records stand in the whole
 * input (their numbers, the disagreeing records before them), and writes the text the thread then
 * renders, in file order. Output, errors and exit codes are the sequential run's (io/filter-input.ts,
 * core/filter-run.ts's runRecords): the records before a failing line, then the same message with the
 * same line number; bytes that are not UTF-8 end the run after the same lines.
 *
 * Left to the sequential run, before anything is written: a file that is one JSON document (its first
 * value spans lines), and, without --explain/--no-explain, an input of at most 20 records (which are
 * then all explained).
 */
import type { RecordRunOutcome } from "../core/filter-run.js";
import { EXPLAIN_DEFAULT_MAX, Tally, toFilterEvents } from "../core/filter-run.js";
import type { RecordsRenderer } from "../render/filter-test.js";
import { invalidLineError, MAX_DOCUMENT_CHARS, recordsNotUtf8, tooLongError } from "./filter-input.js";
import type { FilterChunkResult, FilterWorkOptions, RenderPlace } from "./filter-work.js";
import { continueAfterResults } from "./filter-work.js";
import { runChunks } from "./parallel-chunks.js";

export interface ParallelFilterOptions {
  path: string;
  /** Names the input in messages: `--records big.ndjson`. */
  label: string;
  threads: number;
  /** The worker's script (dist/filter-worker.cjs). */
  workerFile: string;
  signal: AbortSignal;
  /** What the threads do; `explain` undefined: explain when the input has at most 20 records. */
  work: Omit<FilterWorkOptions, "explain"> & { explain: boolean | undefined };
  /**
   * The run's renderer: its header is written first, and it is left to write the footer after the
   * results the threads' renderers wrote.
   */
  renderer: RecordsRenderer;
  /**
   * Writes output, UTF-8 (with backpressure); calls `written`, if given, once the bytes are out of
   * the process (their memory is then used again).
   */
  write(bytes: Uint8Array, written?: () => void): Promise<void>;
}

/** The run's outcome, as runRecords gives it; or `sequential`: nothing was written, read it that way. */
export type ParallelFilterOutcome = { kind: "done"; outcome: RecordRunOutcome } | { kind: "sequential" };

/** The error of a piece's failing line, found again by the sequential run's checks. */
function lineError(label: string, line: string, lineNo: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return invalidLineError(label, lineNo, line, e);
  }
  const r = toFilterEvents(value, `line ${lineNo}`);
  if (!r.ok) return r.error;
  return new Error(`line ${lineNo} of ${label} failed in a worker, not when checked again`);
}

/** Concatenates outputs that may still be coming. */
async function joined(parts: Array<Uint8Array | Promise<Uint8Array>>): Promise<Uint8Array> {
  return Buffer.concat(await Promise.all(parts));
}

/** Evaluates the file with `threads` worker threads; see the module comment. */
export async function filterRecordsInParallel(o: ParallelFilterOptions): Promise<ParallelFilterOutcome> {
  const explain = o.work.explain;
  const tally = new Tally(o.work.sources.length, o.work.expect);
  let linesBefore = 0;
  let sawValue = false;
  let error: unknown;
  // Whether the output is known to be the threads' (not the sequential run's): once the first value
  // parsed and, without an explicit --explain, once there are more than 20 records.
  let decided = false;
  // Output held until then: the header first.
  const header = Buffer.from(o.renderer.header(), "utf8");
  let held: Array<Uint8Array | Promise<Uint8Array>> = [header];
  const end = await runChunks<FilterChunkResult>({
    path: o.path,
    threads: o.threads,
    workerFile: o.workerFile,
    workerData: { ...o.work, explain: explain === true } satisfies FilterWorkOptions,
    signal: o.signal,
    maxLineBytes: MAX_DOCUMENT_CHARS,
    checkUtf8: true,
    write: o.write,
    reuseOutput: true,
    step: (r, seq, ask) => {
      if (!sawValue && r.sawValue) {
        sawValue = true;
        // Nothing is written before the first value: the sequential run can start over.
        if (r.firstValueFailed) return { stop: "sequential" };
      }
      const place: RenderPlace = { base: tally.total, disagreeingBefore: tally.disagreeing };
      tally.addPart(r, place.base);
      if (r.error !== undefined) error = lineError(o.label, r.error.line, linesBefore + r.error.rel);
      linesBefore += r.lines;
      const stop = error === undefined ? undefined : "after";
      decided ||= sawValue && (explain !== undefined || tally.total > EXPLAIN_DEFAULT_MAX);
      // At most 20 records before a failing line: the sequential run explains them.
      if (!decided && stop !== undefined) return { stop: "sequential" };
      if (!o.work.summaryOnly && r.total > 0) {
        const text = ask<{ bytes: Uint8Array }>(seq, place).then((t) => t.bytes);
        // Held text that is never written (the run stops first) must not fail unhandled.
        text.catch(() => undefined);
        held.push(text);
      }
      if (!decided) return {};
      const output = held.length === 1 ? held[0] : joined(held);
      held = [];
      return { output, stop };
    },
  });
  if (end.kind === "sequential") return { kind: "sequential" };
  if (end.kind === "tooLong") error = tooLongError(o.label, linesBefore + 1);
  else if (end.kind === "notUtf8") error = recordsNotUtf8(o.label, end.failure, linesBefore);
  const aborted = end.kind === "aborted";
  if (!decided && !aborted) return { kind: "sequential" };
  // Interrupted before anything was written: the header, which the sequential run writes first.
  if (!decided) await o.write(header);
  else if (tally.total > 0) continueAfterResults(o.renderer);
  return {
    kind: "done",
    outcome: { tally, explained: explain ?? false, aborted, ...(error !== undefined ? { error } : {}) },
  };
}
