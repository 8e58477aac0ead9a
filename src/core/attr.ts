/**
 * DynamoDB attribute values: our own type (no SDK import, so the core stays pure) and lossless writers.
 *
 * The type mirrors the SDK's `AttributeValue` union member by member (each member forbids the other
 * tags with `?: never`), so an SDK value is assignable to ours without a cast, and `av.S !== undefined`
 * style checks narrow. `B` is a `Uint8Array` when it comes from the SDK (the client base64-decodes it)
 * and a base64 `string` when it comes from a Lambda event or a JSON file.
 */

/** Binary: bytes from the SDK, or base64 text from JSON (Lambda events, files). */
export type Binary = Uint8Array | string;

interface NoTags {
  S?: never;
  N?: never;
  B?: never;
  SS?: never;
  NS?: never;
  BS?: never;
  M?: never;
  L?: never;
  NULL?: never;
  BOOL?: never;
  $unknown?: never;
}

/** `{"S": "text"}` */
export interface SValue extends Omit<NoTags, "S"> {
  S: string;
}
/** `{"N": "12.5"}`: numbers are strings, up to 38 significant digits. */
export interface NValue extends Omit<NoTags, "N"> {
  N: string;
}
/** `{"B": bytes}` */
export interface BValue extends Omit<NoTags, "B"> {
  B: Binary;
}
/** `{"SS": ["a", "b"]}` */
export interface SSValue extends Omit<NoTags, "SS"> {
  SS: string[];
}
/** `{"NS": ["1", "2"]}` */
export interface NSValue extends Omit<NoTags, "NS"> {
  NS: string[];
}
/** `{"BS": [bytes, ...]}` */
export interface BSValue extends Omit<NoTags, "BS"> {
  BS: Binary[];
}
/** `{"M": {...}}` */
export interface MValue extends Omit<NoTags, "M"> {
  M: AttributeMap;
}
/** `{"L": [...]}` */
export interface LValue extends Omit<NoTags, "L"> {
  L: AttributeValue[];
}
/** `{"NULL": true}` */
export interface NULLValue extends Omit<NoTags, "NULL"> {
  NULL: boolean;
}
/** `{"BOOL": true}` */
export interface BOOLValue extends Omit<NoTags, "BOOL"> {
  BOOL: boolean;
}
/** The SDK's catch-all for a tag it does not know (`$unknown: [tag, value]`). */
export interface UnknownValue extends Omit<NoTags, "$unknown"> {
  $unknown: [string, unknown];
}

/** One DynamoDB attribute value; structurally compatible with `@aws-sdk/client-dynamodb(-streams)`. */
export type AttributeValue =
  | SValue
  | NValue
  | BValue
  | SSValue
  | NSValue
  | BSValue
  | MValue
  | LValue
  | NULLValue
  | BOOLValue
  | UnknownValue;

/** An item, a key or a stream image: attribute name → value. */
export type AttributeMap = Record<string, AttributeValue>;

/** The type tag of an attribute value. */
export type AttributeTag = "S" | "N" | "B" | "SS" | "NS" | "BS" | "M" | "L" | "NULL" | "BOOL" | "$unknown";

/** The tag of `av`, tested in rough order of frequency (this is on the hot path). */
export function tagOf(av: AttributeValue): AttributeTag {
  if (av.S !== undefined) return "S";
  if (av.N !== undefined) return "N";
  if (av.M !== undefined) return "M";
  if (av.L !== undefined) return "L";
  if (av.BOOL !== undefined) return "BOOL";
  if (av.NULL !== undefined) return "NULL";
  if (av.B !== undefined) return "B";
  if (av.SS !== undefined) return "SS";
  if (av.NS !== undefined) return "NS";
  if (av.BS !== undefined) return "BS";
  return "$unknown";
}

// ---------------------------------------------------------------------------------------------------
// Binary

/** Base64 text of a binary value. A string is taken to be base64 already and returned unchanged. */
export function toBase64(b: Binary): string {
  if (typeof b === "string") return b;
  // Small values (hashes, ids) are common; a Buffer per value costs more than encoding them here.
  if (b.byteLength <= 48) return smallBase64(b);
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function smallBase64(b: Uint8Array): string {
  let out = "";
  const n = b.byteLength;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = ((b[i] as number) << 16) | ((b[i + 1] as number) << 8) | (b[i + 2] as number);
    out += B64[v >> 18] + (B64[(v >> 12) & 63] as string) + B64[(v >> 6) & 63] + B64[v & 63];
  }
  if (i < n) {
    const x = b[i] as number;
    const y = i + 1 < n ? (b[i + 1] as number) : 0;
    const v = (x << 16) | (y << 8);
    out += (B64[v >> 18] as string) + B64[(v >> 12) & 63] + (i + 1 < n ? B64[(v >> 6) & 63] : "=") + "=";
  }
  return out;
}

