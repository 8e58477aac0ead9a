/**
 * The NDJSON line (`tail --output json|dynamodb-json`) of a record scanned by fast-line.ts, written
 * as bytes: the same bytes as the UTF-8 of `recordJsonLine`'s text for the parsed record (the format
 * is described in record-json.ts). Strings of the line are copied as the line has them (the scanner
 * took only escapes `JSON.stringify` writes), so nothing is decoded or encoded on the way.
 * test/unit/render/fast-line.test.ts checks it against the general path.
 */
import { jsonString } from "../core/attr.js";
import { creationTimeSeconds, tableFromStreamArn } from "../core/record.js";
import { COMMA, isDigit, RBRACE } from "../io/json-bytes.js";
import type { ImageScan, ScannedRecord } from "./fast-line.js";
import {
  AWS_REGION,
  ConstBytes,
  CREATION_TIME,
  changesBytes,
  copyBytes,
  EVENT_ID,
  EVENT_NAME,
  EVENT_SOURCE,
  EVENT_SOURCE_ARN,
  EVENT_VERSION,
  fieldText,
  plainLength,
  SEQUENCE_NUMBER,
  SET_MIN,
  SIZE_BYTES,
  STREAM_VIEW_TYPE,
  scanLine,
  scanLineView,
  scanPlain,
  scanPlainView,
  scanTokens,
} from "./fast-line.js";
import { isoJson } from "./record-json.js";

function viewOf(buf: Buffer): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.length);
}

/**
 * A growing buffer of output bytes in memory of its own (allocUnsafeSlow, never Node's shared pool),
 * so that what {@link take} returns is a view of memory that nothing else uses (the caller may keep
 * it and pass it back as the next sink's memory).
 */
export class ByteSink {
  buf: Buffer;
  /** A view of `buf` (for writeJsonLine's four-byte copies). */
  view: DataView;
  len = 0;

  /** `memory`: memory to use when it holds at least `size` bytes (else new memory is made). */
  constructor(size = 256 * 1024, memory?: ArrayBufferLike) {
    this.buf =
      memory !== undefined && memory.byteLength >= size ? Buffer.from(memory) : Buffer.allocUnsafeSlow(size);
    this.view = viewOf(this.buf);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
    this.view = viewOf(bigger);
  }

  /** Appends bytes [s, e) of `src` (room must be ensured). */
  bytes(src: Uint8Array, s: number, e: number): void {
    const buf = this.buf;
    let p = this.len;
    if (e - s > SET_MIN) {
      // A view, not Buffer#subarray (which makes a Buffer, at several times the cost).
      buf.set(new Uint8Array(src.buffer, src.byteOffset + s, e - s), p);
      p += e - s;
    } else for (let j = s; j < e; j++) buf[p++] = src[j] as number;
    this.len = p;
  }

  /** Appends `s` as UTF-8. */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.len += this.buf.write(s, this.len, "utf8");
  }

  /** The bytes so far (a view of the sink's memory, which is the caller's now); the sink is done. */
  take(): Uint8Array {
    const out = new Uint8Array(this.buf.buffer, 0, this.len);
    this.buf = Buffer.alloc(0);
    this.view = viewOf(this.buf);
    this.len = 0;
    return out;
  }
}

