/**
 * Compilation of validated rules into matcher closures (the fast path). The JSON pattern is walked
 * once here; evaluating an event only runs closures, without allocation in the common case.
 *
 * Semantics (aws/event-ruler, the engine behind EventBridge, which Lambda filtering follows):
 * - AND across fields, OR across the operators of a field, OR across `$or` branches;
 * - an event array matches when any element matches; a sub-pattern under an array must be
 *   satisfied by one single element (event-ruler's array consistency);
 * - paths are dot-joined: an event key `"a.b"` is the same field as `{"a":{"b":…}}`;
 * - operators only see leaf values (string, number, boolean, null); `exists:false` holds when the
 *   path has no leaf (missing, or an object, or an empty array).
 * The rule's path tree is built in ./trie; event objects are read through ./event-fields.
 */

import { getField, hasAlias, hasDottedKey, type Obj, PROTO_KEYS, undot } from "./event-fields.js";
import { ipInRange, ipToHex } from "./ip.js";
import type { TrieField, TrieNode } from "./trie.js";
import type { LeafSpec, Operator } from "./types.js";
import { parseWildcard, wildcardMatcher } from "./wildcard.js";

type Pred<T> = (v: T) => boolean;

/** Whether an operator list can match a missing field (only `exists:false` can). */
export function matchesMissing(ops: readonly Operator[]): boolean {
  return ops.some((o) => o.kind === "exists" && !o.value);
}

/** Compile one operator into a predicate over a leaf value, grouped by the value types it can match. */
function compileOperator(op: Operator): { str?: Pred<string>; num?: Pred<number>; any?: Pred<unknown> } {
  switch (op.kind) {
    case "exact-string":
    case "exact-number":
    case "exact-boolean":
    case "exact-null":
    case "exists":
      return {}; // handled by sets and flags in compileLeaf
    case "equals-ignore-case": {
      const lower = op.value.toLowerCase();
      return { str: (s) => s.toLowerCase() === lower };
    }
    case "prefix": {
      const p = op.value;
      if (!op.ignoreCase) return { str: (s) => s.startsWith(p) };
      const lower = p.toLowerCase();
      return { str: (s) => s.length >= p.length && s.slice(0, p.length).toLowerCase() === lower };
    }
    case "suffix": {
      const p = op.value;
      if (!op.ignoreCase) return { str: (s) => s.endsWith(p) };
      const lower = p.toLowerCase();
      return { str: (s) => s.length >= p.length && s.slice(s.length - p.length).toLowerCase() === lower };
    }
    case "wildcard": {
      const w = parseWildcard(op.value);
      // Validation guarantees the pattern parses.
      return w.ok ? { str: wildcardMatcher(w.pattern) } : {};
    }
    case "numeric": {
      const { lo, hi, loOpen, hiOpen } = op;
      if (lo === hi) return { num: (n) => n === lo };
      if (loOpen && hiOpen) return { num: (n) => n > lo && n < hi };
      if (loOpen) return { num: (n) => n > lo && n <= hi };
      if (hiOpen) return { num: (n) => n >= lo && n < hi };
      return { num: (n) => n >= lo && n <= hi };
    }
    case "cidr": {
      const { family, lo, hi } = op;
      return { str: (s) => ipInRange(s, family, lo, hi) };
    }
    case "anything-but": {
      if (op.strings.length === 1 && op.numbers.length === 0) {
        const only = op.strings[0]!;
        return { any: (v) => v !== only };
      }
      const strs = new Set(op.strings);
      const nums = new Set(op.numbers);
      return {
        any: (v) => !((typeof v === "string" && strs.has(v)) || (typeof v === "number" && nums.has(v))),
      };
    }
    case "anything-but-set": {
      const values = op.values;
      switch (op.form) {
        case "prefix":
          return { any: (v) => typeof v !== "string" || !values.some((p) => v.startsWith(p)) };
        case "suffix":
          return { any: (v) => typeof v !== "string" || !values.some((p) => v.endsWith(p)) };
        case "equals-ignore-case": {
          const lowers = new Set(values.map((x) => x.toLowerCase()));
          return { any: (v) => typeof v !== "string" || !lowers.has(v.toLowerCase()) };
        }
        case "wildcard": {
          const ms = values.map((x) => {
            const w = parseWildcard(x);
            return w.ok ? wildcardMatcher(w.pattern) : () => false;
          });
          return { any: (v) => typeof v !== "string" || !ms.some((m) => m(v)) };
        }
      }
    }
  }
}

