/**
 * filter-test's reader for the usual line of a large records file: one record in Lambda shape,
 * written compactly. Instead of `JSON.parse` of the whole line, then `isLambdaShaped` over the whole
 * value (core/filter-run.ts), one pass over the bytes checks the line as those two would, and builds
 * only the part of the record that the patterns can see: the fields on their paths, whole, plus the
 * record's `eventID`, `eventName` and `Keys` when results or failures are kept. Matching that part gives
 * what matching the whole record gives, because a compiled pattern reads only the fields on its paths
 * (dot-joined: an attribute named `"a.b"` is the field `a`, then `b`).
 *
 * Any line the pass is not sure of is declined (`undefined`), and then read the general way, errors
 * included: white space between tokens, a value that is not what `isLambdaShaped` accepts (or only is
 * after JSON.parse's last-wins on duplicate names), `null` images, `userIdentity`, creation times in
 * milliseconds, escapes in numbers, binaries, `eventName` or `SequenceNumber`, a built name
 * `__proto__`, numbers beyond double range, nesting deeper than 64. Strings are decoded as JSON.parse
 * decodes them: the bytes are UTF-8 (checked before), and a string with escapes goes through
 * JSON.parse itself. Short strings repeat from line to line, so those built are kept (`keptString`).
 */
import { DYNAMODB_FIELDS, EVENT_NAME_LIST, LAMBDA_FIELDS, MS_THRESHOLD } from "../core/record.js";
import {
  BACKSLASH,
  COLON,
  COMMA,
  isBase64,
  isDecimal,
  isDigit,
  jsonNumberEnd,
  keptAscii,
  LBRACE,
  LBRACKET,
  MAX_KEPT,
  QUOTE,
  RBRACE,
  RBRACKET,
} from "./json-bytes.js";
import type { SlicingBuffer } from "./utf8.js";

/** Which part of a record to build, from the leaf paths of the patterns (see {@link projectionPlan}). */
export interface ProjectionPlan {
  /** Top-level string fields to build (`eventName` is always built). */
  top: ReadonlySet<string>;
  /** `dynamodb` scalar fields to build. */
  dynamodb: ReadonlySet<string>;
  /** Per image (`Keys`, `NewImage`, `OldImage`): which attributes to build. */
  images: Readonly<Record<ImageName, ImagePlan>>;
}

type ImageName = "Keys" | "NewImage" | "OldImage";

/** Attributes of one image to build: all of them, or those named (or dotted names under them). */
export interface ImagePlan {
  all: boolean;
  /**
   * Attribute names that lie on a path: each path's remainder below the image, and every dot-prefix of
   * it (an attribute `"customer.M"` holds the field `customer.M.tier`).
   */
  names: string[];
  /**
   * Each path's remainder below the image: a name that starts with one and a dot lies below it. (Such
   * an attribute only adds an object below a leaf, which no operator sees; it is built all the same,
   * so that the part holds every field on the paths.)
   */
  below: string[];
}

const IMAGES: readonly ImageName[] = ["Keys", "NewImage", "OldImage"];
/** A record's fields that are strings (`eventName` is always built). */
const TOP_STRINGS = LAMBDA_FIELDS.filter((f) => f !== "eventName" && f !== "dynamodb");
const DYNAMODB_SCALARS = DYNAMODB_FIELDS.filter((f) => !(IMAGES as readonly string[]).includes(f));

/**
 * What to build for patterns whose leaves have these dotted paths, and, when `keep` says so, the
 * record's `eventID` and `Keys` (results or failures show them).
 */
export function projectionPlan(
  paths: readonly string[],
  keep: { eventID: boolean; keys: boolean },
): ProjectionPlan {
  const top = new Set<string>(keep.eventID ? ["eventID"] : []);
  const dynamodb = new Set<string>();
  const images = {} as Record<ImageName, ImagePlan>;
  for (const k of IMAGES) images[k] = { all: false, names: [], below: [] };
  if (keep.keys) images.Keys.all = true;
  for (const path of paths) {
    const segs = path.split(".");
    const first = segs[0] as string;
    if ((TOP_STRINGS as readonly string[]).includes(first)) top.add(first);
    if (first !== "dynamodb") continue;
    if (segs.length === 1) {
      for (const k of DYNAMODB_SCALARS) dynamodb.add(k);
      for (const k of IMAGES) images[k].all = true;
      continue;
    }
    const second = segs[1] as string;
    if ((DYNAMODB_SCALARS as readonly string[]).includes(second)) dynamodb.add(second);
    if (!(IMAGES as readonly string[]).includes(second)) continue;
    const image = images[second as ImageName];
    if (segs.length === 2) {
      image.all = true;
      continue;
    }
    const rest = segs.slice(2);
    for (let d = 1; d <= rest.length; d++) {
      const name = rest.slice(0, d).join(".");
      if (!image.names.includes(name)) image.names.push(name);
    }
    const whole = rest.join(".");
    if (!image.below.includes(whole)) image.below.push(whole);
  }
  return { top, dynamodb, images };
}

