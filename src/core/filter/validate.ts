/**
 * Validation of a filter pattern: JSON text → `$or`-expanded rules of normalised operators, with
 * diagnostics. Error messages are event-ruler's (the reason EventBridge returns); Lambda itself only
 * answers "Invalid filter pattern definition.". Traversal is in document order, so the first error
 * is the one AWS reports.
 */

import { ipToHex, looksLikeIp, parseCidr } from "./ip.js";
import { type DuplicateKey, type JsonNode, nodeToJson, parseJson, type SourcePos } from "./parse.js";
import type { Diagnostic, Dialect, ExpandedRule, LeafSpec, Operator } from "./types.js";
import {
  parseWildcard,
  TOO_COMPLEX_MESSAGE,
  WILDCARD_COMPLEXITY_LIMIT,
  type WildcardPattern,
  wildcardComplexity,
} from "./wildcard.js";

/** Maximum pattern length accepted by Lambda (`Filter.Pattern`) and EventBridge. */
export const MAX_PATTERN_LENGTH = 4096;

/** Upper bound on `$or` expansion (event-ruler has none; patterns are at most 4096 characters). */
export const MAX_OR_BRANCHES = 1024;

/** Field names event-ruler reserves inside `$or` branches. */
const RESERVED_IN_OR = new Set([
  "exactly",
  "equals-ignore-case",
  "prefix",
  "suffix",
  "anything-but",
  "exists",
  "wildcard",
  "numeric",
  "cidr",
  "=",
  "<",
  "<=",
  ">",
  ">=",
  "regex",
  "not-wildcard",
  "not-equals-ignore-case",
  "date-after",
  "date-on-or-after",
  "date-before",
  "date-on-or-before",
  "in-date-range",
  "ip-address-in-range",
  "ip-address-not-in-range",
]);

/** Result of validating one pattern text. */
export interface ValidationResult {
  /** Expanded rules; present when there are no errors. */
  rules?: ExpandedRule[];
  errors: Diagnostic[];
  warnings: Diagnostic[];
  duplicates: DuplicateKey[];
}

type RuleMap = Map<string, LeafSpec>;

/** Validate and normalise a pattern text. Never throws. */
export function validatePattern(text: string, dialect: Dialect): ValidationResult {
  const v = new Validator(dialect);
  if (text.length > MAX_PATTERN_LENGTH) {
    v.error(
      "pattern-too-long",
      `Pattern is ${text.length} characters long; Lambda and EventBridge accept at most ${MAX_PATTERN_LENGTH}`,
    );
  }
  const parsed = parseJson(text);
  for (const d of parsed.duplicates) v.duplicate(d);
  if (!parsed.ok) {
    v.errors.push({
      level: "error",
      code: "json-syntax",
      message: `${parsed.message} at line ${parsed.pos.line}, column ${parsed.pos.column}`,
      line: parsed.pos.line,
      column: parsed.pos.column,
    });
    return { errors: v.errors, warnings: v.warnings, duplicates: parsed.duplicates };
  }
  const root = parsed.value;
  if (root.kind !== "object") {
    v.error("not-an-object", "Filter is not an object", undefined, root.pos);
    return { errors: v.errors, warnings: v.warnings, duplicates: parsed.duplicates };
  }
  const rules: RuleMap[] = [];
  v.walkObject(root, [], rules, false);
  if (v.errors.length > 0) return { errors: v.errors, warnings: v.warnings, duplicates: parsed.duplicates };
  const expanded: ExpandedRule[] = (rules.length === 0 ? [new Map()] : rules).map((m) => [...m.values()]);
  return { rules: expanded, errors: v.errors, warnings: v.warnings, duplicates: parsed.duplicates };
}

/**
 * One walk over the parsed pattern, in document order. Reading order: `walkObject` (fields, nesting,
 * `$or` via `walkOr`) → `leaf` (an array of match values) → `matchValue` (a literal, or an object:
 * `operator`) → `operator` (prefix, suffix, wildcard, exists, cidr, equals-ignore-case…) with its two
 * larger families in `anythingBut` and `numeric`; `error`/`warn`/`duplicate` collect diagnostics.
 */
class Validator {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  private branchCapReported = false;
  private readonly overriddenPaths = new Set<string>();

  constructor(private readonly dialect: Dialect) {}

