/**
 * DynamoDB attribute values, driven by one table of the ten types ({@link TYPES}): per type tag its
 * validation, its plain-JSON writer, its typed (DynamoDB JSON) writer, its equality and its JSON form.
 * Every function here that depends on a value's type dispatches through the table. The value type is
 * in core/attr-types.ts, the scalar helpers (binary, numbers) in core/attr-scalars.ts, reading input
 * with messages in core/attr-input.ts; this module re-exports the first two.
 */
import type { Binary } from "./attr-scalars.js";
import {
  binaryEquals,
  DECIMAL_ONLY,
  JSON_NUMBER,
  jsonString,
  normalizeNumber,
  numbersEqual,
  toBase64,
  toBytes,
} from "./attr-scalars.js";
import type { AttributeMap, AttributeValue, TagValues, TypeTag } from "./attr-types.js";
import { tagged, tagOf, valueAt } from "./attr-types.js";

export * from "./attr-scalars.js";
export * from "./attr-types.js";

// ---------------------------------------------------------------------------------------------------
// JSON text. Writers build text directly (no intermediate objects, no JSON.stringify of the whole
// thing); JSON.stringify is only used to quote strings, where V8's native escaping is fastest.

const quote = jsonString;

/**
 * Quoted attribute names followed by `:`, memoised: item schemas repeat the same few names on every
 * record. Bounded so a table with unbounded dynamic names cannot grow it without limit.
 */
const keyCache = new Map<string, string>();
const KEY_CACHE_MAX = 10_000;

function jsonKey(k: string): string {
  let q = keyCache.get(k);
  if (q === undefined) {
    q = jsonString(k) + ":";
    if (keyCache.size < KEY_CACHE_MAX) keyCache.set(k, q);
  }
  return q;
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return "null";
  }
}

/** A JSON array of `l`, each element written by `one`. */
function arrayJson<T>(l: readonly T[], one: (x: T) => string): string {
  if (l.length === 0) return "[]";
  let out = "[" + one(l[0] as T);
  for (let i = 1; i < l.length; i++) out += "," + one(l[i] as T);
  return out + "]";
}

/** A JSON object of `m`, each value written by `one`. */
function mapJson(m: AttributeMap, one: (av: AttributeValue) => string): string {
  let out = "{";
  let first = true;
  for (const k in m) {
    out += (first ? "" : ",") + jsonKey(k) + one(m[k] as AttributeValue);
    first = false;
  }
  return out + "}";
}

const plainNumber = (n: string): string => (JSON_NUMBER.test(n) ? n : quote(n));
const binaryJson = (b: Binary): string => quote(toBase64(b));
const stringsJson = (l: readonly string[]): string => arrayJson(l, quote);

// ---------------------------------------------------------------------------------------------------
// The table of the ten types

