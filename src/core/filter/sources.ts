/**
 * Where filter patterns come from and how a set of them is built, for `filter-test` (`--pattern`,
 * `--criteria`, a case suite, a deployed mapping) and `tail --filter` alike: a pattern, a
 * FilterCriteria document `{"Filters":[…]}`, CDK/SAM/CloudFormation JSON, `get-event-source-mapping`
 * output; compiled once (ORed, like `Filters`) and linted for DynamoDB stream records. Pure.
 */
import {
  type CompiledCriteria,
  compileCriteria,
  type Diagnostic,
  type Dialect,
  lintDynamoDB,
  type StreamViewType,
} from "./index.js";

/** One filter pattern and where it came from. */
export interface PatternSource {
  /** The pattern text, exactly as Lambda would receive it in `Filters[].Pattern`. */
  text: string;
  /** Where it came from, for messages: `--pattern 2`, `criteria.json Filters[0]`, `mapping <uuid>`. */
  origin: string;
}

/** Result of reading patterns out of a document: the patterns, or one error saying why not. */
export type PatternsResult =
  | {
      ok: true;
      patterns: PatternSource[];
      /** What was recognised, e.g. `FilterCriteria`, `a template (OrdersMapping)`. */
      shape: string;
    }
  | { ok: false; error: string };

type Obj = Record<string, unknown>;

function isObject(x: unknown): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

function field(o: Obj, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.charAt(0).toLowerCase() + name.slice(1);
  return lower in o ? o[lower] : undefined;
}

/** CloudFormation intrinsic functions that can't be resolved offline. */
function intrinsicOf(o: Obj): string | undefined {
  const keys = Object.keys(o);
  if (keys.length !== 1) return undefined;
  const k = keys[0] as string;
  return k === "Ref" || k.startsWith("Fn::") ? k : undefined;
}

/** Patterns of a `Filters` array (FilterCriteria.Filters). */
function fromFilters(filters: unknown, origin: string, kms?: unknown): PatternsResult {
  if (!Array.isArray(filters)) {
    return { ok: false, error: `${origin}: "Filters" must be an array of {"Pattern": "<json>"}` };
  }
  if (filters.length === 0) {
    return {
      ok: false,
      error: `${origin}: "Filters" is empty: there is nothing to test (Lambda delivers every record)`,
    };
  }
  const patterns: PatternSource[] = [];
  for (let i = 0; i < filters.length; i++) {
    const f: unknown = filters[i];
    const where = `${origin} Filters[${i}]`;
    if (!isObject(f)) return { ok: false, error: `${where}: expected {"Pattern": "<json>"}` };
    const p = field(f, "Pattern");
    if (typeof p === "string") patterns.push({ text: p, origin: where });
    else if (p === null || p === undefined) {
      const encrypted = typeof kms === "string" && kms !== "";
      return {
        ok: false,
        error: encrypted
          ? `${where}: Pattern is null: the filter criteria are encrypted with the KMS key ${kms}, and ListEventSourceMappings does not show them`
          : `${where}: no "Pattern"`,
      };
    } else if (isObject(p)) {
      const fn = intrinsicOf(p);
      if (fn !== undefined) {
        return {
          ok: false,
          error: `${where}: Pattern uses the CloudFormation intrinsic function ${fn}, which can't be resolved offline; test the deployed mapping with --function, or write the pattern out`,
        };
      }
      patterns.push({ text: JSON.stringify(p), origin: where });
    } else {
      return {
        ok: false,
        error: `${where}: Pattern must be a JSON string (or an object), got ${Array.isArray(p) ? "an array" : typeof p}`,
      };
    }
  }
  return { ok: true, patterns, shape: "FilterCriteria" };
}