/** Compile a leaf operator list into a predicate over the event value at the leaf's path. */
export function compileLeaf(spec: LeafSpec): Pred<unknown> {
  let existsTrue = false;
  let existsFalse = false;
  let nullOk = false;
  let trueOk = false;
  let falseOk = false;
  const strings: string[] = [];
  const numbers: number[] = [];
  const strOps: Pred<string>[] = [];
  const numOps: Pred<number>[] = [];
  const anyOps: Pred<unknown>[] = [];
  for (const op of spec.operators) {
    switch (op.kind) {
      case "exact-string":
        strings.push(op.value);
        if (op.ipHex !== undefined) {
          const hex = op.ipHex;
          strOps.push((s) => s.length <= 45 && ipToHex(s) === hex);
        }
        break;
      case "exact-number":
        numbers.push(op.value);
        break;
      case "exact-boolean":
        if (op.value) trueOk = true;
        else falseOk = true;
        break;
      case "exact-null":
        nullOk = true;
        break;
      case "exists":
        if (op.value) existsTrue = true;
        else existsFalse = true;
        break;
      default: {
        const c = compileOperator(op);
        if (c.str) strOps.push(c.str);
        if (c.num) numOps.push(c.num);
        if (c.any) anyOps.push(c.any);
      }
    }
  }
  const scalar = makeScalar(existsTrue, nullOk, trueOk, falseOk, strings, numbers, strOps, numOps, anyOps);

  // 2 = some leaf matched, 1 = leaves present but none matched, 0 = no leaf at all.
  // Nested arrays go to a work list (allocated only when present), so depth cannot overflow the stack.
  const scanArray = (arr: readonly unknown[]): number => {
    let seen = 0;
    let work: (readonly unknown[])[] | undefined;
    let cur: readonly unknown[] | undefined = arr;
    while (cur !== undefined) {
      for (let i = 0; i < cur.length; i++) {
        const e = cur[i];
        if (typeof e === "object" && e !== null) {
          if (Array.isArray(e)) {
            if (work === undefined) work = [];
            work.push(e);
          }
          continue; // objects are not leaves
        }
        if (e === undefined) continue;
        if (scalar(e)) return 2;
        seen = 1;
      }
      cur = work?.pop();
    }
    return seen;
  };

  return (v: unknown): boolean => {
    if (typeof v !== "object") return v === undefined ? existsFalse : scalar(v);
    if (v === null) return scalar(null);
    if (Array.isArray(v)) {
      const r = scanArray(v);
      return r === 2 || (r === 0 && existsFalse);
    }
    return existsFalse; // an object is not a leaf
  };
}

function makeScalar(
  existsTrue: boolean,
  nullOk: boolean,
  trueOk: boolean,
  falseOk: boolean,
  strings: string[],
  numbers: number[],
  strOps: Pred<string>[],
  numOps: Pred<number>[],
  anyOps: Pred<unknown>[],
): Pred<unknown> {
  if (existsTrue) return () => true;
  const nStr = strOps.length;
  const nNum = numOps.length;
  const nAny = anyOps.length;
  // Fast paths for the most common shapes.
  if (nNum === 0 && nAny === 0 && numbers.length === 0 && !nullOk && !trueOk && !falseOk) {
    if (strings.length === 1 && nStr === 0) {
      const only = strings[0]!;
      return (v) => v === only;
    }
    if (strings.length === 0 && nStr === 1) {
      const op = strOps[0]!;
      return (v) => typeof v === "string" && op(v);
    }
  }
  if (strings.length === 0 && numbers.length === 0 && nStr === 0 && nNum === 0 && nAny === 1) {
    if (!nullOk && !trueOk && !falseOk) return anyOps[0]!;
  }
  const strSet = strings.length > 1 ? new Set(strings) : null;
  const strOne = strings.length === 1 ? strings[0]! : undefined;
  const numSet = numbers.length > 0 ? new Set(numbers) : null;
  return (v) => {
    switch (typeof v) {
      case "string":
        if (v === strOne || strSet?.has(v)) return true;
        for (let i = 0; i < nStr; i++) if (strOps[i]!(v)) return true;
        break;
      case "number":
        if (numSet?.has(v)) return true;
        for (let i = 0; i < nNum; i++) if (numOps[i]!(v)) return true;
        break;
      case "boolean":
        if (v ? trueOk : falseOk) return true;
        break;
      default:
        if (v === null && nullOk) return true;
    }
    for (let i = 0; i < nAny; i++) if (anyOps[i]!(v)) return true;
    return false;
  };
}