  error(code: string, message: string, path?: string, pos?: SourcePos): void {
    this.errors.push(diag("error", code, message, path, pos));
  }

  warn(code: string, message: string, path?: string, pos?: SourcePos): void {
    this.warnings.push(diag("warning", code, message, path, pos));
  }

  duplicate(d: DuplicateKey): void {
    const path = d.parentPath === "" ? d.key : `${d.parentPath}.${d.key}`;
    let message = `Duplicate key "${d.key}" (at ${d.first.line}:${d.first.column} and ${d.last.line}:${d.last.column}): only the last value is used`;
    if (d.droppedObject) {
      message +=
        ", so every condition inside the first object is ignored (event-ruler, behind EventBridge, may instead combine both objects path by path); put all conditions in one object";
    }
    this.warn("duplicate-key", message, path, d.last);
  }

  walkObject(
    node: JsonNode & { kind: "object" },
    prefix: string[],
    rules: RuleMap[],
    insideOr: boolean,
  ): void {
    if (node.entries.length === 0) {
      this.error("empty-object", "Empty objects are not allowed", joinPath(prefix), node.pos);
      return;
    }
    for (const entry of node.entries) {
      if (entry.key === "$or") {
        this.walkOr(entry.value, prefix, rules, entry.keyPos);
        continue;
      }
      const segments = [...prefix, ...entry.key.split(".")];
      const path = joinPath(segments);
      if (insideOr && RESERVED_IN_OR.has(entry.key)) {
        this.error(
          "reserved-field-in-or",
          `${entry.key} is Ruler reserved fieldName which cannot be used inside $or.`,
          path,
          entry.keyPos,
        );
        continue;
      }
      const value = entry.value;
      if (value.kind === "object") {
        this.walkObject(value, segments, rules, insideOr);
      } else if (value.kind === "array") {
        const spec = this.leaf(value, segments, entry.keyPos);
        if (spec === undefined) continue;
        if (rules.length === 0) rules.push(new Map());
        let overridden = false;
        for (const r of rules) {
          const prev = r.get(path);
          if (prev !== undefined && prev !== spec) overridden = true;
          r.set(path, spec);
        }
        if (overridden && !this.overriddenPaths.has(path)) {
          this.overriddenPaths.add(path);
          this.warn(
            "path-overridden",
            `Path "${path}" is given more than once (inside and outside $or, or as a dotted key and a nested object); only the one written last applies, as in event-ruler`,
            path,
            entry.keyPos,
          );
        }
      } else {
        this.error("leaf-not-array", `"${entry.key}" must be an object or an array`, path, entry.keyPos);
      }
    }
  }

  walkOr(value: JsonNode, prefix: string[], rules: RuleMap[], pos: SourcePos): void {
    const path = joinPath([...prefix, "$or"]);
    if (value.kind !== "array") {
      this.error("invalid-or", "It must be an Array followed with $or.", path, pos);
      return;
    }
    const current = rules.map((r) => new Map(r));
    rules.length = 0;
    for (const item of value.items) {
      if (item.kind !== "object") {
        this.error("invalid-or", "Only JSON object is allowed in array of $or relationship.", path, item.pos);
        continue;
      }
      const branch = current.length === 0 ? [new Map<string, LeafSpec>()] : current.map((r) => new Map(r));
      this.walkObject(item, prefix, branch, true);
      for (const b of branch) {
        if (rules.length >= MAX_OR_BRANCHES) {
          if (!this.branchCapReported) {
            this.branchCapReported = true;
            this.error(
              "too-many-or-branches",
              `Pattern expands to more than ${MAX_OR_BRANCHES} $or combinations`,
              path,
              pos,
            );
          }
          break;
        }
        rules.push(b);
      }
    }
    if (value.items.length < 2) {
      this.error("invalid-or", "There must have at least 2 Objects in $or relationship.", path, pos);
    }
  }

