import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { batchId, type FailedBatch } from "../../../src/core/dlq/batch.js";
import { parseFailureMessages } from "../../../src/core/dlq/message.js";
import type { StreamRecord } from "../../../src/core/record.js";
import {
  failureHeaderPretty,
  failureJson,
  failureSummaryPretty,
  redriveJson,
  redriveLine,
  skippedJsonLine,
  withBatchId,
} from "../../../src/render/dlq.js";
import { recordJsonLine } from "../../../src/render/record-json.js";
import { plainStyle } from "../../../src/render/style.js";
import { DOC_SAMPLE, onFailureRecord } from "../../helpers/dlq.js";
import { lambdaRecord } from "../../helpers/records.js";

function batch(value: unknown, outcome: FailedBatch["outcome"]): FailedBatch {
  const [m] = parseFailureMessages(value, "m");
  assert.ok(m?.ok);
  return {
    id: batchId(m.failure),
    failure: m.failure,
    origin: {
      kind: "sqs",
      label: "queue q message 1",
      queueUrl: "http://x/1/q",
      messageId: "1",
      receiptHandle: "h",
    },
    outcome,
  };
}

const rec = lambdaRecord() as unknown as StreamRecord;

describe("dlq rendering", () => {
  it("the failure line of the documented sample", () => {
    const b = batch(DOC_SAMPLE, { status: "fetched", records: [rec], filteredOut: 0, filterApplied: true });
    assert.deepEqual(failureJson(b), {
      type: "failure",
      batchId: "shardId-00000001573689847184-864758bb:800000000003126276362-800000000003126276362",
      function: "myfunction",
      functionArn: "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
      condition: "RetryAttemptsExhausted",
      conditionMeaning: "retries exhausted (MaximumRetryAttempts)",
      functionError: "Unhandled",
      statusCode: 200,
      executedVersion: "$LATEST",
      approximateInvokeCount: 1,
      requestId: "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
      timestamp: "2019-11-14T00:13:49.717Z",
      table: "mytable",
      streamArn: "arn:aws:dynamodb:us-east-2:123456789012:table/mytable/stream/2019-11-14T00:04:06.388",
      shardId: "shardId-00000001573689847184-864758bb",
      startSequenceNumber: "800000000003126276362",
      endSequenceNumber: "800000000003126276362",
      batchSize: 1,
      approximateArrivalOfFirstRecord: "2019-11-14T00:13:19Z",
      approximateArrivalOfLastRecord: "2019-11-14T00:13:19Z",
      expiresAt: "2019-11-15T00:13:19.000Z",
      status: "fetched",
      reason: null,
      records: 1,
      filteredOut: 0,
      source: { kind: "sqs", label: "queue q message 1", queueUrl: "http://x/1/q", messageId: "1" },
    });
  });

  it("a record line keeps tail's fields and adds the batch id last", () => {
    const line = recordJsonLine(rec, { shardId: "s" });
    const withId = JSON.parse(withBatchId(line, "s:1-2")) as Record<string, unknown>;
    assert.deepEqual({ ...withId, batchId: undefined }, { ...JSON.parse(line), batchId: undefined });
    assert.equal(withId.batchId, "s:1-2");
    assert.deepEqual(JSON.parse(skippedJsonLine("m", "why")), {
      type: "skipped",
      source: "m",
      reason: "why",
    });
  });

  it("pretty header: what failed, where, what was fetched, where the message came from; escapes control characters", () => {
    const b = batch(
      onFailureRecord(
        { batchSize: 3 },
        { requestContext: { functionArn: "arn:aws:lambda:r:1:function:fn", condition: "New\u001b[2J" } },
      ),
      {
        status: "fetched",
        records: [rec],
        filteredOut: 1,
        filterApplied: false,
      },
    );
    const text = failureHeaderPretty(b, plainStyle);
    assert.equal(
      text,
      "FAILED BATCH fn · New\\x1b[2J · error: Unhandled · at 2019-11-14T00:13:49.717Z\n" +
        "  mytable shard:864758bb · sequence 800000000003126276362 · batch of 3 · 1 record (1 in the range filtered out by the mapping) — the batch had 3 (the mapping's filter is not known) · from queue q message 1",
    );
    const expired = batch(DOC_SAMPLE, {
      status: "expired",
      reason: "trimmed",
      expiredAtMs: Date.parse("2019-11-15T00:13:19Z"),
    });
    assert.match(
      failureHeaderPretty(expired, plainStyle),
      /records gone \(expired 2019-11-15T00:13:19.000Z\): trimmed/,
    );
    assert.equal(
      failureSummaryPretty(expired, plainStyle),
      "2019-11-14T00:13:49.717Z  myfunction  RetryAttemptsExhausted  mytable shard:864758bb  …26276362-…26276362  expired  queue q message 1",
    );
  });
});

describe("redrive lines", () => {
  const base = {
    batchId: "shardId-1:100-102",
    functionName: "order-handler",
    local: false,
    records: 3,
    invocations: 1,
  };
  it("a batch redriven completely", () => {
    const v = { ...base, result: "succeeded" as const, delivered: 3, reason: undefined };
    assert.equal(
      redriveLine(v, plainStyle),
      "redriven batch shardId-1:100-102 to order-handler: 3 records delivered in 1 invocation",
    );
    assert.deepEqual(redriveJson(v), {
      type: "redrive",
      batchId: "shardId-1:100-102",
      function: "order-handler",
      target: "deployed",
      result: "succeeded",
      records: 3,
      delivered: 3,
      invocations: 1,
      reason: null,
    });
  });
  it("a batch that failed again says what Lambda would do, and that its message is kept", () => {
    const v = {
      ...base,
      local: true,
      result: "failed" as const,
      delivered: 1,
      invocations: 2,
      reason: "Lambda would send 2 records to the on-failure destination again and move on",
    };
    assert.equal(
      redriveLine(v, plainStyle),
      "failed again batch shardId-1:100-102 to a local handler as order-handler: 1 of 3 records delivered in 2 invocations; Lambda would send 2 records to the on-failure destination again and move on; its message is kept",
    );
    assert.equal(redriveJson(v).target, "local");
  });
  it("a batch with no function to go to; control characters never reach the terminal", () => {
    const v = {
      ...base,
      functionName: undefined,
      batchId: "shard\x1b[2J:1-1",
      result: "not-redriven" as const,
      delivered: 0,
      invocations: 0,
      reason: "its on-failure record names no function: give one with --function",
    };
    const line = redriveLine(v, plainStyle);
    assert.match(
      line,
      /^not redriven batch shard.*: 0 of 3 records delivered in 0 invocations; its on-failure record names no function/,
    );
    assert.doesNotMatch(line, /\x1b/);
    assert.equal(redriveJson(v).function, null);
  });
});
