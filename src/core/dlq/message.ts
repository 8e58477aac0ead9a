/**
 * The on-failure invocation record that Lambda sends to an event source mapping's on-failure
 * destination when a DynamoDB-stream batch is discarded, read leniently from whatever carries it.
 *
 * The record, as documented (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html):
 *
 * ```json
 * {"requestContext":{"requestId":"316aa6d0-…","functionArn":"arn:aws:lambda:us-east-2:123456789012:function:myfunction",
 *                    "condition":"RetryAttemptsExhausted","approximateInvokeCount":1},
 *  "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
 *  "version":"1.0","timestamp":"2019-11-14T00:13:49.717Z",
 *  "DDBStreamBatchInfo":{"shardId":"shardId-00000001573689847184-864758bb",
 *                        "startSequenceNumber":"800000000003126276362","endSequenceNumber":"800000000003126276362",
 *                        "approximateArrivalOfFirstRecord":"2019-11-14T00:13:19Z",
 *                        "approximateArrivalOfLastRecord":"2019-11-14T00:13:19Z",
 *                        "batchSize":1,"streamArn":"arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388"}}
 * ```
 *
 * SQS and SNS destinations get only this metadata: the records stay in the stream (24 h). An S3
 * destination's object also carries `payload`, the invocation event itself (`{"Records":[…]}`),
 * as a JSON object or as a string holding JSON. `responseContext` is absent when the records were
 * discarded before any invocation (e.g. they grew too old while the function was throttled).
 *
 * What carries the record, unwrapped here at any depth: a string holding JSON, an SNS notification
 * (`{"Type":"Notification","Message":"…"}`), an SQS message (`{"MessageId","ReceiptHandle","Body"}`),
 * `aws sqs receive-message` output (`{"Messages":[…]}`), a Lambda event of SQS or SNS records, arrays.
 * Pure: no I/O.
 */
import { isPlainObject } from "../attr.js";
import { isSequenceNumber } from "../sequence.js";

/** `DDBStreamBatchInfo`: where the failed batch lies in the stream. */
export interface BatchInfo {
  streamArn: string;
  shardId: string;
  /** First and last sequence numbers of the batch (digits; compare as integers). */
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number | undefined;
  /** ISO-8601 times as Lambda wrote them. */
  approximateArrivalOfFirstRecord: string | undefined;
  approximateArrivalOfLastRecord: string | undefined;
}

/** `responseContext`: what the last invocation answered (absent when the function was never invoked). */
export interface ResponseInfo {
  statusCode: number | undefined;
  executedVersion: string | undefined;
  functionError: string | undefined;
}

/** One on-failure record, as given. */
export interface FailureRecord {
  version: string | undefined;
  /** When Lambda discarded the batch (ISO-8601, as given). */
  timestamp: string | undefined;
  requestId: string | undefined;
  functionArn: string | undefined;
  /** Why Lambda gave up, as given (see {@link KNOWN_CONDITIONS}). */
  condition: string | undefined;
  approximateInvokeCount: number | undefined;
  response: ResponseInfo | undefined;
  batch: BatchInfo;
  /**
   * S3 destinations only: the records of the invocation payload, as the payload held them (Lambda
   * shape; read with core/record's normalizeInput). Undefined when the record carries no payload.
   */
  payloadRecords: unknown[] | undefined;
}

/**
 * The `condition` values dynastream recognises, with what they mean. Others are shown as given.
 * `RetryAttemptsExhausted` is the documented one (MaximumRetryAttempts reached);
 * `RecordAgeExceeded` is what Lambda writes when the records grew older than
 * MaximumRecordAgeInSeconds (or the retention) before they were processed; `MaximumRecordAgeExceeded`
 * is the same condition as some emulators spell it.
 */
export const KNOWN_CONDITIONS: Readonly<Record<string, string>> = {
  RetryAttemptsExhausted: "retries exhausted (MaximumRetryAttempts)",
  RecordAgeExceeded: "records too old (MaximumRecordAgeInSeconds or the stream's retention)",
  MaximumRecordAgeExceeded: "records too old (MaximumRecordAgeInSeconds or the stream's retention)",
};