  leaf(node: JsonNode & { kind: "array" }, segments: string[], keyPos: SourcePos): LeafSpec | undefined {
    const path = joinPath(segments);
    if (node.items.length === 0) {
      this.error("empty-array", "Empty arrays are not allowed", path, keyPos);
      return undefined;
    }
    const before = this.errors.length;
    const operators: Operator[] = [];
    for (const item of node.items) {
      const op = this.matchValue(item, path);
      if (op !== undefined) operators.push(op);
    }
    if (this.errors.length > before) return undefined;
    const wildcards: WildcardPattern[] = [];
    for (const op of operators) {
      if (op.kind === "wildcard") {
        const w = parseWildcard(op.value);
        if (w.ok) wildcards.push(w.pattern);
      } else if (op.kind === "anything-but-set" && op.form === "wildcard") {
        for (const value of op.values) {
          const w = parseWildcard(value);
          if (w.ok) wildcards.push(w.pattern);
        }
      }
    }
    if (wildcards.length > 0 && wildcardComplexity(wildcards) > WILDCARD_COMPLEXITY_LIMIT) {
      this.error("wildcard-too-complex", TOO_COMPLEX_MESSAGE, path, keyPos);
      return undefined;
    }
    return { path, segments, operators, line: keyPos.line, column: keyPos.column };
  }

  matchValue(item: JsonNode, path: string): Operator | undefined {
    const source = nodeToJson(item);
    switch (item.kind) {
      case "string": {
        const op: Operator = { kind: "exact-string", value: item.value, source };
        if (looksLikeIp(item.value)) {
          const hex = ipToHex(item.value);
          if (hex !== undefined) op.ipHex = hex;
        }
        return op;
      }
      case "number":
        return { kind: "exact-number", value: item.value, source };
      case "boolean":
        return { kind: "exact-boolean", value: item.value, source };
      case "null":
        return { kind: "exact-null", source };
      case "array":
        this.error(
          "invalid-match-value",
          "Match value must be String, number, true, false, or null",
          path,
          item.pos,
        );
        return undefined;
      case "object":
        return this.operator(item, path, source);
    }
  }

  operator(node: JsonNode & { kind: "object" }, path: string, source: string): Operator | undefined {
    const first = node.entries[0];
    if (first === undefined) {
      this.error("invalid-operator", "Match expression name not found", path, node.pos);
      return undefined;
    }
    const name = first.key;
    const value = first.value;
    const pos = first.keyPos;
    const extra = node.entries.length > 1;
    const onlyOne = (): boolean => {
      if (extra) this.error("invalid-operator", "Only one key allowed in match expression", path, pos);
      return !extra;
    };
    const tooMany = (): boolean => {
      if (extra) this.error("invalid-operator", "Too many elements in numeric expression", path, pos);
      return !extra;
    };
    const fail = (message: string, code = "invalid-operator"): undefined => {
      this.error(code, message, path, pos);
      return undefined;
    };
    // The value of an operator that takes one string and no other key; undefined after an error.
    const oneString = (message: string): string | undefined =>
      value.kind !== "string" ? fail(message) : onlyOne() ? value.value : undefined;
    // Whether an operator whose string value was parsed into `r` stands: no parse error (coded
    // `code`), no other key. Lambda's support of these operators is unconfirmed: a note says so.
    const parsedAlone = (r: { ok: true } | { ok: false; message: string }, code: string): boolean => {
      if (!r.ok) return fail(r.message, code) ?? false;
      if (!onlyOne()) return false;
      this.unconfirmedInLambda(`"${name}"`, path, pos);
      return true;
    };

    switch (name) {
      case "prefix":
      case "suffix": {
        if (value.kind === "object") {
          const inner = value.entries[0];
          const label = name === "prefix" ? "Prefix" : "Suffix";
          if (inner === undefined) return fail(`${label} expression name not found`);
          if (inner.key !== "equals-ignore-case") return fail(`Unsupported ${name} pattern: ${inner.key}`);
          if (inner.value.kind !== "string") return fail("equals-ignore-case match pattern must be a string");
          if (value.entries.length > 1 || extra) return fail("Only one key allowed in match expression");
          this.unconfirmedInLambda(`{"${name}": {"equals-ignore-case": …}}`, path, pos);
          return { kind: name, value: inner.value.value, ignoreCase: true, source };
        }
        const text = oneString(`${name} match pattern must be a string`);
        return text === undefined ? undefined : { kind: name, value: text, ignoreCase: false, source };
      }
      case "equals-ignore-case": {
        const text = oneString("equals-ignore-case match pattern must be a string");
        return text === undefined ? undefined : { kind: "equals-ignore-case", value: text, source };
      }
      case "wildcard": {
        if (value.kind !== "string") return fail("wildcard match pattern must be a string");
        if (!parsedAlone(parseWildcard(value.value), "invalid-wildcard")) return undefined;
        return { kind: "wildcard", value: value.value, source };
      }
      case "numeric": {
        if (value.kind !== "array") return fail("Value of numeric must be an array.", "invalid-numeric");
        const op = this.numeric(value, path, pos, source);
        if (op === undefined) return undefined;
        if (!tooMany()) return undefined;
        return op;
      }
      case "exists":
        if (value.kind !== "boolean") return fail("exists match pattern must be either true or false.");
        if (!onlyOne()) return undefined;
        return { kind: "exists", value: value.value, source };
      case "cidr": {
        if (value.kind !== "string") return fail("prefix match pattern must be a string");
        const c = parseCidr(value.value);
        if (!parsedAlone(c, "invalid-cidr") || !c.ok) return undefined;
        if (c.hostBitsSet) {
          this.warn(
            "cidr-host-bits",
            `CIDR ${value.value} has host bits set; event-ruler matches from ${value.value.split("/")[0]} (not the network address) to the end of the block`,
            path,
            pos,
          );
        }
        return { kind: "cidr", family: c.family, lo: c.lo, hi: c.hi, source };
      }
      case "anything-but":
        return this.anythingBut(value, path, pos, source, extra);
      default:
        return fail(`Unrecognized match type ${name}`, "unknown-operator");
    }
  }

