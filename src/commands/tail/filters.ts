/**
 * `tail --filter`: the patterns read by the same loader as `filter-test --pattern` (../criteria),
 * compiled and linted as filter-test does (warnings on stderr); a record is shown when any matches,
 * in the shape Lambda's filter sees it.
 */
import type { Context } from "../../cli/context.js";
import { buildFilterSet } from "../../core/filter/sources.js";
import { kinesisFilterView, toLambdaRecord } from "../../core/lambda-record.js";
import type { StreamRecord } from "../../core/record.js";
import { UsageError } from "../../errors.js";
import { formatDiagnostic } from "../../render/filter-test.js";
import { patternsFromFlags } from "../criteria.js";

/** Whether a record passes the filters. */
export interface Matcher {
  match(rec: StreamRecord, streamArn: string | undefined): boolean;
}

/** The matcher of `--filter`, or undefined without one. Throws UsageError for invalid patterns. */
export async function loadMatcher(
  ctx: Context,
  texts: readonly string[],
  source: "dynamodb" | "kinesis" = "dynamodb",
): Promise<Matcher | undefined> {
  if (texts.length === 0) return undefined;
  const sources = await patternsFromFlags("--filter", texts);
  const built = buildFilterSet(sources, { dialect: "lambda", source });
  for (const w of built.ok ? built.set.warnings : built.warnings) ctx.out.warn(formatDiagnostic(w, sources));
  if (!built.ok) {
    throw new UsageError(
      `invalid --filter: ${built.errors.map((e) => formatDiagnostic(e, sources)).join("; ")}`,
      'a Lambda filter pattern, e.g. --filter \'{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}\'; check it with dynastream filter-test',
    );
  }
  const criteria = built.set.criteria;
  return {
    match: (rec, streamArn) =>
      criteria.match(
        rec.kinesis !== undefined
          ? kinesisFilterView(rec.kinesis)
          : toLambdaRecord(rec, streamArn === undefined ? {} : { streamArn }),
      ) >= 0,
  };
}