/** The bytes of a binary value (a string is decoded as base64). */
export function toBytes(b: Binary): Uint8Array {
  return typeof b === "string" ? Buffer.from(b, "base64") : b;
}

/** Number of bytes a binary value holds, without decoding base64 text. */
export function byteLength(b: Binary): number {
  if (typeof b !== "string") return b.byteLength;
  let len = b.length;
  while (len > 0 && (b.charCodeAt(len - 1) === 61 /* = */ || b.charCodeAt(len - 1) <= 32)) len--;
  return Math.floor((len * 3) / 4);
}

/** Whether two binary values hold the same bytes (base64 text and bytes compare by content). */
export function binaryEquals(a: Binary, b: Binary): boolean {
  if (typeof a === "string" && typeof b === "string" && a === b) return true;
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.byteLength !== y.byteLength) return false;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Numbers

/** A JSON number token (RFC 8259): what plain JSON may write verbatim. `1E+40` yes; `.5`, `5.`, `+1` no. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Whether `s` can be written as a JSON number token exactly as it is. */
export function isJsonNumberToken(s: string): boolean {
  return JSON_NUMBER.test(s);
}

/** Lenient decimal syntax, as DynamoDB accepts on input (`+1`, `.5`, `5.`, `1e3`). */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Whether `s` is a decimal number DynamoDB could have stored (used to validate input files). */
export function isDecimalString(s: string): boolean {
  const m = DECIMAL.exec(s);
  return m !== null && ((m[2] ?? "") !== "" || (m[3] ?? "") !== "");
}

/**
 * A canonical form of a decimal string for comparison: `"1.0"`, `"1"`, `"10E-1"` and `"+1"` all give
 * `"1e0"`; `"-0"` and `"0.00"` give `"0"`. DynamoDB itself normalises numbers (it drops trailing zeros
 * and would store `1.0` as `1`), but files and other tools may not. Not a decimal → returned unchanged.
 */
export function normalizeNumber(s: string): string {
  const m = DECIMAL.exec(s);
  if (m === null) return s;
  const intPart = m[2] ?? "";
  const frac = m[3] ?? "";
  if (intPart === "" && frac === "") return s;
  let digits = intPart + frac;
  let exp = (m[4] === undefined ? 0 : Number.parseInt(m[4], 10)) - frac.length;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  if (start === digits.length) return "0";
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end--;
  exp += digits.length - end;
  digits = digits.slice(start, end);
  return `${m[1] === "-" ? "-" : ""}${digits}e${exp}`;
}

/**
 * The form DynamoDB itself sends numbers in: no exponent, no leading zeros, no trailing fractional
 * zeros, no `-0`. Two such strings are numerically equal only if they are identical.
 */
const CANONICAL_NUMBER = /^(?:0|-?[1-9]\d*(?:\.\d*[1-9])?|-?0\.\d*[1-9])$/;

/** Numeric equality of two DynamoDB number strings, exact (never through a JS double). */
export function numbersEqual(a: string, b: string): boolean {
  if (a === b) return true;
  if (CANONICAL_NUMBER.test(a) && CANONICAL_NUMBER.test(b)) return false;
  return normalizeNumber(a) === normalizeNumber(b);
}

// ---------------------------------------------------------------------------------------------------
// Equality

