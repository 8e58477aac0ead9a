/**
 * NDJSON output of `dynastream tail`: one line per record (and per gap), each built directly from text
 * parts. Each image is traversed once, giving both its plain text and its typed text (for `record`);
 * the line is never re-parsed or stringified as a whole. Hot-path memos (quoted repeating fields, the
 * last table/ARN, the last timestamp) are module-level but only cache pure conversions.
 *
 * Record line (`--output json`, the default for pipes):
 * `{"type":"record","eventID","eventName","table","streamArn","shardId","sequenceNumber",
 *   "approximateCreationDateTime","ttl","keys","oldImage","newImage","changes","record"}`
 * (`"source":"dynamodb-stream"` before `record`; Kinesis-borne records: `"source":"kinesis"`, a
 * `kinesis` object, `"duplicate":true` when tail marked it, and `record` as a Kinesis Lambda event record)
 * - unknown scalar fields are `null`; `approximateCreationDateTime` is ISO-8601 (1 s precision on AWS,
 *   1 min on DynamoDB Local); `sequenceNumber` stays a string (compare with BigInt);
 * - `keys`/`oldImage`/`newImage`: plain JSON, lossless (numbers verbatim), `null` when absent;
 * - `changes`: `null` unless the record is a MODIFY with both images; else an array of
 *   `{"path":[...],"kind":"added"|"removed"|"changed","old":…,"new":…}` where `old` is OMITTED for
 *   `added` and `new` is OMITTED for `removed` (not null: `null` is a real value, a NULL attribute);
 * - `record`: the record as Lambda would deliver it (see `toLambdaRecord`), DynamoDB JSON images.
 * `--output dynamodb-json`: the same line with keys/images/changes' old/new in typed DynamoDB JSON.
 * `--output raw`: just the record as received from GetRecords, JSON (binary base64, dates ISO-8601).
 * Gap line: `{"type":"gap","streamArn","shardId","afterSequenceNumber","reason","at"}`.
 */
import {
  dynamodbJsonValue,
  jsonString,
  plainAndDynamodbJsonMap,
  plainJsonValue,
  toBase64,
} from "../core/attr.js";
import type { Change } from "../core/diff.js";
import { diffImages } from "../core/diff.js";
import { lambdaUserIdentity, toKinesisLambdaRecord } from "../core/lambda-record.js";
import type { KinesisEnvelope, StreamRecord } from "../core/record.js";
import { creationTimeMs, isTtlDelete, sequenceOf, tableFromStreamArn } from "../core/record.js";

/** What tail knows about where a record came from. */
export interface RecordContext {
  streamArn?: string | undefined;
  shardId?: string | undefined;
  /** Defaults to the table named in the stream ARN. */
  table?: string | undefined;
}

/** The JSON output flavours of `tail --output`. */
export type JsonOutput = "json" | "dynamodb-json" | "raw";

const quote = jsonString;

function str(s: string | undefined): string {
  return s === undefined || s === null ? "null" : quote(s);
}

/**
 * Quoted text of fields that repeat on every record (event name and version, source, region, view
 * type, stream ARN, shard id, table), memoised; bounded in case a field turns out not to repeat.
 */
const repeatCache = new Map<string, string>();

function rep(s: string | undefined): string {
  if (s === undefined || s === null) return "null";
  let q = repeatCache.get(s);
  if (q === undefined) {
    q = quote(s);
    if (repeatCache.size < 1000) repeatCache.set(s, q);
  }
  return q;
}

/** Largest time a Date can hold (±8.64e15 ms); beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

// Records in a batch mostly share their (1-second) creation time: remember the last conversions.
let lastMs = Number.NaN;
let lastIso = "null";
let lastSeconds = "";

/** The JSON text of an ISO-8601 time (`null` for none or one a Date cannot hold). */
export function isoJson(ms: number | undefined): string {
  if (ms === lastMs) return lastIso;
  if (ms === undefined || !(Math.abs(ms) <= MAX_DATE_MS)) return "null";
  lastMs = ms;
  lastIso = '"' + new Date(ms).toISOString() + '"';
  lastSeconds = String(ms / 1000);
  return lastIso;
}

/**
 * The JSON text of an ISO-8601 time to the microsecond (`…T23:23:53.012995Z`), for records that carry
 * their creation time in microseconds (Kinesis destination, precision MICROSECOND).
 */
export function isoMicrosJson(us: number): string {
  const ms = Math.floor(us / 1000);
  if (!(Math.abs(ms) <= MAX_DATE_MS)) return "null";
  const micros = String(us - ms * 1000).padStart(3, "0");
  return '"' + new Date(ms).toISOString().slice(0, -1) + micros + 'Z"';
}

/** The JSON number of a time in epoch seconds, as Lambda gives it (call {@link isoJson} first). */
function secondsJson(ms: number): string {
  return ms === lastMs ? lastSeconds : String(ms / 1000);
}

let lastArn: string | undefined;
let lastTable: string | undefined;

