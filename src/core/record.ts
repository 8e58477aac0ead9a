/**
 * The stream record model shared by every command: the record type (the SDK's `_Record` shape,
 * widened to what JSON files and Lambda events contain), its Kinesis envelope, TTL detection and the
 * creation time. Reading records from JSON input: ./normalize-record.ts; the Lambda-event form:
 * ./lambda-record.ts.
 */

import type { AttributeMap } from "./attr.js";

/** The three stream event names. */
export type EventName = "INSERT" | "MODIFY" | "REMOVE";

/**
 * Who made the change; only present for service deletes (TTL). The API and SDK use `PrincipalId`/`Type`,
 * Lambda events and the TTL docs use `principalId`/`type`; both are accepted everywhere.
 */
export interface UserIdentity {
  PrincipalId?: string | undefined;
  Type?: string | undefined;
  principalId?: string | undefined;
  type?: string | undefined;
}

/** The `dynamodb` part of a stream record. */
export interface StreamRecordData {
  /**
   * SDK: Date. Wire and Lambda: epoch seconds. Files: ISO-8601 or numbers, kept as given (raw output
   * writes them so); {@link normalizeInput} decodes them into `creationMs`.
   */
  ApproximateCreationDateTime?: Date | number | string | undefined;
  Keys?: AttributeMap | undefined;
  NewImage?: AttributeMap | undefined;
  OldImage?: AttributeMap | undefined;
  /** Digits only, 21–40 characters; compare with BigInt, never as text. */
  SequenceNumber?: string | undefined;
  SizeBytes?: number | undefined;
  StreamViewType?: string | undefined;
  /**
   * Kinesis destination records only: `MICROSECOND` or `MILLISECOND`, the unit of
   * `ApproximateCreationDateTime` there (epoch ms or µs, never seconds).
   * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html
   */
  ApproximateCreationDateTimePrecision?: string | undefined;
}

/**
 * The Kinesis record around a change record that came through a table's Kinesis Data Streams
 * destination (GetRecords on the Kinesis stream, or a Kinesis Lambda event).
 */
export interface KinesisEnvelope {
  /** The Kinesis sequence number (digits; compare with BigInt). */
  sequenceNumber: string;
  partitionKey: string;
  /** The record's data as received, base64: `record` carries it byte for byte. */
  data: string;
  /** When Kinesis received the record (epoch ms, possibly fractional). */
  arrivalMs?: number | undefined;
  /** Lambda events: `kinesisSchemaVersion`; GetRecords: absent. */
  kinesisSchemaVersion?: string | undefined;
  /** GetRecords: `EncryptionType` (`NONE`, `KMS`). */
  encryptionType?: string | undefined;
  /** The shard and stream a Lambda event names (`eventID` `shardId-…:<seq>`, `eventSourceARN`). */
  shardId?: string | undefined;
  streamArn?: string | undefined;
}

/**
 * A stream record as the SDK returns it from GetRecords (`_Record`), or as Lambda delivers it (adds
 * `eventSourceARN`, lower-case `userIdentity`, epoch-seconds time, base64 binary). An SDK `_Record` is
 * assignable to this type without a cast.
 */
export interface StreamRecord {
  eventID?: string | undefined;
  eventName?: string | undefined;
  eventVersion?: string | undefined;
  eventSource?: string | undefined;
  awsRegion?: string | undefined;
  dynamodb?: StreamRecordData | undefined;
  userIdentity?: UserIdentity | undefined;
  /** Only in Lambda events; GetRecords output does not carry it. */
  eventSourceARN?: string | undefined;
  /**
   * `dynamodb.ApproximateCreationDateTime` as epoch milliseconds, decoded once by {@link normalizeInput}
   * from whichever form the input gave. Not part of the record as received: raw output leaves it out.
   * Records from the SDK carry a Date instead; read the time with {@link creationTimeMs}.
   */
  creationMs?: number | undefined;
  /**
   * The creation time in epoch microseconds, when the record carries it to the microsecond (Kinesis
   * destination with precision MICROSECOND): output keeps the six digits.
   */
  creationUs?: number | undefined;
  /** Kinesis destination records: the table the change was made in, and `application/json`. */
  tableName?: string | undefined;
  recordFormat?: string | undefined;
  /** Set when the change record came through a Kinesis data stream. */
  kinesis?: KinesisEnvelope | undefined;
  /**
   * Set on a Kinesis record whose data is not a DynamoDB change record (another producer wrote into
   * the stream): why. It is read (the position moves past it) but not shown.
   */
  decodeError?: string | undefined;
  /**
   * Set by `tail` on a record whose `eventID` it already printed in this run: the Kinesis
   * destination may deliver a change more than once.
   */
  duplicate?: boolean | undefined;
}

/** Where a record is in its shard: the Kinesis sequence number, else the DynamoDB stream's. */
export function sequenceOf(rec: StreamRecord): string | undefined {
  return rec.kinesis?.sequenceNumber ?? rec.dynamodb?.SequenceNumber;
}

/** A record read by `tail --input`, with what a tail output line said about where it came from. */
export interface InputRecord {
  record: StreamRecord;
  shardId?: string | undefined;
  table?: string | undefined;
  streamArn?: string | undefined;
}

/** The fields of a record's `dynamodb` part, in the order GetRecords and Lambda give them. */
export const DYNAMODB_FIELDS = [
  "ApproximateCreationDateTime",
  "Keys",
  "NewImage",
  "OldImage",
  "SequenceNumber",
  "SizeBytes",
  "StreamViewType",
] as const;

/** The principal of TTL deletes. */
export const TTL_PRINCIPAL = "dynamodb.amazonaws.com";

/**
 * Whether `rec` is a delete made by Time To Live: REMOVE by principal `dynamodb.amazonaws.com` of type
 * `Service`. Accepts both key casings (`PrincipalId`/`Type` from the API, `principalId`/`type` from
 * Lambda events and the docs).
 */
export function isTtlDelete(rec: StreamRecord): boolean {
  if (rec.eventName !== "REMOVE") return false;
  const u = rec.userIdentity;
  if (u === undefined || u === null) return false;
  return (u.PrincipalId ?? u.principalId) === TTL_PRINCIPAL && (u.Type ?? u.type) === "Service";
}

/** Numbers below this are epoch seconds, above it epoch milliseconds (1e11 s is the year 5138). */
export const MS_THRESHOLD = 1e11;
/**
 * `ApproximateCreationDateTime` as epoch milliseconds (an integer), or undefined when absent: the
 * decoded `creationMs` of a record read from input, else the SDK's Date.
 */
export function creationTimeMs(rec: StreamRecord): number | undefined {
  if (rec.creationMs !== undefined) return rec.creationMs;
  const t = rec.dynamodb?.ApproximateCreationDateTime;
  return t instanceof Date && Number.isFinite(t.getTime()) ? t.getTime() : undefined;
}

/** The table name in a stream ARN (`arn:aws:dynamodb:r:a:table/<T>/stream/<label>`), if it is one. */
export function tableFromStreamArn(arn: string | undefined): string | undefined {
  if (arn === undefined) return undefined;
  const m = /:table\/([^/]+)\/stream\//.exec(arn);
  return m?.[1];
}