function setEquals(a: readonly string[], b: readonly string[], key: (s: string) => string): boolean {
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

const same = (s: string): string => s;
const b64Key = (b: Binary): string => toBase64(typeof b === "string" ? toBytes(b) : b);

/**
 * Deep value equality with DynamoDB semantics: numbers by numeric value, binary by bytes, sets as sets
 * (order and duplicates ignored), lists by position, maps by key (order ignored).
 */
export function attributeEquals(a: AttributeValue, b: AttributeValue): boolean {
  const t = tagOf(a);
  if (t !== tagOf(b)) return false;
  switch (t) {
    case "S":
      return a.S === b.S;
    case "N":
      return numbersEqual(a.N as string, b.N as string);
    case "BOOL":
      return a.BOOL === b.BOOL;
    case "NULL":
      return true;
    case "B":
      return binaryEquals(a.B as Binary, b.B as Binary);
    case "SS":
      return setEquals(a.SS as string[], b.SS as string[], same);
    case "NS":
      return setEquals(a.NS as string[], b.NS as string[], normalizeNumber);
    case "BS":
      return setEquals((a.BS as Binary[]).map(b64Key), (b.BS as Binary[]).map(b64Key), same);
    case "L": {
      const x = a.L as AttributeValue[];
      const y = b.L as AttributeValue[];
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++)
        if (!attributeEquals(x[i] as AttributeValue, y[i] as AttributeValue)) return false;
      return true;
    }
    case "M":
      return attributeMapEquals(a.M as AttributeMap, b.M as AttributeMap);
    case "$unknown":
      return safeStringify(a.$unknown) === safeStringify(b.$unknown);
  }
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
// Lossless JSON writers. They build text directly (no intermediate objects, no JSON.stringify of the
// whole thing); JSON.stringify is only used to quote strings, where V8's native escaping is fastest.

/** Characters that JSON.stringify would escape (and surrogates, which it escapes when lone). */
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A JSON string literal for `s`. Most strings need no escaping, and a regex test plus concatenation is
 * about twice as fast as `JSON.stringify` on short strings; anything else goes to JSON.stringify
 * (which also writes lone surrogates as `\udxxx`, so the text stays valid UTF-8).
 */
export function jsonString(s: string): string {
  return NEEDS_JSON_ESCAPE.test(s) ? JSON.stringify(s) : '"' + s + '"';
}

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

const quote = jsonString;

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? "null";
  } catch {
    return "null";
  }
}

function plainNumber(n: string): string {
  return JSON_NUMBER.test(n) ? n : quote(n);
}

/** Plain (unmarshalled) JSON text of one attribute value. */
export function plainJsonValue(av: AttributeValue): string {
  if (av.S !== undefined) return quote(av.S);
  if (av.N !== undefined) return plainNumber(av.N);
  if (av.M !== undefined) return plainJsonMap(av.M);
  if (av.L !== undefined) {
    const l = av.L;
    if (l.length === 0) return "[]";
    let out = "[" + plainJsonValue(l[0] as AttributeValue);
    for (let i = 1; i < l.length; i++) out += "," + plainJsonValue(l[i] as AttributeValue);
    return out + "]";
  }
  if (av.BOOL !== undefined) return av.BOOL ? "true" : "false";
  if (av.NULL !== undefined) return "null";
  if (av.B !== undefined) return quote(toBase64(av.B));
  if (av.SS !== undefined) return stringArray(av.SS);
  if (av.NS !== undefined) {
    const l = av.NS;
    if (l.length === 0) return "[]";
    let out = "[" + plainNumber(l[0] as string);
    for (let i = 1; i < l.length; i++) out += "," + plainNumber(l[i] as string);
    return out + "]";
  }
  if (av.BS !== undefined) return binaryArray(av.BS);
  return unknownJson(av);
}

/** Plain (unmarshalled) JSON text of an attribute map (item, keys, image). */
export function plainJsonMap(m: AttributeMap): string {
  let out = "{";
  let first = true;
  for (const k in m) {
    out += (first ? "" : ",") + jsonKey(k) + plainJsonValue(m[k] as AttributeValue);
    first = false;
  }
  return out + "}";
}

/** Typed DynamoDB JSON text of one attribute value (`{"N":"1"}`, B as base64); round-trips exactly. */
export function dynamodbJsonValue(av: AttributeValue): string {
  if (av.S !== undefined) return '{"S":' + quote(av.S) + "}";
  if (av.N !== undefined) return '{"N":' + quote(av.N) + "}";
  if (av.M !== undefined) return '{"M":' + dynamodbJsonMap(av.M) + "}";
  if (av.L !== undefined) {
    const l = av.L;
    if (l.length === 0) return '{"L":[]}';
    let out = '{"L":[' + dynamodbJsonValue(l[0] as AttributeValue);
    for (let i = 1; i < l.length; i++) out += "," + dynamodbJsonValue(l[i] as AttributeValue);
    return out + "]}";
  }
  if (av.BOOL !== undefined) return av.BOOL ? '{"BOOL":true}' : '{"BOOL":false}';
  if (av.NULL !== undefined) return av.NULL ? '{"NULL":true}' : '{"NULL":false}';
  if (av.B !== undefined) return '{"B":' + quote(toBase64(av.B)) + "}";
  if (av.SS !== undefined) return '{"SS":' + stringArray(av.SS) + "}";
  if (av.NS !== undefined) return '{"NS":' + stringArray(av.NS) + "}";
  if (av.BS !== undefined) return '{"BS":' + binaryArray(av.BS) + "}";
  return unknownJson(av);
}

