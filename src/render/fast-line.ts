/**
 * `tail --input`'s fast path: one NDJSON line of a Lambda- or SDK-shaped stream record, as UTF-8
 * bytes, read without building its objects. A byte scanner validates the line and finds its parts;
 * the typed (DynamoDB JSON) text of each image is the line's own bytes, its plain text is written
 * by dropping the type tags, and a MODIFY's diff is worked out on the images' bytes, following
 * `diffImages`' rules step by step (only the values a change shows are parsed, for pretty output).
 * The number and base64 checks are core/attr's regular expressions done on bytes, so that the
 * scanner makes no string for them.
 *
 * It takes only what it can render exactly as the general path does (parse, `normalizeInput`, the
 * renderers): compact JSON (no white space between tokens), escapes as `JSON.stringify` writes them,
 * no duplicate or integer-like attribute names, every value valid. Anything else (and a record
 * with `userIdentity` or unknown fields) makes {@link scanRecordLine} return `undefined`, and the
 * caller takes the general path for that line, which also gives the errors. Output is the same byte
 * for byte; test/unit/render/fast-line.test.ts compares the two over generated and hand-made records.
 *
 * Pure (no I/O). Not re-entrant: the scanner keeps its position in module state.
 */
import type { AttributeMap, AttributeValue } from "../core/attr.js";
import { attributeEquals, binaryEquals, numbersEqual } from "../core/attr.js";
import type { AttributePath, Change } from "../core/diff.js";
import type { StreamRecord } from "../core/record.js";
import { DYNAMODB_FIELDS, EVENT_NAME_LIST, LAMBDA_FIELDS } from "../core/record.js";
import {
  BACKSLASH,
  COLON,
  COMMA,
  isBase64,
  isDecimal,
  isDigit,
  isJsonNumber,
  jsonNumberEnd,
  LBRACE,
  LBRACKET,
  QUOTE,
  RBRACE,
  RBRACKET,
} from "../io/json-bytes.js";
import type { SlicingBuffer } from "../io/utf8.js";

/** Why the scanner gave up; thrown inside, never seen outside this module. */
const BAIL = { bail: true };

function bail(): never {
  throw BAIL;
}

/** Deepest nesting of maps and lists taken (DynamoDB allows 32 levels). */
const MAX_DEPTH = 64;

// Scanner state: the line's bytes, the read position, the end of the line.
let b = Buffer.alloc(0) as SlicingBuffer;
/**
 * A view of `b`, at the same positions: copies and comparisons move four bytes at a time with
 * DataView's getUint32/setUint32 (unaligned), several times quicker here than a byte loop.
 */
let bv = new DataView(b.buffer, b.byteOffset, b.length);
let i = 0;
let end = 0;
/** Whether the line has a byte above 0x7f (in a string: nowhere else is one valid). */
let wide = false;

/** Text of bytes [s, e) of the line (Latin-1 is the same, and quicker, when the line is ASCII). */
function text(s: number, e: number): string {
  return wide ? b.utf8Slice(s, e) : b.latin1Slice(s, e);
}

// Plain output of the image being scanned (never longer than the image's own text), and a view of it.
let o = Buffer.alloc(64 * 1024) as SlicingBuffer;
let ov = new DataView(o.buffer, o.byteOffset, o.length);
let op = 0;

// Attribute names of the maps being scanned, to find duplicates: start, end and hash of each.
const MAX_NAMES = 4096;
const nameStart = new Int32Array(MAX_NAMES);
const nameEnd = new Int32Array(MAX_NAMES);
const nameHash = new Int32Array(MAX_NAMES);
let names = 0;

// Where each name and value of the line ends (the position after it), by where it starts less the
// line's start: the diff finds the attributes and elements of a map or list from here instead of
// scanning its text again. An attribute value's plain text (where {@link value} wrote it in the
// plain buffer) is here too, in the two slots after the value's start (its tag's `"` and first
// letter, where nothing starts): changeValue copies it instead of writing it again. Only positions
// the scanner has seen in this line are ever read.
let ends = new Int32Array(4096);
let lineBase = 0;

/** Remembers that the name or value at `s` ends at `e`. */
function ended(s: number, e: number): void {
  ends[s - lineBase] = e;
}

function put(c: number): void {
  o[op++] = c;
}

/**
 * Above this many bytes a copy is a TypedArray#set of a view (or copyWithin), below it a byte loop.
 * A loop is quicker up to ~24 bytes alone, but measured in the whole run 24 (and 12 for
 * copyWithin) were slower than 48 (the views' garbage, perhaps).
 */
export const SET_MIN = 48;

// The byte loops below keep the output and its position in locals: a module-level `op` stored at
// every byte costs more than the copy.
function copy(s: number, e: number): void {
  op = copyBytes(o, ov, op, b, bv, s, e);
}

/**
 * Copies bytes [s, e) of `src` to `dst` at `p` and returns the position after them; `srcView` and
 * `dstView` are views of the two at the same positions. A view and TypedArray#set above
 * {@link SET_MIN} bytes (not Buffer#copy, whose argument checks cost more than short copies), else
 * four bytes at a time.
 */
export function copyBytes(
  dst: Buffer,
  dstView: DataView,
  p: number,
  src: Buffer,
  srcView: DataView,
  s: number,
  e: number,
): number {
  if (e - s > SET_MIN) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset + s, e - s), p);
    return p + e - s;
  }
  let q = p;
  let j = s;
  for (; j + 4 <= e; j += 4, q += 4) dstView.setUint32(q, srcView.getUint32(j, true), true);
  for (; j < e; j++) dst[q++] = src[j] as number;
  return q;
}

function putAscii(s: string): void {
  const out = o;
  let p = op;
  for (let j = 0; j < s.length; j++) out[p++] = s.charCodeAt(j);
  op = p;
}

/** Bytes of constant text, with a view of them (see `bv`). */
export class ConstBytes {
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly length: number;
  /** `text`: Latin-1 text, or the bytes themselves. */
  constructor(text: string | Buffer) {
    this.bytes = typeof text === "string" ? Buffer.from(text, "latin1") : text;
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length);
    this.length = this.bytes.length;
  }
}

