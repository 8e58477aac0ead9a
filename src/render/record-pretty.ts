/**
 * Human output of `dynastream tail`: a header line per record, then the item (INSERT, REMOVE) or only
 * what changed (MODIFY):
 *
 * ```
 * 12:00:05Z MODIFY Orders orderId=order-123 sk=2 shard:a1b2c3d4
 *   ~ status: "pending" → "shipped"
 *   ~ items[2].qty: 1 → 3
 *   + note: "gift"
 *   - coupon: "X1"
 * ```
 *
 * Values are lossless (numbers verbatim, binary as `<binary 3 bytes: AAH/>`, sets as `{"a", "b"}`,
 * maps `{k: v}`, lists `[v]`), abbreviated unless `full` (strings over 80 characters, binary over 32
 * base64 characters, maps/lists/sets over ~120 characters, more than 40 attributes or changes). All
 * item data, names, table and shard go through `sanitize()` or an escaping quote, so an item cannot
 * drive the terminal. Colour comes only from the injected `Style`.
 */
import type { AttributeMap, AttributeValue, Binary, TagValues, TypeTag } from "../core/attr.js";
import { byteLength, tagOf, toBase64, valueAt } from "../core/attr.js";
import type { Change } from "../core/diff.js";
import { diffImages } from "../core/diff.js";
import type { StreamRecord } from "../core/record.js";
import { creationTimeMs, isTtlDelete } from "../core/record.js";
import type { GapInfo } from "./record-json.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";

/** Rendering options for {@link renderPretty}. */
export interface PrettyContext {
  style: Style;
  /** Show everything, no abbreviation. */
  full: boolean;
  table?: string | undefined;
  shardId?: string | undefined;
  /** Time zone for the header time; default UTC (shown with a `Z`). */
  tz?: "utc" | "local" | undefined;
  /**
   * Today's date as `YYYY-MM-DD` in `tz` (from the injected clock, see {@link formatDay}). The header
   * shows the date only for records from another day; without `today` it always shows it.
   */
  today?: string | undefined;
}

/** Strings longer than this are cut (unless `full`). */
export const MAX_STRING = 80;
/** Inline maps, lists and sets are cut to about this many characters (unless `full`). */
export const MAX_INLINE = 120;
/** Base64 of binary values is cut to this many characters (unless `full`). */
export const MAX_BINARY = 32;
/** At most this many attribute or change lines per record (unless `full`). */
export const MAX_LINES = 40;

// ---------------------------------------------------------------------------------------------------
// Values

const NEEDS_ESCAPE = /["\\\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const QUOTE_OR_BACKSLASH = /["\\]/g;
const IDENT = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `"text"` with quotes and backslashes escaped and control characters made visible (`\x1b`). */
function q(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  return '"' + sanitize(s.replace(QUOTE_OR_BACKSLASH, "\\$&")) + '"';
}

function stringText(s: string, full: boolean): string {
  if (full || s.length <= MAX_STRING) return q(s);
  let cut = MAX_STRING;
  const c = s.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--; // don't split a surrogate pair
  return q(s.slice(0, cut)) + "…(+" + (s.length - cut) + " chars)";
}

function binaryText(b: Binary, full: boolean): string {
  const b64 = typeof b === "string" ? sanitize(b) : toBase64(b);
  const shown = full || b64.length <= MAX_BINARY ? b64 : b64.slice(0, MAX_BINARY) + "…";
  return "<binary " + byteLength(b) + (byteLength(b) === 1 ? " byte: " : " bytes: ") + shown + ">";
}

/** An attribute or map key: bare when identifier-like, else quoted and escaped. */
function keyText(k: string): string {
  return IDENT.test(k) ? k : q(k);
}

/** `address.city`, `items[2].qty`, `"odd key".x`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (let i = 0; i < path.length; i++) {
    const p = path[i] as string | number;
    if (typeof p === "number") out += "[" + p + "]";
    else out += (i === 0 ? "" : ".") + keyText(p);
  }
  return out;
}

/** Renders `n` elements between `open` and `close`, stopping with `…(+K more)` past `budget`. */
function seq(
  open: string,
  close: string,
  n: number,
  part: (i: number, budget: number) => string,
  full: boolean,
  budget: number,
): string {
  let out = open;
  for (let i = 0; i < n; i++) {
    const p = part(i, full ? Number.POSITIVE_INFINITY : Math.max(budget - out.length, 24));
    if (!full && i > 0 && out.length + p.length + 3 > budget)
      return out + ", …(+" + (n - i) + " more)" + close;
    out += (i === 0 ? "" : ", ") + p;
  }
  return out + close;
}

type Pretty<T> = (v: T, full: boolean, budget: number) => string;

