/**
 * The NDJSON line (`tail --output json|dynamodb-json`) of a record scanned by fast-line.ts, written
 * as bytes: the same bytes as the UTF-8 of `recordJsonLine`'s text for the parsed record (the format
 * is described in record-json.ts). Strings of the line are copied as the line has them (the scanner
 * took only escapes `JSON.stringify` writes), so nothing is decoded or encoded on the way.
 * test/unit/render/fast-line.test.ts checks it against the general path.
 */
import { jsonString } from "../core/attr.js";
import { creationTimeSeconds, tableFromStreamArn } from "../core/record.js";
import type { ImageScan, ScannedRecord } from "./fast-line.js";
import {
  AWS_REGION,
  changesBytes,
  EVENT_ID,
  EVENT_NAME,
  EVENT_SOURCE,
  EVENT_SOURCE_ARN,
  EVENT_VERSION,
  fieldText,
  fieldToken,
  plainLength,
  SEQUENCE_NUMBER,
  STREAM_VIEW_TYPE,
  scanBuffers,
} from "./fast-line.js";
import { isoJson } from "./record-json.js";

/**
 * A growing buffer of output bytes in memory of its own (allocUnsafeSlow, never Node's shared pool),
 * so that what {@link take} returns can be transferred to another thread without a copy.
 */
export class ByteSink {
  buf: Buffer;
  len = 0;

  /** `memory`: memory to use when it holds at least `size` bytes (else new memory is made). */
  constructor(size = 256 * 1024, memory?: ArrayBuffer) {
    this.buf =
      memory !== undefined && memory.byteLength >= size ? Buffer.from(memory) : Buffer.allocUnsafeSlow(size);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(bigger, 0, 0, this.len);
    this.buf = bigger;
  }