/** Appends the bytes of `c`. */
function putConst(c: ConstBytes): void {
  const out = o;
  const dst = ov;
  const src = c.view;
  const n = c.length;
  let p = op;
  let j = 0;
  for (; j + 4 <= n; j += 4, p += 4) dst.setUint32(p, src.getUint32(j, true), true);
  for (; j < n; j++) out[p++] = c.bytes[j] as number;
  op = p;
}

function expect(c: number): void {
  if (b[i] !== c) bail();
  i++;
}

/**
 * Moves past the string at `i` (which must start there). Escapes must be the ones `JSON.stringify`
 * writes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for other control characters), so the
 * text is what the general path would write for the decoded string; raw control characters are not
 * JSON at all.
 */
function str(): void {
  const buf = b;
  const view = bv;
  if (buf[i] !== QUOTE) bail();
  let j = i + 1;
  const last = end - 4;
  for (;;) {
    while (j <= last && plainWord(view.getInt32(j, true))) j += 4;
    if (j >= end) bail();
    const c = buf[j] as number;
    if (c > BACKSLASH) {
      // Most of the text: nothing to check below 0x80.
      if (c >= 0x80) wide = true;
    } else if (c === QUOTE) break;
    else if (c === BACKSLASH) {
      j = escapeEnd(j);
      continue;
    } else if (c < 0x20) bail();
    j++;
  }
  i = j + 1;
}

/** {@link str}, also writing the string (quotes included) to the output; returns its content's hash. */
function strOut(): number {
  const buf = b;
  const out = o;
  if (buf[i] !== QUOTE) bail();
  let p = op;
  out[p++] = QUOTE;
  let j = i + 1;
  let h = 0;
  for (;;) {
    if (j >= end) bail();
    const c = buf[j] as number;
    if (c === QUOTE) break;
    if (c === BACKSLASH) {
      const k = escapeEnd(j);
      while (j < k) out[p++] = buf[j++] as number;
      continue;
    }
    if (c < 0x20) bail();
    if (c >= 0x80) wide = true;
    h = (Math.imul(h, 31) + c) | 0;
    out[p++] = c;
    j++;
  }
  out[p++] = QUOTE;
  op = p;
  i = j + 1;
  return h;
}

/** {@link strOut} for a value: the same, without the hash. */
function valueOut(): void {
  const buf = b;
  const out = o;
  const view = bv;
  const dst = ov;
  if (buf[i] !== QUOTE) bail();
  let p = op;
  out[p++] = QUOTE;
  let j = i + 1;
  const last = end - 4;
  for (;;) {
    for (; j <= last; j += 4, p += 4) {
      const w = view.getInt32(j, true);
      if (!plainWord(w)) break;
      dst.setInt32(p, w, true);
    }
    if (j >= end) bail();
    const c = buf[j] as number;
    if (c > BACKSLASH) {
      // Most of the text: nothing to check below 0x80.
      if (c >= 0x80) wide = true;
    } else if (c === QUOTE) break;
    else if (c === BACKSLASH) {
      const k = escapeEnd(j);
      while (j < k) out[p++] = buf[j++] as number;
      continue;
    } else if (c < 0x20) bail();
    out[p++] = c;
    j++;
  }
  out[p++] = QUOTE;
  op = p;
  i = j + 1;
}

/**
 * Whether the four bytes of `w` (a string's, read with getInt32) are all plain string text: none a
 * quote, a backslash, a control character or above 0x7f (the bytes the string loops look at one by
 * one). Per byte x: x ≥ 0x80 or x < 0x20 sets the high bit of (x - 0x20) | x (a borrow from the
 * next byte only follows a byte that is one of those), and x - 1 & ~x has it only when x is 0, here
 * for x ^ 0x22 and x ^ 0x5c.
 */
function plainWord(w: number): boolean {
  const q = w ^ 0x22222222;
  const s = w ^ 0x5c5c5c5c;
  return (((w - 0x20202020) | w | ((q - 0x01010101) & ~q) | ((s - 0x01010101) & ~s)) & 0x80808080) === 0;
}

/** The position after the escape at `j`, if it is one `JSON.stringify` would write. */
function escapeEnd(j: number): number {
  const c = b[j + 1];
  switch (c) {
    case QUOTE:
    case BACKSLASH:
    case 98: // b
    case 102: // f
    case 110: // n
    case 114: // r
    case 116: // t
      return j + 2;
    case 117: {
      // u: only \u00xx below 0x20 (lower-case hex), and not one with a short form.
      if (b[j + 2] !== 48 || b[j + 3] !== 48) bail();
      const h = b[j + 4] as number;
      const l = b[j + 5] as number;
      if (h !== 48 && h !== 49) bail();
      const lo = l >= 48 && l <= 57 ? l - 48 : l >= 97 && l <= 102 ? l - 87 : -1;
      if (lo < 0) bail();
      const v = (h - 48) * 16 + lo;
      if (v === 8 || v === 9 || v === 10 || v === 12 || v === 13) bail();
      return j + 6;
    }
    default:
      return bail();
  }
}

/** Whether bytes [s, e) are `true`/`false`/`null`-like literal `lit` (given as char codes). */
function literal(lit: readonly number[]): boolean {
  for (let k = 0; k < lit.length; k++) if (b[i + k] !== lit[k]) return false;
  i += lit.length;
  return true;
}

const TRUE = [116, 114, 117, 101];
const FALSE = [102, 97, 108, 115, 101];
const NULL = [110, 117, 108, 108];

/** An attribute name (at `i`), remembered to find duplicates; integer-like names bail. */
function name(): void {
  const s = i;
  const h = strOut();
  // A name like "7" would come first in a parsed object whatever its place in the text.
  const e = i - 1;
  if (isDigit(b[s + 1]) && e - s - 1 <= 10) {
    let j = s + 1;
    while (j < e && isDigit(b[j])) j++;
    if (j === e && (e - s - 1 === 1 || b[s + 1] !== 48)) {
      if (Number(b.latin1Slice(s + 1, e)) < 4294967295) bail();
    }
  }
  if (names === MAX_NAMES) bail();
  nameStart[names] = s;
  nameEnd[names] = i;
  nameHash[names] = h;
  names++;
}

