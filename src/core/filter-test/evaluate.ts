/**
 * The records of `dynastream filter-test`, pure (no I/O, no SDK, no clock): input values turned into
 * the records Lambda's filter sees, evaluated, explained and tallied (patterns: core/filter/sources.ts;
 * case suites: ./cases.ts).
 *
 * @example
 * ```ts
 * const set = buildFilterSet([{ text: '{"eventName":["INSERT"]}', origin: "--pattern 1" }]);
 * if (!set.ok) report(set.errors);
 * const events = toFilterEvents(JSON.parse(line));               // Lambda-shaped records
 * if (events.ok) for (const e of events.events) tally.add(evaluate(set.set.criteria, e, i++, false));
 * ```
 */
import type { CompiledCriteria, CriteriaExplanation } from "../filter/index.js";
import { isLambdaRecord, kinesisFilterView, toLambdaRecord } from "../lambda-record.js";
import { normalizeInput } from "../normalize-record.js";

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

// ---------------------------------------------------------------------------------------------------
// Records as the filter sees them

/** Result of {@link toFilterEvents}: the Lambda-shaped records in one input value. */
export type EventsResult = { ok: true; events: unknown[] } | { ok: false; error: string };

/**
 * The records in one parsed input value, each in the Lambda shape the filter sees: read by
 * `normalizeInput` (every shape it accepts: a record in Lambda or SDK shape, an array, a Lambda event,
 * a `tail` NDJSON line; a gap line gives none) and written by `toLambdaRecord` (images in DynamoDB
 * JSON, `ApproximateCreationDateTime` in epoch seconds, lower-case `userIdentity`). Records already in
 * that shape (`isLambdaRecord`) are used as they are: the copies would cost about a fifth of the run.
 * `where` prefixes error messages (`line 3`).
 */