  /** Appends bytes [s, e) of `src` (room must be ensured). */
  bytes(src: Uint8Array, s: number, e: number): void {
    const buf = this.buf;
    let p = this.len;
    if (e - s > 64) {
      buf.set(src.subarray(s, e), p);
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
    this.len = 0;
    return out;
  }
}

const ascii = (s: string): Buffer => Buffer.from(s, "latin1");
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
const NULL = ascii("null");
const LAMBDA_FIELDS: readonly [number, Buffer][] = [
  [EVENT_ID, ascii('"eventID":')],
  [EVENT_NAME, ascii('"eventName":')],
  [EVENT_VERSION, ascii('"eventVersion":')],
  [EVENT_SOURCE, ascii('"eventSource":')],
  [AWS_REGION, ascii('"awsRegion":')],
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

// The table of the last stream ARN (records of a file nearly always share one), as JSON bytes.
let lastArn = Buffer.alloc(0);
let lastTable = NULL;

function tableJson(line: Buffer, s: number, e: number): Buffer {
  if (lastArn.length !== e - s || line.compare(lastArn, 0, lastArn.length, s, e) !== 0) {
    lastArn = Buffer.from(line.subarray(s, e));
    const table = tableFromStreamArn(fieldText(EVENT_SOURCE_ARN));
    lastTable = table === undefined ? NULL : Buffer.from(jsonString(table), "utf8");
  }
  return lastTable;
}

// The last creation time's texts (records of a batch mostly share their second).
let lastTime = Number.NaN;
let lastIso = NULL;
let lastSeconds = NULL;

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
  const { line, plain } = scanBuffers(); // after changesBytes, which may grow the plain buffer
  const changesEnd = plainLength();
  // The line's own bytes (strings, typed images) go out at most twice, the plain ones once; then
  // labels, the table, times and sizes.
  sink.ensure(2 * (scan.lineEnd - scan.lineStart) + changesEnd + 2048);
  sink.bytes(HEAD, 0, HEAD.length);
  token(sink, line, EVENT_ID);
  sink.bytes(EVENT_NAME_LABEL, 0, EVENT_NAME_LABEL.length);
  token(sink, line, EVENT_NAME);
  sink.bytes(TABLE_LABEL, 0, TABLE_LABEL.length);
  const [as, ae] = fieldToken(EVENT_SOURCE_ARN);
  const table = as < 0 ? NULL : tableJson(line, as, ae);
  sink.bytes(table, 0, table.length);
  sink.bytes(STREAM_ARN_LABEL, 0, STREAM_ARN_LABEL.length);
  token(sink, line, EVENT_SOURCE_ARN);
  sink.bytes(SHARD_SEQUENCE_LABEL, 0, SHARD_SEQUENCE_LABEL.length);
  token(sink, line, SEQUENCE_NUMBER);
  sink.bytes(TIME_LABEL, 0, TIME_LABEL.length);
  const t = scan.creationTime;
  if (t !== lastTime) {
    lastTime = t ?? Number.NaN;
    const seconds = creationTimeSeconds({ dynamodb: { ApproximateCreationDateTime: t } });
    lastIso = Buffer.from(isoJson(seconds === undefined ? undefined : Math.round(seconds * 1000)), "latin1");
    lastSeconds = seconds === undefined ? NULL : Buffer.from(String(seconds), "latin1");
  }
  sink.bytes(lastIso, 0, lastIso.length);
  sink.bytes(KEYS_LABEL, 0, KEYS_LABEL.length);
  image(sink, line, plain, keys, typed);
  sink.bytes(OLD_LABEL, 0, OLD_LABEL.length);
  image(sink, line, plain, oldImage, typed);
  sink.bytes(NEW_LABEL, 0, NEW_LABEL.length);
  image(sink, line, plain, newImage, typed);
  sink.bytes(CHANGES_LABEL, 0, CHANGES_LABEL.length);
  if (changesAt < 0) sink.bytes(NULL, 0, NULL.length);
  else sink.bytes(plain, changesAt, changesEnd);
  // The record as Lambda delivers it (lambdaJson in record-json.ts).
  sink.bytes(RECORD_LABEL, 0, RECORD_LABEL.length);
  for (const [f, label] of LAMBDA_FIELDS) {
    const [s, e] = fieldToken(f);
    if (s < 0) continue;
    sink.bytes(label, 0, label.length);
    sink.bytes(line, s, e);
    sink.bytes(COMMA_BYTE, 0, 1);
  }
  sink.bytes(DYNAMODB_LABEL, 0, DYNAMODB_LABEL.length);
  let sep = false;
  const field = (label: Buffer, src: Uint8Array, s: number, e: number): void => {
    if (sep) sink.bytes(COMMA_BYTE, 0, 1);
    sink.bytes(label, 0, label.length);
    sink.bytes(src, s, e);
    sep = true;
  };
  if (t !== undefined && lastSeconds !== NULL) field(TIME_FIELD, lastSeconds, 0, lastSeconds.length);
  if (keys !== undefined) field(KEYS_FIELD, line, keys.start, keys.end);
  if (newImage !== undefined) field(NEW_FIELD, line, newImage.start, newImage.end);
  if (oldImage !== undefined) field(OLD_FIELD, line, oldImage.start, oldImage.end);
  const [ss, se] = fieldToken(SEQUENCE_NUMBER);
  if (ss >= 0) field(SEQUENCE_FIELD, line, ss, se);
  if (scan.sizeBytes !== undefined) {
    const size = Buffer.from(Number.isFinite(scan.sizeBytes) ? String(scan.sizeBytes) : "null", "latin1");
    field(SIZE_FIELD, size, 0, size.length);
  }
  const [vs, ve] = fieldToken(STREAM_VIEW_TYPE);
  if (vs >= 0) field(VIEW_FIELD, line, vs, ve);
  sink.bytes(CLOSE, 0, 1);
  if (as >= 0) {
    sink.bytes(ARN_FIELD, 0, ARN_FIELD.length);
    sink.bytes(line, as, ae);
  }
  sink.bytes(END, 0, END.length);
  return true;
}

const COMMA_BYTE = ascii(",");
const CLOSE = ascii("}");
const END = ascii("}}\n");

function token(sink: ByteSink, line: Buffer, f: number): void {
  const [s, e] = fieldToken(f);
  if (s < 0) sink.bytes(NULL, 0, NULL.length);
  else sink.bytes(line, s, e);
}

function image(
  sink: ByteSink,
  line: Buffer,
  plain: Buffer,
  scan: ImageScan | undefined,
  typed: boolean,
): void {
  if (scan === undefined) sink.bytes(NULL, 0, NULL.length);
  else if (typed) sink.bytes(line, scan.start, scan.end);
  else sink.bytes(plain, scan.plainStart, scan.plainEnd);
}
