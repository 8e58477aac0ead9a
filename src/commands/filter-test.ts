/**
 * `dynastream filter-test`: Lambda event-filter patterns evaluated offline as Lambda does, with
 * explanations and DynamoDB lints; usable as a CI assertion (`--expect`) or test suite (`--cases`).
 * Flags are validated in core/filter-test-options, the records are evaluated by core/filter-run,
 * read by io/json-input (or aws/filter-source for --function/--from-stream), and rendered by
 * render/filter-test; this file wires them. Everything but the flags is loaded lazily, and the AWS
 * SDK only for --function and --from-stream.
 */
import { dirname, resolve } from "node:path";
import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { collect } from "../cli/program.js";
import { pipeClosed, writeOut } from "../cli/stdout.js";
import type { Diagnostic, Dialect, StreamViewType } from "../core/filter/index.js";
import type { CaseSuite, InputBatch, PatternSource } from "../core/filter-run.js";
import type { FilterTestInput } from "../core/filter-test-options.js";
import { VIEW_TYPES } from "../core/view-type.js";
import { CheckFailedError, InterruptedError, UsageError } from "../errors.js";
import type { FilterTestFormat, RunContext } from "../render/filter-test.js";

const PATTERN_HINT =
  'a pattern is a JSON object whose leaves are arrays of values or operators, e.g. {"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}';
const CRITERIA_HINT =
  'expected {"Filters":[{"Pattern":"<json>"}]}, get-event-source-mapping output, or a CloudFormation/SAM resource or template (JSON) with FilterCriteria';
const CASES_HINT =
  'expected {"criteria": {...} or "patterns": [...], "cases": [{"name": "...", "record": {...}, "expect": "match"}]}';
const RECORDS_HINT =
  'expected stream records: one per line (NDJSON, also tail --output json), a JSON array, or a Lambda event {"Records":[...]}';

function asViewType(v: string | undefined): StreamViewType | undefined {
  return v !== undefined && (VIEW_TYPES as readonly string[]).includes(v) ? (v as StreamViewType) : undefined;
}

/** The patterns of the command line (`--pattern`, `--criteria`). */
async function patternsFromFlags(input: FilterTestInput): Promise<PatternSource[]> {
  const io = await import("../io/json-input.js");
  const core = await import("../core/filter-run.js");
  const sources: PatternSource[] = [];
  for (let i = 0; i < input.patterns.length; i++) {
    const arg = input.patterns[i] as string;
    let text = arg;
    let origin = `--pattern ${i + 1}`;
    if (arg.startsWith("@")) {
      const path = arg.slice(1);
      text = (await io.readTextFile(path, `--pattern @${path}`)).trim();
      origin = path;
    }
    const r = core.patternsFromArgument(text, origin);
    if (!r.ok) throw new UsageError(r.error, CRITERIA_HINT);
    sources.push(...r.patterns);
  }
  if (input.criteria !== undefined) {
    const value = await io.readJsonFile(input.criteria, `--criteria ${input.criteria}`, CRITERIA_HINT);
    const r = core.patternsFromDocument(value, input.criteria);
    if (!r.ok) throw new UsageError(r.error, CRITERIA_HINT);
    sources.push(...r.patterns);
  }
  return sources;
}

/** The patterns of a case suite: its `criteria` (inline, or a file next to the suite) and `patterns`. */
async function patternsFromSuite(suite: CaseSuite, casesPath: string): Promise<PatternSource[]> {
  const io = await import("../io/json-input.js");
  const core = await import("../core/filter-run.js");
  const sources: PatternSource[] = [];
  if (suite.criteria !== undefined) {
    let doc: unknown = suite.criteria;
    let origin = `${casesPath} criteria`;
    if (typeof doc === "string") {
      const path = resolve(dirname(casesPath), doc);
      origin = doc;
      doc = await io.readJsonFile(path, `the criteria file ${doc} of ${casesPath}`, CRITERIA_HINT);
    }
    const r = core.patternsFromDocument(doc, origin);
    if (!r.ok) throw new UsageError(r.error, CRITERIA_HINT);
    sources.push(...r.patterns);
  }
  sources.push(...(suite.patterns ?? []));
  if (sources.length === 0)
    throw new UsageError(`${casesPath} has no "criteria" or "patterns", and none were given`, CASES_HINT);
  return sources;
}