/** Compile a path-tree node into a predicate over the event value at that node. */
export function compileNode(node: TrieNode): Pred<unknown> {
  const fields = node.fields.map(compileField);
  const n = fields.length;
  const aliases = node.aliases;
  const nAlias = aliases.length;
  // Merging dotted event keys only adds values, which can turn a failure into a match but never
  // the reverse, except for exists:false. So a passing node needs no alias probe unless its
  // sub-tree has an exists:false.
  const absentBelow = hasAbsenceTest(node);
  let matchObj: (o: Obj | undefined) => boolean;
  if (n === 1) matchObj = fields[0]!;
  else if (n === 2) {
    const f0 = fields[0]!;
    const f1 = fields[1]!;
    matchObj = (o) => f0(o) && f1(o);
  } else {
    matchObj = (o) => {
      for (let i = 0; i < n; i++) if (!fields[i]!(o)) return false;
      return true;
    };
  }
  const matchArray = (arr: readonly unknown[]): boolean => {
    // Any element must match the whole node; nested arrays are flattened through a work list.
    let work: (readonly unknown[])[] | undefined;
    let cur: readonly unknown[] | undefined = arr;
    while (cur !== undefined) {
      if (cur.length === 0 && matchObj(undefined)) return true;
      for (let i = 0; i < cur.length; i++) {
        const e = cur[i];
        if (Array.isArray(e)) {
          if (work === undefined) work = [];
          work.push(e);
        } else if (m(e)) return true;
      }
      cur = work?.pop();
    }
    return false;
  };
  const m = (v: unknown): boolean => {
    if (typeof v === "object" && v !== null) {
      if (Array.isArray(v)) return matchArray(v);
      const o = v as Obj;
      if (nAlias === 0) return matchObj(o);
      if (absentBelow) return matchObj(hasDottedKey(o) && hasAlias(o, aliases) ? undot(o) : o);
      return matchObj(o) || (hasDottedKey(o) && hasAlias(o, aliases) && matchObj(undot(o)));
    }
    return matchObj(undefined);
  };
  return m;
}

/** Whether an `exists:false` test occurs in the node's sub-tree. */
function hasAbsenceTest(node: TrieNode): boolean {
  return node.fields.some(
    (f) =>
      (f.leaf !== undefined && matchesMissing(f.leaf.operators)) ||
      (f.node !== undefined && hasAbsenceTest(f.node)),
  );
}

function compileField(field: TrieField): (o: Obj | undefined) => boolean {
  const key = field.key;
  const leaf = field.leaf !== undefined ? compileLeaf(field.leaf) : undefined;
  const child = field.node !== undefined ? compileNode(field.node) : undefined;
  if (PROTO_KEYS.has(key)) {
    return (o) => {
      const v = getField(o, key);
      return (leaf === undefined || leaf(v)) && (child === undefined || child(v));
    };
  }
  if (leaf !== undefined && child === undefined) return (o) => leaf(o === undefined ? undefined : o[key]);
  if (leaf === undefined && child !== undefined) return (o) => child(o === undefined ? undefined : o[key]);
  return (o) => {
    const v = o === undefined ? undefined : o[key];
    return (leaf === undefined || leaf(v)) && (child === undefined || child(v));
  };
}

/** Compile expanded rules into one predicate over a whole event (OR across rules). */
export function compileRules(tries: readonly TrieNode[]): Pred<unknown> {
  const ms = tries.map(compileNode);
  if (ms.length === 1) return ms[0]!;
  const n = ms.length;
  return (e) => {
    for (let i = 0; i < n; i++) if (ms[i]!(e)) return true;
    return false;
  };
}