// ---------------------------------------------------------------------------------------------------
// The pass. State lives in module variables (one line at a time, no re-entry): the line's bytes, the
// position, the line's end.

/** Thrown (never seen outside this module) to decline a line. */
const DECLINE = { decline: true };
function decline(): never {
  throw DECLINE;
}

const MAX_DEPTH = 64;

let b = Buffer.alloc(0) as SlicingBuffer;
let i = 0;
let end = 0;
/** Flags of the last string read: it has escapes / bytes above 127. */
let escaped = false;
let wide = false;

function expect(c: number): void {
  if (b[i] !== c) decline();
  i++;
}

/** Whether the bytes being read are all ASCII, without a backslash (see {@link setSimple}). */
let simple = false;

/**
 * Says whether the bytes the next lines are read from are all ASCII and hold no backslash: then
 * strings are read with one test per byte.
 */
export function setSimple(yes: boolean): void {
  simple = yes;
}

/** Reads the string at `i` (checking it as JSON.parse would); `i` ends after its closing quote. */
function skipString(): void {
  if (b[i] !== QUOTE) decline();
  const buf = b;
  let j = i + 1;
  escaped = false;
  wide = false;
  if (simple) {
    // A line ends with a byte below 32 (\n, \r) or the end of the bytes (undefined), so this loop
    // stops within the line; a control byte in a string is an error for JSON.parse.
    for (;;) {
      const c = buf[j] as number;
      if (c === QUOTE) break;
      if (!(c >= 32)) decline();
      j++;
    }
    if (j >= end) decline();
    i = j + 1;
    return;
  }
  const stop = end;
  for (;;) {
    if (j >= stop) decline();
    const c = buf[j] as number;
    if (c === QUOTE) break;
    if (c < 32) decline();
    if (c === BACKSLASH) {
      escaped = true;
      j = escapeEnd(j);
      continue;
    }
    if (c >= 128) wide = true;
    j++;
  }
  i = j + 1;
}

/** The end of the escape at `j` (a backslash), as JSON allows them. */
function escapeEnd(j: number): number {
  switch (b[j + 1]) {
    case QUOTE:
    case BACKSLASH:
    case 47: // /
    case 98: // b
    case 102: // f
    case 110: // n
    case 114: // r
    case 116: // t
      return j + 2;
    case 117: // u
      for (let k = j + 2; k < j + 6; k++) {
        const h = b[k] as number;
        if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) decline();
      }
      return j + 6;
    default:
      return decline();
  }
}

/** The value of the string token [s, e) just read by {@link skipString}. */
function stringValue(s: number, e: number): string {
  if (escaped) return JSON.parse(b.latin1Slice(s, e)) as string;
  return wide ? b.utf8Slice(s + 1, e - 1) : b.latin1Slice(s + 1, e - 1);
}

/** Whether bytes [s, e) are `lit` (latin1). */
function bytesAre(s: number, e: number, lit: Uint8Array): boolean {
  if (e - s !== lit.length) return false;
  for (let k = 0; k < lit.length; k++) if (b[s + k] !== lit[k]) return false;
  return true;
}

const latin1 = (s: string): Uint8Array => Buffer.from(s, "latin1");
const TRUE = latin1("true");
const FALSE = latin1("false");

function literal(lit: Uint8Array): boolean {
  if (!bytesAre(i, i + lit.length, lit)) return false;
  i += lit.length;
  return true;
}

/** A JSON number at `i`, as JSON.parse reads it; declined beyond double range. */
function readNumber(): number {
  const s = i;
  const negative = b[i] === 45;
  if (negative) i++;
  const d = i;
  let n = 0;
  while (isDigit(b[i])) {
    n = n * 10 + ((b[i] as number) - 48);
    i++;
  }
  const c = b[i];
  // An integer of up to 15 digits (without a leading zero) is exact as summed.
  if (c !== 46 && c !== 101 && c !== 69 && i > d && i - d <= 15 && (b[d] !== 48 || i - d === 1))
    return negative ? -n : n;
  i = jsonNumberEnd(b, s, end);
  if (i < 0) decline();
  const x = Number(b.latin1Slice(s, i));
  if (!Number.isFinite(x)) decline();
  return x;
}