/** Bails when two of the names from `first` on are the same (a parsed object keeps only the last). */
function checkNames(first: number): void {
  for (let x = first + 1; x < names; x++) {
    const h = nameHash[x];
    for (let y = first; y < x; y++) {
      if (
        nameHash[y] === h &&
        sameBytes(nameStart[x] as number, nameEnd[x] as number, nameStart[y] as number, nameEnd[y] as number)
      )
        bail();
    }
  }
  names = first;
}

/**
 * Above this many bytes, sameBytes compares the first {@link SAME_LOOP} in a loop (spans that differ
 * mostly differ early) and the rest with Buffer#compare (~60 ns a call, then memcmp).
 */
const SAME_NATIVE_MIN = 96;
const SAME_LOOP = 32;

function sameBytes(s1: number, e1: number, s2: number, e2: number): boolean {
  const n = e1 - s1;
  if (n !== e2 - s2) return false;
  const buf = b;
  const view = bv;
  const m = n > SAME_NATIVE_MIN ? SAME_LOOP : n;
  let k = 0;
  for (; k + 4 <= m; k += 4) if (view.getInt32(s1 + k, true) !== view.getInt32(s2 + k, true)) return false;
  for (; k < m; k++) if (buf[s1 + k] !== buf[s2 + k]) return false;
  return m === n || buf.compare(buf, s2 + m, e2, s1 + m, e1) === 0;
}

/** An array of strings at `i` (SS, NS, BS), each element checked for its kind; NS goes out plain. */
function stringArray(kind: number): void {
  expect(LBRACKET);
  if (b[i] === RBRACKET) {
    i++;
    if (kind === NS) putAscii("[]");
    return;
  }
  if (kind === NS) put(LBRACKET);
  for (;;) {
    const s = i;
    str();
    ended(s, i);
    if (kind === NS) {
      if (isJsonNumber(b, s + 1, i - 1)) copy(s + 1, i - 1);
      else if (isDecimal(b, s + 1, i - 1)) copy(s, i);
      else bail();
    } else if (kind === BS && !isBase64(b, s + 1, i - 1)) bail();
    const c = b[i++];
    if (kind === NS) put(c as number);
    if (c === RBRACKET) return;
    if (c !== COMMA) bail();
  }
}

const SS = 1;
const NS = 2;
const BS = 3;

/** An attribute value (`{"<tag>":…}`) at `i`; its plain text goes to the output. */
function value(depth: number): void {
  if (b[i] !== LBRACE || b[i + 1] !== QUOTE) bail();
  const at = i - lineBase;
  const plainStart = op;
  const t = b[i + 2] as number;
  if (b[i + 3] === QUOTE && b[i + 4] === COLON) {
    i += 5;
    const s = i;
    switch (t) {
      case 83: // S
        valueOut();
        break;
      case 78: {
        // N: most are plain (`-?(0|[1-9][0-9]*)(.[0-9]+)?`), read once; the others as a string first.
        const q = b[s] === QUOTE ? plainNumberEnd(s + 1) : -1;
        if (q >= 0) {
          i = q + 1;
          copy(s + 1, q);
          break;
        }
        str();
        if (isJsonNumber(b, s + 1, i - 1)) copy(s + 1, i - 1);
        else if (isDecimal(b, s + 1, i - 1)) copy(s, i);
        else bail();
        break;
      }
      case 77: // M
        map(depth + 1);
        break;
      case 76: // L
        list(depth + 1);
        break;
      case 66: // B
        str();
        if (!isBase64(b, s + 1, i - 1)) bail();
        copy(s, i);
        break;
      default:
        bail();
    }
  } else if (b[i + 3] === 83 && b[i + 4] === QUOTE && b[i + 5] === COLON) {
    // SS, NS, BS
    i += 6;
    const s = i;
    const kind = t === 83 ? SS : t === 78 ? NS : t === 66 ? BS : bail();
    stringArray(kind);
    if (kind !== NS) copy(s, i);
  } else if (t === 66 && b[i + 3] === 79 && b[i + 4] === 79 && b[i + 5] === 76 && b[i + 6] === QUOTE) {
    // BOOL
    if (b[i + 7] !== COLON) bail();
    i += 8;
    const s = i;
    if (!literal(TRUE) && !literal(FALSE)) bail();
    copy(s, i);
  } else if (t === 78 && b[i + 3] === 85 && b[i + 4] === 76 && b[i + 5] === 76 && b[i + 6] === QUOTE) {
    // NULL: only true is valid
    if (b[i + 7] !== COLON) bail();
    i += 8;
    if (!literal(TRUE)) bail();
    putAscii("null");
  } else bail();
  expect(RBRACE);
  ends[at + 1] = plainStart;
  ends[at + 2] = op;
}

/**
 * Where the string of a plain JSON number whose text starts at `j` (after its opening quote, which
 * the caller checks) ends: the position of its closing quote, or -1 when it is not one (an exponent,
 * anything else). Such a string is one str takes and isJsonNumber accepts.
 */
function plainNumberEnd(j: number): number {
  const buf = b;
  if (buf[j] === 45) j++;
  if (buf[j] === 48) j++;
  else {
    const d = j;
    while (isDigit(buf[j])) j++;
    if (j === d) return -1;
  }
  if (buf[j] === 46) {
    j++;
    const f = j;
    while (isDigit(buf[j])) j++;
    if (j === f) return -1;
  }
  return j < end && buf[j] === QUOTE ? j : -1;
}

function list(depth: number): void {
  if (depth > MAX_DEPTH) bail();
  expect(LBRACKET);
  put(LBRACKET);
  if (b[i] === RBRACKET) {
    i++;
    put(RBRACKET);
    return;
  }
  for (;;) {
    const v = i;
    value(depth);
    ended(v, i);
    const c = b[i++];
    put(c as number);
    if (c === RBRACKET) return;
    if (c !== COMMA) bail();
  }
}

