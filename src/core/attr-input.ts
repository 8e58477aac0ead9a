/**
 * Reading attribute values from input (JSON files, Lambda events, SDK values): validation with
 * messages that name the path, and values written with every type descriptor present and the unused
 * ones `null` (as the AWS SDK for Go v1 marshals them) reduced to their one descriptor. What a valid
 * value is comes from the table of the ten types in core/attr.ts.
 */
import type { AttributeMap, AttributeValue, TypeTag } from "./attr.js";
import { isAttributeMap, isPlainObject, isTypeTag, typeRow } from "./attr.js";
import { tagged } from "./attr-types.js";

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "object" ? "an object" : `${typeof x} ${JSON.stringify(x)}`;
}

function pathText(path: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * The tag of an attribute object: its only key; or, where every type descriptor is present and the
 * unused ones are `null` (as the AWS SDK for Go v1 marshals `{"S":"x","N":null,...}`), the one that is
 * not null. Undefined when there is no such single tag.
 */
function soleTag(x: Record<string, unknown>): TypeTag | undefined {
  const keys = Object.keys(x);
  if (keys.length === 1) {
    const k = keys[0] as string;
    return isTypeTag(k) ? k : undefined;
  }
  let tag: TypeTag | undefined;
  for (const k of keys) {
    if (!isTypeTag(k)) return undefined;
    if (x[k] === null) continue;
    if (tag !== undefined) return undefined;
    tag = k;
  }
  return tag;
}

/** One attribute value read from input (a copy, null descriptors dropped), or an error message. */
function readValue(x: unknown, path: string): AttributeValue | string {
  if (!isPlainObject(x)) {
    return `${path}: not a DynamoDB attribute value (got ${describe(x)}; expected e.g. {"S": "text"})`;
  }
  const tag = soleTag(x);
  if (tag === undefined) {
    return `${path}: not a DynamoDB attribute value (expected exactly one of S, N, B, SS, NS, BS, M, L, NULL, BOOL; got keys ${JSON.stringify(Object.keys(x))})`;
  }
  const row = typeRow(tag);
  const v = x[tag];
  let value = v;
  if (!row.shaped(v)) return `${path}: ${tag} must be ${row.expected}, got ${describe(v)}`;
  if (tag === "M") {
    const m = readAttributeMap(v, path);
    if (typeof m === "string") return m;
    value = m;
  } else if (tag === "L") {
    const l = v as unknown[];
    const out: AttributeValue[] = [];
    for (let i = 0; i < l.length; i++) {
      const e = readValue(l[i], `${path}[${i}]`);
      if (typeof e === "string") return e;
      out.push(e);
    }
    value = out;
  } else if (!row.valid(v)) {
    const l = v as unknown[];
    const i = row.element === undefined ? -1 : l.findIndex((e) => !row.element?.(e));
    return i === -1
      ? `${path}: ${tag} ${JSON.stringify(v)} is not ${row.not}`
      : `${path}.${tag}[${i}]: not a valid ${tag} element (got ${describe(l[i])})`;
  }
  return tagged(tag, value);
}

/**
 * Reads an attribute map from input (parsed JSON or SDK values): the map itself when it is well-formed
 * as it stands (nearly all input: a boolean pass, no copy), else a copy where values written with every
 * type descriptor and the unused ones `null` (the AWS SDK for Go v1) are reduced to their one
 * descriptor, at any depth. A string is an error message naming the path, e.g.
 * `dynamodb.NewImage.price: N must be a string, got number 5`.
 *
 * @example readAttributeMap({ a: { S: "x", N: null } }, "img") // { a: { S: "x" } }
 */
export function readAttributeMap(x: unknown, path: string): AttributeMap | string {
  if (!isPlainObject(x)) return `${path}: expected an object of attributes, got ${describe(x)}`;
  const o: Record<string, unknown> = x;
  if (isAttributeMap(o)) return o;
  const out: AttributeMap = {};
  for (const k in o) {
    const v = readValue(o[k], pathText(path, k));
    if (typeof v === "string") return v;
    out[k] = v;
  }
  return out;
}
