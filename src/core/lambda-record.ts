/**
 * The Lambda-event form of a stream record: what Lambda hands a function and what its event filters
 * see (images in DynamoDB JSON, the creation time in epoch seconds, a lower-case user identity), and
 * whether a parsed value already is exactly that.
 */
import type { AttributeMap } from "./attr.js";
import { isAttributeMap, isPlainObject, toJsonAttributeMap } from "./attr.js";
import type { KinesisEnvelope, StreamRecord, UserIdentity } from "./record.js";
import { creationTimeMs, MS_THRESHOLD } from "./record.js";

/** Whether `s` is one or more decimal digits (a sequence number). */
function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A record exactly as Lambda hands it to a function (and as Lambda event filters see it). */
export interface LambdaStreamRecord {
  eventID?: string;
  eventName?: string;
  eventVersion?: string;
  eventSource?: string;
  awsRegion?: string;
  dynamodb: {
    /** Epoch seconds, a JSON number (possibly fractional). */
    ApproximateCreationDateTime?: number;
    Keys?: AttributeMap;
    NewImage?: AttributeMap;
    OldImage?: AttributeMap;
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
  userIdentity?: { principalId?: string; type?: string };
  eventSourceARN?: string;
}

/** The Lambda-event form of a user identity (lower-case keys), or undefined if there is none. */
export function lambdaUserIdentity(
  u: UserIdentity | undefined,
): { principalId?: string; type?: string } | undefined {
  if (u === undefined || u === null) return undefined;
  const principalId = u.PrincipalId ?? u.principalId;
  const type = u.Type ?? u.type;
  if (principalId === undefined && type === undefined) return undefined;
  const out: { principalId?: string; type?: string } = {};
  if (principalId !== undefined) out.principalId = principalId;
  if (type !== undefined) out.type = type;
  return out;
}

/**
 * The record exactly as Lambda delivers it to a function: images in DynamoDB JSON with binary as
 * base64 strings, `ApproximateCreationDateTime` as epoch seconds (a JSON number), `eventSourceARN`
 * added when known (`opts.streamArn`, else the record's own), and `userIdentity` with the lower-case
 * keys `principalId`/`type` that Lambda events and the TTL documentation show (the API's capitalised
 * form is converted). Absent fields stay absent (no nulls). Key order follows the Lambda samples.
 */
export function toLambdaRecord(rec: StreamRecord, opts: { streamArn?: string } = {}): LambdaStreamRecord {
  // Built field by field in Lambda's order (a spread of a partly built object is several times slower).
  const result = {} as LambdaStreamRecord;
  if (rec.eventID !== undefined) result.eventID = rec.eventID;
  if (rec.eventName !== undefined) result.eventName = rec.eventName;
  if (rec.eventVersion !== undefined) result.eventVersion = rec.eventVersion;
  if (rec.eventSource !== undefined) result.eventSource = rec.eventSource;
  if (rec.awsRegion !== undefined) result.awsRegion = rec.awsRegion;
  const d = rec.dynamodb ?? {};
  const dd: LambdaStreamRecord["dynamodb"] = {};
  const ms = creationTimeMs(rec);
  if (ms !== undefined) dd.ApproximateCreationDateTime = ms / 1000;
  if (d.Keys) dd.Keys = toJsonAttributeMap(d.Keys);
  if (d.NewImage) dd.NewImage = toJsonAttributeMap(d.NewImage);
  if (d.OldImage) dd.OldImage = toJsonAttributeMap(d.OldImage);
  if (d.SequenceNumber !== undefined) dd.SequenceNumber = d.SequenceNumber;
  if (d.SizeBytes !== undefined) dd.SizeBytes = d.SizeBytes;
  if (d.StreamViewType !== undefined) dd.StreamViewType = d.StreamViewType;
  result.dynamodb = dd;
  const u = lambdaUserIdentity(rec.userIdentity);
  if (u !== undefined) result.userIdentity = u;
  const arn = opts.streamArn ?? rec.eventSourceARN;
  if (arn !== undefined) result.eventSourceARN = arn;
  return result;
}

/**
 * What a Lambda function subscribed to a Kinesis stream receives for one Kinesis record (the Kinesis
 * event record), for a change record that came through the table's Kinesis destination: its data as
 * the base64 the stream holds, times in epoch seconds, `eventID` `<shardId>:<sequenceNumber>`.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html (invokeIdentityArn is not known
 * outside Lambda and is left out.)
 */
export interface KinesisLambdaRecord {
  kinesis: {
    kinesisSchemaVersion: string;
    partitionKey: string;
    sequenceNumber: string;
    data: string;
    approximateArrivalTimestamp?: number;
  };
  eventSource: "aws:kinesis";
  eventVersion: "1.0";
  eventID?: string;
  eventName: "aws:kinesis:record";
  awsRegion?: string;
  eventSourceARN?: string;
}

/** The Kinesis event record of a change record that came through a Kinesis data stream. */
export function toKinesisLambdaRecord(
  env: KinesisEnvelope,
  opts: { streamArn?: string | undefined; shardId?: string | undefined } = {},
): KinesisLambdaRecord {
  const kinesis: KinesisLambdaRecord["kinesis"] = {
    kinesisSchemaVersion: env.kinesisSchemaVersion ?? "1.0",
    partitionKey: env.partitionKey,
    sequenceNumber: env.sequenceNumber,
    data: env.data,
  };
  if (env.arrivalMs !== undefined) kinesis.approximateArrivalTimestamp = env.arrivalMs / 1000;
  const shardId = opts.shardId ?? env.shardId;
  const arn = opts.streamArn ?? env.streamArn;
  const region = arn === undefined ? undefined : /^arn:[^:]*:kinesis:([^:]+):/.exec(arn)?.[1];
  // Key order as Lambda's sample: kinesis, eventSource, eventVersion, eventID, eventName, awsRegion, eventSourceARN.
  return {
    kinesis,
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    ...(shardId !== undefined && shardId !== "" ? { eventID: `${shardId}:${env.sequenceNumber}` } : {}),
    eventName: "aws:kinesis:record",
    ...(region !== undefined ? { awsRegion: region } : {}),
    ...(arn !== undefined ? { eventSourceARN: arn } : {}),
  };
}

/**
 * What a Lambda filter sees of a Kinesis record: "Kinesis event source mappings only support filtering
 * on the data key", the data base64-decoded and JSON-parsed, so a pattern on a change record that
 * came through the Kinesis destination is `{"data":{"eventName":[…],"dynamodb":{…}}}`.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html
 */
export function kinesisFilterView(env: KinesisEnvelope): { data: unknown } {
  try {
    return { data: JSON.parse(Buffer.from(env.data, "base64").toString("utf8")) as unknown };
  } catch {
    return { data: undefined };
  }
}

/** Whether `d` is a `dynamodb` part exactly as {@link toLambdaRecord} writes it. */
function isLambdaData(d: unknown): boolean {
  if (!isPlainObject(d)) return false;
  for (const k in d) {
    const v = d[k];
    switch (k) {
      case "ApproximateCreationDateTime":
        // Epoch seconds that decoding to milliseconds and back gives unchanged.
        if (typeof v !== "number" || !(Math.abs(v) < MS_THRESHOLD) || Math.round(v * 1000) / 1000 !== v)
          return false;
        break;
      case "Keys":
      case "NewImage":
      case "OldImage":
        if (!isAttributeMap(v)) return false;
        break;
      case "SequenceNumber":
        if (typeof v !== "string" || !isDigits(v)) return false;
        break;
      case "SizeBytes":
        if (typeof v !== "number") return false;
        break;
      case "StreamViewType":
        if (typeof v !== "string") return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function isLambdaIdentity(u: unknown): boolean {
  if (!isPlainObject(u)) return false;
  let n = 0;
  for (const k in u) {
    if ((k !== "principalId" && k !== "type") || typeof u[k] !== "string") return false;
    n++;
  }
  return n > 0;
}

/**
 * Whether `o`, parsed from JSON, is already what `toLambdaRecord` of its {@link normalizeInput} gives
 * (the same fields with the same values; images valid by core/attr's table, as `normalizeInput` checks
 * them). Then it can be used as it is, without the two copies: nearly every record that Lambda or a
 * test event wrote. Anything else (an SDK-shape time, values with null descriptors, other fields) is
 * not.
 */
export function isLambdaRecord(o: unknown): boolean {
  if (!isPlainObject(o)) return false;
  let data = false;
  for (const k in o) {
    const v = o[k];
    switch (k) {
      case "eventID":
      case "eventVersion":
      case "eventSource":
      case "awsRegion":
      case "eventSourceARN":
        if (typeof v !== "string") return false;
        break;
      case "eventName":
        if (v !== "INSERT" && v !== "MODIFY" && v !== "REMOVE") return false;
        break;
      case "dynamodb":
        if (!isLambdaData(v)) return false;
        data = true;
        break;
      case "userIdentity":
        if (!isLambdaIdentity(v)) return false;
        break;
      default:
        return false;
    }
  }
  return data;
}

// ---------------------------------------------------------------------------------------------------
// Input-shape detection