function map(depth: number): void {
  if (depth > MAX_DEPTH) bail();
  expect(LBRACE);
  put(LBRACE);
  if (b[i] === RBRACE) {
    i++;
    put(RBRACE);
    return;
  }
  const first = names;
  for (;;) {
    const s = i;
    name();
    ended(s, i);
    expect(COLON);
    put(COLON);
    const v = i;
    value(depth);
    ended(v, i);
    const c = b[i++];
    put(c as number);
    if (c === RBRACE) break;
    if (c !== COMMA) bail();
  }
  checkNames(first);
}

/** Where one image's text is, and its plain text (its attributes: see mapSpans). */
export interface ImageScan {
  /** The image's text, `{` to `}`: also its typed (DynamoDB JSON) text. */
  start: number;
  end: number;
  /** Where its plain text is in {@link scanPlain}'s buffer (valid until the next scan). */
  plainStart: number;
  plainEnd: number;
}

/** An image (top-level attribute map) at `i`. */
function image(): ImageScan {
  const start = i;
  expect(LBRACE);
  // The plain text is never longer than the typed text it comes from.
  ensure(end - start);
  const plainStart = op;
  put(LBRACE);
  if (b[i] === RBRACE) {
    i++;
    put(RBRACE);
  } else {
    const first = names;
    for (;;) {
      const s = i;
      name();
      ended(s, i);
      expect(COLON);
      put(COLON);
      const v = i;
      value(0);
      ended(v, i);
      const c = b[i++];
      put(c as number);
      if (c === RBRACE) break;
      if (c !== COMMA) bail();
    }
    checkNames(first);
  }
  return { start, end: i, plainStart, plainEnd: op };
}

/** A JSON number at `i` as a JS number. */
function numberValue(): number {
  const s = i;
  // Most are whole numbers of a few digits (seconds, sizes): read without making a string.
  let j = s;
  let n = 0;
  while (j < end && j - s < 15) {
    const c = b[j] as number;
    if (c < 48 || c > 57) break;
    n = n * 10 + (c - 48);
    j++;
  }
  if (j > s && j < end && (b[j] === COMMA || b[j] === RBRACE) && (j === s + 1 || b[s] !== 48)) {
    i = j;
    return n;
  }
  i = jsonNumberEnd(b, s, end);
  if (i < 0) bail();
  const x = Number(b.latin1Slice(s, i));
  if (!Number.isFinite(x)) bail();
  return x;
}

/** What a scan found besides the string fields (for those, see scanTokens and fieldText). */
export interface ScannedRecord {
  /** The line: bytes [lineStart, lineEnd) of {@link scanLine}'s buffer. */
  lineStart: number;
  lineEnd: number;
  eventName: string | undefined;
  /** `ApproximateCreationDateTime` as given (a JSON number). */
  creationTime: number | undefined;
  sizeBytes: number | undefined;
  keys: ImageScan | undefined;
  oldImage: ImageScan | undefined;
  newImage: ImageScan | undefined;
  /**
   * Whether the line's fields (top level and `dynamodb`) come in the order the Lambda record is
   * written (LAMBDA_FIELDS, DYNAMODB_FIELDS) with no null image: then the line is the Lambda
   * record's text, if its creation time and size are written as the line has them (see the
   * CREATION_TIME and SIZE_BYTES tokens).
   */
  inOrder: boolean;
}

// Top-level and `dynamodb` field names, as bytes (with quotes), and the bit each sets when seen.
function field(s: string): ConstBytes {
  return new ConstBytes(JSON.stringify(s));
}
const TOP = LAMBDA_FIELDS.map(field);
// Fields whose JSON text is kept (tokens): the top-level ones by their index in TOP, then two more.
export const EVENT_ID = 0;
export const EVENT_NAME = 1;
export const EVENT_VERSION = 2;
export const EVENT_SOURCE = 3;
export const AWS_REGION = 4;
const DYNAMODB_PART = 5;
export const EVENT_SOURCE_ARN = 6;
export const SEQUENCE_NUMBER = 7;
export const STREAM_VIEW_TYPE = 8;
/** Not strings: the JSON text of `ApproximateCreationDateTime` and `SizeBytes`. */
export const CREATION_TIME = 9;
export const SIZE_BYTES = 10;
const tokens = new Int32Array(22);

/** Indexed as DYNAMODB_FIELDS (the switch in dynamodbPart relies on its order). */
const DYNAMODB = DYNAMODB_FIELDS.map(field);

/**
 * Which of `known` the field name at `i` is (its index), moving past it and the colon. The names'
 * texts are compared where the name starts (a match is the whole string, closing quote included),
 * without reading the string first. `next` (the one after the last field's) is tried first: lines
 * nearly always have their fields in one order.
 */
function fieldIndex(known: readonly ConstBytes[], next: number): number {
  const s = i;
  if (b[s] !== QUOTE) bail();
  if (next < known.length && sameField(s, known[next] as ConstBytes)) {
    i = s + (known[next] as ConstBytes).length;
    expect(COLON);
    return next;
  }
  const c = b[s + 1];
  for (let k = 0; k < known.length; k++) {
    const f = known[k] as ConstBytes;
    if (f.bytes[1] === c && sameField(s, f)) {
      i = s + f.length;
      expect(COLON);
      return k;
    }
  }
  return bail();
}

/** Whether the line has the bytes of `f` at `s`, four at a time. */
function sameField(s: number, f: ConstBytes): boolean {
  const n = f.length;
  if (s + n > end) return false;
  const view = bv;
  const fv = f.view;
  let k = 0;
  for (; k + 4 <= n; k += 4) if (view.getInt32(s + k, true) !== fv.getInt32(k, true)) return false;
  for (; k < n; k++) if (b[s + k] !== f.bytes[k]) return false;
  return true;
}

function isNullAt(): boolean {
  return b[i] === 110 && literal(NULL);
}

