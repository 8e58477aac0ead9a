/**
 * What Lambda makes of a function's response to a batch of DynamoDB stream records.
 *
 * https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html:
 * - without `ReportBatchItemFailures` in the mapping's FunctionResponseTypes, Lambda does not read the
 *   response: any returned value is a complete success;
 * - with it, `{"batchItemFailures":[{"itemIdentifier":"<SequenceNumber>"}]}`: Lambda checkpoints before
 *   the record with the LOWEST sequence number named and retries every record from there;
 * - complete success: an empty or null `batchItemFailures` list, an empty or null response;
 * - complete failure: an empty-string or null `itemIdentifier`, or an item with a wrong key name
 *   (`ItemIdentifier`, `itemIdentifer`, …).
 * An identifier that names no record of the batch (most often the record's `eventID`, a widely copied
 * mistake) is not listed there. Lambda treats it as a complete failure: LocalStack's event source
 * mapping, whose tests are snapshots taken against AWS, validates every identifier against the batch
 * and fails the whole batch otherwise (localstack `lambda_/event_source_mapping/pollers/poller.py`,
 * `parse_batch_item_failures`). dynastream does the same, and says so.
 *
 * Kinesis stream mappings follow the same rules with the record's `kinesis.sequenceNumber` as the
 * identifier (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html);
 * the eventID mistake there is `shardId-…:<sequence number>`.
 */
import { isPlainObject } from "../attr.js";
import { compareSequence } from "../sequence.js";

/** A record as far as response checking needs it. */
export interface ResponseRecord {
  sequenceNumber: string | undefined;
  eventID: string | undefined;
}

/** Something a response did that Lambda handles silently and a developer should hear about. */
export interface ResponseDiagnostic {
  code:
    | "identifier-is-event-id"
    | "identifier-not-in-batch"
    | "identifier-empty"
    | "identifier-missing"
    | "identifier-not-string"
    | "failures-not-a-list"
    | "failures-ignored"
    | "response-not-an-object"
    | "response-without-state";
  message: string;
}

/** How Lambda reads one response. */
export type ResponseVerdict =
  | { result: "success"; diagnostics: ResponseDiagnostic[] }
  /** Records before index `from` are checkpointed; `from` and later are retried. */
  | { result: "partial"; from: number; identifiers: string[]; diagnostics: ResponseDiagnostic[] }
  | { result: "failure"; reason: string; diagnostics: ResponseDiagnostic[] };

/** The fix for an identifier that is the record's eventID, by source. */
function fixEventId(source: "dynamodb" | "kinesis"): string {
  const field = source === "kinesis" ? "record.kinesis.sequenceNumber" : "record.dynamodb.SequenceNumber";
  return `return { batchItemFailures: [{ itemIdentifier: ${field} }] }, not record.eventID`;
}

/**
 * Reads the value a function returned (`undefined`/`null` for none) for `records`, given whether the
 * mapping has `ReportBatchItemFailures`. Pure; never throws.
 *
 * @example
 * interpretResponse({ batchItemFailures: [{ itemIdentifier: "200" }] }, [{sequenceNumber:"100"},{sequenceNumber:"200"}], true)
 * // → { result: "partial", from: 1, identifiers: ["200"], diagnostics: [] }
 */