/** The meaning of a condition, or undefined when it is not one dynastream knows. */
export function conditionMeaning(condition: string | undefined): string | undefined {
  return condition === undefined ? undefined : KNOWN_CONDITIONS[condition];
}

/** One message read: an on-failure record, or something else (with what it seems to be). */
export type ParsedMessage =
  | { ok: true; where: string; failure: FailureRecord }
  | { ok: false; where: string; reason: string };

function optString(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === "string" ? v : undefined;
}

function optNumber(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

/** Innermost wrappers first read at most this deep (a string in a notification in a message...). */
const MAX_DEPTH = 8;

/**
 * Every message in `value`: on-failure records and the things that are not, each with where it was
 * found (`where` prefixes the locations: `failed.json line 3`, `queue orders-dlq message 1b2c…`).
 *
 * @example parseFailureMessages(JSON.parse(body), "message 1")[0] // {ok:true, failure:{…}}
 */
export function parseFailureMessages(value: unknown, where: string): ParsedMessage[] {
  const out: ParsedMessage[] = [];
  unwrap(value, where, 0, out);
  return out;
}

function join(where: string, part: string): string {
  return part.startsWith("[") ? `${where}${part}` : `${where} ${part}`;
}

function unwrap(value: unknown, where: string, depth: number, out: ParsedMessage[]): void {
  if (depth > MAX_DEPTH) {
    out.push({ ok: false, where, reason: "nested too deeply to be an on-failure record" });
    return;
  }
  if (typeof value === "string") {
    const text = value.trim();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      out.push({ ok: false, where, reason: `text that is not JSON (${preview(text)})` });
      return;
    }
    unwrap(parsed, where, depth + 1, out);
    return;
  }
  if (Array.isArray(value)) {
    if (value.length === 0) out.push({ ok: false, where, reason: "an empty JSON array" });
    for (let i = 0; i < value.length; i++) unwrap(value[i], join(where, `[${i}]`), depth + 1, out);
    return;
  }
  if (!isPlainObject(value)) {
    out.push({ ok: false, where, reason: `a JSON ${value === null ? "null" : typeof value}` });
    return;
  }
  if ("DDBStreamBatchInfo" in value) {
    out.push(readFailure(value, where));
    return;
  }
  // An SNS notification (as an SNS-subscribed queue receives it without raw delivery, or saved).
  if (value.Type === "Notification" && typeof value.Message === "string") {
    const id = optString(value, "MessageId");
    unwrap(value.Message, id ? `${where} (SNS ${id})` : where, depth + 1, out);
    return;
  }
  // `aws sqs receive-message` output.
  if (Array.isArray(value.Messages)) {
    const list = value.Messages;
    if (list.length === 0) return; // an empty receive: no messages, nothing wrong
    for (let i = 0; i < list.length; i++) unwrap(list[i], join(where, `Messages[${i}]`), depth + 1, out);
    return;
  }
  // One SQS message (ReceiveMessage's shape).
  if (typeof value.Body === "string" && ("MessageId" in value || "ReceiptHandle" in value)) {
    const id = optString(value, "MessageId");
    unwrap(value.Body, id ? `${where} (message ${id})` : where, depth + 1, out);
    return;
  }
  // A Lambda event of SQS or SNS records (a consumer of the destination saved its event).
  if (Array.isArray(value.Records) && value.Records.length > 0 && value.Records.every(isQueueRecord)) {
    const list = value.Records as Record<string, unknown>[];
    for (let i = 0; i < list.length; i++) {
      const r = list[i] as Record<string, unknown>;
      const inner = typeof r.body === "string" ? r.body : (r.Sns as Record<string, unknown>).Message;
      unwrap(inner, join(where, `Records[${i}]`), depth + 1, out);
    }
    return;
  }
  out.push({ ok: false, where, reason: whatItSeems(value) });
}

function isQueueRecord(r: unknown): boolean {
  if (!isPlainObject(r)) return false;
  if (r.eventSource === "aws:sqs" && typeof r.body === "string") return true;
  return r.EventSource === "aws:sns" && isPlainObject(r.Sns) && typeof r.Sns.Message === "string";
}

