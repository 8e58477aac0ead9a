/**
 * Output of `dynastream filter-test`: per-record verdicts with explanations, the summary, case-suite
 * runs, diagnostics — as text for people (pretty) or one JSON document for scripts.
 *
 * JSON of a records run (results streamed, one per line, in input order):
 * `{"dialect","valid":true,"filters":[{"pattern","origin"}],"mapping"?,"stream"?,
 *   "results":[{"index","eventID","eventName","matched","filter","reason","explanation"?}],
 *   "matched","total","byFilter":[n…],"expect","disagreeing","explained","warnings":[Diagnostic…],
 *   "error"?}` — `index` and `filter` are 0-based (`filters[filter]` is the pattern that matched),
 * `filter`/`reason` are null when absent; `results` is left out with `--summary`.
 */
import type { AttributeMap } from "../core/attr.js";
import { jsonString, plainJsonMap } from "../core/attr.js";
import type { Diagnostic, Dialect } from "../core/filter/index.js";
import type { PatternSource } from "../core/filter/sources.js";
import type { CaseResult } from "../core/filter-test/cases.js";
import type { Expectation, RecordResult, Tally } from "../core/filter-test/evaluate.js";
import { explanationNotes, reasonLines, reasonText } from "../core/filter-test/evaluate.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";

/** Output formats of filter-test. */
export const FILTER_TEST_FORMATS = ["pretty", "json"] as const;
export type FilterTestFormat = (typeof FILTER_TEST_FORMATS)[number];

/** Where the patterns and records came from, for the JSON document. */
export interface RunContext {
  dialect: Dialect;
  filters: readonly PatternSource[];
  /** `--function`: the mapping the criteria were read from. */
  mapping?: { function: string; uuid: string; streamArn: string; table: string | null; state: string | null };
  /** `--from-stream`: the sampled stream. */
  stream?: { table: string; streamArn: string; viewType: string | null; sampled: number; truncated: boolean };
}

/** What the footer of a records run needs. */
export interface RunFooter {
  tally: Tally;
  explained: boolean;
  warnings: readonly Diagnostic[];
  /** The input error that stopped the run, if any. */
  error?: string | undefined;
}