/** The pretty text of each of the ten types (keyed like core/attr's table, so none can be missing). */
const PRETTY: { readonly [K in TypeTag]: Pretty<TagValues[K]> } = {
  S: (s, full) => stringText(s, full),
  N: (n) => sanitize(n),
  B: (b, full) => binaryText(b, full),
  SS: (l, full, budget) => seq("{", "}", l.length, (i) => stringText(l[i] as string, full), full, budget),
  NS: (l, full, budget) => seq("{", "}", l.length, (i) => sanitize(l[i] as string), full, budget),
  BS: (l, full, budget) => seq("{", "}", l.length, (i) => binaryText(l[i] as Binary, full), full, budget),
  M: (m, full, budget) => {
    const keys = Object.keys(m);
    const entry = (i: number, b: number): string =>
      keyText(keys[i] as string) + ": " + formatValue(m[keys[i] as string] as AttributeValue, full, b);
    return seq("{", "}", keys.length, entry, full, budget);
  },
  L: (l, full, budget) =>
    seq("[", "]", l.length, (i, b) => formatValue(l[i] as AttributeValue, full, b), full, budget),
  NULL: () => "null",
  BOOL: (v) => String(v),
};

/**
 * One attribute value on one line, lossless and escaped; abbreviated to about `budget` characters
 * unless `full`.
 */
export function formatValue(av: AttributeValue, full = false, budget = MAX_INLINE): string {
  const t = tagOf(av);
  if (t === "$unknown") {
    const u = av.$unknown;
    return "<unknown type " + (u === undefined ? "?" : q(String(u[0]))) + ">";
  }
  // Each entry takes the value type of its own tag; `valueAt` gives the value of the tag `t`.
  return (PRETTY[t] as Pretty<unknown>)(valueAt(av, t), full, budget);
}

// ---------------------------------------------------------------------------------------------------
// Header

function pad2(n: number): string {
  return n < 10 ? "0" + n : String(n);
}

function parts(ms: number, tz: "utc" | "local"): [day: string, time: string] {
  const d = new Date(ms);
  if (tz === "utc") {
    return [
      d.getUTCFullYear() + "-" + pad2(d.getUTCMonth() + 1) + "-" + pad2(d.getUTCDate()),
      pad2(d.getUTCHours()) + ":" + pad2(d.getUTCMinutes()) + ":" + pad2(d.getUTCSeconds()) + "Z",
    ];
  }
  return [
    d.getFullYear() + "-" + pad2(d.getMonth() + 1) + "-" + pad2(d.getDate()),
    pad2(d.getHours()) + ":" + pad2(d.getMinutes()) + ":" + pad2(d.getSeconds()),
  ];
}

/** `YYYY-MM-DD` of an epoch-ms time in `tz`: pass the clock's now as `today` to {@link renderPretty}. */
export function formatDay(ms: number, tz: "utc" | "local" = "utc"): string {
  return parts(ms, tz)[0];
}

// Records of a batch mostly share their (1-second) creation time: the last answer is remembered.
let lastMs = Number.NaN;
let lastTz: "utc" | "local" | undefined;
let lastToday: string | undefined;
let lastTime = "";

function timeText(ms: number | undefined, tz: "utc" | "local", today: string | undefined): string {
  if (ms === undefined || !(Math.abs(ms) <= 8.64e15)) return "--:--:--";
  // Local time: the zone's offset could change while the process runs; only UTC is remembered.
  if (ms === lastMs && tz === "utc" && lastTz === "utc" && today === lastToday) return lastTime;
  const [day, time] = parts(ms, tz);
  const text = day === today ? time : day + " " + time;
  lastMs = ms;
  lastTz = tz;
  lastToday = today;
  lastTime = text;
  return text;
}

function eventText(name: string | undefined, style: Style): string {
  switch (name) {
    case "INSERT":
      return style.green("INSERT");
    case "MODIFY":
      return style.yellow("MODIFY");
    case "REMOVE":
      return style.red("REMOVE");
    case undefined:
      return "?";
    default:
      return sanitize(name);
  }
}

