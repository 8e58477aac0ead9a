// Factories for the filter-test unit tests: pattern sources and compiled criteria (records:
// ./records.ts).
import { strict as assert } from "node:assert";
import { buildFilterSet, type PatternSource } from "../../src/core/filter/sources.js";

export { ARN, lambdaRecord } from "./records.js";

export function src(...texts: string[]): PatternSource[] {
  return texts.map((text, i) => ({ text, origin: `--pattern ${i + 1}` }));
}

export function criteriaOf(...texts: string[]) {
  const r = buildFilterSet(src(...texts));
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.errors));
  return r.set.criteria;
}
