/**
 * Explanation of a match result (the slow path, run only on request): which field failed and why.
 * Uses the same path trees as the fast matchers, so the verdict is always the same.
 */

import { isTypeTag } from "../attr.js";
import { compileLeaf } from "./compile.js";
import { getField, hasAlias, undot } from "./event-fields.js";
import { ipToHex } from "./ip.js";
import type { TrieNode } from "./trie.js";
import type { LeafSpec, Operator } from "./types.js";

/** Why one pattern did or did not match an event. */
export interface PatternExplanation {
  matched: boolean;
  /** Why the pattern failed, without the path (e.g. `"shipped" is not one of ["pending"]`). */
  reason?: string;
  /** Dotted path of the first field that failed (e.g. `dynamodb.NewImage.status.S`). */
  path?: string;
  /** Extra remarks, e.g. about array consistency. */
  notes?: string[];
}

interface Failure {
  path: string;
  reason: string;
  /** How far evaluation got before failing (to pick the closest array element / branch). */
  score: number;
  /** Whether the reason already names the array element it comes from. */
  inArray?: boolean;
}

type Obj = Record<string, unknown>;

const leafCache = new WeakMap<LeafSpec, (v: unknown) => boolean>();

function leafMatcher(spec: LeafSpec): (v: unknown) => boolean {
  let m = leafCache.get(spec);
  if (m === undefined) {
    m = compileLeaf(spec);
    leafCache.set(spec, m);
  }
  return m;
}

export const ARRAY_CONSISTENCY_NOTE =
  "The pattern's fields match only in different elements of an event array. event-ruler (behind EventBridge) requires the fields under one array to match within the same element, so this is not a match; LocalStack's emulator would match it.";

/** Explain the result of matching `event` against a pattern's rules (one tree per `$or` branch). */
export function explainTries(tries: readonly TrieNode[], event: unknown): PatternExplanation {
  const failures: Failure[] = [];
  for (const t of tries) {
    const f = explainNode(t, event, "");
    if (f === null) return { matched: true };
    failures.push(f);
  }
  const result: PatternExplanation = { matched: false };
  const distinct = dedupe(failures);
  if (distinct.length === 1) {
    const f = distinct[0]!;
    result.path = f.path;
    result.reason = f.reason;
  } else {
    const first = distinct[0]!;
    result.path = first.path;
    result.reason = `none of the ${tries.length} $or branches matched: ${distinct
      .map((f, i) => `(${i + 1}) ${f.path}: ${f.reason}`)
      .join("; ")}`;
  }
  if (tries.some((t) => looseNode(t, [event]))) result.notes = [ARRAY_CONSISTENCY_NOTE];
  return result;
}