/** FilterCriteria candidates of a CloudFormation/SAM template, by logical id. */
function templateCandidates(resources: Obj): Array<{ name: string; criteria: unknown }> {
  const out: Array<{ name: string; criteria: unknown }> = [];
  for (const [id, r] of Object.entries(resources)) {
    if (!isObject(r) || !isObject(r.Properties)) continue;
    const props = r.Properties;
    if (props.FilterCriteria !== undefined) out.push({ name: id, criteria: props.FilterCriteria });
    if (r.Type === "AWS::Serverless::Function" && isObject(props.Events)) {
      for (const [ev, e] of Object.entries(props.Events)) {
        if (isObject(e) && isObject(e.Properties) && e.Properties.FilterCriteria !== undefined)
          out.push({ name: `${id}.Events.${ev}`, criteria: e.Properties.FilterCriteria });
      }
    }
  }
  return out;
}

/**
 * The filter patterns of a parsed JSON document, in any of the shapes they are written in:
 * - a FilterCriteria `{"Filters":[{"Pattern":"<json string>"}]}` (Lambda API, CDK output), where a
 *   Pattern may also be a JSON object (as written in some SAM/CloudFormation templates);
 * - an object with a `FilterCriteria` member: `aws lambda get-event-source-mapping` output, a
 *   CloudFormation `AWS::Lambda::EventSourceMapping` or SAM event's `Properties`;
 * - a CloudFormation resource or SAM event `{"Type":…, "Properties":{"FilterCriteria":…}}`;
 * - a whole CloudFormation/SAM template (JSON) with exactly one FilterCriteria;
 * - `aws lambda list-event-source-mappings` output with exactly one mapping that has FilterCriteria;
 * - a bare `Filters` array.
 * A null Pattern means KMS-encrypted criteria (the error says so). `origin` prefixes messages.
 */
export function patternsFromDocument(value: unknown, origin: string): PatternsResult {
  if (Array.isArray(value)) return fromFilters(value, origin);
  if (!isObject(value)) {
    return {
      ok: false,
      error: `${origin}: expected a FilterCriteria document {"Filters":[{"Pattern":"<json>"}]}, got ${value === null ? "null" : typeof value}`,
    };
  }
  const filters = field(value, "Filters");
  if (filters !== undefined) return fromFilters(filters, origin, value.KMSKeyArn);
  const fc = field(value, "FilterCriteria");
  if (fc !== undefined) {
    const kms = value.KMSKeyArn;
    const err = isObject(value.FilterCriteriaError) ? value.FilterCriteriaError : undefined;
    const errText =
      err !== undefined
        ? ` (${[err.ErrorCode, err.Message].filter((x) => typeof x === "string").join(": ")})`
        : "";
    if (fc === null) {
      return {
        ok: false,
        error:
          typeof kms === "string" && kms !== ""
            ? `${origin}: FilterCriteria is null: the filter criteria are encrypted with the KMS key ${kms}${errText}`
            : `${origin}: FilterCriteria is null${errText}`,
      };
    }
    if (isObject(fc) && field(fc, "Filters") !== undefined) {
      const r = fromFilters(field(fc, "Filters"), origin, kms);
      return r.ok ? { ...r, shape: "a document with FilterCriteria" } : r;
    }
    return patternsFromDocument(fc, origin);
  }
  if (isObject(value.Properties) && value.Properties.FilterCriteria !== undefined) {
    const r = patternsFromDocument(value.Properties.FilterCriteria, `${origin} Properties.FilterCriteria`);
    return r.ok ? { ...r, shape: `a ${String(value.Type ?? "resource")} resource` } : r;
  }
  if (isObject(value.Resources)) {
    const found = templateCandidates(value.Resources);
    if (found.length === 1) {
      const only = found[0] as { name: string; criteria: unknown };
      const r = patternsFromDocument(only.criteria, `${origin} ${only.name}`);
      return r.ok ? { ...r, shape: `a template (${only.name})` } : r;
    }
    return {
      ok: false,
      error:
        found.length === 0
          ? `${origin}: the template has no FilterCriteria`
          : `${origin}: the template has ${found.length} FilterCriteria (${found.map((f) => f.name).join(", ")}); put the one to test in its own file`,
    };
  }
  const mappings = field(value, "EventSourceMappings");
  if (Array.isArray(mappings)) {
    const withCriteria = mappings.filter((m) => isObject(m) && m.FilterCriteria !== undefined);
    if (withCriteria.length === 1) return patternsFromDocument(withCriteria[0], origin);
    return {
      ok: false,
      error:
        withCriteria.length === 0
          ? `${origin}: none of the event source mappings has FilterCriteria`
          : `${origin}: ${withCriteria.length} event source mappings have FilterCriteria; use --function <name> --table <table>, or put one in its own file`,
    };
  }
  return {
    ok: false,
    error: `${origin}: not a FilterCriteria document: expected {"Filters":[{"Pattern":"<json>"}]} (or get-event-source-mapping output, or a template with FilterCriteria)`,
  };
}

