/**
 * The filter patterns a command line names, read once for `filter-test` (`--pattern`, `--criteria`)
 * and `tail --filter` alike: a pattern, or `@file` holding one, or a FilterCriteria document in any
 * shape core/filter/sources recognises (`{"Filters":[…]}`, CDK/SAM/CloudFormation JSON,
 * `get-event-source-mapping` output).
 */
import type { PatternSource } from "../core/filter/sources.js";
import { patternsFromArgument, patternsFromDocument } from "../core/filter/sources.js";
import { UsageError } from "../errors.js";

export const PATTERN_HINT =
  'a pattern is a JSON object whose leaves are arrays of values or operators, e.g. {"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}';
export const CRITERIA_HINT =
  'expected {"Filters":[{"Pattern":"<json>"}]}, get-event-source-mapping output, or a CloudFormation/SAM resource or template (JSON) with FilterCriteria';

/**
 * The patterns of `flag` (each a pattern text, or `@file`), then those of a criteria file. Throws
 * UsageError (exit 2) for a file that cannot be read or a document without FilterCriteria.
 */
export async function patternsFromFlags(
  flag: string,
  texts: readonly string[],
  criteriaFile?: string,
): Promise<PatternSource[]> {
  const io = await import("../io/json-input.js");
  const sources: PatternSource[] = [];
  for (let i = 0; i < texts.length; i++) {
    const arg = texts[i] as string;
    let text = arg;
    let origin = `${flag} ${i + 1}`;
    if (arg.startsWith("@")) {
      const path = arg.slice(1);
      text = (await io.readTextFile(path, `${flag} @${path}`)).trim();
      origin = path;
    }
    const r = patternsFromArgument(text, origin);
    if (!r.ok) throw new UsageError(r.error, CRITERIA_HINT);
    sources.push(...r.patterns);
  }
  if (criteriaFile !== undefined) {
    const value = await io.readJsonFile(criteriaFile, `--criteria ${criteriaFile}`, CRITERIA_HINT);
    const r = patternsFromDocument(value, criteriaFile);
    if (!r.ok) throw new UsageError(r.error, CRITERIA_HINT);
    sources.push(...r.patterns);
  }
  return sources;
}