function dedupe(fs: Failure[]): Failure[] {
  const seen = new Set<string>();
  const out: Failure[] = [];
  for (const f of fs) {
    const k = `${f.path}\u0000${f.reason}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(f);
    }
  }
  return out;
}

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function explainNode(node: TrieNode, v: unknown, prefix: string): Failure | null {
  if (Array.isArray(v)) {
    if (v.length === 0) return explainFields(node, undefined, prefix);
    let best: Failure | null = null;
    for (const e of flatten(v)) {
      const f = explainNode(node, e, prefix);
      if (f === null) return null;
      if (best === null || f.score > best.score) best = f;
    }
    if (v.length > 1 && best !== null && node.fields.length > 1 && best.inArray !== true) {
      best = {
        ...best,
        inArray: true,
        reason: `${best.reason} (in the closest of ${v.length} elements of ${prefix === "" ? "the event" : prefix}; all fields must match in one element)`,
      };
    }
    return best;
  }
  if (isObj(v)) {
    const o = node.aliases.length > 0 && hasAlias(v, node.aliases) ? undot(v) : v;
    return explainFields(node, o, prefix);
  }
  return explainFields(node, undefined, prefix);
}

function explainFields(node: TrieNode, o: Obj | undefined, _prefix: string): Failure | null {
  for (let i = 0; i < node.fields.length; i++) {
    const field = node.fields[i]!;
    const val = getField(o, field.key);
    if (field.leaf !== undefined) {
      const r = leafReason(field.leaf, val);
      if (r !== null) return { path: field.path, reason: r, score: i };
    }
    if (field.node !== undefined) {
      const f = explainNode(field.node, val, field.path);
      if (f === null) continue;
      if (val === undefined) return { path: field.path, reason: "field is absent", score: i };
      if (!isObj(val) && !Array.isArray(val)) {
        return {
          path: field.path,
          reason: `value is ${show(val)} (${typeName(val)}), not an object, so ${f.path} cannot match`,
          score: i,
        };
      }
      return { ...f, score: i + f.score / 1000 };
    }
  }
  return null;
}

/** Why a leaf's operators reject the value at its path, or null when they accept it. */
export function leafReason(spec: LeafSpec, val: unknown): string | null {
  if (leafMatcher(spec)(val)) return null;
  const ops = spec.operators;
  if (val === undefined) {
    if (ops.every((o) => o.kind === "anything-but" || o.kind === "anything-but-set")) {
      return "field is absent (anything-but only matches a field that is present)";
    }
    return "field is absent";
  }
  if (isObj(val)) {
    const keys = Object.keys(val);
    if (keys.length === 1 && isTypeTag(keys[0]!)) {
      return `value is a DynamoDB attribute value ${show(val)}, an object: match inside its type descriptor, e.g. {"${keys[0]}": [...]}`;
    }
    if (ops.some((o) => o.kind === "exists" && o.value)) {
      return `value is an object ${show(val)}; exists only matches leaf values (string, number, boolean, null)`;
    }
    return `value is an object ${show(val)}; operators only match leaf values (string, number, boolean, null)`;
  }
  if (Array.isArray(val)) {
    const leaves: unknown[] = [];
    collectLeaves(val, leaves);
    if (leaves.length === 0) return `value ${show(val)} is an array with no values`;
    if (leaves.length === 1) return scalarReason(spec, leaves[0]);
    return `none of the array values ${show(leaves)} match ${ops.map((o) => o.source).join(", ")}`;
  }
  return scalarReason(spec, val);
}

function collectLeaves(arr: readonly unknown[], out: unknown[]): void {
  for (const e of flatten(arr)) if (!isObj(e) && e !== undefined) out.push(e);
}

/**
 * Elements of an array with nested arrays flattened (iteratively: no stack overflow on deep
 * nesting); an empty nested array becomes `undefined` (it holds no value).
 */
function flatten(arr: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  const work: (readonly unknown[])[] = [arr];
  for (let cur = work.pop(); cur !== undefined; cur = work.pop()) {
    if (cur.length === 0 && cur !== arr) out.push(undefined);
    for (const e of cur) {
      if (Array.isArray(e)) work.push(e);
      else out.push(e);
    }
  }
  return out;
}

function scalarReason(spec: LeafSpec, v: unknown): string {
  const ops = spec.operators;
  const exacts = ops.filter((o) => o.kind.startsWith("exact-"));
  const parts: string[] = [];
  if (exacts.length > 0) {
    let r = `${show(v)} is not one of [${exacts.map((o) => o.source).join(", ")}]`;
    if (
      typeof v === "string" &&
      v.trim() !== "" &&
      exacts.some((o) => o.kind === "exact-number" && o.value === Number(v))
    ) {
      r += " (the value is a string, the pattern lists a number)";
    } else if (
      typeof v === "number" &&
      exacts.some((o) => o.kind === "exact-string" && o.value.trim() !== "" && Number(o.value) === v)
    ) {
      r += " (the value is a number, the pattern lists a string)";
    }
    parts.push(r);
  }
  for (const op of ops) {
    if (op.kind.startsWith("exact-")) continue;
    const r = operatorReason(op, v, spec);
    if (r !== null) parts.push(r);
  }
  return parts.join("; ");
}

function operatorReason(op: Operator, v: unknown, spec: LeafSpec): string | null {
  const ic = (ignoreCase: boolean) => (ignoreCase ? " (ignoring case)" : "");
  switch (op.kind) {
    case "prefix":
      if (typeof v !== "string") return `prefix only matches strings; value is ${show(v)}`;
      return `${show(v)} does not start with ${show(op.value)}${ic(op.ignoreCase)}`;
    case "suffix":
      if (typeof v !== "string") return `suffix only matches strings; value is ${show(v)}`;
      return `${show(v)} does not end with ${show(op.value)}${ic(op.ignoreCase)}`;
    case "equals-ignore-case":
      if (typeof v !== "string") return `equals-ignore-case only matches strings; value is ${show(v)}`;
      return `${show(v)} does not equal ${show(op.value)} ignoring case`;
    case "wildcard":
      if (typeof v !== "string") return `wildcard only matches strings; value is ${show(v)}`;
      return `${show(v)} does not match wildcard ${show(op.value)}`;
    case "numeric": {
      if (typeof v === "number") return `${v} is not ${rangeText(op)}`;
      const last = spec.segments[spec.segments.length - 1];
      if (typeof v === "string" && (last === "N" || last === "NS")) {
        return "numeric operator never matches a DynamoDB N value, which is a string in stream records";
      }
      return `numeric only matches JSON numbers; value is ${show(v)} (${typeName(v)})`;
    }
    case "cidr": {
      const block = cidrText(op.source);
      if (typeof v !== "string") return `cidr only matches strings; value is ${show(v)}`;
      if (ipToHex(v) === undefined) return `${show(v)} is not an IP address (cidr ${block})`;
      return `${show(v)} is not in ${block}`;
    }
    case "anything-but":
    case "anything-but-set":
      return `${show(v)} is excluded by ${op.source}`;
    case "exists":
      return op.value ? null : `field is present (${show(v)}) but the pattern requires it to be absent`;
    default:
      return null;
  }
}

function rangeText(op: Operator & { kind: "numeric" }): string {
  if (op.lo === op.hi) return `= ${op.lo}`;
  const parts: string[] = [];
  if (op.lo !== -Infinity) parts.push(`${op.loOpen ? ">" : ">="} ${op.lo}`);
  if (op.hi !== Infinity) parts.push(`${op.hiOpen ? "<" : "<="} ${op.hi}`);
  return parts.join(" and ");
}

function cidrText(source: string): string {
  try {
    const parsed = JSON.parse(source) as { cidr?: unknown };
    return typeof parsed.cidr === "string" ? parsed.cidr : source;
  } catch {
    return source;
  }
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

/** Compact JSON rendering of an event value for messages. */
export function show(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/**
 * Match without array consistency (fields may be satisfied by different array elements), as
 * LocalStack's emulator does. Only used to annotate explanations.
 */
function looseNode(node: TrieNode, vals: readonly unknown[]): boolean {
  const objs: Obj[] = [];
  for (const x of flatten(vals)) {
    if (isObj(x)) objs.push(node.aliases.length > 0 && hasAlias(x, node.aliases) ? undot(x) : x);
  }
  for (const field of node.fields) {
    const fieldVals: unknown[] = [];
    for (const o of objs) {
      const fv = getField(o, field.key);
      if (fv !== undefined) fieldVals.push(fv);
    }
    if (
      field.leaf !== undefined &&
      !leafMatcher(field.leaf)(fieldVals.length === 0 ? undefined : fieldVals)
    ) {
      return false;
    }
    if (field.node !== undefined && !looseNode(field.node, fieldVals)) return false;
  }
  return true;
}