/** A string set (`kind` S, N or B) at `i`: checked, and its array when `build`. */
function stringSet(kind: number, build: boolean): string[] | undefined {
  expect(LBRACKET);
  const out: string[] | undefined = build ? [] : undefined;
  if (b[i] === RBRACKET) {
    i++;
    return out;
  }
  for (;;) {
    const s = i;
    skipString();
    if (kind !== 83) {
      if (escaped) decline();
      if (kind === 78 ? !isDecimal(b, s + 1, i - 1) : !isBase64(b, s + 1, i - 1)) decline();
    }
    if (out !== undefined) out.push(keptString(s, i));
    const c = b[i++];
    if (c === RBRACKET) return out;
    if (c !== COMMA) decline();
  }
}

/**
 * An attribute value (`{"S":"x"}`, `{"M":{…}}`, …) at `i`, checked as `isAttributeValue` does: exactly
 * one type; when `build`, the value as JSON.parse gives it.
 */
function attributeValue(depth: number, build: boolean): unknown {
  if (depth > MAX_DEPTH) decline();
  if (b[i] !== LBRACE || b[i + 1] !== QUOTE) decline();
  const t = b[i + 2];
  let out: unknown;
  if (b[i + 3] === QUOTE && b[i + 4] === COLON) {
    i += 5;
    const s = i;
    switch (t) {
      case 83: // S
        skipString();
        if (build) out = { S: keptString(s, i) };
        break;
      case 78: // N
        skipString();
        if (escaped || !isDecimal(b, s + 1, i - 1)) decline();
        if (build) out = { N: keptString(s, i) };
        break;
      case 66: // B
        skipString();
        if (escaped || !isBase64(b, s + 1, i - 1)) decline();
        if (build) out = { B: stringValue(s, i) };
        break;
      case 77: {
        // M
        const m = attributeMap(depth + 1, build);
        if (build) out = { M: m };
        break;
      }
      case 76: {
        // L
        expect(LBRACKET);
        const list: unknown[] | undefined = build ? [] : undefined;
        if (b[i] === RBRACKET) i++;
        else
          for (;;) {
            const v = attributeValue(depth + 1, build);
            if (list !== undefined) list.push(v);
            const c = b[i++];
            if (c === RBRACKET) break;
            if (c !== COMMA) decline();
          }
        if (build) out = { L: list };
        break;
      }
      default:
        decline();
    }
  } else if (b[i + 3] === 83 && b[i + 4] === QUOTE && b[i + 5] === COLON) {
    // SS, NS, BS
    i += 6;
    if (t !== 83 && t !== 78 && t !== 66) decline();
    const set = stringSet(t as number, build);
    if (build) out = t === 83 ? { SS: set } : t === 78 ? { NS: set } : { BS: set };
  } else if (t === 66 && b[i + 3] === 79 && b[i + 4] === 79 && b[i + 5] === 76 && b[i + 6] === QUOTE) {
    // BOOL
    if (b[i + 7] !== COLON) decline();
    i += 8;
    let v: boolean;
    if (literal(TRUE)) v = true;
    else if (literal(FALSE)) v = false;
    else return decline();
    if (build) out = { BOOL: v };
  } else if (t === 78 && b[i + 3] === 85 && b[i + 4] === 76 && b[i + 5] === 76 && b[i + 6] === QUOTE) {
    // NULL
    if (b[i + 7] !== COLON) decline();
    i += 8;
    if (!literal(TRUE)) decline();
    if (build) out = { NULL: true };
  } else decline();
  expect(RBRACE);
  return out;
}

/** A name of an attribute map at `i` and its colon; [nameStart, nameEnd) is the token. */
let nameStart = 0;
let nameEnd = 0;
function attributeName(): void {
  nameStart = i;
  skipString();
  nameEnd = i;
  expect(COLON);
}

/**
 * The value of the name just read, to build a map with: `__proto__` is declined (JSON.parse makes it
 * an own property; assigning it would set the prototype).
 */
function nameValue(): string {
  const name = keptString(nameStart, nameEnd);
  if (name === "__proto__") decline();
  return name;
}

/** The value of the string token [s, e) just read by {@link skipString}, kept when short. */
function keptString(s: number, e: number): string {
  if (escaped || wide || e - s - 2 > MAX_KEPT) return stringValue(s, e);
  return keptAscii(b, s + 1, e - 1);
}