function dynamodbPart(out: ScannedRecord): void {
  expect(LBRACE);
  if (b[i] === RBRACE) {
    i++;
    return;
  }
  let seen = 0;
  let last = -1;
  for (;;) {
    const k = fieldIndex(DYNAMODB, last + 1);
    if (seen & (1 << k)) bail();
    seen |= 1 << k;
    if (k < last) out.inOrder = false;
    last = k;
    const s = i;
    switch (k) {
      case 0:
        out.creationTime = numberValue();
        tokens[2 * CREATION_TIME] = s;
        tokens[2 * CREATION_TIME + 1] = i;
        break;
      case 1:
        if (isNullAt()) out.inOrder = false;
        else out.keys = image();
        break;
      case 2:
        if (isNullAt()) out.inOrder = false;
        else out.newImage = image();
        break;
      case 3:
        if (isNullAt()) out.inOrder = false;
        else out.oldImage = image();
        break;
      case 4: {
        token(SEQUENCE_NUMBER);
        if (i - s < 3) bail();
        for (let j = s + 1; j < i - 1; j++) if (!isDigit(b[j])) bail();
        break;
      }
      case 5:
        out.sizeBytes = numberValue();
        tokens[2 * SIZE_BYTES] = s;
        tokens[2 * SIZE_BYTES + 1] = i;
        break;
      default:
        token(STREAM_VIEW_TYPE);
    }
    const c = b[i++];
    if (c === RBRACE) return;
    if (c !== COMMA) bail();
  }
}

/** The longest line the fast path takes (bytes); see {@link scanRecordLine}. */
export const MAX_FAST_LINE_BYTES = 8 * 1024 * 1024;

/**
 * Scans one line (bytes [start, stop) of `buf`, no newline) holding one stream record in Lambda or
 * SDK shape; `undefined` when the line is not one the fast path takes (see the module comment).
 */
export function scanRecordLine(buf: Buffer, start: number, stop: number): ScannedRecord | undefined {
  // The scanner's tables take ~9 bytes per byte of the longest line seen, and are kept: a line longer
  // than any stream record (an item is at most 400 KB) goes the general way instead.
  if (stop - start > MAX_FAST_LINE_BYTES) return undefined;
  if (buf !== b) {
    b = buf as SlicingBuffer;
    bv = new DataView(b.buffer, b.byteOffset, b.length);
  }
  i = start;
  end = stop;
  names = 0;
  wide = false;
  op = 0;
  lineBase = start;
  if (ends.length <= stop - start) ends = new Int32Array(stop - start + 1);
  // Live spans (see mapSpans) never outnumber the line's bytes: an attribute takes 4 for at least
  // 11 bytes (`"":{"S":""}`), an element 2 for at least 8 (`{"S":""}`).
  if (spanStack.length < stop - start + 8) {
    spanStack = new Int32Array(stop - start + 8);
    matched = new Uint8Array(stop - start + 8);
  }
  tokens.fill(-1);
  const out: ScannedRecord = {
    lineStart: start,
    lineEnd: stop,
    eventName: undefined,
    creationTime: undefined,
    sizeBytes: undefined,
    keys: undefined,
    oldImage: undefined,
    newImage: undefined,
    inOrder: true,
  };
  try {
    expect(LBRACE);
    let seen = 0;
    let last = -1;
    for (;;) {
      const k = fieldIndex(TOP, last + 1);
      if (seen & (1 << k)) bail();
      seen |= 1 << k;
      if (k < last) out.inOrder = false;
      last = k;
      if (k === DYNAMODB_PART) {
        if (b[i] !== LBRACE) bail();
        dynamodbPart(out);
      } else {
        const s = token(k);
        if (k === EVENT_NAME) out.eventName = eventNameAt(s + 1, i - 1);
      }
      const c = b[i++];
      if (c === RBRACE) break;
      if (c !== COMMA) bail();
    }
    if (i !== end || !(seen & (1 << DYNAMODB_PART))) bail();
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  }
  return out;
}

/** The string at `i`, remembered as field `f`'s token; returns where it starts. */
function token(f: number): number {
  const s = i;
  str();
  tokens[2 * f] = s;
  tokens[2 * f + 1] = i;
  return s;
}

/** The event name whose bytes are [s, e); anything else bails (the general path says why). */
function eventNameAt(s: number, e: number): string {
  for (const n of EVENT_NAME_LIST) {
    if (e - s !== n.length) continue;
    let k = 0;
    while (k < n.length && b[s + k] === n.charCodeAt(k)) k++;
    if (k === n.length) return n;
  }
  return bail();
}

/** The string value of field `f` (its token decoded), or undefined when the line has none. */
export function fieldText(f: number): string | undefined {
  const s = tokens[2 * f] as number;
  return s < 0 ? undefined : stringAt(s, tokens[2 * f + 1] as number);
}

/** The record as the general path has it (strings, numbers), without its images. */
export function recordOf(scan: ScannedRecord): StreamRecord {
  const d: NonNullable<StreamRecord["dynamodb"]> = {};
  if (scan.creationTime !== undefined) d.ApproximateCreationDateTime = scan.creationTime;
  const seq = fieldText(SEQUENCE_NUMBER);
  if (seq !== undefined) d.SequenceNumber = seq;
  if (scan.sizeBytes !== undefined) d.SizeBytes = scan.sizeBytes;
  const view = fieldText(STREAM_VIEW_TYPE);
  if (view !== undefined) d.StreamViewType = view;
  const rec: StreamRecord = {};
  const id = fieldText(EVENT_ID);
  if (id !== undefined) rec.eventID = id;
  if (scan.eventName !== undefined) rec.eventName = scan.eventName;
  const version = fieldText(EVENT_VERSION);
  if (version !== undefined) rec.eventVersion = version;
  const source = fieldText(EVENT_SOURCE);
  if (source !== undefined) rec.eventSource = source;
  const region = fieldText(AWS_REGION);
  if (region !== undefined) rec.awsRegion = region;
  rec.dynamodb = d;
  const arn = fieldText(EVENT_SOURCE_ARN);
  if (arn !== undefined) rec.eventSourceARN = arn;
  return rec;
}

