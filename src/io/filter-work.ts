/**
 * One piece of `filter-test --records` on worker threads (see io/parallel-filter.ts): the records of a
 * piece of the file that starts and ends at line boundaries, read, evaluated and counted exactly as the
 * sequential path (io/filter-input.ts, then core/filter-run.ts's runRecords) does them, then rendered
 * once the main thread says where in the whole input they stand. Pure apart from decoding: the worker
 * thread (io/filter-worker.ts) and the tests call it alike.
 */
import { isAscii } from "node:buffer";
import { type Dialect, leafPaths, type StreamViewType } from "../core/filter/index.js";
import type { Expectation, PatternSource, RecordResult, TallyPart } from "../core/filter-run.js";
import {
  buildFilterSet,
  evaluateCounted,
  MAX_NAMED_FAILURES,
  Tally,
  toFilterEvents,
} from "../core/filter-run.js";
import type { FilterTestFormat, RecordsRenderer } from "../render/filter-test.js";
import { createRecordsRenderer } from "../render/filter-test.js";
import { loadAnsiStyle, plainStyle, type Style } from "../render/style.js";
import { isBlankRecordLine } from "./filter-input.js";
import {
  compileProjection,
  type Projection,
  projectionPlan,
  projectRecordLine,
  setSimple,
} from "./filter-line.js";
import type { SlicingBuffer } from "./utf8.js";

const NEWLINE = 10;
const CR = 13;
const LBRACE = 123;
const BACKSLASH = 92;

/** How the records are evaluated and rendered: the same for every piece of a run. */
export interface FilterWorkOptions {
  sources: PatternSource[];
  dialect: Dialect;
  viewType?: StreamViewType | undefined;
  /** Explain every record no filter matched (else only the first disagreeing ones). */
  explain: boolean;
  expect?: Expectation | undefined;
  format: FilterTestFormat;
  /** Colours (pretty output on a terminal). */
  color: boolean;
  /** `--summary`: the records are counted, not rendered. */
  summaryOnly: boolean;
}

/** What became of one piece: its counts (a tally of its own, indexes from 0) and how it ended. */
export interface FilterChunkResult extends TallyPart {
  /** Lines in the piece (a last line without a newline counts): to number lines across pieces. */
  lines: number;
  /** Whether the piece has a line that is not blank. */
  sawValue: boolean;
  /** Whether its first non-blank line is not JSON on its own: at the start of a file, a document. */
  firstValueFailed: boolean;
  /** Line `rel` of the piece (1-based) is not JSON or holds no record; its text, to be failed again. */
  error?: { rel: number; line: string };
}

/** Where a piece's records stand in the whole input, known once every earlier piece is counted. */
export interface RenderPlace {
  /** Records before the piece. */
  base: number;
  /** Records before the piece that disagree with `--expect`. */
  disagreeingBefore: number;
}

/** A piece evaluated: its counts, and its results until they are rendered (none with `--summary`). */
export interface EvaluatedChunk {
  result: FilterChunkResult;
  held?: { results: RecordResult[]; failures: RecordResult[] } | undefined;
}

/** What the threads of a run share: the options, the compiled patterns, the style. */
export interface FilterWork {
  opts: FilterWorkOptions;
  criteria: ReturnType<typeof compiled>;
  style: Style;
  /**
   * The part of a record the patterns read (and the results show), for io/filter-line.ts; none when
   * every record unmatched is explained (explanations read the whole record).
   */
  projection?: Projection | undefined;
  /** Whether results and failures keep their record's keys (else they keep nothing of it). */
  keys: boolean;
}

function compiled(o: FilterWorkOptions) {
  const built = buildFilterSet(o.sources, { dialect: o.dialect, viewType: o.viewType });
  if (!built.ok) throw new Error("the patterns compiled on the main thread but not on a worker thread");
  return built.set.criteria;
}

/** Compiles the patterns (as the main thread did) and loads the style. */
export async function createFilterWork(opts: FilterWorkOptions): Promise<FilterWork> {
  const criteria = compiled(opts);
  // Results show each record's eventID; pretty results and named failures (--expect) its keys too.
  const eventID = !opts.summaryOnly || opts.expect !== undefined;
  const keys = opts.expect !== undefined || (!opts.summaryOnly && opts.format === "pretty");
  return {
    opts,
    criteria,
    style: opts.color ? await loadAnsiStyle() : plainStyle,
    keys,
    projection: opts.explain
      ? undefined
      : compileProjection(projectionPlan(leafPaths(criteria), { eventID, keys })),
  };
}

/** Results rendered per string before it is encoded (strings then die young). */
const RENDER_BATCH = 256;

/** A result whose text is dropped: see {@link continueAfterResults}. */
const PLACEHOLDER: RecordResult = {
  index: 0,
  eventID: null,
  eventName: null,
  matched: true,
  filter: 0,
  event: null,
};

/**
 * A renderer made after other renderers (on other threads) wrote the first results must go on as one
 * renderer would (JSON: a comma before its first result; pretty: a blank line before the summary). It
 * is told so by rendering one result, whose text is dropped.
 */
export function continueAfterResults(renderer: RecordsRenderer): void {
  renderer.results([PLACEHOLDER]);
}

/** What a held result keeps of its record: its keys (`dynamodb.Keys`) when they are shown, else nothing. */
function keysOnly(event: unknown, w: FilterWork): { dynamodb: { Keys: unknown } } | null {
  if (!w.keys) return null;
  return { dynamodb: { Keys: (event as { dynamodb?: { Keys?: unknown } } | null)?.dynamodb?.Keys } };
}