  anythingBut(
    value: JsonNode,
    path: string,
    pos: SourcePos,
    source: string,
    extra: boolean,
  ): Operator | undefined {
    const fail = (message: string): undefined => {
      this.error("invalid-operator", message, path, pos);
      return undefined;
    };
    if (value.kind === "object") {
      const inner = value.entries[0];
      if (inner === undefined) return fail("Anything-But expression name not found");
      const form = inner.key;
      if (form !== "prefix" && form !== "suffix" && form !== "equals-ignore-case" && form !== "wildcard") {
        return fail(`Unsupported anything-but pattern: ${form}`);
      }
      if (this.dialect === "lambda") {
        this.error(
          "lambda-unsupported-operator",
          `Lambda event filtering does not support "anything-but" with "${form}" ({"anything-but": {"${form}": …}}); only EventBridge rules do`,
          path,
          pos,
        );
      }
      const operand = inner.value;
      if (operand.kind !== "array" && operand.kind !== "string" && operand.kind !== "number") {
        return fail("Value of anything-but must be an array or single string/number value.");
      }
      const typeMessage =
        form === "equals-ignore-case"
          ? "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
          : form === "wildcard"
            ? "wildcard match pattern must be a string"
            : "prefix/suffix match pattern must be a string";
      const items = operand.kind === "array" ? operand.items : [operand];
      const values: string[] = [];
      for (const it of items) {
        if (it.kind !== "string") return fail(typeMessage);
        if ((form === "prefix" || form === "suffix") && it.value === "")
          return fail("Null prefix/suffix not allowed");
        if (form === "wildcard") {
          const w = parseWildcard(it.value);
          if (!w.ok) return fail(w.message);
        }
        values.push(it.value);
      }
      if (value.entries.length > 1 || extra) return fail("Too many elements in numeric expression");
      return { kind: "anything-but-set", form, values, source };
    }
    if (value.kind === "array") {
      const strings: string[] = [];
      const numbers: number[] = [];
      for (const it of value.items) {
        if (it.kind === "string") strings.push(it.value);
        else if (it.kind === "number") numbers.push(it.value);
        else return fail("Inside anything but list, start|null|boolean is not supported.");
      }
      if (strings.length > 0 === numbers.length > 0) {
        return fail(
          "Inside anything but list, either all values are number or string, mixed type is not supported",
        );
      }
      if (extra) return fail("Too many elements in numeric expression");
      return { kind: "anything-but", strings, numbers, source };
    }
    if (value.kind === "string" || value.kind === "number") {
      if (extra) return fail("Too many elements in numeric expression");
      return value.kind === "string"
        ? { kind: "anything-but", strings: [value.value], numbers: [], source }
        : { kind: "anything-but", strings: [], numbers: [value.value], source };
    }
    return fail("Value of anything-but must be an array or single string/number value.");
  }

