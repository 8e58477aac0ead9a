/**
 * Event-filter engine: Lambda event source mapping filter criteria and EventBridge event patterns,
 * for `dynastream filter-test` and `tail --filter`. Pure: no I/O, no SDK, no clock.
 *
 * Typical use:
 * ```ts
 * const r = compileCriteria([pattern1, pattern2]);          // dialect "lambda" by default
 * if (!r.ok) report(r.errors);                               // data, never thrown
 * const index = r.criteria.match(JSON.parse(line));          // fast path: first matching filter or -1
 * const why = r.criteria.explain(event);                     // slow path, only when asked
 * const lints = lintDynamoDB(r.criteria.patterns[0]!, { viewType: "NEW_IMAGE" });
 * ```
 *
 * Semantics follow aws/event-ruler (the engine behind EventBridge; Lambda filtering uses the same
 * syntax): AND across fields, OR across a field's values, `$or` at any level, any-element matching on
 * event arrays with array consistency, dot-joined keys, numbers compared by value (300 = 300.0),
 * duplicate pattern keys last-wins (with a warning). The rules and their
 * sources are collected in the project's filter-semantics reference notes.
 *
 * Diagnostic codes. Errors: `json-syntax`, `pattern-too-long`, `not-an-object`, `empty-object`,
 * `leaf-not-array`, `empty-array`, `invalid-match-value`, `unknown-operator`, `invalid-operator`,
 * `invalid-numeric`, `invalid-cidr`, `invalid-wildcard`, `wildcard-too-complex`, `invalid-or`,
 * `reserved-field-in-or`, `too-many-or-branches`, `lambda-unsupported-operator` (suggest
 * `--dialect eventbridge`), `no-filters`, `too-many-filters`. Warnings: `duplicate-key`,
 * `path-overridden`, `lambda-unconfirmed-operator`, `numeric-precision`, `cidr-host-bits`,
 * `filters-above-default-quota`, and the `ddb-*` lints of `lintDynamoDB`.
 */

import { compileRules } from "./compile.js";
import { forgetObjects } from "./event-fields.js";
import { explainTries, type PatternExplanation } from "./explain.js";
import { lintRules } from "./lint.js";
import type { DuplicateKey } from "./parse.js";
import { buildTrie, type TrieNode } from "./trie.js";
import type { Diagnostic, Dialect, ExpandedRule, StreamViewType } from "./types.js";
import { validatePattern } from "./validate.js";

export type { PatternExplanation } from "./explain.js";
export type { Diagnostic, Dialect, StreamViewType } from "./types.js";
export { MAX_PATTERN_LENGTH } from "./validate.js";

/** The only message Lambda returns for any invalid filter pattern (`InvalidParameterValueException`). */
export const LAMBDA_INVALID_MESSAGE = "Invalid filter pattern definition.";

/** Note to show with validation errors in the Lambda dialect. */
export const LAMBDA_VALIDATION_NOTE = `Lambda itself only answers "${LAMBDA_INVALID_MESSAGE}" for an invalid pattern; the reasons shown are the ones EventBridge (event-ruler) gives for the same pattern.`;

/** Filters per event source mapping without a quota increase. */
export const DEFAULT_MAX_FILTERS = 5;

/** Filters per event source mapping with the maximum quota increase. */
export const MAX_FILTERS_WITH_QUOTA = 10;

/** Options for compiling patterns. */
export interface CompileOptions {
  /** `lambda` (default) or `eventbridge`. */
  dialect?: Dialect;
}

/** What a compiled pattern and compiled criteria both do with an event (a parsed JSON value). */
interface CompiledMatcher<Match, Explanation> {
  /** The fast path (no re-walk of the pattern): whether, or by which filter, the event is selected. */
  match(event: unknown): Match;
  /** Why the event is selected or not (slow path). */
  explain(event: unknown): Explanation;
  /** Non-fatal diagnostics (duplicate keys, unconfirmed Lambda operators, ...). */
  readonly warnings: Diagnostic[];
}

/** What compiling gives for input that is not valid. */
type CompileFailure = { ok: false; errors: Diagnostic[]; warnings: Diagnostic[] };

/** A compiled filter pattern: `match` says whether the event matches. */
export interface CompiledPattern extends CompiledMatcher<boolean, PatternExplanation> {
  /** The pattern text as given. */
  readonly text: string;
  readonly dialect: Dialect;
}

/** Result of `compilePattern`. */
export type CompilePatternResult = { ok: true; pattern: CompiledPattern } | CompileFailure;

interface Internals {
  rules: ExpandedRule[];
  tries: TrieNode[];
  duplicates: DuplicateKey[];
  /** The compiled rules, without the per-event set-up of `match` (see {@link forgetObjects}). */
  rulesMatch: (event: unknown) => boolean;
}

const internals = new WeakMap<CompiledPattern, Internals>();

/**
 * Validate and compile one pattern text into a matcher. Never throws for user input: invalid
 * patterns give `{ ok: false, errors }` with AWS's reason texts where known.
 */
export function compilePattern(text: string, opts: CompileOptions = {}): CompilePatternResult {
  const dialect = opts.dialect ?? "lambda";
  const v = validatePattern(text, dialect);
  if (v.rules === undefined || v.errors.length > 0)
    return { ok: false, errors: v.errors, warnings: v.warnings };
  const tries = v.rules.map(buildTrie);
  const rulesMatch = compileRules(tries);
  const pattern: CompiledPattern = {
    text,
    dialect,
    match: (event) => {
      forgetObjects();
      const matched = rulesMatch(event);
      forgetObjects();
      return matched;
    },
    explain: (event) => explainTries(tries, event),
    warnings: v.warnings,
  };
  internals.set(pattern, { rules: v.rules, tries, duplicates: v.duplicates, rulesMatch });
  return { ok: true, pattern };
}

