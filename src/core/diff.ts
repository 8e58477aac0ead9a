/**
 * Attribute-level diff of two item images (a MODIFY record's OldImage and NewImage).
 *
 * Semantics:
 * - Maps (`M`, and the top-level image) are compared key by key and recursed into; lists (`L`) are
 *   compared index by index and recursed into; when lengths differ, the extra old elements are
 *   `removed` and the extra new ones `added` (no attempt to detect insertions or moves: DynamoDB lists
 *   are positional, and `items[2]` is what an UpdateExpression would address).
 * - Sets (`SS`, `NS`, `BS`) are compared as sets (order and duplicates ignored). A set that differs is
 *   ONE `changed` entry at the set's path with the whole old and new set: a set is a single attribute
 *   in DynamoDB (ADD/DELETE act on it as a whole), and a one-line `{a, b} → {a, c}` reads better than
 *   per-element entries whose "paths" could not be addressed anyway.
 * - A type change (`S` → `N`, `M` → `L`, …) is `changed` at that path, never recursed into.
 * - Numbers compare by numeric value, exactly, on the decimal strings after normalising leading and
 *   trailing zeros and the exponent (`"1.0"` equals `"1"` and `"10E-1"`). DynamoDB normalises stored
 *   numbers itself, so this only matters for hand-written or foreign input.
 * - Binary compares by bytes (a base64 string and a Uint8Array with the same bytes are equal).
 * - Order is deterministic: old keys in old order (with nested changes in place), then keys that only
 *   the new image has, in new order; lists by index.
 */
import type { AttributeMap, AttributeValue } from "./attr.js";
import { attributeEquals, tagOf } from "./attr.js";

/** A path into an item: attribute/map keys are strings, list indexes numbers. */
export type AttributePath = (string | number)[];

/** One difference between two images. `old` is absent for `added`, `new` is absent for `removed`. */
export interface Change {
  path: AttributePath;
  kind: "added" | "removed" | "changed";
  old?: AttributeValue;
  new?: AttributeValue;
}

/**
 * The changes that turn `oldImage` into `newImage` (see the module comment for the rules). A missing
 * image counts as empty, so `diffImages(undefined, img)` lists every attribute as `added`.
 *
 * @example diffImages({ s: { S: "a" } }, { s: { S: "b" } }) // [{ path: ["s"], kind: "changed", old: {S:"a"}, new: {S:"b"} }]
 */
export function diffImages(oldImage: AttributeMap | undefined, newImage: AttributeMap | undefined): Change[] {
  const out: Change[] = [];
  diffMaps([], oldImage ?? {}, newImage ?? {}, out);
  return out;
}

// `path` is the path of the map or list being compared, one array for the whole walk (a key is pushed
// before recursing and popped after): a change copies it, an unchanged attribute costs nothing.

function diffMaps(path: AttributePath, a: AttributeMap, b: AttributeMap, out: Change[]): void {
  let shared = 0;
  for (const k in a) {
    const x = a[k] as AttributeValue;
    const y = b[k];
    if (y === undefined) out.push({ path: [...path, k], kind: "removed", old: x });
    else {
      shared++;
      diffValues(path, k, x, y, out);
    }
  }
  let nb = 0;
  for (const _ in b) nb++;
  if (nb === shared) return; // every key of b is also in a: nothing added
  for (const k in b) {
    if (a[k] === undefined) out.push({ path: [...path, k], kind: "added", new: b[k] as AttributeValue });
  }
}

function diffValues(
  path: AttributePath,
  key: string | number,
  a: AttributeValue,
  b: AttributeValue,
  out: Change[],
): void {
  // Maps and lists are recursed into; any other value is one attribute, compared whole.
  const t = tagOf(a);
  if (t === tagOf(b) && (t === "M" || t === "L")) {
    path.push(key);
    if (t === "M") diffMaps(path, a.M as AttributeMap, b.M as AttributeMap, out);
    else diffLists(path, a.L as AttributeValue[], b.L as AttributeValue[], out);
    path.pop();
  } else if (!attributeEquals(a, b)) out.push({ path: [...path, key], kind: "changed", old: a, new: b });
}

function diffLists(path: AttributePath, x: AttributeValue[], y: AttributeValue[], out: Change[]): void {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) diffValues(path, i, x[i] as AttributeValue, y[i] as AttributeValue, out);
  for (let i = n; i < x.length; i++)
    out.push({ path: [...path, i], kind: "removed", old: x[i] as AttributeValue });
  for (let i = n; i < y.length; i++)
    out.push({ path: [...path, i], kind: "added", new: y[i] as AttributeValue });
}