/** Renders a records run piece by piece, so results can be written as they come. */
export interface RecordsRenderer {
  header(): string;
  results(rs: readonly RecordResult[]): string;
  footer(f: RunFooter): string;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** `filter #1 (--pattern 1), line 1, column 35, at dynamodb.NewImage: message` */
export function formatDiagnostic(d: Diagnostic, filters: readonly PatternSource[]): string {
  const parts: string[] = [];
  if (d.filter !== undefined) {
    const origin = filters[d.filter]?.origin;
    parts.push(`filter #${d.filter + 1}${origin !== undefined ? ` (${origin})` : ""}`);
  }
  if (d.line !== undefined)
    parts.push(`line ${d.line}${d.column !== undefined ? `, column ${d.column}` : ""}`);
  if (d.path !== undefined && d.path !== "") parts.push(`at ${d.path}`);
  // JSON syntax errors carry their position in the message too: say it once.
  const message = d.line !== undefined ? d.message.replace(/ at line \d+, column \d+$/, "") : d.message;
  return parts.length > 0 ? `${parts.join(", ")}: ${message}` : message;
}

const MAX_KEYS_CHARS = 80;

/** A short, safe identification of a record: its keys (plain JSON), else its eventID. */
export function recordLabel(r: RecordResult): string {
  const ev = r.event as {
    dynamodb?: { Keys?: AttributeMap };
    data?: { dynamodb?: { Keys?: AttributeMap } };
  } | null;
  const d = ev?.dynamodb ?? ev?.data?.dynamodb;
  let keys = "";
  if (d?.Keys !== undefined && d.Keys !== null) {
    try {
      keys = plainJsonMap(d.Keys);
    } catch {
      keys = "";
    }
  }
  if (keys.length > MAX_KEYS_CHARS) keys = `${keys.slice(0, MAX_KEYS_CHARS - 1)}…`;
  const parts: string[] = [];
  if (r.eventName !== null) parts.push(r.eventName);
  if (keys !== "") parts.push(keys);
  else if (r.eventID !== null) parts.push(`eventID ${r.eventID}`);
  return sanitize(parts.join(" "));
}

function explanationBlock(r: RecordResult, indent: string, style: Style): string {
  if (r.explanation === undefined || r.matched) return "";
  let out = "";
  for (const line of reasonLines(r.explanation)) out += `${indent}${sanitize(line)}\n`;
  for (const n of explanationNotes(r.explanation)) out += `${indent}${style.dim(`note: ${n}`)}\n`;
  return out;
}

function verdict(r: RecordResult, style: Style): string {
  const text = r.matched ? `MATCH filter #${r.filter + 1}` : "no match";
  const padded = text.padEnd(16);
  return r.matched ? style.green(padded) : style.dim(padded);
}

/** The summary line: `3 records: 2 matched (filter #1: 1, filter #2: 1), 1 filtered out`. */
export function summaryLine(tally: Tally, filterCount: number): string {
  const out = tally.total - tally.matched;
  let s = `${plural(tally.total, "record")}: ${tally.matched} matched`;
  if (filterCount > 1 && tally.matched > 0) {
    const per = tally.byFilter
      .map((n, i) => (n > 0 ? `filter #${i + 1}: ${n}` : ""))
      .filter((x) => x !== "")
      .join(", ");
    s += ` (${per})`;
  }
  s += `, ${out} filtered out`;
  if (tally.expect !== undefined) {
    s +=
      tally.disagreeing === 0
        ? `; every record agrees with --expect ${tally.expect}`
        : `; ${plural(tally.disagreeing, "record")} ${tally.disagreeing === 1 ? "disagrees" : "disagree"} with --expect ${tally.expect}`;
  }
  return s;
}

/** One line naming a record that disagrees with the expectation, with its reason. */
export function disagreementText(r: RecordResult, expect: Expectation): string {
  const what = r.matched ? `matched filter #${r.filter + 1}` : "matched no filter";
  const why = r.matched ? "" : (reasonText(r) ?? "");
  return `record #${r.index + 1} (${recordLabel(r)}) ${what}, expected ${expect}${why !== "" ? `: ${sanitize(why)}` : ""}`;
}

function prettyRenderer(
  ctx: RunContext,
  style: Style,
  summaryOnly: boolean,
  expect: Expectation | undefined,
): RecordsRenderer {
  let any = false;
  return {
    header: () => "",
    results: (rs) => {
      if (summaryOnly) return "";
      let out = "";
      for (const r of rs) {
        any = true;
        let line = `#${r.index + 1}  ${verdict(r, style)}  ${recordLabel(r)}`;
        if (expect !== undefined && r.matched !== (expect === "match"))
          line += `  ${style.red(`✗ expected ${expect}`)}`;
        out += `${line}\n${explanationBlock(r, "      ", style)}`;
      }
      return out;
    },
    footer: (f) => `${any ? "\n" : ""}${summaryLine(f.tally, ctx.filters.length)}\n`,
  };
}

function diagnosticJson(d: Diagnostic): string {
  return JSON.stringify(d);
}

function filtersJson(filters: readonly PatternSource[]): string {
  return `[${filters.map((f) => `{"pattern":${jsonString(f.text)},"origin":${jsonString(f.origin)}}`).join(",")}]`;
}

function headJson(ctx: RunContext, valid: boolean): string {
  let s = `{"dialect":${jsonString(ctx.dialect)},"valid":${valid},"filters":${filtersJson(ctx.filters)}`;
  if (ctx.mapping !== undefined) s += `,"mapping":${JSON.stringify(ctx.mapping)}`;
  if (ctx.stream !== undefined) s += `,"stream":${JSON.stringify(ctx.stream)}`;
  return s;
}

function nullableString(s: string | null): string {
  return s === null ? "null" : jsonString(s);
}

/** One result as JSON. */
export function resultJson(r: RecordResult): string {
  let s = `{"index":${r.index},"eventID":${nullableString(r.eventID)},"eventName":${nullableString(r.eventName)},"matched":${r.matched},"filter":${r.matched ? r.filter : "null"},"reason":${nullableString(reasonText(r))}`;
  if (r.explanation !== undefined && !r.matched) {
    s += `,"explanation":${JSON.stringify(
      r.explanation.filters.map((f, i) => ({
        filter: i,
        path: f.path ?? null,
        reason: f.reason ?? null,
        ...(f.notes !== undefined && f.notes.length > 0 ? { notes: f.notes } : {}),
      })),
    )}`;
  }
  return `${s}}`;
}

function jsonRenderer(ctx: RunContext, summaryOnly: boolean): RecordsRenderer {
  let first = true;
  return {
    header: () => `${headJson(ctx, true)}${summaryOnly ? "" : ',"results":['}`,
    results: (rs) => {
      if (summaryOnly) return "";
      let out = "";
      for (const r of rs) {
        out += `${first ? "\n" : ",\n"}${resultJson(r)}`;
        first = false;
      }
      return out;
    },
    footer: (f) => {
      const t = f.tally;
      let s = summaryOnly ? "" : "\n]";
      s += `,"matched":${t.matched},"total":${t.total},"byFilter":[${t.byFilter.join(",")}]`;
      s += `,"expect":${t.expect === undefined ? "null" : jsonString(t.expect)},"disagreeing":${t.disagreeing}`;
      s += `,"explained":${f.explained},"warnings":[${f.warnings.map(diagnosticJson).join(",")}]`;
      if (f.error !== undefined) s += `,"error":${jsonString(f.error)}`;
      return `${s}}\n`;
    },
  };
}

/** A renderer for a records run in the given format. */
export function createRecordsRenderer(
  format: FilterTestFormat,
  ctx: RunContext,
  opts: { style: Style; summaryOnly: boolean; expect: Expectation | undefined },
): RecordsRenderer {
  return format === "json"
    ? jsonRenderer(ctx, opts.summaryOnly)
    : prettyRenderer(ctx, opts.style, opts.summaryOnly, opts.expect);
}

/** JSON for patterns that did not compile: `{"dialect","valid":false,"filters","errors","warnings"}`. */
export function invalidJson(
  ctx: RunContext,
  errors: readonly Diagnostic[],
  warnings: readonly Diagnostic[],
): string {
  return `${headJson(ctx, false)},"errors":[${errors.map(diagnosticJson).join(",")}],"warnings":[${warnings.map(diagnosticJson).join(",")}]}\n`;
}

/** Output of a check without records (the patterns compiled). */
export function validOnly(
  format: FilterTestFormat,
  ctx: RunContext,
  warnings: readonly Diagnostic[],
): string {
  if (format === "json")
    return `${headJson(ctx, true)},"warnings":[${warnings.map(diagnosticJson).join(",")}]}\n`;
  const n = ctx.filters.length;
  return `${n === 1 ? "the filter is" : `all ${n} filters are`} valid (${ctx.dialect} dialect)${warnings.length > 0 ? `, ${plural(warnings.length, "warning")}` : ""}\n`;
}

/** A case-suite run: `✓ name` / `✗ name` with reasons, then `N passed, N failed`; or its JSON. */
export function renderCases(
  format: FilterTestFormat,
  ctx: RunContext,
  results: readonly CaseResult[],
  warnings: readonly Diagnostic[],
  opts: { style: Style; summaryOnly: boolean },
): string {
  const passed = results.filter((c) => c.passed).length;
  const failed = results.length - passed;
  if (format === "json") {
    const cases = results.map(
      (c) =>
        `{"name":${jsonString(c.name)},"expect":${jsonString(c.expect)},"passed":${c.passed},"results":[${c.results.map(resultJson).join(",")}]}`,
    );
    return `${headJson(ctx, true)},"cases":[${cases.length > 0 ? `\n${cases.join(",\n")}\n` : ""}],"passed":${passed},"failed":${failed},"total":${results.length},"warnings":[${warnings.map(diagnosticJson).join(",")}]}\n`;
  }
  const { style } = opts;
  let out = "";
  if (!opts.summaryOnly) {
    for (const c of results) {
      out += c.passed
        ? `${style.green("✓")} ${sanitize(c.name)}\n`
        : `${style.red("✗")} ${sanitize(c.name)}\n`;
      if (c.passed) continue;
      for (const r of c.results) {
        if (r.matched === (c.expect === "match")) continue;
        const what = r.matched ? `matched filter #${r.filter + 1}` : "matched no filter";
        const which = c.results.length > 1 ? `record #${r.index + 1} (${recordLabel(r)})` : recordLabel(r);
        out += `    expected ${c.expect}: ${which} ${what}\n${explanationBlock(r, "      ", style)}`;
      }
    }
    out += "\n";
  }
  const summary = `${passed} passed, ${failed} failed`;
  return `${out}${failed > 0 ? style.red(summary) : style.green(summary)}\n`;
}
