import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { batchId, expiresSoon, expiryMs, inRange, RETENTION_MS } from "../../../../src/core/dlq/batch.js";
import type { FailureRecord } from "../../../../src/core/dlq/message.js";
import { conditionMeaning, parseFailureMessages } from "../../../../src/core/dlq/message.js";
import {
  DOC_SAMPLE,
  DOC_STREAM_ARN,
  onFailureRecord,
  snsNotification,
  sqsMessage,
} from "../../../helpers/dlq.js";
import { lambdaRecord } from "../../../helpers/records.js";

function one(value: unknown): FailureRecord {
  const r = parseFailureMessages(value, "in");
  assert.equal(r.length, 1);
  const m = r[0];
  assert.ok(m?.ok, m && !m.ok ? m.reason : "");
  return m.failure;
}

describe("parseFailureMessages: the documented record", () => {
  it("reads every field of the documentation's sample", () => {
    const f = one(DOC_SAMPLE);
    assert.deepEqual(f, {
      version: "1.0",
      timestamp: "2019-11-14T00:13:49.717Z",
      requestId: "316aa6d0-8154-xmpl-9af7-85d5f4a6bc81",
      functionArn: "arn:aws:lambda:us-east-2:123456789012:function:myfunction",
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 1,
      response: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      batch: {
        streamArn: DOC_STREAM_ARN,
        shardId: "shardId-00000001573689847184-864758bb",
        startSequenceNumber: "800000000003126276362",
        endSequenceNumber: "800000000003126276362",
        batchSize: 1,
        approximateArrivalOfFirstRecord: "2019-11-14T00:13:19Z",
        approximateArrivalOfLastRecord: "2019-11-14T00:13:19Z",
      },
      payloadRecords: undefined,
    });
  });

  it("accepts a record without responseContext (discarded before any invocation)", () => {
    const { responseContext: _, ...rest } = onFailureRecord();
    const f = one({
      ...rest,
      requestContext: { ...DOC_SAMPLE.requestContext, condition: "RecordAgeExceeded" },
    });
    assert.equal(f.response, undefined);
    assert.equal(f.condition, "RecordAgeExceeded");
  });

  it("keeps an unknown condition as given and recognises the known ones", () => {
    const f = one(onFailureRecord({}, { requestContext: { condition: "SomethingNew" } }));
    assert.equal(f.condition, "SomethingNew");
    assert.equal(conditionMeaning("SomethingNew"), undefined);
    assert.match(conditionMeaning("RetryAttemptsExhausted") ?? "", /MaximumRetryAttempts/);
    assert.match(conditionMeaning("RecordAgeExceeded") ?? "", /too old/);
    assert.match(conditionMeaning("MaximumRecordAgeExceeded") ?? "", /too old/);
  });
});

describe("parseFailureMessages: what carries the record", () => {
  it("a string holding JSON", () => {
    assert.equal(one(JSON.stringify(DOC_SAMPLE)).requestId, DOC_SAMPLE.requestContext.requestId);
  });

  it("an SNS notification, also inside an SQS message (SNS → SQS without raw delivery)", () => {
    assert.equal(one(snsNotification(DOC_SAMPLE)).batch.batchSize, 1);
    const r = parseFailureMessages(sqsMessage(snsNotification(DOC_SAMPLE)), "queue q");
    assert.equal(r.length, 1);
    assert.ok(r[0]?.ok);
    assert.match(r[0].where, /message 5fea7756.*SNS 22b80b92/);
  });

  it("aws sqs receive-message output with several messages; an empty receive has none", () => {
    const r = parseFailureMessages(
      { Messages: [sqsMessage(DOC_SAMPLE, "m1"), sqsMessage(onFailureRecord({ batchSize: 7 }), "m2")] },
      "out.json",
    );
    assert.deepEqual(
      r.map((m) => (m.ok ? m.failure.batch.batchSize : m.reason)),
      [1, 7],
    );
    assert.equal(r[1]?.where, "out.json Messages[1] (message m2)");
    assert.deepEqual(parseFailureMessages({ Messages: [] }, "x"), []);
  });

  it("arrays, and a Lambda event of SQS or SNS records", () => {
    assert.equal(parseFailureMessages([DOC_SAMPLE, DOC_SAMPLE], "a").length, 2);
    const sqsEvent = {
      Records: [{ messageId: "1", body: JSON.stringify(DOC_SAMPLE), eventSource: "aws:sqs" }],
    };
    assert.equal(one(sqsEvent).condition, "RetryAttemptsExhausted");
    const snsEvent = {
      Records: [
        { EventSource: "aws:sns", Sns: { Type: "Notification", Message: JSON.stringify(DOC_SAMPLE) } },
      ],
    };
    assert.equal(one(snsEvent).condition, "RetryAttemptsExhausted");
  });

  it("an S3 on-failure object: payload as a string holding JSON, or as an object", () => {
    const event = { Records: [lambdaRecord(), lambdaRecord({ eventID: "e2" })] };
    const asString = one(onFailureRecord({ batchSize: 2 }, { payload: JSON.stringify(event) }));
    assert.equal(asString.payloadRecords?.length, 2);
    const asObject = one(onFailureRecord({ batchSize: 2 }, { payload: event }));
    assert.deepEqual(asObject.payloadRecords, event.Records);
  });
});