/** An attribute map at `i` (`M`'s value), checked; built whole when `build`. */
function attributeMap(depth: number, build: boolean): Record<string, unknown> | undefined {
  if (depth > MAX_DEPTH) decline();
  expect(LBRACE);
  const out: Record<string, unknown> | undefined = build ? {} : undefined;
  if (b[i] === RBRACE) {
    i++;
    return out;
  }
  for (;;) {
    attributeName();
    if (out !== undefined) {
      const name = nameValue();
      out[name] = attributeValue(depth, true);
    } else attributeValue(depth, false);
    const c = b[i++];
    if (c === RBRACE) return out;
    if (c !== COMMA) decline();
  }
}

/** A compiled {@link ImagePlan}: names also as bytes (tokens, with their quotes), found without strings. */
interface ImageTest {
  all: boolean;
  none: boolean;
  names: string[];
  tokens: Uint8Array[];
  /** The indexes of the tokens of each length. */
  byLength: (number[] | undefined)[];
  below: string[];
}

function imageTest(p: ImagePlan): ImageTest {
  const tokens = p.names.map((n) => Buffer.from(JSON.stringify(n), "utf8"));
  const byLength: (number[] | undefined)[] = [];
  tokens.forEach((t, k) => {
    const same = byLength[t.length] ?? [];
    same.push(k);
    byLength[t.length] = same;
  });
  return {
    all: p.all,
    none: !p.all && p.names.length === 0,
    names: p.names,
    tokens,
    byLength,
    below: p.below,
  };
}

/**
 * The name just read ({@link nameStart}..{@link nameEnd}) if the attribute lies on a path of `t`
 * (named by a path, or a dotted name below one); else undefined.
 */
function nameOnPath(t: ImageTest): string | undefined {
  const same = t.byLength[nameEnd - nameStart];
  if (same !== undefined)
    for (let x = 0; x < same.length; x++) {
      const k = same[x] as number;
      if (bytesAre(nameStart, nameEnd, t.tokens[k] as Uint8Array)) return t.names[k] as string;
    }
  if (!escaped && !wide) {
    // Without escapes or wide characters a token is its name's JSON.stringify: it was compared. A
    // name without a dot lies below no path.
    let dot = false;
    for (let j = nameStart + 1; j < nameEnd - 1; j++)
      if (b[j] === 46) {
        dot = true;
        break;
      }
    if (!dot) return undefined;
  }
  const name = nameValue();
  for (const r of t.below) if (name.startsWith(`${r}.`)) return name;
  return t.names.includes(name) ? name : undefined;
}

/** An image at `i` (`Keys`, `NewImage`, `OldImage`): checked; the attributes `t` asks for, built. */
function image(t: ImageTest): Record<string, unknown> | undefined {
  if (b[i] !== LBRACE) decline(); // null, or not an object
  if (t.all) return attributeMap(0, true);
  if (t.none) {
    attributeMap(0, false);
    return undefined;
  }
  i++;
  const out: Record<string, unknown> = {};
  if (b[i] === RBRACE) {
    i++;
    return out;
  }
  for (;;) {
    attributeName();
    const name = nameOnPath(t);
    if (name === undefined) attributeValue(0, false);
    else {
      if (name === "__proto__") decline();
      out[name] = attributeValue(0, true);
    }
    const c = b[i++];
    if (c === RBRACE) return out;
    if (c !== COMMA) decline();
  }
}

/** The names of the record's fields, as tokens. */
const TOP: readonly string[] = LAMBDA_FIELDS;
const TOP_TOKENS = TOP.map((n) => latin1(JSON.stringify(n)));
const TOP_AFTER = new Int8Array(TOP.length + 1).fill(-1);
const DYNAMODB: readonly string[] = DYNAMODB_FIELDS;
const DYNAMODB_TOKENS = DYNAMODB.map((n) => latin1(JSON.stringify(n)));
const DYNAMODB_AFTER = new Int8Array(DYNAMODB.length + 1).fill(-1);
const EVENT_NAME_FIELD = TOP.indexOf("eventName");
const DYNAMODB_FIELD = TOP.indexOf("dynamodb");
const EVENT_NAME_TOKENS = EVENT_NAME_LIST.map((n) => latin1(JSON.stringify(n)));

/**
 * The index in `tokens` of the name at `i` (then past its colon); declined when none. `after[prev + 1]`
 * is the field that followed field `prev` (-1: the first) last time: it is tried first, in one pass
 * (a token holds no backslash, so bytes equal to it up to its closing quote are that name).
 */
