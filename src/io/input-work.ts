/**
 * One piece of `tail --input`'s parallel rendering (see io/parallel-input.ts): the text of the records
 * in a chunk of the input file that starts and ends at line boundaries, exactly as the sequential
 * reader (io/record-input.ts) and renderer would write them. Pure apart from decoding: the worker
 * thread (io/input-worker.ts) and the tests call it alike.
 */
import { isUtf8 } from "node:buffer";
import type { InputRecord } from "../core/record.js";
import { ByteSink } from "../render/fast-json-line.js";
import type { LineRenderer } from "../render/fast-renderer.js";
import { createFastLineRenderer } from "../render/fast-renderer.js";
import { plainStyle } from "../render/style.js";
import type { TailFormat } from "../render/tail-output.js";
import { createInputRenderer, createTailFormatter } from "../render/tail-output.js";
import { outputRoom } from "./output-room.js";
import { addLineRecords, isBlankLine, parses } from "./record-input.js";

/** How records are rendered: the same for every chunk of a run. */
export interface ChunkRenderOptions {
  format: TailFormat;
  full: boolean;
  tz: "utc" | "local";
  /** The run's clock at its start (pretty headers show the date only for other days). */
  nowMs: number;
}

/** What became of one chunk. */
export interface ChunkResult {
  /** The output of the chunk's records, UTF-8 (up to a failing line, when one fails). */
  bytes: Uint8Array;
  records: number;
  /** Lines in the chunk (a last line without a newline counts): to number lines across chunks. */
  lines: number;
  /** Whether the chunk has a line that is not blank. */
  sawValue: boolean;
  /** Whether its first non-blank line is not JSON on its own: at the start of a file, a document. */
  firstValueFailed: boolean;
  /** Why the chunk stopped early, if it did. */
  error?:
    | { kind: "utf8" }
    /** Line `rel` of the chunk (1-based) failed; its text, to be failed again with its real number. */
    | { kind: "line"; rel: number; line: string };
}

let made:
  | { opts: ChunkRenderOptions; render: (r: InputRecord) => string; fast: LineRenderer | undefined }
  | undefined;

/**
 * The renderers for `opts`, kept while the same options come (a worker renders every chunk of a run
 * with one options object): their caches (header times, tables of stream ARNs) then last the whole run.
 */
function renderersFor(opts: ChunkRenderOptions): NonNullable<typeof made> {
  if (made?.opts !== opts) {
    const formatter = createTailFormatter(opts.format, { style: plainStyle, full: opts.full, tz: opts.tz });
    formatter.setNow(opts.nowMs);
    made = {
      opts,
      render: createInputRenderer(formatter),
      fast: createFastLineRenderer(opts.format, formatter),
    };
  }
  return made;
}

/** After this many lines in a row that the fast path does not take, a chunk stops trying it. */
const FAST_MISSES = 16;

function isBom(buf: Buffer, at: number): boolean {
  return buf[at] === 0xef && buf[at + 1] === 0xbb && buf[at + 2] === 0xbf;
}

/**
 * Renders one chunk. `atStart`: the chunk begins the file. `sink`: memory to write the output into
 * when it holds {@link outputRoom} bytes (an earlier chunk's, written already); the result's bytes
 * are then a view of it (or of new memory, when the output outgrew it).
 */
export function renderChunk(
  bytes: Uint8Array,
  atStart: boolean,
  opts: ChunkRenderOptions,
  sink?: ArrayBufferLike,
): ChunkResult {
  const result: ChunkResult = {
    bytes: new Uint8Array(0),
    records: 0,
    lines: 0,
    sawValue: false,
    firstValueFailed: false,
  };
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isUtf8(buf)) {
    result.error = { kind: "utf8" };
    return result;
  }
  const { render, fast: fastRenderer } = renderersFor(opts);
  let fast = fastRenderer;
  let misses = 0;
  const batch: InputRecord[] = [];
  const out = new ByteSink(outputRoom(bytes.length), sink);
  // At the start of the file a byte-order mark is dropped, as the sequential reader's decoder does.
  let start = atStart && isBom(buf, 0) ? 3 : 0;
  while (start < buf.length) {
    let nl = buf.indexOf(10, start);
    if (nl < 0) nl = buf.length;
    let s = start;
    let e = nl > s && buf[nl - 1] === 13 ? nl - 1 : nl;
    start = nl + 1;
    result.lines++;
    // The sequential reader drops a BOM from the first line too (after the decoder's).
    if (atStart && result.lines === 1 && isBom(buf, s)) s += 3;
    if (fast !== undefined) {
      if (fast(buf, s, e, out)) {
        result.sawValue = true;
        result.records++;
        misses = 0;
        continue;
      }
      // Lines of another form (white space, other shapes) take the general path; stop trying when
      // none of the last few was taken.
      if (++misses === FAST_MISSES) fast = undefined;
    }
    if (e < s) e = s;
    const line = buf.toString("utf8", s, e);
    if (isBlankLine(line)) continue;
    const p = parses(line);
    if (!result.sawValue) {
      result.sawValue = true;
      result.firstValueFailed = !p.ok;
      if (!p.ok && atStart) break; // a document: the caller reads the file the sequential way
    }
    try {
      addLineRecords(p, result.lines, batch);
    } catch {
      result.error = { kind: "line", rel: result.lines, line };
      break;
    }
    for (const r of batch) out.text(render(r));
    result.records += batch.length;
    batch.length = 0;
  }
  // Memory of its own, for the main thread to write (and give back, when it is the sink's).
  result.bytes = out.take();
  return result;
}