const ascii = (s: string): ConstBytes => new ConstBytes(s);
const HEAD = ascii('{"type":"record","eventID":');
const EVENT_NAME_LABEL = ascii(',"eventName":');
const TABLE_LABEL = ascii(',"table":');
const STREAM_ARN_LABEL = ascii(',"streamArn":');
const SHARD_SEQUENCE_LABEL = ascii(',"shardId":null,"sequenceNumber":');
const TIME_LABEL = ascii(',"approximateCreationDateTime":');
const KEYS_LABEL = ascii(',"ttl":false,"keys":');
const OLD_LABEL = ascii(',"oldImage":');
const NEW_LABEL = ascii(',"newImage":');
const CHANGES_LABEL = ascii(',"changes":');
const RECORD_LABEL = ascii(',"record":{');
const RECORD_VERBATIM_LABEL = ascii(',"record":');
const VERBATIM_END = ascii("}\n");
const NULL = ascii("null");
/** The Lambda record's string fields before `dynamodb`, in order, with their labels. */
const LAMBDA_TOKENS: readonly number[] = [EVENT_ID, EVENT_NAME, EVENT_VERSION, EVENT_SOURCE, AWS_REGION];
const LAMBDA_LABELS: readonly ConstBytes[] = [
  ascii('"eventID":'),
  ascii('"eventName":'),
  ascii('"eventVersion":'),
  ascii('"eventSource":'),
  ascii('"awsRegion":'),
];
const DYNAMODB_LABEL = ascii('"dynamodb":{');
const TIME_FIELD = ascii('"ApproximateCreationDateTime":');
const KEYS_FIELD = ascii('"Keys":');
const NEW_FIELD = ascii('"NewImage":');
const OLD_FIELD = ascii('"OldImage":');
const SEQUENCE_FIELD = ascii('"SequenceNumber":');
const SIZE_FIELD = ascii('"SizeBytes":');
const VIEW_FIELD = ascii('"StreamViewType":');
const ARN_FIELD = ascii(',"eventSourceARN":');
const END = ascii("}}\n");

// The table of the last stream ARN (records of a file nearly always share one), as JSON bytes.
let lastArn = ascii("");
let lastTable = NULL;

function tableJson(line: Buffer, s: number, e: number): ConstBytes {
  const n = e - s;
  let same = lastArn.length === n;
  if (same) {
    const view = scanLineView();
    const arn = lastArn.view;
    let k = 0;
    for (; same && k + 4 <= n; k += 4) same = arn.getInt32(k, true) === view.getInt32(s + k, true);
    for (; same && k < n; k++) same = lastArn.bytes[k] === line[s + k];
  }
  if (!same) {
    lastArn = new ConstBytes(Buffer.from(line.subarray(s, e)));
    const table = tableFromStreamArn(fieldText(EVENT_SOURCE_ARN));
    lastTable = table === undefined ? NULL : new ConstBytes(Buffer.from(jsonString(table), "utf8"));
  }
  return lastTable;
}

// The line's text from after the event ID to the sequence number's value, for the last event name
// and stream ARN (`,"eventName":…,"table":…,"streamArn":…,"shardId":null,"sequenceNumber":`): one
// copy for what records of a file nearly always share. `lastMidArn` is the ARN it was made for (the
// same object as `lastArn` while tableJson keeps it), `lastMidName` the event name.
let lastMid = NULL;
let lastMidName: string | undefined;
let lastMidArn: ConstBytes | undefined;

function midJson(line: Buffer, eventName: string | undefined, as: number, ae: number): ConstBytes {
  const table = as < 0 ? NULL : tableJson(line, as, ae);
  const arn = as < 0 ? undefined : lastArn;
  if (lastMid === NULL || eventName !== lastMidName || arn !== lastMidArn) {
    lastMidName = eventName;
    lastMidArn = arn;
    lastMid = new ConstBytes(
      Buffer.concat([
        EVENT_NAME_LABEL.bytes,
        eventName === undefined ? NULL.bytes : Buffer.from(JSON.stringify(eventName), "latin1"),
        TABLE_LABEL.bytes,
        table.bytes,
        STREAM_ARN_LABEL.bytes,
        arn === undefined ? NULL.bytes : arn.bytes,
        SHARD_SEQUENCE_LABEL.bytes,
      ]),
    );
  }
  return lastMid;
}

// The last creation time's texts (records of a batch mostly share their second): the labelled ISO
// time (`,"approximateCreationDateTime":…,"ttl":false,"keys":`) and the seconds.
let lastTime = Number.NaN;
let lastIso = NULL;
let lastSeconds = NULL;
// The last size's text (`SizeBytes`), made only when the line's own text is not it (see sizeText).
let lastSize = Number.NaN;
let lastSizeText = NULL;

