/**
 * Reading stream records from JSON values (files, stdin, saved messages) into the one record model
 * (./record.ts): every shape `tail --input` accepts — SDK or Lambda records, Lambda events
 * `{"Records":[…]}`, tail's NDJSON lines, change records that came through a Kinesis data stream and
 * Kinesis Lambda events — validated, with the creation time decoded once, in the right unit.
 */
import type { AttributeMap } from "./attr.js";
import { isPlainObject } from "./attr.js";
import { readAttributeMap } from "./attr-input.js";
import type { KinesisEnvelope, StreamRecord, StreamRecordData, UserIdentity } from "./record.js";

const NUMERIC = /^\s*-?\d+(?:\.\d*)?(?:[eE][+-]?\d+)?\s*$/;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}T/;

/** A decoded creation time: epoch ms (an integer), and epoch µs when the input had them. */
interface CreationTime {
  ms: number;
  us?: number;
}

/** Digits of the integer part of |n|. */
function integerDigits(n: number): number {
  const a = Math.floor(Math.abs(n));
  return a === 0 ? 1 : Math.floor(Math.log10(a)) + 1;
}

/**
 * A creation time as given in input, decoded. A time is never read in the wrong unit: the record's
 * `ApproximateCreationDateTimePrecision` decides (MICROSECOND: epoch µs, MILLISECOND: epoch ms, the
 * Kinesis destination's forms); without it, the number's digits do: up to 10 are epoch seconds (the
 * DynamoDB stream and Lambda form, possibly fractional), 13 epoch milliseconds, 16 epoch
 * microseconds; any other length is an error. Numeric strings likewise (one too large for a double
 * gives no time); other strings must be ISO-8601. A string result is an error message.
 */
function decodeCreationTime(t: unknown, precision: string | undefined): CreationTime | undefined | string {
  const what = "dynamodb.ApproximateCreationDateTime";
  if (t instanceof Date)
    return Number.isFinite(t.getTime()) ? { ms: t.getTime() } : `${what} is an invalid date`;
  if (typeof t === "number" || (typeof t === "string" && NUMERIC.test(t))) {
    const n = Number(t);
    if (!Number.isFinite(n)) return typeof t === "number" ? `${what} must be a finite number` : undefined;
    if (precision === "MICROSECOND") return { ms: Math.floor(n / 1000), us: Math.round(n) };
    if (precision === "MILLISECOND") return { ms: Math.round(n) };
    const digits = integerDigits(n);
    if (digits <= 10) return { ms: Math.round(n * 1000) };
    if (digits === 13) return { ms: Math.round(n) };
    if (digits === 16) return { ms: Math.floor(n / 1000), us: Math.round(n) };
    return `${what} ${String(t).trim()} has ${digits} digits: neither epoch seconds (10), milliseconds (13) nor microseconds (16); give its unit with dynamodb.ApproximateCreationDateTimePrecision`;
  }
  if (typeof t !== "string") return `${what} must be epoch seconds or an ISO-8601 string`;
  const ms = ISO_LIKE.test(t) ? Date.parse(t) : Number.NaN;
  return Number.isFinite(ms)
    ? { ms }
    : `${what} ${JSON.stringify(t)} is neither epoch seconds nor an ISO-8601 time`;
}

/** Result of reading records from input: the records, or one error naming where and why. */
export type NormalizeResult = { ok: true; records: StreamRecord[] } | { ok: false; error: string };

function prefix(where: string | undefined, msg: string): string {
  return where === undefined || where === "" ? msg : `${where}: ${msg}`;
}

function join(where: string | undefined, part: string): string {
  if (where === undefined || where === "") return part;
  return part.startsWith("[") ? `${where}${part}` : `${where}: ${part}`;
}