/** The bytes of the line of the last scan (see ScannedRecord's lineStart; valid until the next scan). */
export function scanLine(): Buffer {
  return b;
}

/** A view of {@link scanLine}'s buffer, at the same positions (see `bv`). */
export function scanLineView(): DataView {
  return bv;
}

/**
 * The plain text of the last scan's images and changes (see ImageScan and changesBytes; valid until
 * the next scan or diff, which may grow it).
 */
export function scanPlain(): Buffer {
  return o;
}

/** A view of {@link scanPlain}'s buffer (after changesBytes, which may grow it). */
export function scanPlainView(): DataView {
  return ov;
}

/**
 * Where the JSON text of each string field of the last scan is: start at `2 * f`, end at `2 * f + 1`
 * (-1, -1 when absent). Valid until the next scan.
 */
export function scanTokens(): Int32Array {
  return tokens;
}

/** An image's attributes parsed from its text (the general path's form). */
export function parseImage(scan: ImageScan): AttributeMap {
  return JSON.parse(text(scan.start, scan.end)) as AttributeMap;
}

// Spans of the maps and lists being compared, on a stack: per attribute of a map its name's start
// and end (both quotes included) and its value's start and end; per element of a list its start and
// end. `matched` marks, by the same index, the attributes of a map found in the other map.
let spanStack = new Int32Array(4096);
let matched = new Uint8Array(4096);
let spanTop = 0;

/** Pushes the spans of the (scanned) map at `j`. */
function mapSpans(j: number): void {
  let k = j + 1;
  if (b[k] === RBRACE) return;
  const sp = spanStack;
  let t = spanTop;
  const base = lineBase;
  for (;;) {
    const ne = ends[k - base] as number;
    const ve = ends[ne + 1 - base] as number;
    if (t + 4 > sp.length) bail();
    sp[t] = k;
    sp[t + 1] = ne;
    sp[t + 2] = ne + 1;
    sp[t + 3] = ve;
    t += 4;
    if (b[ve] !== COMMA) break;
    k = ve + 1;
  }
  spanTop = t;
}

/** Pushes the start and end of each element of the (scanned) list at `j`. */
function listSpans(j: number): void {
  let k = j + 1;
  if (b[k] === RBRACKET) return;
  const sp = spanStack;
  let t = spanTop;
  const base = lineBase;
  for (;;) {
    const e = ends[k - base] as number;
    if (t + 2 > sp.length) bail();
    sp[t] = k;
    sp[t + 1] = e;
    t += 2;
    if (b[e] !== COMMA) break;
    k = e + 1;
  }
  spanTop = t;
}

/** The attribute value of bytes [s, e), parsed; S, N and B without escapes are built directly. */
function attr(s: number, e: number): AttributeValue {
  const t = b[s + 2];
  if (b[s + 3] === QUOTE && b[e - 2] === QUOTE && (t === 83 || t === 78 || t === 66)) {
    // {"S":"…"}: the content is [s + 6, e - 2)
    let j = s + 6;
    while (j < e - 2 && b[j] !== BACKSLASH) j++;
    if (j === e - 2) {
      const v = text(s + 6, e - 2);
      return t === 83 ? { S: v } : t === 78 ? { N: v } : { B: v };
    }
  }
  return JSON.parse(text(s, e)) as AttributeValue;
}

// ---------------------------------------------------------------------------------------------------
// The diff of a MODIFY record as JSON text, from the bytes: what changesJson(diffImages(old, new))
// writes, following diffImages' rules (core/diff.ts) step by step.

/** Room for `n` more bytes of output, keeping what is there. */
function ensure(n: number): void {
  if (op + n <= o.length) return;
  const bigger = Buffer.alloc(Math.max(o.length * 2, op + n)) as SlicingBuffer;
  o.copy(bigger, 0, 0, op);
  o = bigger;
  ov = new DataView(o.buffer, o.byteOffset, o.length);
}

// The path of the change being written: per level a name (its bytes, quotes included) or an index.
const MAX_PATH = MAX_DEPTH + 2;
const pathStart = new Int32Array(MAX_PATH);
const pathEnd = new Int32Array(MAX_PATH);
let pathLen = 0;

const TAG_S = 1;
const TAG_N = 2;
const TAG_B = 3;
const TAG_M = 4;
const TAG_L = 5;
const TAG_BOOL = 6;
const TAG_OTHER = 7;

/** The type tag of the (checked) value at `j`, as far as the diff tells them apart. */
function tagAt(j: number): number {
  if (b[j + 3] !== QUOTE) return b[j + 2] === 66 && b[j + 3] === 79 ? TAG_BOOL : TAG_OTHER;
  switch (b[j + 2]) {
    case 83:
      return TAG_S;
    case 78:
      return TAG_N;
    case 66:
      return TAG_B;
    case 77:
      return TAG_M;
    case 76:
      return TAG_L;
    default:
      return TAG_OTHER;
  }
}

/**
 * Whether bytes [s, e) are a number as DynamoDB sends them (core/attr's CANONICAL_NUMBER: no
 * exponent, no leading zeros, no trailing fractional zeros, no `-0`).
 */
function isCanonicalNumber(s: number, e: number): boolean {
  let j = s;
  if (b[j] === 45) j++;
  if (j >= e) return false;
  if (b[j] === 48) {
    if (j + 1 === e) return j === s; // "0", not "-0"
    if (b[j + 1] !== 46) return false;
  } else if (!isDigit(b[j])) return false;
  while (j < e && isDigit(b[j])) j++;
  if (j === e) return true;
  if (b[j] !== 46) return false;
  j++;
  const f = j;
  while (j < e && isDigit(b[j])) j++;
  return j === e && j > f && b[e - 1] !== 48;
}

const B64_VALUE = new Int8Array(128).fill(-1);
for (let k = 0; k < 64; k++)
  B64_VALUE["ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".charCodeAt(k)] = k;

/**
 * Whether bytes [s, e) (checked base64) are the one canonical base64 text of their bytes: whole
 * quads, and the bits that padding leaves unused all zero. Two canonical texts decode to the same
 * bytes only when they are the same text.
 */
