/**
 * `tail --filter` (and `invoke --filter`): the patterns read by the same loader as `filter-test
 * --pattern` (../criteria), compiled and linted as filter-test does (warnings on stderr); a record is
 * shown when any matches, in the shape Lambda's filter sees it (a DynamoDB stream record, or a Kinesis
 * record's view with its decoded `data`).
 */
import type { Context } from "../../cli/context.js";
import type { PatternSource } from "../../core/filter/sources.js";
import { buildFilterSet } from "../../core/filter/sources.js";
import type { LambdaStreamRecord } from "../../core/lambda-record.js";
import { kinesisFilterView, toLambdaRecord } from "../../core/lambda-record.js";
import type { StreamRecord } from "../../core/record.js";
import { UsageError } from "../../errors.js";
import { formatDiagnostic } from "../../render/filter-test.js";
import { patternsFromFlags } from "../criteria.js";

/** Whether a record passes the filters. */
export interface Matcher {
  match(rec: StreamRecord, streamArn: string | undefined): boolean;
}

/**
 * Compiles patterns (lints as warnings on stderr, for the records of `source`) into a predicate over
 * the record as Lambda's filter sees it. Throws UsageError for invalid patterns, naming `what`
 * (`--filter`).
 */
export function compileCriteria(
  ctx: Context,
  sources: PatternSource[],
  what: string,
  source: "dynamodb" | "kinesis" = "dynamodb",
): (event: LambdaStreamRecord | ReturnType<typeof kinesisFilterView>) => boolean {
  const built = buildFilterSet(sources, { dialect: "lambda", source });
  for (const w of built.ok ? built.set.warnings : built.warnings) ctx.out.warn(formatDiagnostic(w, sources));
  if (!built.ok) {
    throw new UsageError(
      `invalid ${what}: ${built.errors.map((e) => formatDiagnostic(e, sources)).join("; ")}`,
      'a Lambda filter pattern, e.g. --filter \'{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}\'; check it with dynastream filter-test',
    );
  }
  const criteria = built.set.criteria;
  return (event) => criteria.match(event) >= 0;
}

/** The matcher of `--filter`, or undefined without one. Throws UsageError for invalid patterns. */
export async function loadMatcher(
  ctx: Context,
  texts: readonly string[],
  source: "dynamodb" | "kinesis" = "dynamodb",
): Promise<Matcher | undefined> {
  if (texts.length === 0) return undefined;
  const match = compileCriteria(ctx, await patternsFromFlags("--filter", texts), "--filter", source);
  return {
    match: (rec, streamArn) =>
      match(
        rec.kinesis !== undefined
          ? kinesisFilterView(rec.kinesis)
          : toLambdaRecord(rec, streamArn === undefined ? {} : { streamArn }),
      ),
  };
}