/** The text the Lambda record has for size `size`. */
function sizeText(size: number): ConstBytes {
  if (size !== lastSize) {
    lastSize = size;
    lastSizeText = ascii(Number.isFinite(size) ? String(size) : "null");
  }
  return lastSizeText;
}

/**
 * Whether the text of number field `f` of the line is a whole number of at most 15 digits without
 * leading zeros: then it is `String` of its value (sizes nearly always are; they differ from record
 * to record, so this saves making their text).
 */
function plainInteger(line: Buffer, tk: Int32Array, f: number): boolean {
  const s = tk[2 * f] as number;
  const e = tk[2 * f + 1] as number;
  if (e - s < 1 || e - s > 15 || (line[s] === 48 && e - s > 1)) return false;
  for (let k = s; k < e; k++) if (!isDigit(line[k])) return false;
  return true;
}

// The output being written by writeJsonLine: the sink's buffer, its view and the position in it (the
// sink's length is set when the line is done).
const NO_OUT = Buffer.alloc(0);
const NO_OUT_VIEW = viewOf(NO_OUT);
let out: Buffer = NO_OUT;
let outView = NO_OUT_VIEW;
let p = 0;

/** Appends bytes [s, e) of `src` (room must be ensured); `view` is a view of `src` (see copyBytes). */
function put(src: Buffer, view: DataView, s: number, e: number): void {
  p = copyBytes(out, outView, p, src, view, s, e);
}

/** Appends all of `c` (a label), long ones without making a view. */
function putAll(c: ConstBytes): void {
  if (c.length > SET_MIN) {
    out.set(c.bytes, p);
    p += c.length;
  } else put(c.bytes, c.view, 0, c.length);
}

/**
 * Writes the line of the last scan, newline included; `typed` for `dynamodb-json`. Returns false
 * (having written nothing that counts) when the diff is deeper than the scanner takes.
 */