/**
 * What a `--pattern` or `--filter` text holds: usually one pattern; a FilterCriteria document in any
 * shape {@link patternsFromDocument} reads gives its patterns. A document is told by its top-level
 * members (`Filters`, `FilterCriteria`, `Resources`, `Properties.FilterCriteria`,
 * `EventSourceMappings`), none of which is a field of a DynamoDB stream record that a pattern matches.
 */
export function patternsFromArgument(text: string, origin: string): PatternsResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: true, patterns: [{ text, origin }], shape: "pattern" };
  }
  const isDocument =
    isObject(parsed) &&
    (Array.isArray(parsed.Filters) ||
      isObject(parsed.FilterCriteria) ||
      isObject(parsed.Resources) ||
      Array.isArray(parsed.EventSourceMappings) ||
      (isObject(parsed.Properties) && parsed.Properties.FilterCriteria !== undefined));
  return isDocument
    ? patternsFromDocument(parsed, origin)
    : { ok: true, patterns: [{ text, origin }], shape: "pattern" };
}

// ---------------------------------------------------------------------------------------------------
// Compiling and linting

/** A compiled, linted filter set. */
export interface FilterSet {
  dialect: Dialect;
  criteria: CompiledCriteria;
  filters: PatternSource[];
  /** Engine warnings and DynamoDB lints, `filter` set (0-based), duplicates removed. */
  warnings: Diagnostic[];
}

/** Result of {@link buildFilterSet}. */
export type FilterSetResult =
  | { ok: true; set: FilterSet }
  | { ok: false; errors: Diagnostic[]; warnings: Diagnostic[]; filters: PatternSource[]; dialect: Dialect };

/** Options of {@link buildFilterSet}. */
export interface FilterSetOptions {
  dialect?: Dialect;
  /** The stream's view type, when known: lints conditions on images it does not carry. */
  viewType?: StreamViewType | undefined;
  /** `kinesis`: the records come through the table's Kinesis destination (filters on `data`). */
  source?: "dynamodb" | "kinesis" | undefined;
}

function diagnosticKey(d: Diagnostic): string {
  return `${d.code}\u0000${d.filter ?? ""}\u0000${d.path ?? ""}\u0000${d.line ?? ""}\u0000${d.column ?? ""}`;
}

/**
 * Compiles the patterns once (ORed, like `Filters`) and lints each for DynamoDB stream records.
 * Invalid patterns give `{ ok: false, errors }` with positions; nothing throws for user input.
 */
export function buildFilterSet(
  sources: readonly PatternSource[],
  opts: FilterSetOptions = {},
): FilterSetResult {
  const dialect = opts.dialect ?? "lambda";
  const r = compileCriteria(
    sources.map((s) => s.text),
    { dialect },
  );
  if (!r.ok) return { ok: false, errors: r.errors, warnings: r.warnings, filters: [...sources], dialect };
  const warnings: Diagnostic[] = [];
  const seen = new Set<string>();
  const add = (d: Diagnostic): void => {
    const k = diagnosticKey(d);
    if (seen.has(k)) return;
    seen.add(k);
    warnings.push(d);
  };
  for (const w of r.criteria.warnings) add(w);
  r.criteria.patterns.forEach((p, i) => {
    const lints = lintDynamoDB(p, {
      ...(opts.viewType === undefined ? {} : { viewType: opts.viewType }),
      ...(opts.source === undefined ? {} : { source: opts.source }),
    });
    for (const d of lints) add({ ...d, filter: i });
  });
  return { ok: true, set: { dialect, criteria: r.criteria, filters: [...sources], warnings } };
}
