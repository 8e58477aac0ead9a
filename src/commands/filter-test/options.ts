/**
 * `dynastream filter-test` flags → a validated, typed input. Every mistake is a UsageError (exit 2)
 * with a hint; nothing here does I/O.
 */

import type { Dialect, StreamViewType } from "../../core/filter/index.js";
import type { Expectation } from "../../core/filter-test/evaluate.js";
import { parseViewType } from "../../core/view-type.js";
import { UsageError } from "../../errors.js";

/** The flags as commander hands them over. */
export interface FilterTestFlags {
  pattern?: unknown;
  criteria?: unknown;
  function?: unknown;
  table?: unknown;
  dialect?: unknown;
  records?: unknown;
  fromStream?: unknown;
  limit?: unknown;
  viewType?: unknown;
  explain?: unknown;
  summary?: unknown;
  expect?: unknown;
  cases?: unknown;
}

/** Validated input of a `filter-test` run. */
export interface FilterTestInput {
  /** `--pattern` texts as given (`@file` not yet read). */
  patterns: string[];
  criteria: string | undefined;
  functionName: string | undefined;
  /** `--table` (with --function): a table name or stream ARN. */
  table: string | undefined;
  /** `--dialect`; undefined: the case suite's, else lambda. */
  dialect: Dialect | undefined;
  /** `--records`: a path, or `-` for stdin. */
  records: string | undefined;
  /** `--from-stream`: a table name or stream ARN. */
  fromStream: string | undefined;
  limit: number;
  viewType: StreamViewType | undefined;
  /** `--explain` / `--no-explain`; undefined: explain when there are ≤ 20 records. */
  explain: boolean | undefined;
  summary: boolean;
  expect: Expectation | undefined;
  cases: string | undefined;
}

/** Default and largest `--limit` of `--from-stream`. */
export const DEFAULT_SAMPLE_LIMIT = 100;
export const MAX_SAMPLE_LIMIT = 10_000;

function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function nonEmpty(v: unknown, flag: string): string | undefined {
  const s = text(v);
  if (s !== undefined && s.trim() === "") throw new UsageError(`${flag} needs a value`);
  return s;
}

/** Validates the flags of `filter-test`. */
export function parseFilterTestFlags(flags: FilterTestFlags): FilterTestInput {
  const patterns = Array.isArray(flags.pattern) ? (flags.pattern as string[]) : [];
  const criteria = nonEmpty(flags.criteria, "--criteria");
  const functionName = nonEmpty(flags.function, "--function");
  const table = nonEmpty(flags.table, "--table");
  const records = nonEmpty(flags.records, "--records");
  const fromStream = nonEmpty(flags.fromStream, "--from-stream");
  const cases = nonEmpty(flags.cases, "--cases");

  for (const p of patterns) {
    if (p.trim() === "" || p === "@")
      throw new UsageError(
        "--pattern needs a JSON pattern or @file",
        `e.g. --pattern '{"eventName":["INSERT"]}'`,
      );
  }
  if (functionName !== undefined && (patterns.length > 0 || criteria !== undefined)) {
    throw new UsageError(
      "--function can't be combined with --pattern or --criteria",
      "test either the deployed criteria (--function) or patterns of your own",
    );
  }
  if (table !== undefined && functionName === undefined) {
    throw new UsageError(
      "--table only applies with --function (it picks the function's mapping on that table's stream)",
      "to sample a table's records use --from-stream <table>",
    );
  }
  if (patterns.length === 0 && criteria === undefined && functionName === undefined && cases === undefined) {
    throw new UsageError(
      "no filter patterns: give --pattern, --criteria, --function or --cases",
      `e.g. dynastream filter-test --pattern '{"eventName":["INSERT"]}' --records records.json`,
    );
  }

  let dialect: Dialect | undefined;
  if (flags.dialect !== undefined) {
    const d = String(flags.dialect).toLowerCase();
    if (d !== "lambda" && d !== "eventbridge") {
      throw new UsageError(
        `invalid --dialect "${String(flags.dialect)}"`,
        "lambda (Lambda event source mappings, the default) or eventbridge (EventBridge rules and Pipes)",
      );
    }
    dialect = d;
  }

  if (records !== undefined && fromStream !== undefined)
    throw new UsageError("--records and --from-stream can't be combined", "give one source of records");
  if (cases !== undefined && (records !== undefined || fromStream !== undefined))
    throw new UsageError("--cases holds its own records: don't combine it with --records or --from-stream");

  let limit = DEFAULT_SAMPLE_LIMIT;
  if (flags.limit !== undefined) {
    if (fromStream === undefined) throw new UsageError("--limit only applies with --from-stream");
    const s = String(flags.limit);
    const n = /^\d+$/.test(s) ? Number(s) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SAMPLE_LIMIT)
      throw new UsageError(`invalid --limit "${s}"`, `a whole number from 1 to ${MAX_SAMPLE_LIMIT}`);
    limit = n;
  }

  let viewType: StreamViewType | undefined;
  if (flags.viewType !== undefined) {
    viewType = parseViewType(String(flags.viewType));
    if (viewType === undefined) {
      throw new UsageError(
        `invalid --view-type "${String(flags.viewType)}"`,
        "KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES (also keys-only, new, old, new-and-old)",
      );
    }
  }

  let expect: Expectation | undefined;
  if (flags.expect !== undefined) {
    const e = String(flags.expect).toLowerCase().replace("_", "-");
    if (e !== "match" && e !== "no-match")
      throw new UsageError(`invalid --expect "${String(flags.expect)}"`, "match or no-match");
    if (cases !== undefined)
      throw new UsageError("--expect does not apply to --cases", 'each case says what it expects ("expect")');
    if (records === undefined && fromStream === undefined)
      throw new UsageError(
        "--expect needs records to check",
        "give --records <file|-> or --from-stream <table>",
      );
    expect = e;
  }

  const explain = typeof flags.explain === "boolean" ? flags.explain : undefined;
  return {
    patterns,
    criteria,
    functionName,
    table,
    dialect,
    records,
    fromStream,
    limit,
    viewType,
    explain,
    summary: flags.summary === true,
    expect,
    cases,
  };
}