export function writeJsonLine(sink: ByteSink, scan: ScannedRecord, typed: boolean): boolean {
  const { keys, oldImage, newImage } = scan;
  let changesAt = -1;
  if (scan.eventName === "MODIFY" && oldImage !== undefined && newImage !== undefined) {
    changesAt = changesBytes(oldImage, newImage, typed);
    if (changesAt < 0) return false;
  }
  const line = scanLine();
  const lineView = scanLineView();
  const plain = scanPlain(); // after changesBytes, which may grow the plain buffer
  const plainView = scanPlainView();
  const changesEnd = plainLength();
  const tk = scanTokens();
  // The line's own bytes (strings, typed images) go out at most twice, the plain ones once; then
  // labels, the table, times and sizes.
  sink.ensure(2 * (scan.lineEnd - scan.lineStart) + changesEnd + 2048);
  out = sink.buf;
  outView = sink.view;
  p = sink.len;
  putAll(HEAD);
  token(line, lineView, tk, EVENT_ID);
  const as = tk[2 * EVENT_SOURCE_ARN] as number;
  const ae = tk[2 * EVENT_SOURCE_ARN + 1] as number;
  // The event name's token is its name in quotes (the scanner takes no other text for it).
  putAll(midJson(line, scan.eventName, as, ae));
  token(line, lineView, tk, SEQUENCE_NUMBER);
  const t = scan.creationTime;
  if (t !== lastTime) {
    lastTime = t ?? Number.NaN;
    const seconds = creationTimeSeconds({ dynamodb: { ApproximateCreationDateTime: t } });
    const iso = isoJson(seconds === undefined ? undefined : Math.round(seconds * 1000));
    lastIso = new ConstBytes(Buffer.concat([TIME_LABEL.bytes, Buffer.from(iso, "latin1"), KEYS_LABEL.bytes]));
    lastSeconds = seconds === undefined ? NULL : ascii(String(seconds));
  }
  putAll(lastIso);
  image(line, lineView, plain, plainView, keys, typed);
  putAll(OLD_LABEL);
  image(line, lineView, plain, plainView, oldImage, typed);
  putAll(NEW_LABEL);
  image(line, lineView, plain, plainView, newImage, typed);
  putAll(CHANGES_LABEL);
  if (changesAt < 0) putAll(NULL);
  else put(plain, plainView, changesAt, changesEnd);
  // The record as Lambda delivers it (lambdaJson in record-json.ts): the line itself when it has the
  // same fields in the same order, and the creation time and size as they would be written.
  const size = scan.sizeBytes;
  if (
    scan.inOrder &&
    (t === undefined || (lastSeconds !== NULL && sameText(line, tk, CREATION_TIME, lastSeconds))) &&
    (size === undefined ||
      plainInteger(line, tk, SIZE_BYTES) ||
      sameText(line, tk, SIZE_BYTES, sizeText(size)))
  ) {
    putAll(RECORD_VERBATIM_LABEL);
    put(line, lineView, scan.lineStart, scan.lineEnd);
    putAll(VERBATIM_END);
    sink.len = p;
    out = NO_OUT;
    outView = NO_OUT_VIEW;
    return true;
  }
  putAll(RECORD_LABEL);
  for (let k = 0; k < LAMBDA_TOKENS.length; k++) {
    const f = LAMBDA_TOKENS[k] as number;
    const s = tk[2 * f] as number;
    if (s < 0) continue;
    putAll(LAMBDA_LABELS[k] as ConstBytes);
    put(line, lineView, s, tk[2 * f + 1] as number);
    out[p++] = COMMA;
  }
  putAll(DYNAMODB_LABEL);
  let sep = false;
  if (t !== undefined && lastSeconds !== NULL) {
    putAll(TIME_FIELD);
    putAll(lastSeconds);
    sep = true;
  }
  if (keys !== undefined) sep = field(sep, KEYS_FIELD, line, lineView, keys.start, keys.end);
  if (newImage !== undefined) sep = field(sep, NEW_FIELD, line, lineView, newImage.start, newImage.end);
  if (oldImage !== undefined) sep = field(sep, OLD_FIELD, line, lineView, oldImage.start, oldImage.end);
  const ss = tk[2 * SEQUENCE_NUMBER] as number;
  if (ss >= 0) sep = field(sep, SEQUENCE_FIELD, line, lineView, ss, tk[2 * SEQUENCE_NUMBER + 1] as number);
  if (size !== undefined) {
    const text = sizeText(size);
    sep = field(sep, SIZE_FIELD, text.bytes, text.view, 0, text.length);
  }
  const vs = tk[2 * STREAM_VIEW_TYPE] as number;
  if (vs >= 0) field(sep, VIEW_FIELD, line, lineView, vs, tk[2 * STREAM_VIEW_TYPE + 1] as number);
  out[p++] = RBRACE;
  if (as >= 0) {
    putAll(ARN_FIELD);
    put(line, lineView, as, ae);
  }
  putAll(END);
  sink.len = p;
  out = NO_OUT;
  outView = NO_OUT_VIEW;
  return true;
}

/** Whether the text of number field `f` of the line is `text`. */
function sameText(line: Buffer, tk: Int32Array, f: number, text: ConstBytes): boolean {
  const s = tk[2 * f] as number;
  if ((tk[2 * f + 1] as number) - s !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (line[s + k] !== text.bytes[k]) return false;
  return true;
}

/** A field of the record's `dynamodb` part: a comma when `sep`, the label, the value. */
function field(sep: boolean, label: ConstBytes, src: Buffer, view: DataView, s: number, e: number): boolean {
  if (sep) out[p++] = COMMA;
  putAll(label);
  put(src, view, s, e);
  return true;
}

/** The JSON text of string field `f`, or `null`. */
function token(line: Buffer, view: DataView, tk: Int32Array, f: number): void {
  const s = tk[2 * f] as number;
  if (s < 0) putAll(NULL);
  else put(line, view, s, tk[2 * f + 1] as number);
}

function image(
  line: Buffer,
  lineView: DataView,
  plain: Buffer,
  plainView: DataView,
  scan: ImageScan | undefined,
  typed: boolean,
): void {
  if (scan === undefined) putAll(NULL);
  else if (typed) put(line, lineView, scan.start, scan.end);
  else put(plain, plainView, scan.plainStart, scan.plainEnd);
}