/** The table named in a stream ARN; memoised, as every record of a stream has the same ARN. */
function tableOf(arn: string | undefined): string | undefined {
  if (arn !== lastArn) {
    lastArn = arn;
    lastTable = tableFromStreamArn(arn);
  }
  return lastTable;
}

/**
 * One NDJSON line (no newline) for a record.
 *
 * @example recordJsonLine(rec, { streamArn, shardId: "shardId-0001" }) // '{"type":"record",...}'
 */
export function recordJsonLine(
  rec: StreamRecord,
  ctx: RecordContext = {},
  output: JsonOutput = "json",
): string {
  if (rec.kinesis !== undefined && output === "raw") return rawKinesisJson(rec.kinesis);
  if (output === "raw")
    return rawJson(rec.creationMs === undefined ? rec : { ...rec, creationMs: undefined });
  const typed = output === "dynamodb-json";
  const d = rec.dynamodb ?? {};
  const ms = creationTimeMs(rec);
  const kin = rec.kinesis;
  const streamArn = ctx.streamArn ?? (kin ? kin.streamArn : rec.eventSourceARN);
  const table = rec.tableName ?? ctx.table ?? (kin ? undefined : tableOf(streamArn));
  const oldImage = d.OldImage;
  const newImage = d.NewImage;
  // Each map is traversed once for both its plain and its typed (Lambda `record`) text.
  const keys = d.Keys ? plainAndDynamodbJsonMap(d.Keys) : undefined;
  const oldJ = oldImage ? plainAndDynamodbJsonMap(oldImage) : undefined;
  const newJ = newImage ? plainAndDynamodbJsonMap(newImage) : undefined;
  let changes = "null";
  if (rec.eventName === "MODIFY" && oldImage && newImage) {
    changes = changesJson(diffImages(oldImage, newImage), typed);
  }
  return (
    '{"type":"record","eventID":' +
    str(rec.eventID) +
    ',"eventName":' +
    rep(rec.eventName) +
    ',"table":' +
    rep(table) +
    ',"streamArn":' +
    rep(streamArn) +
    ',"shardId":' +
    rep(ctx.shardId) +
    ',"sequenceNumber":' +
    str(sequenceOf(rec)) +
    ',"approximateCreationDateTime":' +
    (rec.creationUs !== undefined ? isoMicrosJson(rec.creationUs) : isoJson(ms)) +
    ',"ttl":' +
    (isTtlDelete(rec) ? "true" : "false") +
    ',"keys":' +
    (keys ? (typed ? keys.typed : keys.plain) : "null") +
    ',"oldImage":' +
    (oldJ ? (typed ? oldJ.typed : oldJ.plain) : "null") +
    ',"newImage":' +
    (newJ ? (typed ? newJ.typed : newJ.plain) : "null") +
    ',"changes":' +
    changes +
    (kin === undefined
      ? ',"source":"dynamodb-stream"' +
        (rec.duplicate ? ',"duplicate":true' : "") +
        ',"record":' +
        lambdaJson(rec, streamArn, ms, keys?.typed, newJ?.typed, oldJ?.typed)
      : ',"source":"kinesis","kinesis":' +
        kinesisJson(kin, streamArn) +
        (rec.duplicate ? ',"duplicate":true' : "") +
        ',"record":' +
        JSON.stringify(toKinesisLambdaRecord(kin, { streamArn, shardId: ctx.shardId }))) +
    "}"
  );
}

/** The `kinesis` object of a record line: where in the Kinesis stream the change came from. */
function kinesisJson(k: KinesisEnvelope, streamArn: string | undefined): string {
  return (
    '{"streamArn":' +
    str(streamArn ?? k.streamArn) +
    ',"partitionKey":' +
    quote(k.partitionKey) +
    ',"approximateArrivalTimestamp":' +
    (k.arrivalMs === undefined ? "null" : isoJson(Math.round(k.arrivalMs))) +
    "}"
  );
}

/** `--output raw` of a Kinesis-borne record: the Kinesis record as GetRecords returned it (SDK shape). */
function rawKinesisJson(k: KinesisEnvelope): string {
  return (
    '{"SequenceNumber":' +
    quote(k.sequenceNumber) +
    ',"ApproximateArrivalTimestamp":' +
    (k.arrivalMs === undefined ? "null" : isoJson(Math.round(k.arrivalMs))) +
    ',"Data":' +
    quote(k.data) +
    ',"PartitionKey":' +
    quote(k.partitionKey) +
    (k.encryptionType !== undefined ? ',"EncryptionType":' + quote(k.encryptionType) : "") +
    "}"
  );
}

/** JSON text of a diff: `[{"path":[...],"kind":...,"old":...,"new":...}]`, values plain or typed. */
export function changesJson(changes: readonly Change[], typed = false): string {
  const val = typed ? dynamodbJsonValue : plainJsonValue;
  let out = "[";
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i] as Change;
    let path = "[";
    for (let j = 0; j < c.path.length; j++) {
      const p = c.path[j] as string | number;
      path += (j === 0 ? "" : ",") + (typeof p === "number" ? String(p) : quote(p));
    }
    out += (i === 0 ? "" : ",") + '{"path":' + path + '],"kind":"' + c.kind + '"';
    if (c.old !== undefined) out += ',"old":' + val(c.old);
    if (c.new !== undefined) out += ',"new":' + val(c.new);
    out += "}";
  }
  return out + "]";
}