const STRING_FIELDS = ["eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "eventSourceARN"];
const IDENTITY_FIELDS = ["PrincipalId", "Type", "principalId", "type"] as const;

function failAt(where: string | undefined, msg: string): NormalizeResult {
  return { ok: false, error: prefix(where, msg) };
}

/** Whether `v` is given but not a string (absent and null count as not given). */
function notString(v: unknown): boolean {
  return v !== undefined && v !== null && typeof v !== "string";
}

/** An image read by `readAttributeMap`, undefined when absent (the docs' sample shows `"OldImage": null`). */
function readImage(v: unknown, path: string): AttributeMap | string | undefined {
  return v === undefined || v === null ? undefined : readAttributeMap(v, path);
}

/**
 * Validates and copies one record-shaped object (has a `dynamodb` object). Every input record passes
 * here: fields are read by name (no loops over field names) and messages are only built when needed.
 */
function normalizeRecord(o: Record<string, unknown>, where: string | undefined): NormalizeResult {
  const { eventID, eventName, eventVersion, eventSource, awsRegion, eventSourceARN } = o;
  if (
    notString(eventID) ||
    notString(eventName) ||
    notString(eventVersion) ||
    notString(eventSource) ||
    notString(awsRegion) ||
    notString(eventSourceARN)
  ) {
    const bad = STRING_FIELDS.find((f) => notString(o[f]));
    return failAt(where, `${bad} must be a string`);
  }
  if (
    typeof eventName === "string" &&
    eventName !== "INSERT" &&
    eventName !== "MODIFY" &&
    eventName !== "REMOVE"
  ) {
    return failAt(where, `eventName must be INSERT, MODIFY or REMOVE, got ${JSON.stringify(eventName)}`);
  }
  const d = o.dynamodb as Record<string, unknown>;
  const dd: StreamRecordData = {};
  const t = d.ApproximateCreationDateTime;
  const precision = d.ApproximateCreationDateTimePrecision;
  if (
    precision !== undefined &&
    precision !== null &&
    precision !== "MICROSECOND" &&
    precision !== "MILLISECOND"
  ) {
    return failAt(where, "dynamodb.ApproximateCreationDateTimePrecision must be MICROSECOND or MILLISECOND");
  }
  let creation: CreationTime | undefined;
  if (t !== undefined && t !== null) {
    const c = decodeCreationTime(t, precision ?? undefined);
    if (typeof c === "string") return failAt(where, c);
    dd.ApproximateCreationDateTime = t as Date | number | string;
    creation = c;
  }
  const keys = readImage(d.Keys, "dynamodb.Keys");
  if (typeof keys === "string") return failAt(where, keys);
  if (keys !== undefined) dd.Keys = keys;
  const newImage = readImage(d.NewImage, "dynamodb.NewImage");
  if (typeof newImage === "string") return failAt(where, newImage);
  if (newImage !== undefined) dd.NewImage = newImage;
  const oldImage = readImage(d.OldImage, "dynamodb.OldImage");
  if (typeof oldImage === "string") return failAt(where, oldImage);
  if (oldImage !== undefined) dd.OldImage = oldImage;
  const seq = d.SequenceNumber;
  if (seq !== undefined && seq !== null) {
    if (typeof seq !== "string" || !/^\d+$/.test(seq)) {
      return failAt(
        where,
        "dynamodb.SequenceNumber must be a string of digits (a JSON number would lose digits)",
      );
    }
    dd.SequenceNumber = seq;
  }
  const size = d.SizeBytes;
  if (size !== undefined && size !== null) {
    if (typeof size !== "number") return failAt(where, "dynamodb.SizeBytes must be a number");
    dd.SizeBytes = size;
  }
  const view = d.StreamViewType;
  if (view !== undefined && view !== null) {
    if (typeof view !== "string") return failAt(where, "dynamodb.StreamViewType must be a string");
    dd.StreamViewType = view;
  }
  if (typeof precision === "string") dd.ApproximateCreationDateTimePrecision = precision;
  const rec: StreamRecord = {};
  if (typeof eventID === "string") rec.eventID = eventID;
  if (typeof eventName === "string") rec.eventName = eventName;
  if (typeof eventVersion === "string") rec.eventVersion = eventVersion;
  if (typeof eventSource === "string") rec.eventSource = eventSource;
  if (typeof awsRegion === "string") rec.awsRegion = awsRegion;
  rec.dynamodb = dd;
  const u = o.userIdentity;
  if (u !== undefined && u !== null) {
    if (!isPlainObject(u)) return failAt(where, "userIdentity must be an object");
    const ui: UserIdentity = {};
    for (const k of IDENTITY_FIELDS) {
      const v = u[k];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string") return failAt(where, `userIdentity.${k} must be a string`);
      ui[k] = v;
    }
    rec.userIdentity = ui;
  }
  if (typeof eventSourceARN === "string") rec.eventSourceARN = eventSourceARN;
  if (creation !== undefined) {
    rec.creationMs = creation.ms;
    if (creation.us !== undefined) rec.creationUs = creation.us;
  }
  const { tableName, recordFormat } = o;
  if (notString(tableName)) return failAt(where, "tableName must be a string");
  if (notString(recordFormat)) return failAt(where, "recordFormat must be a string");
  if (typeof tableName === "string") rec.tableName = tableName;
  if (typeof recordFormat === "string") rec.recordFormat = recordFormat;
  return { ok: true, records: [rec] };
}

/**
 * Detects the shape of one parsed JSON value and returns the stream records in it:
 * - a single stream record, Lambda shape or SDK shape (`ApproximateCreationDateTime` as epoch seconds,
 *   epoch milliseconds, an ISO-8601 string or a Date);
 * - an array of any of these shapes;
 * - a Lambda event `{"Records": [...]}`;
 * - a `dynastream tail` NDJSON object `{"type":"record", ..., "record": {...}}` (its `record` is used);
 * - a `tail` gap line `{"type":"gap", ...}`, or a `dlq` failure or skipped line
 *   (`{"type":"failure"|"skipped", ...}`), which yield no records.
 * Images are validated (every value must be a typed attribute value; one written with every type
 * descriptor and the unused ones `null`, as the AWS SDK for Go v1 does, counts as its one descriptor);
 * `null` images count as absent. The creation time is decoded once, into `creationMs`.
 * On a wrong shape the result is `{ok:false}` with the location, e.g.
 * `line 3: not a DynamoDB stream record (no "dynamodb" object)`. `where` prefixes messages.
 */
export function normalizeInput(value: unknown, where?: string): NormalizeResult {
  if (Array.isArray(value)) return normalizeList(value, where, "");
  if (!isPlainObject(value)) {
    const got = value === null ? "null" : typeof value;
    return {
      ok: false,
      error: prefix(where, `not a DynamoDB stream record (got ${got}, expected an object)`),
    };
  }
  if (Array.isArray(value.Records)) return normalizeList(value.Records, where, "Records");
  if (value.type === "gap" || value.type === "failure" || value.type === "skipped")
    return { ok: true, records: [] };
  if (value.type === "record" && isPlainObject(value.record))
    return normalizeInput(value.record, join(where, "record"));
  if (isPlainObject(value.dynamodb)) return normalizeRecord(value, where);
  if (isPlainObject(value.kinesis)) return normalizeKinesisEventRecord(value, value.kinesis, where);
  let hint = "";
  if (typeof value.type === "string" && value.dynamodb === undefined) {
    hint = ` (unknown line type ${JSON.stringify(value.type)})`;
  } else if (value.dynamodb !== undefined) {
    hint = ` ("dynamodb" is ${value.dynamodb === null ? "null" : Array.isArray(value.dynamodb) ? "an array" : typeof value.dynamodb})`;
  } else if ("NewImage" in value || "OldImage" in value || "Keys" in value) {
    hint = ' (found Keys/NewImage/OldImage at the top level; they belong inside "dynamodb")';
  } else if ("Item" in value) {
    hint = ' (this looks like an item, not a stream record; wrap it as {"dynamodb":{"NewImage": ...}})';
  }
  const msg =
    value.dynamodb === undefined
      ? `not a DynamoDB stream record (no "dynamodb" object)${hint}`
      : `not a DynamoDB stream record${hint}`;
  return { ok: false, error: prefix(where, msg) };
}

function normalizeList(list: unknown[], where: string | undefined, name: string): NormalizeResult {
  const records: StreamRecord[] = [];
  for (let i = 0; i < list.length; i++) {
    const r = normalizeInput(list[i], join(where, `${name}[${i}]`));
    if (!r.ok) return r;
    for (const x of r.records) records.push(x);
  }
  return { ok: true, records };
}

// ---------------------------------------------------------------------------------------------------
// Change records that came through a Kinesis data stream (the table's Kinesis destination)
// ---------------------------------------------------------------------------------------------------

/**
 * The change record in a Kinesis record's data (base64 of the JSON document the destination writes:
 * `{"awsRegion","eventID","eventName","userIdentity","recordFormat","tableName","dynamodb",…}`), with
 * the envelope attached. Data that is not a DynamoDB change record gives a record with `decodeError`.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html
 */
export function decodeKinesisChange(env: KinesisEnvelope): StreamRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(env.data, "base64").toString("utf8"));
  } catch (e) {
    return { kinesis: env, decodeError: `data is not JSON (${(e as Error).message})` };
  }
  if (!isPlainObject(parsed) || !isPlainObject(parsed.dynamodb)) {
    return { kinesis: env, decodeError: 'data is not a DynamoDB change record (no "dynamodb" object)' };
  }
  const r = normalizeRecord(parsed, undefined);
  if (!r.ok) return { kinesis: env, decodeError: r.error };
  const rec = r.records[0] as StreamRecord;
  rec.kinesis = env;
  return rec;
}