/** Typed DynamoDB JSON text of an attribute map. */
export function dynamodbJsonMap(m: AttributeMap): string {
  let out = "{";
  let first = true;
  for (const k in m) {
    out += (first ? "" : ",") + jsonKey(k) + dynamodbJsonValue(m[k] as AttributeValue);
    first = false;
  }
  return out + "}";
}

function stringArray(l: readonly string[]): string {
  if (l.length === 0) return "[]";
  let out = "[" + quote(l[0] as string);
  for (let i = 1; i < l.length; i++) out += "," + quote(l[i] as string);
  return out + "]";
}

function binaryArray(l: readonly Binary[]): string {
  if (l.length === 0) return "[]";
  let out = "[" + quote(toBase64(l[0] as Binary));
  for (let i = 1; i < l.length; i++) out += "," + quote(toBase64(l[i] as Binary));
  return out + "]";
}

/** An SDK `$unknown` member (a tag this code does not know) is kept as `{"<tag>": value}`. */
function unknownJson(av: AttributeValue): string {
  const u = av.$unknown;
  if (u === undefined) return "null";
  return "{" + quote(String(u[0])) + ":" + safeStringify(u[1]) + "}";
}

// One pass, two texts: tail's JSON line carries every image twice (plain, and typed inside the
// Lambda-shaped `record`), so the writers below produce both at once, sharing the traversal, the
// attribute-name quoting and the string escaping. The plain text is returned; the typed text of the
// same value is left in `typedOut` for the caller to pick up immediately.
let typedOut = "";

function bothValue(av: AttributeValue): string {
  if (av.S !== undefined) {
    const q = quote(av.S);
    typedOut = '{"S":' + q + "}";
    return q;
  }
  if (av.N !== undefined) {
    const n = av.N;
    if (JSON_NUMBER.test(n)) {
      typedOut = '{"N":"' + n + '"}';
      return n;
    }
    const q = quote(n);
    typedOut = '{"N":' + q + "}";
    return q;
  }
  if (av.M !== undefined) {
    const p = bothMap(av.M);
    typedOut = '{"M":' + typedOut + "}";
    return p;
  }
  if (av.L !== undefined) {
    const l = av.L;
    let p = "[";
    let t = '{"L":[';
    for (let i = 0; i < l.length; i++) {
      p += (i === 0 ? "" : ",") + bothValue(l[i] as AttributeValue);
      t += (i === 0 ? "" : ",") + typedOut;
    }
    typedOut = t + "]}";
    return p + "]";
  }
  if (av.BOOL !== undefined) {
    typedOut = av.BOOL ? '{"BOOL":true}' : '{"BOOL":false}';
    return av.BOOL ? "true" : "false";
  }
  if (av.NULL !== undefined) {
    typedOut = av.NULL ? '{"NULL":true}' : '{"NULL":false}';
    return "null";
  }
  if (av.B !== undefined) {
    const q = quote(toBase64(av.B));
    typedOut = '{"B":' + q + "}";
    return q;
  }
  if (av.SS !== undefined) {
    const q = stringArray(av.SS);
    typedOut = '{"SS":' + q + "}";
    return q;
  }
  if (av.NS !== undefined) {
    typedOut = '{"NS":' + stringArray(av.NS) + "}";
    return plainJsonValue(av);
  }
  if (av.BS !== undefined) {
    const q = binaryArray(av.BS);
    typedOut = '{"BS":' + q + "}";
    return q;
  }
  typedOut = unknownJson(av);
  return typedOut;
}