function preview(text: string): string {
  const one = text.replace(/\s+/g, " ");
  return JSON.stringify(one.length > 40 ? `${one.slice(0, 40)}…` : one);
}

/** What an object that is not an on-failure record seems to be, for the message that skips it. */
function whatItSeems(o: Record<string, unknown>): string {
  if ("KinesisBatchInfo" in o)
    return "a Kinesis on-failure record (KinesisBatchInfo), not a DynamoDB stream's";
  if ("requestPayload" in o || "responsePayload" in o)
    return "an asynchronous invocation record (requestPayload), not a stream batch's on-failure record";
  if (isPlainObject(o.dynamodb)) return "a DynamoDB stream record, not an on-failure record";
  if (o.type === "record" || o.type === "failure" || o.type === "gap")
    return `a dynastream output line (type ${JSON.stringify(o.type)}), not an on-failure record`;
  if (Array.isArray(o.Records)) return "a Lambda event of records, not an on-failure record";
  if (isPlainObject(o.requestContext))
    return "an invocation record without DDBStreamBatchInfo (not from a DynamoDB stream mapping)";
  const keys = Object.keys(o).slice(0, 4);
  return keys.length === 0
    ? "an empty JSON object"
    : `a JSON object with ${keys.map((k) => JSON.stringify(k)).join(", ")}${Object.keys(o).length > 4 ? ", …" : ""} (no DDBStreamBatchInfo)`;
}

function readFailure(o: Record<string, unknown>, where: string): ParsedMessage {
  const info = o.DDBStreamBatchInfo;
  const bad = (why: string): ParsedMessage => ({
    ok: false,
    where,
    reason: `an on-failure record whose DDBStreamBatchInfo ${why}`,
  });
  if (!isPlainObject(info)) return bad("is not an object");
  const streamArn = optString(info, "streamArn");
  const shardId = optString(info, "shardId");
  if (!streamArn) return bad("has no streamArn");
  if (!shardId) return bad("has no shardId");
  const start = info.startSequenceNumber;
  const end = info.endSequenceNumber;
  for (const [name, v] of [
    ["startSequenceNumber", start],
    ["endSequenceNumber", end],
  ] as const) {
    if (typeof v !== "string" || !isSequenceNumber(v)) {
      return bad(
        typeof v === "number"
          ? `has ${name} as a JSON number (digits may be lost): it must be a string`
          : `has no valid ${name}`,
      );
    }
  }
  const rc = isPlainObject(o.requestContext) ? o.requestContext : {};
  const resp = isPlainObject(o.responseContext) ? o.responseContext : undefined;
  let payloadRecords: unknown[] | undefined;
  if (o.payload !== undefined && o.payload !== null) {
    let payload: unknown = o.payload;
    if (typeof payload === "string") {
      try {
        payload = JSON.parse(payload);
      } catch {
        return { ok: false, where, reason: "an on-failure record whose payload is a string but not JSON" };
      }
    }
    if (!isPlainObject(payload) || !Array.isArray(payload.Records)) {
      return {
        ok: false,
        where,
        reason: 'an on-failure record whose payload is not an invocation event {"Records":[…]}',
      };
    }
    payloadRecords = payload.Records;
  }
  return {
    ok: true,
    where,
    failure: {
      version: optString(o, "version"),
      timestamp: optString(o, "timestamp"),
      requestId: optString(rc, "requestId"),
      functionArn: optString(rc, "functionArn"),
      condition: optString(rc, "condition"),
      approximateInvokeCount: optNumber(rc, "approximateInvokeCount"),
      response: resp && {
        statusCode: optNumber(resp, "statusCode"),
        executedVersion: optString(resp, "executedVersion"),
        functionError: optString(resp, "functionError"),
      },
      batch: {
        streamArn,
        shardId,
        startSequenceNumber: start as string,
        endSequenceNumber: end as string,
        batchSize: optNumber(info, "batchSize"),
        approximateArrivalOfFirstRecord: optString(info, "approximateArrivalOfFirstRecord"),
        approximateArrivalOfLastRecord: optString(info, "approximateArrivalOfLastRecord"),
      },
      payloadRecords,
    },
  };
}