/** Everything this module does with the values of one type tag. */
export interface TypeRow<T> {
  /** Whether `v`, the value under the tag (parsed JSON or SDK), is well-formed; containers deeply. */
  valid(v: unknown): boolean;
  /** What the value must be, for messages: `N must be a string, got number 5`. */
  expected: string;
  /** Whether `v` has the JS type `expected` names (when it has but is not valid, see below). */
  shaped(v: unknown): boolean;
  /** Sets: whether one element is valid (a message names the first that is not). */
  element?(e: unknown): boolean;
  /** Scalars that are shaped but not valid: what they are not (`N "abc" is not a number`). */
  not?: string;
  /** Plain (unmarshalled) JSON text: numbers verbatim, binary base64, sets arrays, NULL null. */
  plain(v: T): string;
  /** Typed DynamoDB JSON text of the value, the part after `{"<tag>":`. */
  typed(v: T): string;
  /** Equality with DynamoDB semantics (numbers numerically, binary by bytes, sets as sets). */
  equals(a: T, b: T): boolean;
  /** The JSON form (binary as base64 text): `v` itself when it is in that form already. */
  json(v: T): T;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isDecimal = (v: unknown): boolean => typeof v === "string" && DECIMAL_ONLY.test(v);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const isBinary = (v: unknown): boolean =>
  v instanceof Uint8Array || (typeof v === "string" && BASE64.test(v));

/** A JSON object (not null, an array or bytes). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

function allMatch(v: unknown, ok: (e: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!ok(v[i])) return false;
  return true;
}

/** Sets this small are compared element by element (no Set made): most sets are a few tags or ids. */
const SMALL_SET = 8;

function setEquals(a: readonly string[], b: readonly string[], key: (s: string) => string): boolean {
  if (a.length <= SMALL_SET && b.length <= SMALL_SET) {
    const ka = key === same ? a : a.map(key);
    const kb = key === same ? b : b.map(key);
    // Equal as sets (order and duplicates ignored): each holds every element of the other.
    for (const x of ka) if (!kb.includes(x)) return false;
    for (const y of kb) if (!ka.includes(y)) return false;
    return true;
  }
  const sa = new Set<string>();
  for (const x of a) sa.add(key(x));
  const sb = new Set<string>();
  for (const x of b) {
    const k = key(x);
    if (!sa.has(k)) return false;
    sb.add(k);
  }
  return sa.size === sb.size;
}

const same = <T>(v: T): T => v;
const identical = <T>(a: T, b: T): boolean => a === b;
const b64Key = (b: Binary): string => toBase64(typeof b === "string" ? toBytes(b) : b);

/** The array `l` with `f` applied, or `l` itself when `f` changed no element. */
function mapSame<T>(l: T[], f: (x: T) => T): T[] {
  for (let i = 0; i < l.length; i++) {
    if (f(l[i] as T) !== l[i]) return l.map(f);
  }
  return l;
}

/** A set row: an array of elements that `element` accepts. */
function setRow<T>(
  element: (e: unknown) => boolean,
  row: Pick<TypeRow<T[]>, "plain" | "typed" | "equals" | "json">,
): TypeRow<T[]> {
  return { valid: (v) => allMatch(v, element), expected: "an array", shaped: Array.isArray, element, ...row };
}

/**
 * The ten types, one row each: validation, plain JSON, typed JSON, equality and the JSON form. Every
 * function below that looks at a value's type dispatches through this table.
 */
const TYPES: { readonly [K in TypeTag]: TypeRow<TagValues[K]> } = {
  S: {
    valid: isString,
    expected: "a string",
    shaped: isString,
    plain: quote,
    typed: quote,
    equals: identical,
    json: same,
  },
  N: {
    valid: isDecimal,
    expected: "a string",
    shaped: isString,
    not: "a number",
    plain: plainNumber,
    typed: quote,
    equals: numbersEqual,
    json: same,
  },
  B: {
    valid: isBinary,
    expected: "base64 text",
    shaped: isBinary,
    plain: binaryJson,
    typed: binaryJson,
    equals: binaryEquals,
    json: toBase64,
  },
  SS: setRow(isString, {
    plain: stringsJson,
    typed: stringsJson,
    equals: (a, b) => setEquals(a, b, same),
    json: same,
  }),
  NS: setRow(isDecimal, {
    plain: (l) => arrayJson(l, plainNumber),
    typed: stringsJson,
    equals: (a, b) => setEquals(a, b, normalizeNumber),
    json: same,
  }),
  BS: setRow<Binary>(isBinary, {
    plain: (l) => arrayJson(l, binaryJson),
    typed: (l) => arrayJson(l, binaryJson),
    equals: (a, b) => setEquals(a.map(b64Key), b.map(b64Key), same),
    json: (l) => mapSame(l, toBase64),
  }),
  M: {
    valid: isAttributeMap,
    expected: "an object",
    shaped: isPlainObject,
    plain: plainJsonMap,
    typed: dynamodbJsonMap,
    equals: attributeMapEquals,
    json: toJsonAttributeMap,
  },
  L: {
    valid: (v) => allMatch(v, isAttributeValue),
    expected: "an array",
    shaped: Array.isArray,
    plain: (l) => arrayJson(l, plainJsonValue),
    typed: (l) => arrayJson(l, dynamodbJsonValue),
    equals: (a, b) => a.length === b.length && a.every((x, i) => attributeEquals(x, b[i] as AttributeValue)),
    json: (l) => mapSame(l, toJsonAttributeValue),
  },
  NULL: {
    valid: (v) => v === true,
    expected: "true",
    shaped: (v) => v === true,
    plain: () => "null",
    typed: String,
    equals: () => true,
    json: same,
  },
  BOOL: {
    valid: isBoolean,
    expected: "true or false",
    shaped: isBoolean,
    plain: String,
    typed: String,
    equals: identical,
    json: same,
  },
};

/** The row of `t`, for a value whose tag is only known at run time (rows differ in their value type). */
export function typeRow(t: TypeTag): TypeRow<unknown> {
  return TYPES[t] as TypeRow<unknown>;
}

/** Whether `k` is one of the ten type tags. */
export function isTypeTag(k: string): k is TypeTag {
  return ROWS.has(k);
}

/** The rows by tag, for tags read from input (a Map: no inherited keys such as `toString`). */
const ROWS: ReadonlyMap<string, TypeRow<unknown>> = new Map(Object.entries(TYPES));

/** Opening text of each tag's typed JSON, `{"S":`. */
const OPEN = Object.fromEntries(Object.keys(TYPES).map((t) => [t, `{${JSON.stringify(t)}:`])) as Record<
  TypeTag,
  string
>;

/** An SDK `$unknown` member (a tag this code does not know) is kept as `{"<tag>": value}`. */
function unknownJson(av: AttributeValue): string {
  const u = av.$unknown;
  if (u === undefined) return "null";
  return "{" + quote(String(u[0])) + ":" + safeStringify(u[1]) + "}";
}

// ---------------------------------------------------------------------------------------------------
// Writers

/**
 * Plain (unmarshalled) JSON text of one attribute value, lossless: numbers are JSON number tokens with
 * exactly the digits DynamoDB sent (a numeric string that is not a valid JSON number token, such as
 * `.5`, is written as a JSON string); binary → base64 string; sets → arrays in service order; NULL →
 * null; BOOL → boolean.
 *
 * @example plainJsonValue({ N: "12345678901234567890.123456789" }) // '12345678901234567890.123456789'
 */
export function plainJsonValue(av: AttributeValue): string {
  const t = tagOf(av);
  return t === "$unknown" ? unknownJson(av) : typeRow(t).plain(valueAt(av, t));
}

/** Plain (unmarshalled) JSON text of an attribute map (item, keys, image); see {@link plainJsonValue}. */
export function plainJsonMap(m: AttributeMap): string {
  return mapJson(m, plainJsonValue);
}

/**
 * Typed DynamoDB JSON text of one attribute value (`{"N":"1"}`, B as base64); parsing it back gives
 * the same value (with binary as base64 strings).
 *
 * @example dynamodbJsonValue({ N: "1.0" }) // '{"N":"1.0"}'
 */
export function dynamodbJsonValue(av: AttributeValue): string {
  const t = tagOf(av);
  return t === "$unknown" ? unknownJson(av) : OPEN[t] + typeRow(t).typed(valueAt(av, t)) + "}";
}

/** Typed DynamoDB JSON text of an attribute map; see {@link dynamodbJsonValue}. */
export function dynamodbJsonMap(m: AttributeMap): string {
  return mapJson(m, dynamodbJsonValue);
}

// One pass, two texts: tail's JSON line carries every image twice (plain, and typed inside the
// Lambda-shaped `record`), so the writers below produce both at once, sharing the traversal, the
// attribute-name quoting and the string escaping. The plain text is returned; the typed text of the
// same value is left in `typedOut` for the caller to pick up immediately.
let typedOut = "";

function bothValue(av: AttributeValue): string {
  // Strings are most values: written without the table's lookups.
  if (av.S !== undefined) {
    const p = quote(av.S);
    typedOut = '{"S":' + p + "}";
    return p;
  }
  const t = tagOf(av);
  if (t === "M") {
    const p = bothMap(av.M as AttributeMap);
    typedOut = '{"M":' + typedOut + "}";
    return p;
  }
  if (t === "L") {
    const l = av.L as AttributeValue[];
    let p = "[";
    let typed = '{"L":[';
    for (let i = 0; i < l.length; i++) {
      p += (i === 0 ? "" : ",") + bothValue(l[i] as AttributeValue);
      typed += (i === 0 ? "" : ",") + typedOut;
    }
    typedOut = typed + "]}";
    return p + "]";
  }
  if (t === "$unknown") {
    typedOut = unknownJson(av);
    return typedOut;
  }
  const row = typeRow(t);
  const v = valueAt(av, t);
  const p = row.plain(v);
  typedOut = OPEN[t] + (row.typed === row.plain ? p : row.typed(v)) + "}";
  return p;
}

function bothMap(m: AttributeMap): string {
  let p = "{";
  let typed = "{";
  let first = true;
  for (const k in m) {
    const kq = jsonKey(k);
    p += (first ? "" : ",") + kq + bothValue(m[k] as AttributeValue);
    typed += (first ? "" : ",") + kq + typedOut;
    first = false;
  }
  typedOut = typed + "}";
  return p + "}";
}

/**
 * Both JSON texts of a map in one pass: `plain` equals {@link plainJsonMap}, `typed` equals
 * {@link dynamodbJsonMap}. For writers that need both (tail's NDJSON line).
 */
export function plainAndDynamodbJsonMap(m: AttributeMap): { plain: string; typed: string } {
  const plain = bothMap(m);
  return { plain, typed: typedOut };
}

// ---------------------------------------------------------------------------------------------------
// Equality

/**
 * Deep value equality with DynamoDB semantics: numbers by numeric value, binary by bytes, sets as sets
 * (order and duplicates ignored), lists by position, maps by key (order ignored).
 */
export function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  const t = tagOf(a);
  if (t !== tagOf(b)) return false;
  if (t === "$unknown") return safeStringify(a.$unknown) === safeStringify(b.$unknown);
  return typeRow(t).equals(valueAt(a, t), valueAt(b, t));
}

