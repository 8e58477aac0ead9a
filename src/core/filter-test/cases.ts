/** Case suites of `dynastream filter-test --cases`: parsed and run, pure. */
import type { CompiledCriteria, Dialect, StreamViewType } from "../filter/index.js";
import type { PatternSource } from "../filter/sources.js";
import { VIEW_TYPES } from "../view-type.js";
import type { Expectation, RecordResult } from "./evaluate.js";
import { agrees, evaluate, toFilterEvents } from "./evaluate.js";

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** One test case of a suite. */
export interface TestCase {
  name: string;
  expect: Expectation;
  /** Lambda-shaped records. */
  events: unknown[];
}

/** A parsed suite file; `criteria` and `patterns` are as written (resolved by the caller). */
export interface CaseSuite {
  /** A FilterCriteria document (any shape {@link patternsFromDocument} accepts) or a file path. */
  criteria?: unknown;
  /** Pattern texts or objects. */
  patterns?: PatternSource[];
  dialect?: Dialect;
  viewType?: StreamViewType;
  cases: TestCase[];
}

/** Result of {@link parseCaseSuite}. */
export type CaseSuiteResult = { ok: true; suite: CaseSuite } | { ok: false; error: string };

const SUITE_KEYS = new Set([
  "criteria",
  "patterns",
  "dialect",
  "viewType",
  "cases",
  "$schema",
  "description",
]);

/**
 * Parses a case-suite document:
 * `{"criteria": <FilterCriteria | "file.json">, "patterns": [<json string | object>], "dialect"?,
 * "viewType"?, "cases": [{"name", "record" | "records", "expect": "match" | "no-match"}]}`.
 * Records may be in any shape `--records` accepts. Errors name the case (`cases[2] "name": …`).
 */
export function parseCaseSuite(value: unknown, origin: string): CaseSuiteResult {
  const fail = (error: string): CaseSuiteResult => ({ ok: false, error: `${origin}: ${error}` });
  if (!isObject(value)) return fail('expected an object {"criteria" or "patterns", "cases": [...]}');
  for (const k of Object.keys(value)) {
    if (!SUITE_KEYS.has(k))
      return fail(`unknown key "${k}" (expected criteria, patterns, dialect, viewType, cases)`);
  }
  const suite: CaseSuite = { cases: [] };
  if (value.criteria !== undefined) {
    if (!isObject(value.criteria) && !Array.isArray(value.criteria) && typeof value.criteria !== "string")
      return fail('"criteria" must be a FilterCriteria object or the path of a file holding one');
    suite.criteria = value.criteria;
  }
  if (value.patterns !== undefined) {
    if (!Array.isArray(value.patterns) || value.patterns.length === 0)
      return fail('"patterns" must be a non-empty array of patterns (JSON strings or objects)');
    const patterns: PatternSource[] = [];
    for (let i = 0; i < value.patterns.length; i++) {
      const p: unknown = value.patterns[i];
      if (typeof p === "string") patterns.push({ text: p, origin: `${origin} patterns[${i}]` });
      else if (isObject(p)) patterns.push({ text: JSON.stringify(p), origin: `${origin} patterns[${i}]` });
      else return fail(`patterns[${i}] must be a JSON string or an object`);
    }
    suite.patterns = patterns;
  }
  if (value.dialect !== undefined) {
    if (value.dialect !== "lambda" && value.dialect !== "eventbridge")
      return fail(`"dialect" must be "lambda" or "eventbridge", got ${JSON.stringify(value.dialect)}`);
    suite.dialect = value.dialect;
  }
  if (value.viewType !== undefined) {
    if (typeof value.viewType !== "string" || !(VIEW_TYPES as readonly string[]).includes(value.viewType))
      return fail(`"viewType" must be one of ${VIEW_TYPES.join(", ")}`);
    suite.viewType = value.viewType as StreamViewType;
  }
  if (!Array.isArray(value.cases) || value.cases.length === 0)
    return fail('"cases" must be a non-empty array of {"name", "record" or "records", "expect"}');
  for (let i = 0; i < value.cases.length; i++) {
    const c: unknown = value.cases[i];
    let where = `cases[${i}]`;
    if (!isObject(c)) return fail(`${where} must be an object {"name", "record" or "records", "expect"}`);
    const name = typeof c.name === "string" && c.name.trim() !== "" ? c.name : `case ${i + 1}`;
    if (c.name !== undefined && typeof c.name !== "string") return fail(`${where}: "name" must be a string`);
    if (typeof c.name === "string") where = `${where} ${JSON.stringify(c.name)}`;
    for (const k of Object.keys(c)) {
      if (!["name", "record", "records", "expect", "description"].includes(k))
        return fail(`${where}: unknown key "${k}" (expected name, record or records, expect)`);
    }
    if (c.expect !== "match" && c.expect !== "no-match")
      return fail(
        `${where}: "expect" must be "match" or "no-match", got ${JSON.stringify(c.expect) ?? "nothing"}`,
      );
    if ((c.record === undefined) === (c.records === undefined))
      return fail(`${where}: give exactly one of "record" and "records"`);
    const input = c.record !== undefined ? c.record : c.records;
    if (c.records !== undefined && !Array.isArray(c.records))
      return fail(`${where}: "records" must be an array`);
    const r = toFilterEvents(input, `${where} ${c.record !== undefined ? "record" : "records"}`);
    if (!r.ok) return { ok: false, error: `${origin}: ${r.error}` };
    if (r.events.length === 0) return fail(`${where}: no records`);
    suite.cases.push({ name, expect: c.expect, events: r.events });
  }
  return { ok: true, suite };
}

/** The outcome of one case. */
export interface CaseResult {
  name: string;
  expect: Expectation;
  passed: boolean;
  /** Every record's result, explained. */
  results: RecordResult[];
}

/** Runs one case: every record must agree with the expectation. Results are always explained. */
export function runCase(criteria: CompiledCriteria, c: TestCase): CaseResult {
  const results = c.events.map((e, i) => evaluate(criteria, e, i, true));
  return { name: c.name, expect: c.expect, passed: results.every((r) => agrees(r, c.expect)), results };
}