/**
 * Reads, evaluates and counts the records of one piece. `atStart`: the piece begins the file. The
 * bytes are UTF-8 (the main thread checked them as the sequential reader does). A line holding one
 * compact Lambda-shaped record is read by io/filter-line.ts, which builds only what the patterns read;
 * any other line is decoded and parsed whole, as the sequential reader does.
 */
export function evaluateChunk(bytes: Uint8Array, atStart: boolean, w: FilterWork): EvaluatedChunk {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as SlicingBuffer;
  const ascii = isAscii(buf);
  const projection = w.projection;
  if (projection !== undefined) setSimple(ascii && buf.indexOf(BACKSLASH) < 0);
  let pos = 0;
  // A byte-order mark is dropped by the sequential reader's decoder, and one more by the reader.
  if (atStart && !ascii)
    for (let k = 0; k < 2 && buf[pos] === 0xef && buf[pos + 1] === 0xbb && buf[pos + 2] === 0xbf; k++)
      pos += 3;
  const tally = new Tally(w.opts.sources.length, w.opts.expect);
  const keep = !w.opts.summaryOnly;
  // --summary without --expect: a record is only counted.
  const countOnly = !keep && w.opts.expect === undefined;
  const results: RecordResult[] = [];
  let lines = 0;
  let sawValue = false;
  let firstValueFailed = false;
  let error: FilterChunkResult["error"];
  let index = 0;
  // The line being read, and (for an explanation) its whole record.
  let lineStart = 0;
  let lineEnd = 0;
  const text = () => (ascii ? buf.latin1Slice(lineStart, lineEnd) : buf.utf8Slice(lineStart, lineEnd));
  const whole = () => JSON.parse(text()) as unknown;
  while (pos < buf.length) {
    let nl = buf.indexOf(NEWLINE, pos);
    if (nl < 0) nl = buf.length;
    lineStart = pos;
    lineEnd = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
    pos = nl + 1;
    lines++;
    if (projection !== undefined && buf[lineStart] === LBRACE) {
      const part = projectRecordLine(buf, lineStart, lineEnd, projection);
      if (part !== undefined) {
        sawValue = true;
        if (countOnly) {
          tally.count(w.criteria.match(part));
          index++;
          continue;
        }
        const res = evaluateCounted(w.criteria, tally, part, index++, false, whole);
        if (keep || tally.failures.at(-1) === res) res.event = keysOnly(res.event, w);
        if (keep) results.push(res);
        continue;
      }
    }
    const line = text();
    if (isBlankRecordLine(line)) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (!sawValue) {
        sawValue = true;
        firstValueFailed = true;
        if (atStart) break; // a document: the main thread reads the file the sequential way
      }
      error = { rel: lines, line };
      break;
    }
    sawValue = true;
    const r = toFilterEvents(value, `line ${lines}`);
    if (!r.ok) {
      error = { rel: lines, line };
      break;
    }
    for (let k = 0; k < r.events.length; k++) {
      const res = evaluateCounted(w.criteria, tally, r.events[k], index++, w.opts.explain);
      // Results wait for their text, and failures go to the main thread, with only what is read of
      // their record, its keys (see RecordResult.event): the parsed records then die young instead
      // of being copied out of the young generation while they wait (measured: most of the cost).
      if (keep || tally.failures.at(-1) === res) res.event = keysOnly(res.event, w);
      if (keep) results.push(res);
    }
  }
  const result: FilterChunkResult = {
    total: tally.total,
    matched: tally.matched,
    byFilter: tally.byFilter,
    disagreeing: tally.disagreeing,
    failures: tally.failures,
    lines,
    sawValue,
    firstValueFailed,
    ...(error !== undefined ? { error } : {}),
  };
  return { result, held: keep && results.length > 0 ? { results, failures: tally.failures } : undefined };
}

/**
 * The text of a piece's results (UTF-8, in memory of its own), numbered from `at.base`, as the
 * sequential run writes them: only the first disagreeing records of the whole input keep the
 * explanation they were given for being among the first of the piece.
 */
export function renderHeld(
  held: NonNullable<EvaluatedChunk["held"]>,
  at: RenderPlace,
  w: FilterWork,
  sink?: SharedArrayBuffer,
): Uint8Array {
  const { results, failures } = held;
  if (!w.opts.explain)
    for (let k = 0; k < failures.length; k++)
      if (at.disagreeingBefore + k >= MAX_NAMED_FAILURES) delete (failures[k] as RecordResult).explanation;
  const renderer = createRecordsRenderer(
    w.opts.format,
    { dialect: w.opts.dialect, filters: w.opts.sources },
    {
      style: w.style,
      summaryOnly: false,
      expect: w.opts.expect,
    },
  );
  if (at.base > 0) continueAfterResults(renderer);
  const parts: Buffer[] = [];
  let size = 0;
  for (let i = 0; i < results.length; i += RENDER_BATCH) {
    const batch = results.slice(i, i + RENDER_BATCH);
    for (let k = 0; k < batch.length; k++) (batch[k] as RecordResult).index = at.base + i + k;
    const b = Buffer.from(renderer.results(batch), "utf8");
    parts.push(b);
    size += b.length;
  }
  // Shared memory, which goes to the main thread without a copy (nor a transfer, which would detach it
  // here: see io/parallel-chunks.ts): `sink` (an earlier text's, written) when it is large enough.
  const all = new Uint8Array(
    sink !== undefined && sink.byteLength >= size ? sink : new SharedArrayBuffer(size + (size >> 2)),
    0,
    size,
  );
  let o = 0;
  for (const b of parts) {
    all.set(b, o);
    o += b.length;
  }
  return all;
}