export function interpretResponse(
  response: unknown,
  records: readonly ResponseRecord[],
  reportBatchItemFailures: boolean,
  source: "dynamodb" | "kinesis" = "dynamodb",
): ResponseVerdict {
  const failures = isPlainObject(response) ? response.batchItemFailures : undefined;
  if (!reportBatchItemFailures) {
    const diagnostics: ResponseDiagnostic[] = [];
    if (Array.isArray(failures) && failures.length > 0) {
      diagnostics.push({
        code: "failures-ignored",
        message:
          'the handler returned batchItemFailures but ReportBatchItemFailures is off: Lambda ignores them and counts the batch as a success (the failed records are NOT retried); turn it on with --report-batch-item-failures (FunctionResponseTypes: ["ReportBatchItemFailures"] on the mapping)',
      });
    }
    return { result: "success", diagnostics };
  }
  if (response === undefined || response === null) return { result: "success", diagnostics: [] };
  if (!isPlainObject(response)) {
    return {
      result: "success",
      diagnostics: [
        {
          code: "response-not-an-object",
          message: `the handler returned ${Array.isArray(response) ? "an array" : `a ${typeof response}`}, not {batchItemFailures: [...]}: Lambda finds no failures in it and counts the batch as a success`,
        },
      ],
    };
  }
  if (failures === undefined || failures === null) return { result: "success", diagnostics: [] };
  if (!Array.isArray(failures)) {
    const message = "batchItemFailures is not a list: Lambda counts the whole batch as failed";
    return { result: "failure", reason: message, diagnostics: [{ code: "failures-not-a-list", message }] };
  }
  if (failures.length === 0) return { result: "success", diagnostics: [] };

  const bySeq = new Map<string, number>();
  const byEventId = new Map<string, number>();
  records.forEach((r, i) => {
    if (r.sequenceNumber !== undefined) bySeq.set(r.sequenceNumber, i);
    if (r.eventID !== undefined) byEventId.set(r.eventID, i);
  });
  const identifiers: string[] = [];
  let lowest: number | undefined;
  for (const item of failures) {
    if (!isPlainObject(item) || !("itemIdentifier" in item)) {
      const keys = isPlainObject(item) ? Object.keys(item).join(", ") : JSON.stringify(item);
      const message = `a batchItemFailures entry has no "itemIdentifier" (it has ${keys || "nothing"}): Lambda counts the whole batch as failed`;
      return { result: "failure", reason: message, diagnostics: [{ code: "identifier-missing", message }] };
    }
    const raw = item.itemIdentifier;
    if (raw === null || raw === "") {
      const message = `an itemIdentifier is ${raw === null ? "null" : "empty"}: Lambda counts the whole batch as failed`;
      return { result: "failure", reason: message, diagnostics: [{ code: "identifier-empty", message }] };
    }
    if (typeof raw !== "string") {
      const message = `an itemIdentifier is a ${typeof raw} (${JSON.stringify(raw)}), not the record's SequenceNumber string: Lambda counts the whole batch as failed`;
      return {
        result: "failure",
        reason: message,
        diagnostics: [{ code: "identifier-not-string", message }],
      };
    }
    const at = bySeq.get(raw);
    if (at === undefined) {
      if (byEventId.has(raw)) {
        const message = `itemIdentifier "${raw}" is the eventID of a record, not its SequenceNumber: Lambda finds no such record and counts the whole batch as failed (every record is retried); ${fixEventId(source)}`;
        return {
          result: "failure",
          reason: message,
          diagnostics: [{ code: "identifier-is-event-id", message }],
        };
      }
      const message = `itemIdentifier "${raw}" is not the SequenceNumber of a record in this batch: Lambda counts the whole batch as failed`;
      return {
        result: "failure",
        reason: message,
        diagnostics: [{ code: "identifier-not-in-batch", message }],
      };
    }
    identifiers.push(raw);
    if (lowest === undefined || compareSequence(raw, records[lowest]?.sequenceNumber as string) < 0)
      lowest = at;
  }
  return { result: "partial", from: lowest as number, identifiers, diagnostics: [] };
}

/**
 * How Lambda reads what a function returned for a batch: with a tumbling window (`windowed`), a
 * response without `state` is a failed invocation
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-windows.html); otherwise
 * {@link interpretResponse} decides.
 */
export function readResponse(
  response: unknown,
  records: readonly ResponseRecord[],
  reportBatchItemFailures: boolean,
  source: "dynamodb" | "kinesis" = "dynamodb",
  windowed = false,
): ResponseVerdict {
  if (windowed && !(isPlainObject(response) && "state" in response)) {
    return {
      result: "failure",
      reason:
        "the response has no state: with a tumbling window, Lambda counts the invocation as failed (return { state, batchItemFailures })",
      diagnostics: [
        {
          code: "response-without-state",
          message:
            "the handler returned no state while the mapping has a tumbling window: Lambda counts each such invocation as failed; return { state: {...} }",
        },
      ],
    };
  }
  return interpretResponse(response, records, reportBatchItemFailures, source);
}