function fieldIndex(tokens: readonly Uint8Array[], after: Int8Array, prev: number): number {
  const guess = after[prev + 1] as number;
  if (guess >= 0) {
    const t = tokens[guess] as Uint8Array;
    const e = i + t.length;
    if (e < end && b[e] === COLON && bytesAre(i, e, t)) {
      i = e + 1;
      return guess;
    }
  }
  const s = i;
  skipString();
  const e = i;
  expect(COLON);
  const len = e - s;
  const second = b[s + 1];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k] as Uint8Array;
    if (t.length === len && t[1] === second && bytesAre(s, e, t)) {
      after[prev + 1] = k;
      return k;
    }
  }
  return decline();
}

/** A compiled {@link ProjectionPlan}. */
export interface Projection {
  /** Per field of TOP: build it. */
  top: boolean[];
  /** Per field of DYNAMODB: build it (images: see `images`). */
  dynamodb: boolean[];
  images: ImageTest[];
}

export function compileProjection(plan: ProjectionPlan): Projection {
  return {
    top: TOP.map((n) => n === "eventName" || plan.top.has(n)),
    dynamodb: DYNAMODB.map((n) => plan.dynamodb.has(n)),
    images: IMAGES.map((k) => imageTest(plan.images[k])),
  };
}

function dynamodbPart(p: Projection): Record<string, unknown> {
  expect(LBRACE);
  const out: Record<string, unknown> = {};
  if (b[i] === RBRACE) {
    i++;
    return out;
  }
  let seen = 0;
  let k = -1;
  for (;;) {
    k = fieldIndex(DYNAMODB_TOKENS, DYNAMODB_AFTER, k);
    if (seen & (1 << k)) decline();
    seen |= 1 << k;
    switch (k) {
      case 0: {
        const t = readNumber();
        if (Math.abs(t) >= MS_THRESHOLD) decline();
        if (p.dynamodb[0]) out.ApproximateCreationDateTime = t;
        break;
      }
      case 1:
      case 2:
      case 3: {
        const img = image(p.images[k - 1] as ImageTest);
        if (img !== undefined) out[DYNAMODB[k] as string] = img;
        break;
      }
      case 4: {
        const s = i;
        skipString();
        if (escaped || i - s < 3) decline();
        for (let j = s + 1; j < i - 1; j++) if (!isDigit(b[j])) decline();
        if (p.dynamodb[4]) out.SequenceNumber = b.latin1Slice(s + 1, i - 1);
        break;
      }
      case 5: {
        const n = readNumber();
        if (p.dynamodb[5]) out.SizeBytes = n;
        break;
      }
      default: {
        const s = i;
        skipString();
        if (p.dynamodb[6]) out.StreamViewType = keptString(s, i);
      }
    }
    const c = b[i++];
    if (c === RBRACE) return out;
    if (c !== COMMA) decline();
  }
}

/**
 * The part of the record on line [start, stop) of `buf` that `p` asks for, when the line is one
 * compact Lambda-shaped record (`isLambdaShaped(JSON.parse(line))`); else undefined.
 */
export function projectRecordLine(
  buf: SlicingBuffer,
  start: number,
  stop: number,
  p: Projection,
): Record<string, unknown> | undefined {
  b = buf;
  i = start;
  end = stop;
  const out: Record<string, unknown> = {};
  try {
    expect(LBRACE);
    let seen = 0;
    let k = -1;
    for (;;) {
      k = fieldIndex(TOP_TOKENS, TOP_AFTER, k);
      if (seen & (1 << k)) decline();
      seen |= 1 << k;
      if (k === DYNAMODB_FIELD) out.dynamodb = dynamodbPart(p);
      else if (k === EVENT_NAME_FIELD) {
        const s = i;
        skipString();
        let n = 0;
        while (n < 3 && !bytesAre(s, i, EVENT_NAME_TOKENS[n] as Uint8Array)) n++;
        if (n === 3) decline();
        out.eventName = EVENT_NAME_LIST[n];
      } else {
        const s = i;
        skipString();
        if (p.top[k]) out[TOP[k] as string] = keptString(s, i);
      }
      const c = b[i++];
      if (c === RBRACE) break;
      if (c !== COMMA) decline();
    }
    if (i !== end || !(seen & (1 << DYNAMODB_FIELD))) decline();
  } catch (e) {
    if (e === DECLINE) return undefined;
    throw e;
  }
  return out;
}