function bothMap(m: AttributeMap): string {
  let p = "{";
  let t = "{";
  let first = true;
  for (const k in m) {
    const kq = jsonKey(k);
    p += (first ? "" : ",") + kq + bothValue(m[k] as AttributeValue);
    t += (first ? "" : ",") + kq + typedOut;
    first = false;
  }
  typedOut = t + "}";
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

const TAGS = new Set(["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL", "$unknown"]);

/**
 * Whether `v` looks like a single attribute value rather than a map: exactly one own key, a type tag,
 * holding the right JS type. `{"M": {...}}` is ambiguous (a map with an attribute named `M`); it counts
 * as a value when every entry inside is itself tag-shaped. Use the `...Map`/`...Value` functions to
 * avoid guessing.
 */
export function looksLikeAttributeValue(v: AttributeValue | AttributeMap): v is AttributeValue {
  let key: string | undefined;
  for (const k in v) {
    if (key !== undefined) return false;
    key = k;
  }
  if (key === undefined || !TAGS.has(key)) return false;
  const x: unknown = (v as Record<string, unknown>)[key];
  switch (key) {
    case "S":
    case "N":
      return typeof x === "string";
    case "NULL":
    case "BOOL":
      return typeof x === "boolean";
    case "B":
      return typeof x === "string" || x instanceof Uint8Array;
    case "SS":
    case "NS":
    case "BS":
    case "L":
    case "$unknown":
      return Array.isArray(x);
    default: {
      if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
      for (const inner of Object.values(x)) {
        if (typeof inner !== "object" || inner === null) return false;
        const ks = Object.keys(inner);
        if (ks.length !== 1 || !TAGS.has(ks[0] as string)) return false;
      }
      return true;
    }
  }
}

/**
 * Plain, unmarshalled JSON text, lossless: numbers are JSON number tokens with exactly the digits
 * DynamoDB sent (a numeric string that is not a valid JSON number token, such as `.5`, is written as a
 * JSON string); binary → base64 string; sets → arrays in service order; NULL → null; BOOL → boolean.
 * Accepts one attribute value or a map (see {@link looksLikeAttributeValue}).
 *
 * @example plainJson({ n: { N: "12345678901234567890.123456789" } }) // '{"n":12345678901234567890.123456789}'
 */
export function plainJson(v: AttributeValue | AttributeMap): string {
  return looksLikeAttributeValue(v) ? plainJsonValue(v) : plainJsonMap(v as AttributeMap);
}

/**
 * Typed DynamoDB JSON text (`{"S":"x"}`, `{"N":"1"}`, B as base64); parsing it back gives the same
 * value (with binary as base64 strings). Accepts one attribute value or a map.
 *
 * @example dynamodbJson({ id: { S: "a" } }) // '{"id":{"S":"a"}}'
 */
export function dynamodbJson(v: AttributeValue | AttributeMap): string {
  return looksLikeAttributeValue(v) ? dynamodbJsonValue(v) : dynamodbJsonMap(v as AttributeMap);
}

// ---------------------------------------------------------------------------------------------------
// JSON-shaped copies and validation (for Lambda-shaped records and input files)

/** A copy of `av` with every binary as a base64 string: the JSON/Lambda-event form. */
export function toJsonAttributeValue(av: AttributeValue): AttributeValue {
  if (av.M !== undefined) return { M: toJsonAttributeMap(av.M) };
  if (av.L !== undefined) return { L: av.L.map(toJsonAttributeValue) };
  if (av.B !== undefined) return { B: toBase64(av.B) };
  if (av.BS !== undefined) return { BS: av.BS.map(toBase64) };
  if (av.SS !== undefined) return { SS: [...av.SS] };
  if (av.NS !== undefined) return { NS: [...av.NS] };
  return { ...av };
}

/** A copy of a map with every binary as a base64 string. */
export function toJsonAttributeMap(m: AttributeMap): AttributeMap {
  const out: AttributeMap = {};
  for (const k in m) out[k] = toJsonAttributeValue(m[k] as AttributeValue);
  return out;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "object" ? "an object" : `${typeof x} ${JSON.stringify(x)}`;
}

function pathText(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array);
}

/**
 * Checks that `x` (parsed from JSON, or from the SDK) is a well-formed attribute value. Returns an
 * error message naming the path (e.g. `dynamodb.NewImage.price: N must be a string, got number 5`),
 * or `undefined` when it is fine.
 */