/** Deep equality of two attribute maps (see {@link attributeEquals}). */
export function attributeMapEquals(a: AttributeMap, b: AttributeMap): boolean {
  let n = 0;
  for (const k in a) {
    const y = b[k];
    if (y === undefined || !attributeEquals(a[k] as AttributeValue, y)) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

// ---------------------------------------------------------------------------------------------------
// Validation and the JSON form

/** Whether `x` is one well-formed attribute value: exactly one type tag, holding a valid value. */
function isAttributeValue(x: unknown): boolean {
  // An array or bytes fails below too: their keys are indexes, which are no tag.
  if (typeof x !== "object" || x === null) return false;
  let tag: string | undefined;
  for (const k in x) {
    if (tag !== undefined) return false;
    tag = k;
  }
  const row = tag === undefined ? undefined : ROWS.get(tag);
  return row?.valid((x as Record<string, unknown>)[tag as string]) === true;
}

/**
 * Whether `x` is a well-formed attribute map as it stands (parsed JSON or SDK values): the fast check
 * for input that needs no copy. {@link readAttributeMap} says what is wrong, and also takes values
 * with null descriptors.
 */
export function isAttributeMap(x: unknown): x is AttributeMap {
  if (!isPlainObject(x)) return false;
  for (const k in x) if (!isAttributeValue(x[k])) return false;
  return true;
}

/** `av` in its JSON form (every binary as base64 text): `av` itself when it has no bytes. */
export function toJsonAttributeValue(av: AttributeValue): AttributeValue {
  const t = tagOf(av);
  if (t === "$unknown") return av;
  const v = valueAt(av, t);
  const j = typeRow(t).json(v);
  return j === v ? av : tagged(t, j);
}

/** A map in its JSON form (every binary as base64 text): `m` itself when it has no bytes. */
export function toJsonAttributeMap(m: AttributeMap): AttributeMap {
  let out: AttributeMap | undefined;
  for (const k in m) {
    const v = m[k] as AttributeValue;
    const j = toJsonAttributeValue(v);
    if (j !== v && out === undefined) out = { ...m };
    if (out !== undefined) out[k] = j;
  }
  return out ?? m;
}
