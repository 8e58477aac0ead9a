/**
 * A mapping's FilterCriteria as a record filter: Lambda drops the records no filter matches before it
 * builds a batch, so the records of a failed batch's sequence range that the criteria drop were never
 * part of it. Compiled by the one filter engine (core/filter), matched on the record as Lambda sees it.
 * Pure.
 */
import { buildFilterSet, patternsFromDocument } from "../filter/sources.js";
import { toLambdaRecord } from "../lambda-record.js";
import type { StreamRecord } from "../record.js";

/**
 * The filter of a mapping's `FilterCriteria.Filters` (`[{Pattern:"…"}]`): undefined when it has none
 * (every record is delivered); a string (the reason) when the criteria do not compile.
 */
export function mappingFilter(
  filters: ReadonlyArray<{ Pattern?: string | undefined }> | undefined,
  origin: string,
): ((rec: StreamRecord, streamArn: string) => boolean) | undefined | string {
  if (filters === undefined || filters.length === 0) return undefined;
  const r = patternsFromDocument({ Filters: filters }, origin);
  if (!r.ok) return r.error;
  const built = buildFilterSet(r.patterns, { dialect: "lambda" });
  if (!built.ok) return `${origin}: ${built.errors.map((e) => e.message).join("; ")}`;
  const criteria = built.set.criteria;
  return (rec, streamArn) => criteria.match(toLambdaRecord(rec, { streamArn })) >= 0;
}
