/**
 * The filter set of a `filter-test` run: the patterns of the command line (../criteria), of the
 * function's deployed mapping (`--function`) or of the case suite, compiled and linted; an invalid
 * set is exit 2 (with the JSON document first under `--json`).
 */
import { dirname, resolve } from "node:path";
import type { Context } from "../../cli/context.js";
import { writeOut } from "../../cli/stdout.js";
import type { Diagnostic, Dialect, StreamViewType } from "../../core/filter/index.js";
import { LAMBDA_VALIDATION_NOTE } from "../../core/filter/index.js";
import type { FilterSetResult, PatternSource } from "../../core/filter/sources.js";
import { buildFilterSet, patternsFromDocument } from "../../core/filter/sources.js";
import type { CaseSuite } from "../../core/filter-test/cases.js";
import { VIEW_TYPES } from "../../core/view-type.js";
import { UsageError } from "../../errors.js";
import type { FilterTestFormat, RunContext } from "../../render/filter-test.js";
import { formatDiagnostic, invalidJson } from "../../render/filter-test.js";
import { CRITERIA_HINT, PATTERN_HINT, patternsFromFlags } from "../criteria.js";
import type { FilterTestInput } from "./options.js";

export const CASES_HINT =
  'expected {"criteria": {...} or "patterns": [...], "cases": [{"name": "...", "record": {...}, "expect": "match"}]}';

/** A stream view type the lints know, else undefined. */
export function asViewType(v: string | undefined): StreamViewType | undefined {
  return v !== undefined && (VIEW_TYPES as readonly string[]).includes(v) ? (v as StreamViewType) : undefined;
}

/** The patterns of a case suite: its `criteria` (inline, or a file next to the suite) and `patterns`. */
async function patternsFromSuite(suite: CaseSuite, casesPath: string): Promise<PatternSource[]> {
  const io = await import("../../io/json-input.js");
  const sources: PatternSource[] = [];
  if (suite.criteria !== undefined) {
    let doc: unknown = suite.criteria;
    let origin = `${casesPath} criteria`;
    if (typeof doc === "string") {
      const path = resolve(dirname(casesPath), doc);
      origin = doc;
      doc = await io.readJsonFile(path, `the criteria file ${doc} of ${casesPath}`, CRITERIA_HINT);
    }
    const r = patternsFromDocument(doc, origin);
    if (!r.ok) throw new UsageError(r.error, CRITERIA_HINT);
    sources.push(...r.patterns);
  }
  sources.push(...(suite.patterns ?? []));
  if (sources.length === 0)
    throw new UsageError(`${casesPath} has no "criteria" or "patterns", and none were given`, CASES_HINT);
  return sources;
}

/** The patterns of the run and how to compile them (again, once a sampled stream tells its view type). */
export interface Patterns {
  sources: PatternSource[];
  dialect: Dialect;
  viewType: StreamViewType | undefined;
  /** What the deployed mapping (`--function`) reads; undefined without --function. */
  source: "dynamodb" | "kinesis" | undefined;
  /** Compiles the patterns; `source` defaults to the deployed mapping's. */
  compile(viewType: StreamViewType | undefined, source?: "dynamodb" | "kinesis"): FilterSetResult;
  /** Prints warnings (engine warnings, DynamoDB lints) on stderr. */
  warn(ws: readonly Diagnostic[]): void;
}

/** The patterns of the run; fills in `rctx` (dialect, filters, the deployed mapping). */
export async function loadPatterns(
  ctx: Context,
  input: FilterTestInput,
  suite: CaseSuite | undefined,
  rctx: RunContext,
): Promise<Patterns> {
  let sources = await patternsFromFlags("--pattern", input.patterns, input.criteria);
  let viewType: StreamViewType | undefined = input.viewType ?? suite?.viewType;
  let deployedSource: "dynamodb" | "kinesis" | undefined;
  if (input.functionName !== undefined) {
    const aws = await ctx.aws();
    const { fetchDeployedCriteria } = await import("../../aws/filter-source.js");
    const d = await fetchDeployedCriteria(aws, input.functionName, input.table, (m) => ctx.out.debug(m));
    sources = d.patterns;
    deployedSource = d.source;
    viewType ??= asViewType(d.viewType);
    rctx.mapping = {
      function: d.functionArn,
      uuid: d.uuid,
      streamArn: d.streamArn,
      table: d.tableName ?? null,
      state: d.state ?? null,
    };
    ctx.out.info(
      `testing the ${sources.length === 1 ? "filter" : `${sources.length} filters`} of mapping ${d.uuid} (${input.functionName} on ${d.tableName ?? d.streamArn}${d.state ? `, ${d.state}` : ""})`,
    );
  }
  if (suite !== undefined) {
    if (sources.length === 0) sources = await patternsFromSuite(suite, input.cases as string);
    else if (suite.criteria !== undefined || suite.patterns !== undefined)
      ctx.out.info(`using the patterns given on the command line, not those of ${input.cases}`);
  }
  const dialect: Dialect = input.dialect ?? suite?.dialect ?? "lambda";
  rctx.dialect = dialect;
  rctx.filters = sources;

  return {
    sources,
    dialect,
    viewType,
    source: deployedSource,
    compile: (vt, source = deployedSource) => buildFilterSet(sources, { dialect, viewType: vt, source }),
    warn: (ws) => {
      for (const w of ws) ctx.out.warn(formatDiagnostic(w, sources));
    },
  };
}

/** Throws the UsageError of an invalid filter set (exit 2), after its JSON document under `--json`. */
export async function rejectInvalid(
  ctx: Context,
  p: Patterns,
  built: Extract<FilterSetResult, { ok: false }>,
  format: FilterTestFormat,
  rctx: RunContext,
): Promise<never> {
  const { sources, dialect } = p;
  p.warn(built.warnings);
  if (format === "json") await writeOut(ctx, invalidJson(rctx, built.errors, built.warnings));
  const perPattern = built.errors.some((e) => e.filter !== undefined);
  if (dialect === "lambda" && perPattern) ctx.out.info(`note: ${LAMBDA_VALIDATION_NOTE}`);
  const unsupported = built.errors.some((e) => e.code === "lambda-unsupported-operator");
  const tooMany = built.errors.some((e) => e.code === "too-many-filters");
  throw new UsageError(
    `invalid filter ${perPattern ? `pattern${built.errors.length > 1 ? "s" : ""}` : "criteria"}: ${built.errors.map((e) => formatDiagnostic(e, sources)).join("; ")}`,
    unsupported
      ? "Lambda rejects this operator when the mapping is created; to evaluate the pattern as EventBridge rules and Pipes do, use --dialect eventbridge"
      : tooMany
        ? "combine patterns with $or, or request a quota increase (at most 10 filters per event source mapping)"
        : PATTERN_HINT,
  );
}