function isCanonicalBase64(s: number, e: number): boolean {
  if ((e - s) % 4 !== 0) return false;
  if (e === s || b[e - 1] !== 61) return true;
  if (b[e - 2] === 61) return ((B64_VALUE[b[e - 3] as number] as number) & 15) === 0;
  return ((B64_VALUE[b[e - 2] as number] as number) & 3) === 0;
}

/** Whether two (checked) string arrays at `x` and `y` hold the same strings, as sets. */
function sameStringSets(x: number, y: number): boolean {
  const xa = spanTop;
  listSpans(x);
  const ya = spanTop;
  listSpans(y);
  const yz = spanTop;
  spanTop = xa;
  // A string's text is its one text (the scanner takes no other escapes than JSON.stringify's), so
  // equal strings are equal bytes: small sets are compared on bytes, each way (as sets, duplicates
  // count once).
  if (ya - xa <= 32 && yz - ya <= 32) return allFound(xa, ya, ya, yz) && allFound(ya, yz, xa, ya);
  const sp = spanStack;
  const a = new Set<string>();
  for (let k = xa; k < ya; k += 2) a.add(stringAt(sp[k] as number, sp[k + 1] as number));
  const c = new Set<string>();
  for (let k = ya; k < yz; k += 2) {
    const v = stringAt(sp[k] as number, sp[k + 1] as number);
    if (!a.has(v)) return false;
    c.add(v);
  }
  return a.size === c.size;
}

/** Whether each string of the spans [a, az) has its text among the spans [c, cz) (of the span stack). */
function allFound(a: number, az: number, c: number, cz: number): boolean {
  const sp = spanStack;
  for (let k = a; k < az; k += 2) {
    const s = sp[k] as number;
    const e = sp[k + 1] as number;
    let r = c;
    while (r < cz && !sameBytes(s, e, sp[r] as number, sp[r + 1] as number)) r += 2;
    if (r === cz) return false;
  }
  return true;
}

/** The string whose (checked) JSON text is bytes [s, e). */
function stringAt(s: number, e: number): string {
  for (let j = s + 1; j < e - 1; j++) if (b[j] === BACKSLASH) return JSON.parse(text(s, e)) as string;
  return text(s + 1, e - 1);
}

/** The content of the S/N/B value at [s, e) (`{"N":"…"}`) as a string. */
function scalarText(s: number, e: number): string {
  const v = attr(s, e);
  return (v.S ?? v.N ?? v.B) as string;
}

let typedChanges = false;
let firstChange = true;
/** Where changes go as objects (diffScanned), instead of being written as text. */
let changeList: Change[] | undefined;

/** Writes (or lists) one change; `os`/`vs` are -1 for a missing old/new value. */
function change(kind: Change["kind"], os: number, oe: number, vs: number, ve: number): void {
  if (changeList !== undefined) {
    const path: AttributePath = [];
    for (let k = 0; k < pathLen; k++) {
      const pe = pathEnd[k] as number;
      path.push(pe < 0 ? (pathStart[k] as number) : stringAt(pathStart[k] as number, pe));
    }
    const c: Change = { path, kind };
    if (os >= 0) c.old = attr(os, oe);
    if (vs >= 0) c.new = attr(vs, ve);
    changeList.push(c);
    return;
  }
  // Room for all of it at once: the constant text, the path (an index is at most 10 digits), the
  // values (a plain value is never longer than its typed text).
  let room = 64 + (os >= 0 ? oe - os : 0) + (vs >= 0 ? ve - vs : 0);
  for (let k = 0; k < pathLen; k++) {
    const pe = pathEnd[k] as number;
    room += pe < 0 ? 12 : pe - (pathStart[k] as number) + 1;
  }
  ensure(room);
  if (!firstChange) put(COMMA);
  firstChange = false;
  putConst(PATH_OPEN);
  for (let k = 0; k < pathLen; k++) {
    if (k > 0) put(COMMA);
    const ps = pathStart[k] as number;
    const pe = pathEnd[k] as number;
    if (pe < 0) {
      if (ps < 10) put(48 + ps);
      else putAscii(String(ps));
    } else copy(ps, pe);
  }
  // A change has an old value unless added, a new one unless removed (see diffMapBytes and
  // diffValueBytes, which pass them so).
  if (kind === "changed") {
    putConst(KIND_CHANGED_OLD);
    changeValue(os, oe);
    putConst(NEW_LABEL);
    changeValue(vs, ve);
  } else if (kind === "added") {
    putConst(KIND_ADDED_NEW);
    changeValue(vs, ve);
  } else {
    putConst(KIND_REMOVED_OLD);
    changeValue(os, oe);
  }
  put(RBRACE);
}

const PATH_OPEN = new ConstBytes('{"path":[');
const KIND_CHANGED_OLD = new ConstBytes('],"kind":"changed","old":');
const KIND_ADDED_NEW = new ConstBytes('],"kind":"added","new":');
const KIND_REMOVED_OLD = new ConstBytes('],"kind":"removed","old":');
const NEW_LABEL = new ConstBytes(',"new":');

/** Appends the value at [s, e): its typed text, or its plain text (room must be ensured). */
function changeValue(s: number, e: number): void {
  if (typedChanges) copy(s, e);
  else {
    // The plain text the scanner wrote for the value (see `ends`), from earlier in the same buffer.
    const ps = ends[s + 1 - lineBase] as number;
    const pe = ends[s + 2 - lineBase] as number;
    const out = o;
    const view = ov;
    let p = op;
    if (pe - ps > SET_MIN) {
      out.copyWithin(p, ps, pe);
      p += pe - ps;
    } else {
      let j = ps;
      for (; j + 4 <= pe; j += 4, p += 4) view.setUint32(p, view.getUint32(j, true), true);
      for (; j < pe; j++) out[p++] = out[j] as number;
    }
    op = p;
  }
}

function pushPath(s: number, e: number): void {
  if (pathLen === MAX_PATH) bail();
  pathStart[pathLen] = s;
  pathEnd[pathLen] = e;
  pathLen++;
}

