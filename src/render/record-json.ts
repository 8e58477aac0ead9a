/**
 * NDJSON output of `dynastream tail`: one line per record (and per gap), each built directly from text
 * parts. Images are written once by the lossless writers in core/attr; the line is never re-parsed or
 * stringified as a whole.
 *
 * Record line (`--output json`, the default for pipes):
 * `{"type":"record","eventID","eventName","table","streamArn","shardId","sequenceNumber",
 *   "approximateCreationDateTime","ttl","keys","oldImage","newImage","changes","record"}`
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
import { dynamodbJsonMap, dynamodbJsonValue, plainJsonMap, plainJsonValue, toBase64 } from "../core/attr.js";
import type { Change } from "../core/diff.js";
import { diffImages } from "../core/diff.js";
import type { StreamRecord } from "../core/record.js";
import {
  creationTimeMs,
  creationTimeSeconds,
  isTtlDelete,
  lambdaUserIdentity,
  tableFromStreamArn,
} from "../core/record.js";

/** What tail knows about where a record came from. */
export interface RecordContext {
  streamArn?: string | undefined;
  shardId?: string | undefined;
  /** Defaults to the table named in the stream ARN. */
  table?: string | undefined;
}

/** The JSON output flavours of `tail --output`. */
export type JsonOutput = "json" | "dynamodb-json" | "raw";

const quote = JSON.stringify as (s: string) => string;

function str(s: string | undefined): string {
  return s === undefined || s === null ? "null" : quote(s);
}

/** Largest time a Date can hold (±8.64e15 ms); beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

function iso(ms: number | undefined): string {
  return ms === undefined || !(Math.abs(ms) <= MAX_DATE_MS) ? "null" : quote(new Date(ms).toISOString());
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
  if (output === "raw") return rawJson(rec);
  const typed = output === "dynamodb-json";
  const mapJson = typed ? dynamodbJsonMap : plainJsonMap;
  const d = rec.dynamodb ?? {};
  const streamArn = ctx.streamArn ?? rec.eventSourceARN;
  const table = ctx.table ?? tableFromStreamArn(streamArn);
  const keys = d.Keys;
  const oldImage = d.OldImage;
  const newImage = d.NewImage;
  let changes = "null";
  if (rec.eventName === "MODIFY" && oldImage && newImage) {
    changes = changesJson(diffImages(oldImage, newImage), typed);
  }
  return (
    '{"type":"record","eventID":' +
    str(rec.eventID) +
    ',"eventName":' +
    str(rec.eventName) +
    ',"table":' +
    str(table) +
    ',"streamArn":' +
    str(streamArn) +
    ',"shardId":' +
    str(ctx.shardId) +
    ',"sequenceNumber":' +
    str(d.SequenceNumber) +
    ',"approximateCreationDateTime":' +
    iso(creationTimeMs(rec)) +
    ',"ttl":' +
    (isTtlDelete(rec) ? "true" : "false") +
    ',"keys":' +
    (keys ? mapJson(keys) : "null") +
    ',"oldImage":' +
    (oldImage ? mapJson(oldImage) : "null") +
    ',"newImage":' +
    (newImage ? mapJson(newImage) : "null") +
    ',"changes":' +
    changes +
    ',"record":' +
    lambdaRecordJson(rec, streamArn) +
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
 * The Lambda-event form of a record as JSON text; `JSON.parse` of it deep-equals
 * `toLambdaRecord(rec, { streamArn })` (same fields, same order), written without building the object.
 */
export function lambdaRecordJson(rec: StreamRecord, streamArn?: string): string {
  let out = "{";
  let sep = "";
  const field = (name: string, v: string | undefined): void => {
    if (v === undefined) return;
    out += sep + '"' + name + '":' + quote(v);
    sep = ",";
  };
  field("eventID", rec.eventID);
  field("eventName", rec.eventName);
  field("eventVersion", rec.eventVersion);
  field("eventSource", rec.eventSource);
  field("awsRegion", rec.awsRegion);
  const d = rec.dynamodb ?? {};
  let dd = "";
  const t = creationTimeSeconds(rec);
  if (t !== undefined) dd += ',"ApproximateCreationDateTime":' + JSON.stringify(t);
  if (d.Keys) dd += ',"Keys":' + dynamodbJsonMap(d.Keys);
  if (d.NewImage) dd += ',"NewImage":' + dynamodbJsonMap(d.NewImage);
  if (d.OldImage) dd += ',"OldImage":' + dynamodbJsonMap(d.OldImage);
  if (d.SequenceNumber !== undefined) dd += ',"SequenceNumber":' + quote(d.SequenceNumber);
  if (d.SizeBytes !== undefined) dd += ',"SizeBytes":' + JSON.stringify(d.SizeBytes);
  if (d.StreamViewType !== undefined) dd += ',"StreamViewType":' + quote(d.StreamViewType);
  out += sep + '"dynamodb":{' + dd.slice(1) + "}";
  sep = ",";
  const u = lambdaUserIdentity(rec.userIdentity);
  if (u !== undefined) {
    let ui = "";
    if (u.principalId !== undefined) ui += ',"principalId":' + quote(u.principalId);
    if (u.type !== undefined) ui += ',"type":' + quote(u.type);
    out += ',"userIdentity":{' + ui.slice(1) + "}";
  }
  field("eventSourceARN", streamArn ?? rec.eventSourceARN);
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
    iso(Number.isFinite(at) ? at : undefined) +
    "}"
  );
}
