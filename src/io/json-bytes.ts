/**
 * Pieces shared by the byte scanners of the input readers (render/fast-line.ts for `tail --input`,
 * io/filter-line.ts for `filter-test --records`): the bytes of JSON's punctuation, and the checks of
 * number and base64 text that core/attr makes with regular expressions, here on bytes [s, e) of a
 * buffer, so that no string is made for a value; and the strings they keep (see {@link keptAscii}).
 */
import type { SlicingBuffer } from "./utf8.js";

export const QUOTE = 34;
export const BACKSLASH = 92;
export const COMMA = 44;
export const COLON = 58;
export const LBRACE = 123;
export const RBRACE = 125;
export const LBRACKET = 91;
export const RBRACKET = 93;

export function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** Whether bytes [s, e) are a JSON number token (what plain JSON writes unquoted). */
export function isJsonNumber(b: Uint8Array, s: number, e: number): boolean {
  let j = s;
  if (b[j] === 45) j++;
  if (j >= e) return false;
  if (b[j] === 48) j++;
  else if (isDigit(b[j])) while (j < e && isDigit(b[j])) j++;
  else return false;
  return fractionAndExponent(b, j, e, true);
}

/**
 * The end of the JSON number token at `s` (the bytes a number may hold, up to `end`), or -1 when they
 * are not one.
 */
export function jsonNumberEnd(b: Uint8Array, s: number, end: number): number {
  let j = s;
  if (b[j] === 45) j++;
  while (j < end) {
    const c = b[j] as number;
    if (isDigit(c) || c === 46 || c === 101 || c === 69 || c === 43 || c === 45) j++;
    else break;
  }
  return isJsonNumber(b, s, j) ? j : -1;
}

/** Whether bytes [s, e) are a decimal DynamoDB accepts (`+1`, `.5`, `5.`, `1e3`; core/attr's `isDecimalString`). */
export function isDecimal(b: Uint8Array, s: number, e: number): boolean {
  let j = s;
  if (b[j] === 43 || b[j] === 45) j++;
  const d = j;
  while (j < e && isDigit(b[j])) j++;
  const intDigits = j - d;
  if (j < e && b[j] === 46) {
    j++;
    const f = j;
    while (j < e && isDigit(b[j])) j++;
    if (intDigits === 0 && j === f) return false;
  } else if (intDigits === 0) return false;
  return fractionAndExponent(b, j, e, false);
}

/** The rest of a number from `j`: `.digits` (when `fraction`), then an optional exponent, then the end. */
function fractionAndExponent(b: Uint8Array, start: number, e: number, fraction: boolean): boolean {
  let j = start;
  if (fraction && j < e && b[j] === 46) {
    j++;
    const f = j;
    while (j < e && isDigit(b[j])) j++;
    if (j === f) return false;
  }
  if (j < e && (b[j] === 101 || b[j] === 69)) {
    j++;
    if (j < e && (b[j] === 43 || b[j] === 45)) j++;
    const x = j;
    while (j < e && isDigit(b[j])) j++;
    if (j === x) return false;
  }
  return j === e;
}

/** Whether bytes [s, e) are base64 text as core/attr checks it (`[A-Za-z0-9+/]*={0,2}`). */
export function isBase64(b: Uint8Array, s: number, e: number): boolean {
  let j = s;
  for (; j < e; j++) {
    const c = b[j] as number;
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47))
      break;
  }
  if (j < e && b[j] === 61) j++;
  if (j < e && b[j] === 61) j++;
  return j === e;
}

// Names and many values (`"S":"shipped"`) repeat from line to line. A string made from bytes is a
// new string (and, to be used as a key, one V8 must look up in its table of names); one made before
// and kept costs neither. So short strings are kept, by a hash of their bytes, and compared with the
// bytes before they are used: a miss costs the hash and usually one comparison.
const KEPT_SLOTS = 1024;
/** The longest string kept. */
export const MAX_KEPT = 24;
const kept: string[] = new Array<string>(KEPT_SLOTS).fill("\u0000");

/** The text of bytes [from, to) of `b`, which are ASCII (at most {@link MAX_KEPT}): kept when seen before. */
export function keptAscii(b: SlicingBuffer, from: number, to: number): string {
  const n = to - from;
  let h = n;
  for (let j = from; j < to; j++) h = (Math.imul(h, 31) + (b[j] as number)) | 0;
  const slot = (h ^ (h >>> 10)) & (KEPT_SLOTS - 1);
  const k = kept[slot] as string;
  if (k.length === n) {
    let j = 0;
    while (j < n && k.charCodeAt(j) === b[from + j]) j++;
    if (j === n) return k;
  }
  const str = b.latin1Slice(from, to);
  kept[slot] = str;
  return str;
}