export function toFilterEvents(value: unknown, where?: string): EventsResult {
  if (isLambdaRecord(value)) return { ok: true, events: [value] };
  if (isObject(value)) {
    if (value.type === "record" && isLambdaRecord(value.record)) return { ok: true, events: [value.record] };
    const list = value.Records;
    if (Array.isArray(list) && list.every(isLambdaRecord)) return { ok: true, events: list };
  }
  const r = normalizeInput(value, where);
  if (!r.ok) return r;
  return {
    ok: true,
    events: r.records.map((rec) =>
      rec.kinesis !== undefined ? kinesisFilterView(rec.kinesis) : toLambdaRecord(rec),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

/** What happened to one record. */
export interface RecordResult {
  /** Position in the input, 0-based. */
  index: number;
  eventID: string | null;
  eventName: string | null;
  matched: boolean;
  /** Index of the first matching filter (0-based), or -1. */
  filter: number;
  /** Per-filter explanation, when asked for (only for records no filter matched). */
  explanation?: CriteriaExplanation | undefined;
  /** The record itself (for renderers: its keys); never serialised. */
  event: unknown;
}

function str(o: Obj, k: string): string | null {
  const v = o[k];
  return typeof v === "string" ? v : null;
}

/**
 * Matches one Lambda-shaped record; explains it only when `explain` and no filter matched (the slow
 * path: a matched record needs no explanation beyond the filter's number).
 */
export function evaluate(
  criteria: CompiledCriteria,
  event: unknown,
  index: number,
  explain: boolean,
): RecordResult {
  const filter = criteria.match(event);
  // A Kinesis record is matched as Lambda's Kinesis filters see it, `{"data": <change record>}`:
  // its event id and name are the change record's.
  const outer = isObject(event) ? event : {};
  const o = outer.eventName === undefined && isObject(outer.data) ? outer.data : outer;
  const result: RecordResult = {
    index,
    eventID: str(o, "eventID"),
    eventName: str(o, "eventName"),
    matched: filter !== -1,
    filter,
    event,
  };
  if (explain && filter === -1) result.explanation = criteria.explain(event);
  return result;
}

/** One line per filter that failed: `filter #2: eventName: "MODIFY" is not one of ["INSERT"]`. */
export function reasonLines(e: CriteriaExplanation): string[] {
  if (e.matched) return [];
  const single = e.filters.length === 1;
  return e.filters.map((f, i) => {
    const text =
      f.path !== undefined ? `${f.path}: ${f.reason ?? "does not match"}` : (f.reason ?? "does not match");
    return single ? text : `filter #${i + 1}: ${text}`;
  });
}

/** Notes the explanation carries (e.g. array consistency), without duplicates. */
export function explanationNotes(e: CriteriaExplanation): string[] {
  const out = new Set<string>();
  for (const f of e.filters) for (const n of f.notes ?? []) out.add(n);
  return [...out];
}

/** The `reason` of a result: why no filter matched (one line), or null. */
export function reasonText(r: RecordResult): string | null {
  if (r.matched || r.explanation === undefined) return null;
  return reasonLines(r.explanation).join("; ");
}

/** `match` or `no-match`: what `--expect` and a case's `expect` assert about every record. */
export type Expectation = "match" | "no-match";

/** Whether a result agrees with an expectation. */
export function agrees(r: RecordResult, expect: Expectation): boolean {
  return r.matched === (expect === "match");
}

/** Most disagreeing records remembered by a {@link Tally} (to name them in the report). */
export const MAX_NAMED_FAILURES = 10;

/** Counts of a run: records, matches per filter, records that disagree with `--expect`. */
export class Tally {
  total = 0;
  matched = 0;
  readonly byFilter: number[];
  /** Records that disagree with the expectation. */
  disagreeing = 0;
  /** The first few of them. */
  readonly failures: RecordResult[] = [];

  constructor(
    filterCount: number,
    readonly expect?: Expectation,
  ) {
    this.byFilter = new Array<number>(filterCount).fill(0);
  }

  /** Counts one result; returns whether it agrees with the expectation (true without one). */
  add(r: RecordResult): boolean {
    this.count(r.filter);
    if (this.expect === undefined || agrees(r, this.expect)) return true;
    this.disagreeing++;
    if (this.failures.length < MAX_NAMED_FAILURES) this.failures.push(r);
    return false;
  }

  /**
   * Counts a record by the index of the first filter that matched it (-1: none), without a result:
   * all a run without an expectation, whose results are not kept, needs of it.
   */
  count(filter: number): void {
    this.total++;
    if (filter !== -1) {
      this.matched++;
      this.byFilter[filter] = (this.byFilter[filter] ?? 0) + 1;
    }
  }

  /** Exit code: with an expectation 0 when every record agrees; else 0 when something matched. */
  exitCode(): 0 | 1 {
    if (this.expect !== undefined) return this.disagreeing === 0 ? 0 : 1;
    return this.matched > 0 ? 0 : 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// Running a stream of input values

/** Records explained by default when the input holds at most this many (`--explain` overrides). */
export const EXPLAIN_DEFAULT_MAX = 20;

/** Input values in order; `lines` (parallel) says where each started, for error messages. */
export interface InputBatch {
  values: unknown[];
  lines?: number[] | undefined;
}

/**
 * Evaluates one record of a run and counts it in `tally`. It is explained when `explain`, and when it
 * is one of the first disagreeing records the tally names (their reason goes into the report), if no
 * filter matched it.
 */
function evaluateCounted(
  criteria: CompiledCriteria,
  tally: Tally,
  event: unknown,
  index: number,
  explain: boolean,
): RecordResult {
  const res = evaluate(criteria, event, index, explain);
  if (!tally.add(res) && res.explanation === undefined && !res.matched && tally.failures.at(-1) === res)
    res.explanation = criteria.explain(event);
  return res;
}

/** Options of {@link runRecords}. */
export interface RecordRunOptions {
  /** true/false: always/never explain; undefined: explain when the input has ≤ 20 records. */
  explain?: boolean | undefined;
  expect?: Expectation | undefined;
  /** Checked between batches: stop early (Ctrl-C, closed pipe). */
  signal?: Pick<AbortSignal, "aborted"> | undefined;
  /** Only the tally is wanted (the sink gets nothing): no result per record. Ignored with `expect`. */
  countOnly?: boolean | undefined;
}

/** How a run over the records ended. */
export interface RecordRunOutcome {
  tally: Tally;
  /** Whether results were explained. */
  explained: boolean;
  /** An input error that stopped the run (a record of the wrong shape, or what the input threw). */
  error?: unknown;
  /** Stopped by the signal. */
  aborted: boolean;
}

/**
 * Evaluates every record of `input` against `criteria` and hands the results to `sink` in batches,
 * in input order. Explanations are computed only when asked, for
 * records no filter matched, and for the first records that disagree with `expect` (to name them).
 * With `explain` undefined, results are held back until it is known whether the input has more than
 * {@link EXPLAIN_DEFAULT_MAX} records. Never throws for bad input: the first error ends the run and
 * is returned, after the results before it were handed over.
 */
export async function runRecords(
  criteria: CompiledCriteria,
  filterCount: number,
  input: AsyncIterable<InputBatch>,
  sink: (results: RecordResult[]) => void | Promise<void>,
  opts: RecordRunOptions = {},
): Promise<RecordRunOutcome> {
  const tally = new Tally(filterCount, opts.expect);
  // Only counts wanted: no result per record (--summary without --expect).
  const countOnly = opts.countOnly === true && opts.expect === undefined;
  let explain = opts.explain;
  let held: RecordResult[] = [];
  let out: RecordResult[] = [];
  let index = 0;
  let error: unknown;
  let aborted = false;
  const take = (event: unknown): void => {
    if (countOnly) {
      tally.count(criteria.match(event));
      return;
    }
    const res = evaluateCounted(criteria, tally, event, index++, explain === true);
    if (explain !== undefined) {
      out.push(res);
      return;
    }
    held.push(res);
    if (held.length > EXPLAIN_DEFAULT_MAX) {
      explain = false;
      for (const h of held) out.push(h);
      held = [];
    }
  };
  try {
    outer: for await (const batch of input) {
      out = [];
      const { values, lines } = batch;
      for (let i = 0; i < values.length; i++) {
        const value = values[i];
        // Nearly every record is already in the Lambda shape: no copy, no message made.
        if (isLambdaRecord(value)) {
          take(value);
          continue;
        }
        const r = toFilterEvents(value, lines ? `line ${lines[i]}` : `record ${tally.total + 1}`);
        if (!r.ok) {
          error = r.error;
          if (out.length > 0) await sink(out);
          break outer;
        }
        for (const event of r.events) take(event);
      }
      if (out.length > 0) await sink(out);
      if (opts.signal?.aborted) {
        aborted = true;
        break;
      }
    }
  } catch (e) {
    error = e;
  }
  if (countOnly) {
    const explained = explain ?? tally.total <= EXPLAIN_DEFAULT_MAX;
    return { tally, explained, aborted, ...(error !== undefined ? { error } : {}) };
  }
  if (explain === undefined) {
    explain = true;
    for (const h of held)
      if (!h.matched && h.explanation === undefined) h.explanation = criteria.explain(h.event);
    if (held.length > 0) await sink(held);
  }
  return { tally, explained: explain, aborted, ...(error !== undefined ? { error } : {}) };
}