async function run(ctx: Context, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const { parseFilterTestFlags } = await import("../core/filter-test-options.js");
  const input = parseFilterTestFlags(opts);
  const render = await import("../render/filter-test.js");
  const format: FilterTestFormat = outputFormat(ctx.globals, render.FILTER_TEST_FORMATS, ctx.out.stdoutIsTTY);
  const core = await import("../core/filter-run.js");
  const io = await import("../io/json-input.js");
  const filter = await import("../core/filter/index.js");

  // ---- the case suite ----
  let suite: CaseSuite | undefined;
  if (input.cases !== undefined) {
    const value = await io.readJsonFile(input.cases, `--cases ${input.cases}`, CASES_HINT);
    const r = core.parseCaseSuite(value, input.cases);
    if (!r.ok) throw new UsageError(r.error, CASES_HINT);
    suite = r.suite;
  }

  // ---- the patterns ----
  let sources = await patternsFromFlags(input);
  let viewType: StreamViewType | undefined = input.viewType ?? suite?.viewType;
  const rctx: RunContext = { dialect: "lambda", filters: [] };
  if (input.functionName !== undefined) {
    const aws = await ctx.aws();
    const { fetchDeployedCriteria } = await import("../aws/filter-source.js");
    const d = await fetchDeployedCriteria(aws, input.functionName, input.table, (m) => ctx.out.debug(m));
    sources = d.patterns;
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

  const compile = () => core.buildFilterSet(sources, { dialect, viewType });
  let built = compile();
  const warn = (ws: readonly Diagnostic[]): void => {
    for (const w of ws) ctx.out.warn(render.formatDiagnostic(w, sources));
  };
  if (!built.ok) {
    warn(built.warnings);
    if (format === "json") await writeOut(ctx, render.invalidJson(rctx, built.errors, built.warnings));
    const perPattern = built.errors.some((e) => e.filter !== undefined);
    if (dialect === "lambda" && perPattern) ctx.out.info(`note: ${filter.LAMBDA_VALIDATION_NOTE}`);
    const unsupported = built.errors.some((e) => e.code === "lambda-unsupported-operator");
    const tooMany = built.errors.some((e) => e.code === "too-many-filters");
    throw new UsageError(
      `invalid filter ${perPattern ? `pattern${built.errors.length > 1 ? "s" : ""}` : "criteria"}: ${built.errors.map((e) => render.formatDiagnostic(e, sources)).join("; ")}`,
      unsupported
        ? "Lambda rejects this operator when the mapping is created; to evaluate the pattern as EventBridge rules and Pipes do, use --dialect eventbridge"
        : tooMany
          ? "combine patterns with $or, or request a quota increase (at most 10 filters per event source mapping)"
          : PATTERN_HINT,
    );
  }

  // ---- the case suite run ----
  if (suite !== undefined) {
    const set = built.set;
    warn(set.warnings);
    const results = suite.cases.map((c) => core.runCase(set.criteria, c));
    await writeOut(
      ctx,
      render.renderCases(format, rctx, results, set.warnings, {
        style: ctx.out.style,
        summaryOnly: input.summary,
      }),
    );
    return results.every((c) => c.passed) ? 0 : 1;
  }

  // ---- the records ----
  let batches: AsyncIterable<InputBatch> | undefined;
  let label = "";
  if (input.fromStream !== undefined) {
    const aws = await ctx.aws();
    const { sampleStream } = await import("../aws/filter-source.js");
    const sample = await sampleStream(aws, input.fromStream, input.limit, {
      warn: (m) => ctx.out.warn(m),
      debug: (m) => ctx.out.debug(m),
    });
    label = `--from-stream ${input.fromStream}`;
    rctx.stream = {
      table: sample.tableName,
      streamArn: sample.streamArn,
      viewType: sample.viewType ?? null,
      sampled: sample.records.length,
      truncated: sample.truncated,
    };
    ctx.out.info(
      `sampled ${sample.records.length} record${sample.records.length === 1 ? "" : "s"} of ${sample.tableName} from TRIM_HORIZON${sample.truncated ? ` (--limit ${input.limit}; more follow)` : sample.records.length === 0 ? " (the stream holds none: records are kept 24 h)" : ""}`,
    );
    if (viewType === undefined && asViewType(sample.viewType) !== undefined) {
      viewType = asViewType(sample.viewType);
      built = compile();
    }
    const records: unknown[] = sample.records;
    batches = (async function* () {
      yield { values: records };
    })();
  } else if (input.records !== undefined) {
    label = input.records === "-" ? "--records (stdin)" : `--records ${input.records}`;
    const source = input.records === "-" ? { stdin: ctx.stdin } : { path: input.records };
    batches = io.readJsonValues(source, label);
  }
  if (!built.ok) throw new Error("unreachable: patterns compiled once already");
  const set = built.set;
  warn(set.warnings);

  if (batches === undefined) {
    ctx.out.info("no records given (--records, --from-stream or --cases): checked the patterns only");
    await writeOut(ctx, render.validOnly(format, rctx, set.warnings));
    return 0;
  }

  const renderer = render.createRecordsRenderer(format, rctx, {
    style: ctx.out.style,
    summaryOnly: input.summary,
    expect: input.expect,
  });
  let pending = "";
  await writeOut(ctx, renderer.header());
  const outcome = await core.runRecords(
    set.criteria,
    sources.length,
    batches,
    async (results) => {
      pending += renderer.results(results);
      if (pending.length >= 64 * 1024) {
        const text = pending;
        pending = "";
        await writeOut(ctx, text);
      }
    },
    // ctx.aborted: the run's AbortSignal is only made if something aborts it (start-up).
    { explain: input.explain, expect: input.expect, signal: ctx },
  );
  const inputError =
    outcome.error === undefined
      ? undefined
      : typeof outcome.error === "string"
        ? new UsageError(`${label}: ${outcome.error}`, RECORDS_HINT)
        : outcome.error;
  const errorText =
    inputError === undefined
      ? undefined
      : inputError instanceof Error
        ? inputError.message
        : String(inputError);
  // Pretty output ends without a summary when the input failed: the error says what happened.
  if (format === "json" || inputError === undefined)
    pending += renderer.footer({
      tally: outcome.tally,
      explained: outcome.explained,
      warnings: set.warnings,
      error: errorText,
    });
  await writeOut(ctx, pending);

  if (outcome.aborted || ctx.aborted) {
    if (pipeClosed(ctx)) return 0;
    throw new InterruptedError(`filter-test stopped after ${outcome.tally.total} records`);
  }
  if (inputError !== undefined) throw inputError;
  const t = outcome.tally;
  if (t.expect !== undefined && t.disagreeing > 0) {
    const named = t.failures.map((r) => render.disagreementText(r, t.expect as "match" | "no-match"));
    const more = t.disagreeing - named.length;
    throw new CheckFailedError(
      `--expect ${t.expect}: ${t.disagreeing} of ${t.total} records disagree: ${named.join("; ")}${more > 0 ? `; and ${more} more` : ""}`,
      t.expect === "match"
        ? "run with --explain to see why each record was filtered out"
        : "the named records would be delivered to the function",
    );
  }
  return t.exitCode();
}

export const filterTestCommand: CommandSpec = {
  name: "filter-test",
  summary: "test Lambda event-filter patterns against stream records, offline, with explanations",
  examples: [
    `dynastream filter-test --pattern '{"eventName":["INSERT"]}' --records event.json`,
    "dynastream filter-test --criteria filters.json --records records.ndjson --json",
    "dynastream filter-test --function order-handler --table Orders --from-stream Orders --limit 50",
    "dynastream tail Orders --from 1h --until-end | dynastream filter-test --criteria filters.json --records -",
    "dynastream filter-test --cases filter-cases.json          a CI test suite: ✓/✗ per case, exit 1 on failure",
  ],
  notes: [
    'Records: a stream record (Lambda or SDK shape), a JSON array, NDJSON, a Lambda event {"Records":[...]},',
    "or tail's NDJSON; they are matched in the shape Lambda delivers them (toLambdaRecord).",
    "Exit codes: 0 at least one record matched (--expect: every record agreed; --cases: every case passed),",
    "1 none matched (or a record disagreed / a case failed), 2 invalid pattern, flags or input,",
    "3 function, mapping, table or stream not found, 4 credentials / access (also KMS-encrypted criteria).",
    'Lambda itself only answers "Invalid filter pattern definition."; the reasons shown are event-ruler\'s.',
  ].join("\n"),
  options: (cmd) =>
    cmd
      .option(
        "--pattern <json|@file>",
        "a filter pattern, or @file holding one (repeatable: ORed like Filters)",
        collect,
      )
      .option(
        "--criteria <file>",
        "a FilterCriteria document (Lambda API, CDK, SAM/CloudFormation JSON, get-event-source-mapping)",
      )
      .option(
        "--function <name>",
        "test the FilterCriteria deployed on this function's DynamoDB event source mapping",
      )
      .option("--table <table>", "with --function: the function's mapping on this table's stream")
      .option(
        "--dialect <dialect>",
        "lambda (default: Lambda event source mappings) or eventbridge (rules, Pipes)",
      )
      .option("--records <file|->", "the records to test: a file, or - for stdin")
      .option("--from-stream <table>", "test records sampled from the table's stream, from TRIM_HORIZON")
      .option("--limit <n>", "with --from-stream: at most this many records (default 100)")
      .option(
        "--view-type <type>",
        "the stream's view type, for the lints (default: the stream's, when known)",
      )
      .option("--explain", "explain every record no filter matched (default with at most 20 records)")
      .option("--no-explain", "never explain")
      .option("--summary", "print only the summary line (JSON: no results array)")
      .option(
        "--expect <match|no-match>",
        "assert that every record matches (or none does); exit 1 naming the others",
      )
      .option("--cases <file>", "run a test-suite file of named cases, each with records and match/no-match"),
  run,
};
