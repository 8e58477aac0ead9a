/**
 * The scalar parts of DynamoDB attribute values: binary (bytes or base64 text), numbers (decimal
 * strings, compared exactly, never through a JS double) and JSON string literals. The table of the ten
 * types in core/attr.ts builds on these.
 */

/** Binary: bytes from the SDK, or base64 text from JSON (Lambda events, files). */
export type Binary = Uint8Array | string;

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

/**
 * Canonical base64 (RFC 4648 section 3.5: padded, the unused bits of the last character zero): the one
 * text of its bytes, so two different canonical texts hold different bytes.
 */
const CANONICAL_BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/][AQgw]==|[A-Za-z0-9+/]{2}[AEIMQUYcgkosw048]=)?$/;

/** Whether two binary values hold the same bytes (base64 text and bytes compare by content). */
export function binaryEquals(a: Binary, b: Binary): boolean {
  if (typeof a === "string" && typeof b === "string") {
    if (a === b) return true;
    // Every binary a service writes is canonical: decoded only when one text is not.
    if (CANONICAL_BASE64.test(a) && CANONICAL_BASE64.test(b)) return false;
  }
  const x = toBytes(a);
  const y = toBytes(b);
  if (x.byteLength !== y.byteLength) return false;
  for (let i = 0; i < x.byteLength; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Numbers

/** A JSON number token (RFC 8259): what plain JSON may write verbatim. `1E+40` yes; `.5`, `5.`, `+1` no. */
export const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** Lenient decimal syntax, as DynamoDB accepts on input (`+1`, `.5`, `5.`, `1e3`), with its parts. */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** A decimal DynamoDB could have stored: {@link DECIMAL} with digits before or after the point. */
export const DECIMAL_ONLY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

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
// JSON strings

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