describe("parseFailureMessages: what is not an on-failure record", () => {
  const reason = (v: unknown): string => {
    const r = parseFailureMessages(v, "m");
    assert.equal(r.length, 1);
    assert.ok(r[0] && !r[0].ok);
    return r[0].reason;
  };
  it("says what it seems to be", () => {
    assert.match(reason({ KinesisBatchInfo: {} }), /Kinesis on-failure record/);
    assert.match(reason({ requestPayload: {}, requestContext: {} }), /asynchronous invocation record/);
    assert.match(reason(lambdaRecord()), /DynamoDB stream record/);
    assert.match(reason({ Records: [lambdaRecord()] }), /Lambda event of records/);
    assert.match(reason({ type: "record", record: {} }), /dynastream output line/);
    assert.match(reason({ hello: 1, world: 2 }), /"hello", "world" \(no DDBStreamBatchInfo\)/);
    assert.match(reason("not json at all"), /text that is not JSON \("not json at all"\)/);
    assert.match(reason(42), /a JSON number/);
    assert.match(reason(sqsMessage("plain text")), /not JSON/);
  });

  it("rejects a batch info without its range, or with sequence numbers as JSON numbers", () => {
    assert.match(reason(onFailureRecord({ startSequenceNumber: undefined })), /no valid startSequenceNumber/);
    assert.match(reason(onFailureRecord({ endSequenceNumber: 8e20 })), /JSON number/);
    assert.match(reason(onFailureRecord({ streamArn: undefined })), /no streamArn/);
    assert.match(reason(onFailureRecord({ shardId: "" })), /no shardId/);
    assert.match(reason({ DDBStreamBatchInfo: "x" }), /is not an object/);
    assert.match(reason(onFailureRecord({}, { payload: "{oops" })), /payload is a string but not JSON/);
    assert.match(reason(onFailureRecord({}, { payload: { foo: 1 } })), /payload is not an invocation event/);
  });
});

describe("batch helpers", () => {
  const f = one(
    onFailureRecord({
      startSequenceNumber: "999999999999999999990",
      endSequenceNumber: "1000000000000000000010",
    }),
  );
  it("compares sequence numbers as integers across lengths", () => {
    assert.ok(inRange(f, "999999999999999999995"));
    assert.ok(inRange(f, "1000000000000000000000"));
    assert.ok(inRange(f, "1000000000000000000010"));
    assert.ok(!inRange(f, "1000000000000000000011"));
    assert.ok(!inRange(f, "99999999999999999999"));
  });
  it("ids a batch by shard and range", () => {
    assert.equal(
      batchId(f),
      "shardId-00000001573689847184-864758bb:999999999999999999990-1000000000000000000010",
    );
  });
  it("expires 24 h after the first record arrived; warns within the last hour", () => {
    const at = Date.parse("2019-11-14T00:13:19Z") + RETENTION_MS;
    assert.equal(expiryMs(f), at);
    assert.ok(expiresSoon(f, at - 30 * 60_000));
    assert.ok(!expiresSoon(f, at - 2 * 3600_000));
    assert.ok(!expiresSoon(f, at + 1));
    assert.equal(expiryMs(one(onFailureRecord({ approximateArrivalOfFirstRecord: undefined }))), undefined);
  });
});