export function checkAttributeValue(x: unknown, path: string): string | undefined {
  if (!isPlainObject(x)) {
    return `${path}: not a DynamoDB attribute value (got ${describe(x)}; expected e.g. {"S": "text"})`;
  }
  const keys = Object.keys(x);
  const tag = keys[0];
  if (keys.length !== 1 || tag === undefined || !TAGS.has(tag) || tag === "$unknown") {
    return `${path}: not a DynamoDB attribute value (expected exactly one of S, N, B, SS, NS, BS, M, L, NULL, BOOL; got keys ${JSON.stringify(keys)})`;
  }
  const v = x[tag];
  const bad = (what: string): string => `${path}: ${tag} must be ${what}, got ${describe(v)}`;
  switch (tag) {
    case "S":
      return typeof v === "string" ? undefined : bad("a string");
    case "N":
      if (typeof v !== "string") return bad("a string");
      return isDecimalString(v) ? undefined : `${path}: N ${JSON.stringify(v)} is not a number`;
    case "B":
      if (v instanceof Uint8Array) return undefined;
      return typeof v === "string" && BASE64.test(v) ? undefined : bad("base64 text");
    case "BOOL":
      return typeof v === "boolean" ? undefined : bad("true or false");
    case "NULL":
      return v === true ? undefined : bad("true");
    case "SS":
    case "NS":
    case "BS": {
      if (!Array.isArray(v)) return bad("an array");
      for (let i = 0; i < v.length; i++) {
        const e: unknown = v[i];
        const ok =
          tag === "SS"
            ? typeof e === "string"
            : tag === "NS"
              ? typeof e === "string" && isDecimalString(e)
              : e instanceof Uint8Array || (typeof e === "string" && BASE64.test(e));
        if (!ok) return `${path}.${tag}[${i}]: not a valid ${tag} element (got ${describe(e)})`;
      }
      return undefined;
    }
    case "L": {
      if (!Array.isArray(v)) return bad("an array");
      for (let i = 0; i < v.length; i++) {
        const err = checkAttributeValue(v[i], `${path}[${i}]`);
        if (err !== undefined) return err;
      }
      return undefined;
    }
    default:
      return isPlainObject(v) ? checkAttributeMap(v, path) : bad("an object");
  }
}

/** Checks that `x` is a well-formed attribute map; see {@link checkAttributeValue}. */
export function checkAttributeMap(x: unknown, path: string): string | undefined {
  if (!isPlainObject(x)) return `${path}: expected an object of attributes, got ${describe(x)}`;
  // Input files hold many records and nearly all are fine: a boolean pass first, and the paths and
  // messages (a string per attribute) only when something is wrong.
  if (isValidMap(x)) return undefined;
  for (const k in x) {
    const err = checkAttributeValue(x[k], pathText(path, k));
    if (err !== undefined) return err;
  }
  return undefined;
}

/** {@link DECIMAL} with its condition (digits before or after the point) built in; no captures. */
const DECIMAL_ONLY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function allMatch(v: unknown, ok: (e: unknown) => boolean): boolean {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (!ok(v[i])) return false;
  return true;
}

const isString = (e: unknown): boolean => typeof e === "string";
const isDecimalElement = (e: unknown): boolean => typeof e === "string" && DECIMAL_ONLY.test(e);
const isBinaryElement = (e: unknown): boolean =>
  e instanceof Uint8Array || (typeof e === "string" && BASE64.test(e));

/** {@link checkAttributeValue} as a boolean: true exactly when it would return undefined. */
function isValidValue(x: unknown): boolean {
  if (!isPlainObject(x)) return false;
  let tag: string | undefined;
  for (const k in x) {
    if (tag !== undefined) return false;
    tag = k;
  }
  if (tag === undefined || !Object.hasOwn(x, tag)) return false;
  const v = x[tag];
  switch (tag) {
    case "S":
      return typeof v === "string";
    case "N":
      return typeof v === "string" && DECIMAL_ONLY.test(v);
    case "M":
      return isPlainObject(v) && isValidMap(v);
    case "L":
      return allMatch(v, isValidValue);
    case "BOOL":
      return typeof v === "boolean";
    case "NULL":
      return v === true;
    case "B":
      return isBinaryElement(v);
    case "SS":
      return allMatch(v, isString);
    case "NS":
      return allMatch(v, isDecimalElement);
    case "BS":
      return allMatch(v, isBinaryElement);
    default:
      return false;
  }
}

function isValidMap(x: Record<string, unknown>): boolean {
  for (const k in x) if (!isValidValue(x[k])) return false;
  return true;
}