/** Why an event was or was not selected by a list of filters. */
export interface CriteriaExplanation {
  matched: boolean;
  /** Index of the first matching filter, or -1. */
  index: number;
  /** One explanation per filter, in order. */
  filters: PatternExplanation[];
}

/**
 * Compiled `FilterCriteria`: a record is delivered when any filter matches. `match` gives the index
 * of the first matching filter, or -1 (the record would be filtered out); `warnings` are those of all
 * filters (with `filter` set) plus count warnings.
 */
export interface CompiledCriteria extends CompiledMatcher<number, CriteriaExplanation> {
  readonly patterns: CompiledPattern[];
}

/** Result of `compileCriteria`. */
export type CompileCriteriaResult = { ok: true; criteria: CompiledCriteria } | CompileFailure;

/**
 * Compile a list of filter patterns (Lambda `FilterCriteria.Filters`). Enforces the filter count:
 * more than 5 gives a warning (a quota increase is needed), more than 10 an error.
 */
export function compileCriteria(
  patternTexts: readonly string[],
  opts: CompileOptions = {},
): CompileCriteriaResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const n = patternTexts.length;
  if (n === 0) {
    errors.push({ level: "error", code: "no-filters", message: "At least one filter pattern is required" });
  } else if (n > MAX_FILTERS_WITH_QUOTA) {
    errors.push({
      level: "error",
      code: "too-many-filters",
      message: `${n} filters given; an event source mapping accepts at most ${DEFAULT_MAX_FILTERS} (${MAX_FILTERS_WITH_QUOTA} with a quota increase)`,
    });
  } else if (n > DEFAULT_MAX_FILTERS) {
    warnings.push({
      level: "warning",
      code: "filters-above-default-quota",
      message: `${n} filters given; an event source mapping accepts ${DEFAULT_MAX_FILTERS} by default, up to ${MAX_FILTERS_WITH_QUOTA} only with a quota increase`,
    });
  }
  const patterns: CompiledPattern[] = [];
  patternTexts.forEach((text, i) => {
    const r = compilePattern(text, opts);
    const tag = (d: Diagnostic): Diagnostic => ({ ...d, filter: i });
    if (r.ok) {
      patterns.push(r.pattern);
      warnings.push(...r.pattern.warnings.map(tag));
    } else {
      errors.push(...r.errors.map(tag));
      warnings.push(...r.warnings.map(tag));
    }
  });
  if (errors.length > 0) return { ok: false, errors, warnings };
  // The patterns' rules, run with one per-event set-up for all of them (see `forgetObjects`).
  const matchers = patterns.map((p) => internals.get(p)!.rulesMatch);
  const count = matchers.length;
  const criteria: CompiledCriteria = {
    patterns,
    match: (event) => {
      forgetObjects();
      let index = -1;
      for (let i = 0; i < count; i++) {
        if (matchers[i]!(event)) {
          index = i;
          break;
        }
      }
      forgetObjects();
      return index;
    },
    explain: (event) => {
      const filters = patterns.map((p) => p.explain(event));
      const index = filters.findIndex((f) => f.matched);
      return { matched: index !== -1, index, filters };
    },
    warnings,
  };
  return { ok: true, criteria };
}

/**
 * The dotted paths of the leaves of every filter (`dynamodb.NewImage.status.S`): a compiled filter
 * reads an event only along these paths (see compile.ts), so a reader may build just those fields.
 */
export function leafPaths(criteria: CompiledCriteria): string[] {
  const paths = new Set<string>();
  for (const p of criteria.patterns)
    for (const rule of internals.get(p)?.rules ?? []) for (const leaf of rule) paths.add(leaf.path);
  return [...paths];
}

/** Options of `lintDynamoDB`. */
export interface LintDynamoDBOptions {
  /** The stream's `StreamViewType`, to flag conditions on images the stream does not carry. */
  viewType?: StreamViewType;
  /** Dialect used to compile a pattern given as text (default `lambda`). */
  dialect?: Dialect;
  /** `kinesis`: the records come through the table's Kinesis destination (see LintOptions). */
  source?: "dynamodb" | "kinesis";
}

/**
 * Lint a pattern for DynamoDB stream records: `numeric` under `N`/`NS`, attribute patterns missing
 * their type descriptor, `exists` on an attribute node, `body`/`data` keys of other event sources,
 * images the view type does not carry, duplicate keys, and unconfirmed metadata fields. A pattern
 * given as text that does not compile yields its compile diagnostics instead.
 */
export function lintDynamoDB(
  pattern: CompiledPattern | string,
  opts: LintDynamoDBOptions = {},
): Diagnostic[] {
  let compiled: CompiledPattern;
  if (typeof pattern === "string") {
    const r = compilePattern(pattern, { dialect: opts.dialect ?? "lambda" });
    if (!r.ok) return [...r.errors, ...r.warnings];
    compiled = r.pattern;
  } else {
    compiled = pattern;
  }
  const inner = internals.get(compiled);
  if (inner === undefined) return [];
  const lintOpts = {
    ...(opts.viewType === undefined ? {} : { viewType: opts.viewType }),
    ...(opts.source === undefined ? {} : { source: opts.source }),
  };
  return lintRules(inner.rules, inner.duplicates, lintOpts);
}
