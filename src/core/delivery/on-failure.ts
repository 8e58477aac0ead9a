/**
 * The record Lambda sends to a DynamoDB event source mapping's on-failure destination (SQS or SNS)
 * when it discards a batch, exactly as documented in "Retain discarded records for a DynamoDB event
 * source in Lambda": https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 *
 * ```json
 * {"requestContext":{"requestId":"…","functionArn":"arn:aws:lambda:…:function:myfunction",
 *   "condition":"RetryAttemptsExhausted","approximateInvokeCount":1},
 *  "responseContext":{"statusCode":200,"executedVersion":"$LATEST","functionError":"Unhandled"},
 *  "version":"1.0","timestamp":"2019-11-14T00:13:49.717Z",
 *  "DDBStreamBatchInfo":{"shardId":"shardId-…","startSequenceNumber":"…","endSequenceNumber":"…",
 *   "approximateArrivalOfFirstRecord":"2019-11-14T00:13:19Z","approximateArrivalOfLastRecord":"…",
 *   "batchSize":1,"streamArn":"arn:aws:dynamodb:…"}}
 * ```
 * The records themselves are not included (S3 destinations add a `payload`; SQS/SNS do not): a reader
 * fetches them from the stream by shard and sequence range before they expire (`dynastream dlq`).
 * For a mapping on a Kinesis data stream (a table's Kinesis destination), the same record carries
 * `KinesisBatchInfo` instead, with arrival times to the millisecond as in its documented sample
 * ("Retain discarded batch records for a Kinesis Data Streams event source in Lambda":
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html):
 * `"KinesisBatchInfo":{"shardId":"shardId-000000000001","startSequenceNumber":"4960…","endSequenceNumber":"4960…",
 * "approximateArrivalOfFirstRecord":"2019-11-14T00:38:04.835Z",…,"batchSize":500,"streamArn":"arn:aws:kinesis:…"}`.
 * `condition` is `RetryAttemptsExhausted` or `RecordAgeExceeded` (records older than
 * MaximumRecordAgeInSeconds; the name LocalStack, tested against AWS, sends). `functionError` is
 * present when the function failed (`Unhandled`: an error, a timeout or a crash) and absent when it
 * returned a partial-batch response; `responseContext` is absent when the records were discarded
 * before any invocation (too old).
 */

/** Why a batch was discarded. */
export type FailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

/** Where the discarded batch lies in its stream (`DDBStreamBatchInfo` or `KinesisBatchInfo`). */
export interface BatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string | undefined;
  approximateArrivalOfLastRecord: string | undefined;
  batchSize: number;
  streamArn: string;
}

/** The on-failure record, field for field as Lambda writes it. */
export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: FailureCondition;
    approximateInvokeCount: number;
  };
  responseContext?: {
    statusCode: number;
    executedVersion: string;
    functionError?: string;
  };
  version: "1.0";
  timestamp: string;
  /** A DynamoDB stream mapping's batch. */
  DDBStreamBatchInfo?: BatchInfo;
  /** A Kinesis stream mapping's batch (the table's Kinesis destination). */
  KinesisBatchInfo?: BatchInfo;
}

/** The batch an on-failure record describes, whichever stream it came from. */
export function batchInfoOf(r: OnFailureRecord): BatchInfo {
  return (r.DDBStreamBatchInfo ?? r.KinesisBatchInfo) as BatchInfo;
}

/** What {@link buildOnFailureRecord} needs of the discarded batch. */
export interface DiscardedBatch {
  /** The mapping's source: a DynamoDB stream, or a Kinesis data stream. */
  source: "dynamodb" | "kinesis";
  shardId: string;
  streamArn: string;
  functionArn: string;
  /** Sequence numbers and creation times (epoch ms) of the first and last record. */
  first: { sequenceNumber: string; creationMs: number | undefined };
  last: { sequenceNumber: string; creationMs: number | undefined };
  size: number;
  condition: FailureCondition;
  /** Invocations of these records (0 when discarded before any). */
  invokeCount: number;
  /** The last invocation's request id ("" when there was none). */
  requestId: string;
  /** How the last invocation ended: `function-error` (error, timeout, crash) or `partial`. */
  lastResult: "function-error" | "partial" | undefined;
  /** `executedVersion` of the last invocation (`$LATEST` locally). */
  executedVersion?: string | undefined;
  /** When it was discarded (epoch ms). */
  at: number;
}

/**
 * `2019-11-14T00:13:19Z`: DynamoDB record arrival times are shown to the second, as in the documented
 * sample; Kinesis ones to the millisecond (`2019-11-14T00:38:04.835Z`), as in its sample.
 */
function arrival(ms: number | undefined, source: DiscardedBatch["source"]): string | undefined {
  if (ms === undefined) return undefined;
  const iso = new Date(Math.floor(ms)).toISOString();
  return source === "kinesis" ? iso : `${iso.slice(0, 19)}Z`;
}

/** Builds the on-failure record of a discarded batch, keys in the documented order. */
export function buildOnFailureRecord(b: DiscardedBatch): OnFailureRecord {
  // Built key by key: the documented order is requestContext, responseContext, version, timestamp, info.
  const rec = {
    requestContext: {
      requestId: b.requestId,
      functionArn: b.functionArn,
      condition: b.condition,
      approximateInvokeCount: b.invokeCount,
    },
  } as OnFailureRecord;
  if (b.lastResult !== undefined) {
    const response: NonNullable<OnFailureRecord["responseContext"]> = {
      statusCode: 200,
      executedVersion: b.executedVersion ?? "$LATEST",
    };
    if (b.lastResult === "function-error") response.functionError = "Unhandled";
    rec.responseContext = response;
  }
  rec.version = "1.0";
  rec.timestamp = new Date(b.at).toISOString();
  const info: BatchInfo = {
    shardId: b.shardId,
    startSequenceNumber: b.first.sequenceNumber,
    endSequenceNumber: b.last.sequenceNumber,
    approximateArrivalOfFirstRecord: arrival(b.first.creationMs, b.source),
    approximateArrivalOfLastRecord: arrival(b.last.creationMs, b.source),
    batchSize: b.size,
    streamArn: b.streamArn,
  };
  if (b.source === "kinesis") rec.KinesisBatchInfo = info;
  else rec.DDBStreamBatchInfo = info;
  return rec;
}