/**
 * A Kinesis Lambda event record (`{"kinesis":{"data","partitionKey","sequenceNumber",
 * "approximateArrivalTimestamp",…},"eventID":"shardId-…:<seq>","eventSourceARN",…}`) as a change
 * record; its data must be one. https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 */
function normalizeKinesisEventRecord(
  o: Record<string, unknown>,
  k: Record<string, unknown>,
  where: string | undefined,
): NormalizeResult {
  const { data, partitionKey, sequenceNumber, approximateArrivalTimestamp, kinesisSchemaVersion } = k;
  if (typeof data !== "string") return failAt(where, "kinesis.data must be a base64 string");
  if (typeof sequenceNumber !== "string" || !/^\d+$/.test(sequenceNumber)) {
    return failAt(where, "kinesis.sequenceNumber must be a string of digits");
  }
  if (notString(partitionKey)) return failAt(where, "kinesis.partitionKey must be a string");
  if (approximateArrivalTimestamp !== undefined && typeof approximateArrivalTimestamp !== "number") {
    return failAt(where, "kinesis.approximateArrivalTimestamp must be epoch seconds");
  }
  const env: KinesisEnvelope = {
    sequenceNumber,
    partitionKey: (partitionKey as string | undefined) ?? "",
    data,
  };
  if (typeof approximateArrivalTimestamp === "number") env.arrivalMs = approximateArrivalTimestamp * 1000;
  if (typeof kinesisSchemaVersion === "string") env.kinesisSchemaVersion = kinesisSchemaVersion;
  const shard = typeof o.eventID === "string" ? /^(shardId-[^:]+):/.exec(o.eventID)?.[1] : undefined;
  if (shard !== undefined) env.shardId = shard;
  if (typeof o.eventSourceARN === "string") env.streamArn = o.eventSourceARN;
  const rec = decodeKinesisChange(env);
  if (rec.decodeError !== undefined) return failAt(where, `kinesis.data: ${rec.decodeError}`);
  return { ok: true, records: [rec] };
}

/**
 * Whether a parsed input value holds Kinesis records (a Kinesis Lambda event or event record, or a
 * `tail` line of a Kinesis-borne record): filter-test then lints patterns for Kinesis filtering.
 */
export function isKinesisInput(value: unknown): boolean {
  if (Array.isArray(value)) return isKinesisInput(value[0]);
  if (!isPlainObject(value)) return false;
  if (isPlainObject(value.kinesis)) return true;
  if (Array.isArray(value.Records)) return isKinesisInput(value.Records[0]);
  return value.type === "record" && isPlainObject(value.record) && isPlainObject(value.record.kinesis);
}