const BARE_KEY_VALUE = /^[^\s"=,\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/;

function keysText(keys: AttributeMap | undefined, full: boolean): string {
  if (keys === undefined) return "";
  let out = "";
  for (const k in keys) {
    const v = keys[k] as AttributeValue;
    const text =
      v.S !== undefined && v.S.length <= MAX_STRING && BARE_KEY_VALUE.test(v.S)
        ? v.S
        : formatValue(v, full, 60);
    out += (out === "" ? "" : " ") + keyText(k) + "=" + text;
  }
  return out;
}

function shardSuffix(shardId: string): string {
  const i = shardId.lastIndexOf("-");
  return sanitize(i >= 0 && i < shardId.length - 1 ? shardId.slice(i + 1) : shardId);
}

/** The one-line header: time, event, table, keys, `[ttl]`, shard suffix. */
export function renderHeader(rec: StreamRecord, ctx: PrettyContext): string {
  const { style } = ctx;
  let out =
    style.gray(timeText(creationTimeMs(rec), ctx.tz ?? "utc", ctx.today)) +
    " " +
    eventText(rec.eventName, style);
  if (ctx.table !== undefined && ctx.table !== "") out += " " + style.bold(sanitize(ctx.table));
  const keys = keysText(rec.dynamodb?.Keys, ctx.full);
  if (keys !== "") out += " " + keys;
  if (isTtlDelete(rec)) out += " " + style.magenta("[ttl]");
  if (rec.duplicate) out += " " + style.yellow("[duplicate]");
  if (ctx.shardId !== undefined && ctx.shardId !== "")
    out += " " + style.dim("shard:" + shardSuffix(ctx.shardId));
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Body

function itemLines(item: AttributeMap, full: boolean, lines: string[]): void {
  let n = 0;
  let total = 0;
  for (const k in item) {
    total++;
    if (!full && n >= MAX_LINES) continue;
    lines.push("  " + keyText(k) + ": " + formatValue(item[k] as AttributeValue, full));
    n++;
  }
  if (total > n) lines.push("  …(+" + (total - n) + " more attributes)");
}

function changeLines(changes: readonly Change[], ctx: PrettyContext, lines: string[]): void {
  const { style, full } = ctx;
  const n = full ? changes.length : Math.min(changes.length, MAX_LINES);
  for (let i = 0; i < n; i++) {
    const c = changes[i] as Change;
    const path = formatPath(c.path);
    if (c.kind === "changed") {
      lines.push(
        "  " +
          style.yellow("~") +
          " " +
          path +
          ": " +
          formatValue(c.old as AttributeValue, full) +
          " → " +
          formatValue(c.new as AttributeValue, full),
      );
    } else if (c.kind === "added") {
      lines.push("  " + style.green("+") + " " + path + ": " + formatValue(c.new as AttributeValue, full));
    } else {
      lines.push("  " + style.red("-") + " " + path + ": " + formatValue(c.old as AttributeValue, full));
    }
  }
  if (changes.length > n) lines.push("  …(+" + (changes.length - n) + " more changes)");
}

/**
 * A record in human form: the header, then for INSERT the new item, for REMOVE the old item (nothing
 * more when the stream has no images: the keys are in the header), for MODIFY the changes (or, when the
 * stream view lacks one image, the image it has, after a dim note). Lines joined with `\n`, no
 * trailing newline.
 *
 * @example renderPretty(rec, { style: plainStyle, full: false, table: "Orders" })
 */
export function renderPretty(rec: StreamRecord, ctx: PrettyContext): string {
  const lines: string[] = [renderHeader(rec, ctx)];
  const d = rec.dynamodb;
  const oldImage = d?.OldImage;
  const newImage = d?.NewImage;
  switch (rec.eventName) {
    case "INSERT":
      if (newImage) itemLines(newImage, ctx.full, lines);
      break;
    case "REMOVE":
      if (oldImage) itemLines(oldImage, ctx.full, lines);
      break;
    case "MODIFY":
      if (oldImage && newImage) {
        const changes = diffImages(oldImage, newImage);
        if (changes.length === 0) lines.push("  " + ctx.style.dim("(no attribute changes)"));
        else changeLines(changes, ctx, lines);
      } else if (newImage) {
        lines.push("  " + ctx.style.dim("(no old image in this stream view: new item shown)"));
        itemLines(newImage, ctx.full, lines);
      } else if (oldImage) {
        lines.push("  " + ctx.style.dim("(no new image in this stream view: old item shown)"));
        itemLines(oldImage, ctx.full, lines);
      }
      break;
    default: {
      const img = newImage ?? oldImage;
      if (img) itemLines(img, ctx.full, lines);
    }
  }
  return lines.join("\n");
}

/** A gap in human form: `12:00:05Z GAP trimmed shard:a1b2c3d4 after 000000000000000000042`. */
export function renderGapPretty(gap: GapInfo, ctx: Pick<PrettyContext, "style" | "tz" | "today">): string {
  const { style } = ctx;
  const at = typeof gap.at === "number" ? gap.at : gap.at.getTime();
  let out =
    style.gray(timeText(Number.isFinite(at) ? at : undefined, ctx.tz ?? "utc", ctx.today)) +
    " " +
    style.red(style.bold("GAP")) +
    " " +
    sanitize(gap.reason) +
    " " +
    style.dim("shard:" + shardSuffix(gap.shardId));
  if (gap.afterSequenceNumber !== undefined) out += " after " + sanitize(gap.afterSequenceNumber);
  return out;
}