/**
 * The record as Lambda delivers it, as JSON text: `JSON.parse` of it deep-equals
 * `toLambdaRecord(rec, { streamArn })` (same fields, same order), written without building the object,
 * from the typed texts of its keys and images (undefined when absent).
 */
function lambdaJson(
  rec: StreamRecord,
  streamArn: string | undefined,
  ms: number | undefined,
  keys: string | undefined,
  newImage: string | undefined,
  oldImage: string | undefined,
): string {
  // Fields are joined without a leading comma to cut off later: slicing a concatenated string would
  // copy it (the images inside are most of the line), and the line is copied once more when written.
  let out = "{";
  if (rec.eventID !== undefined) out += '"eventID":' + quote(rec.eventID) + ",";
  if (rec.eventName !== undefined) out += '"eventName":' + rep(rec.eventName) + ",";
  if (rec.eventVersion !== undefined) out += '"eventVersion":' + rep(rec.eventVersion) + ",";
  if (rec.eventSource !== undefined) out += '"eventSource":' + rep(rec.eventSource) + ",";
  if (rec.awsRegion !== undefined) out += '"awsRegion":' + rep(rec.awsRegion) + ",";
  const d = rec.dynamodb ?? {};
  out += '"dynamodb":{';
  let sep = "";
  if (ms !== undefined) {
    out += '"ApproximateCreationDateTime":' + secondsJson(ms);
    sep = ",";
  }
  if (keys !== undefined) {
    out += sep + '"Keys":' + keys;
    sep = ",";
  }
  if (newImage !== undefined) {
    out += sep + '"NewImage":' + newImage;
    sep = ",";
  }
  if (oldImage !== undefined) {
    out += sep + '"OldImage":' + oldImage;
    sep = ",";
  }
  if (d.SequenceNumber !== undefined) {
    out += sep + '"SequenceNumber":' + quote(d.SequenceNumber);
    sep = ",";
  }
  if (d.SizeBytes !== undefined) {
    out += sep + '"SizeBytes":' + (Number.isFinite(d.SizeBytes) ? String(d.SizeBytes) : "null");
    sep = ",";
  }
  if (d.StreamViewType !== undefined) out += sep + '"StreamViewType":' + rep(d.StreamViewType);
  out += "}";
  const u = lambdaUserIdentity(rec.userIdentity);
  if (u !== undefined) {
    let ui = "";
    if (u.principalId !== undefined) ui += ',"principalId":' + quote(u.principalId);
    if (u.type !== undefined) ui += ',"type":' + quote(u.type);
    out += ',"userIdentity":{' + ui.slice(1) + "}";
  }
  const arn = streamArn ?? rec.eventSourceARN;
  if (arn !== undefined) out += ',"eventSourceARN":' + rep(arn);
  return out + "}";
}

/**
 * Generic JSON text of a value as received from the SDK: Date → ISO-8601 string (invalid → null),
 * Uint8Array/Buffer → base64 string, bigint → number token, undefined properties omitted.
 */
export function rawJson(v: unknown): string {
  switch (typeof v) {
    case "string":
      return quote(v);
    case "number":
      return Number.isFinite(v) ? String(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return v.toString();
    case "object": {
      if (v === null) return "null";
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? "null" : quote(v.toISOString());
      if (v instanceof Uint8Array) return quote(toBase64(v));
      if (Array.isArray(v)) {
        let out = "[";
        for (let i = 0; i < v.length; i++) {
          const x: unknown = v[i];
          out += (i === 0 ? "" : ",") + (x === undefined || typeof x === "function" ? "null" : rawJson(x));
        }
        return out + "]";
      }
      let out = "{";
      let sep = "";
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined || typeof x === "function" || typeof x === "symbol") continue;
        out += sep + quote(k) + ":" + rawJson(x);
        sep = ",";
      }
      return out + "}";
    }
    default:
      return "null";
  }
}

/** Why and where tail lost records (e.g. trimmed past the 24 h retention). */
export interface GapInfo {
  streamArn?: string | undefined;
  shardId: string;
  /** The last sequence number emitted for the shard before the gap, if any. */
  afterSequenceNumber?: string | undefined;
  reason: string;
  /** When the gap was detected (Date or epoch ms), from the injected clock. */
  at: Date | number;
}

/** One NDJSON line (no newline) reporting a gap; readers of tail output skip it as a non-record. */
export function gapJsonLine(gap: GapInfo): string {
  const at = typeof gap.at === "number" ? gap.at : gap.at.getTime();
  return (
    '{"type":"gap","streamArn":' +
    str(gap.streamArn) +
    ',"shardId":' +
    str(gap.shardId) +
    ',"afterSequenceNumber":' +
    str(gap.afterSequenceNumber) +
    ',"reason":' +
    str(gap.reason) +
    ',"at":' +
    isoJson(Number.isFinite(at) ? at : undefined) +
    "}"
  );
}