  numeric(
    node: JsonNode & { kind: "array" },
    path: string,
    pos: SourcePos,
    source: string,
  ): Operator | undefined {
    const items = node.items;
    const fail = (message: string): undefined => {
      this.error("invalid-numeric", message, path, pos);
      return undefined;
    };
    const text = (i: number): string => {
      const it = items[i];
      return it === undefined
        ? "]"
        : it.kind === "string"
          ? it.value
          : it.kind === "number"
            ? it.raw
            : nodeToJson(it);
    };
    const num = (i: number): number | undefined => {
      const it = items[i];
      return it !== undefined && it.kind === "number" && Number.isFinite(it.value) ? it.value : undefined;
    };
    const first = items[0];
    if (first === undefined || first.kind !== "string")
      return fail(`Invalid member in numeric match: ${text(0)}`);
    const op = first.value;
    const a = num(1);
    let result: Operator | undefined;
    switch (op) {
      case "=":
        if (a === undefined) return fail("Value of equals must be numeric");
        if (items.length > 2) return fail("Too many elements in numeric expression");
        result = { kind: "numeric", lo: a, loOpen: false, hi: a, hiOpen: false, source };
        break;
      case "<":
      case "<=":
        if (a === undefined) return fail(`Value of ${op} must be numeric`);
        if (items.length > 2) return fail("Too many elements in numeric expression");
        result = { kind: "numeric", lo: -Infinity, loOpen: true, hi: a, hiOpen: op === "<", source };
        break;
      case ">":
      case ">=": {
        if (a === undefined) return fail(`Value of ${op} must be numeric`);
        if (items.length === 2) {
          result = { kind: "numeric", lo: a, loOpen: op === ">", hi: Infinity, hiOpen: true, source };
          break;
        }
        const op2Node = items[2]!;
        if (op2Node.kind !== "string") return fail(`Bad value in numeric range: ${text(2)}`);
        const op2 = op2Node.value;
        if (op2 !== "<" && op2 !== "<=") return fail(`Bad numeric range operator: ${op2}`);
        const b = num(3);
        if (b === undefined) return fail(`Value of ${op2} must be numeric`);
        if (items.length > 4) return fail("Too many terms in numeric range expression");
        if (a >= b) return fail("Bottom must be less than top");
        result = { kind: "numeric", lo: a, loOpen: op === ">", hi: b, hiOpen: op2 === "<", source };
        break;
      }
      default:
        return fail(`Unrecognized numeric range operator: ${op}`);
    }
    if (this.dialect === "lambda") {
      for (let i = 1; i < items.length; i += 2) {
        const it = items[i];
        if (it?.kind !== "number") continue;
        const decimals = decimalPlaces(it.raw);
        if (Math.abs(it.value) > 5e9 || decimals > 6) {
          this.warn(
            "numeric-precision",
            `Numeric operand ${it.raw} is outside ±5e9 or has more than 6 decimal places; older event-ruler versions (which Lambda may run) reject or round such values`,
            path,
            pos,
          );
          break;
        }
      }
    }
    return result;
  }

  unconfirmedInLambda(operator: string, path: string, pos: SourcePos): void {
    if (this.dialect !== "lambda") return;
    this.warn(
      "lambda-unconfirmed-operator",
      `${operator} is not in Lambda's documented filter syntax: it is evaluated with EventBridge semantics, but CreateEventSourceMapping may reject it`,
      path,
      pos,
    );
  }
}

function decimalPlaces(raw: string): number {
  const m = /^-?\d+(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  if (m === null) return 0;
  const frac = (m[1] ?? "").replace(/0+$/, "").length;
  const exp = Number(m[2] ?? "0");
  return Math.max(0, frac - exp);
}

function diag(
  level: "error" | "warning",
  code: string,
  message: string,
  path: string | undefined,
  pos: SourcePos | undefined,
): Diagnostic {
  const d: Diagnostic = { level, code, message };
  if (path !== undefined && path !== "") d.path = path;
  if (pos !== undefined) {
    d.line = pos.line;
    d.column = pos.column;
  }
  return d;
}

/** Join path segments with dots (event-ruler's field naming). */
export function joinPath(segments: readonly string[]): string {
  return segments.join(".");
}