/** The diff of two maps whose spans are [xa, xz) and [ya, yz) of the span stack. */
function diffMapBytes(xa: number, xz: number, ya: number, yz: number): void {
  const sp = spanStack;
  for (let r = ya; r < yz; r += 4) matched[r] = 0;
  let shared = 0;
  for (let p = xa; p < xz; p += 4) {
    const ns = sp[p] as number;
    const ne = sp[p + 1] as number;
    const q = findName(ns, ne, ya, yz, ya + (p - xa));
    pushPath(ns, ne);
    if (q < 0) change("removed", sp[p + 2] as number, sp[p + 3] as number, -1, 0);
    else {
      matched[q] = 1;
      shared++;
      diffValueBytes(sp[p + 2] as number, sp[p + 3] as number, sp[q + 2] as number, sp[q + 3] as number);
    }
    pathLen--;
  }
  if (shared === (yz - ya) / 4) return;
  for (let r = ya; r < yz; r += 4) {
    if (matched[r] === 1) continue;
    pushPath(sp[r] as number, sp[r + 1] as number);
    change("added", -1, 0, sp[r + 2] as number, sp[r + 3] as number);
    pathLen--;
  }
}

/**
 * Where among the spans [ya, yz) the name [ns, ne) is, trying index `p` first; -1 when it is not
 * there.
 */
function findName(ns: number, ne: number, ya: number, yz: number, p: number): number {
  const sp = spanStack;
  if (p < yz && sameBytes(ns, ne, sp[p] as number, sp[p + 1] as number)) return p;
  for (let r = ya; r < yz; r += 4) if (sameBytes(ns, ne, sp[r] as number, sp[r + 1] as number)) return r;
  return -1;
}

function diffValueBytes(os: number, oe: number, vs: number, ve: number): void {
  if (sameBytes(os, oe, vs, ve)) return;
  const t = tagAt(os);
  const u = tagAt(vs);
  let equal = false;
  if (t === u) {
    switch (t) {
      case TAG_S:
      case TAG_BOOL:
        break; // canonical text: different bytes, different values
      case TAG_N:
        // Two numbers in DynamoDB's own form are equal only when their text is.
        equal =
          !(isCanonicalNumber(os + 6, oe - 2) && isCanonicalNumber(vs + 6, ve - 2)) &&
          numbersEqual(scalarText(os, oe), scalarText(vs, ve));
        break;
      case TAG_B:
        // Base64 in its one canonical form per value is equal only when its text is.
        equal =
          !(isCanonicalBase64(os + 6, oe - 2) && isCanonicalBase64(vs + 6, ve - 2)) &&
          binaryEquals(scalarText(os, oe), scalarText(vs, ve));
        break;
      case TAG_M: {
        const xa = spanTop;
        mapSpans(os + 5);
        const ya = spanTop;
        mapSpans(vs + 5);
        diffMapBytes(xa, ya, ya, spanTop);
        spanTop = xa;
        return;
      }
      case TAG_L: {
        const xa = spanTop;
        listSpans(os + 5);
        const ya = spanTop;
        listSpans(vs + 5);
        const yz = spanTop;
        const sp = spanStack;
        const n = Math.min(ya - xa, yz - ya);
        for (let k = 0; k < n; k += 2) {
          pushPath(k / 2, -1);
          diffValueBytes(
            sp[xa + k] as number,
            sp[xa + k + 1] as number,
            sp[ya + k] as number,
            sp[ya + k + 1] as number,
          );
          pathLen--;
        }
        for (let k = n; k < ya - xa; k += 2) {
          pushPath(k / 2, -1);
          change("removed", sp[xa + k] as number, sp[xa + k + 1] as number, -1, 0);
          pathLen--;
        }
        for (let k = n; k < yz - ya; k += 2) {
          pushPath(k / 2, -1);
          change("added", -1, 0, sp[ya + k] as number, sp[ya + k + 1] as number);
          pathLen--;
        }
        spanTop = xa;
        return;
      }
      default:
        equal =
          b[os + 2] === 83 && b[os + 3] === 83 && b[vs + 2] === 83 && b[vs + 3] === 83 // SS, SS
            ? sameStringSets(os + 6, vs + 6)
            : attributeEquals(attr(os, oe), attr(vs, ve));
    }
  }
  if (!equal) change("changed", os, oe, vs, ve);
}

/** The diff of two scanned images. */
function diffImages(oldScan: ImageScan, newScan: ImageScan): void {
  spanTop = 0;
  mapSpans(oldScan.start);
  const ya = spanTop;
  mapSpans(newScan.start);
  diffMapBytes(0, ya, ya, spanTop);
}

/**
 * The JSON text of the changes between two scanned images (plain values, or typed when `typed`):
 * what `changesJson(diffImages(old, new), typed)` writes for the parsed images, written to the end
 * of the plain buffer (see scanPlain). Returns where it starts (it ends at `plainLength()`), or -1
 * when a path is deeper than the scanner takes.
 */
export function changesBytes(oldScan: ImageScan, newScan: ImageScan, typed: boolean): number {
  changeList = undefined;
  typedChanges = typed;
  firstChange = true;
  pathLen = 0;
  names = 0;
  const at = op;
  try {
    ensure(2);
    put(LBRACKET);
    diffImages(oldScan, newScan);
    ensure(1);
    put(RBRACKET);
  } catch (e) {
    if (e === BAIL) return -1; // a path deeper than the scanner takes
    throw e;
  }
  return at;
}

/**
 * The changes between two scanned images as objects: what `diffImages` gives for the parsed images
 * (only the values a change shows are parsed). Undefined when a path is deeper than the scanner takes.
 */
export function diffScanned(oldScan: ImageScan, newScan: ImageScan): Change[] | undefined {
  const list: Change[] = [];
  changeList = list;
  pathLen = 0;
  names = 0;
  try {
    diffImages(oldScan, newScan);
  } catch (e) {
    if (e === BAIL) return undefined;
    throw e;
  } finally {
    changeList = undefined;
  }
  return list;
}

/** Bytes of plain output so far (see changesBytes). */
export function plainLength(): number {
  return op;
}
