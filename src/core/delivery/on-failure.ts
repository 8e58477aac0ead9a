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
 * `condition` is `RetryAttemptsExhausted` or `RecordAgeExceeded` (records older than
 * MaximumRecordAgeInSeconds; the name LocalStack, tested against AWS, sends). `functionError` is
 * present when the function failed (`Unhandled`: an error, a timeout or a crash) and absent when it
 * returned a partial-batch response; `responseContext` is absent when the records were discarded
 * before any invocation (too old).
 */

/** Why a batch was discarded. */
export type FailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

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
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string | undefined;
    approximateArrivalOfLastRecord: string | undefined;
    batchSize: number;
    streamArn: string;
  };
}

/** What {@link buildOnFailureRecord} needs of the discarded batch. */
export interface DiscardedBatch {
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

/** `2019-11-14T00:13:19Z`: record arrival times are shown to the second, as in the documented sample. */
function arrival(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Builds the on-failure record of a discarded batch, keys in the documented order. */
export function buildOnFailureRecord(b: DiscardedBatch): OnFailureRecord {
  const rec: OnFailureRecord = {
    requestContext: {
      requestId: b.requestId,
      functionArn: b.functionArn,
      condition: b.condition,
      approximateInvokeCount: b.invokeCount,
    },
    version: "1.0",
    timestamp: new Date(b.at).toISOString(),
    DDBStreamBatchInfo: {
      shardId: b.shardId,
      startSequenceNumber: b.first.sequenceNumber,
      endSequenceNumber: b.last.sequenceNumber,
      approximateArrivalOfFirstRecord: arrival(b.first.creationMs),
      approximateArrivalOfLastRecord: arrival(b.last.creationMs),
      batchSize: b.size,
      streamArn: b.streamArn,
    },
  };
  if (b.lastResult !== undefined) {
    const response: NonNullable<OnFailureRecord["responseContext"]> = {
      statusCode: 200,
      executedVersion: b.executedVersion ?? "$LATEST",
    };
    if (b.lastResult === "function-error") response.functionError = "Unhandled";
    // Rebuilt so that responseContext sits after requestContext, as in the documented sample.
    return {
      requestContext: rec.requestContext,
      responseContext: response,
      version: rec.version,
      timestamp: rec.timestamp,
      DDBStreamBatchInfo: rec.DDBStreamBatchInfo,
    };
  }
  return rec;
}
