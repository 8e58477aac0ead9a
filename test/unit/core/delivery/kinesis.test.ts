// The delivery core on records of a Kinesis data stream (a table's Kinesis destination), against what
// AWS documents for Kinesis event source mappings (pages cited in src/core/delivery/engine.ts): the
// event shape, itemIdentifier, the order key, record age and the on-failure record's KinesisBatchInfo.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { Batch, Outcome } from "../../../../src/core/delivery/index.js";
import { batchEvent, DEFAULT_SETTINGS, DeliveryEngine } from "../../../../src/core/delivery/index.js";
import type { DeliverySettings } from "../../../../src/core/delivery/settings.js";
import type { kinesisFilterView } from "../../../../src/core/lambda-record.js";
import { normalizeInput } from "../../../../src/core/normalize-record.js";
import type { StreamRecord } from "../../../../src/core/record.js";
import { drive as driveAt, ok } from "../../../helpers/delivery.js";

const FN = "arn:aws:lambda:us-east-1:123456789012:function:orders";
const KARN = "arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc";
const SHARD = "shardId-000000000003";
const T0 = Date.parse("2024-01-01T12:00:00Z");

/** Kinesis record `i`: sequence number 4960…0i, the change of item pk=K<key>, arrived at T0 + i s + 123 ms. */
function krec(i: number, key = `K${i}`, partitionKey = key): StreamRecord {
  const change = {
    awsRegion: "us-east-1",
    eventID: `ev-${i}`,
    eventName: i === 0 ? "INSERT" : "MODIFY",
    userIdentity: null,
    recordFormat: "application/json",
    tableName: "Orders",
    dynamodb: {
      ApproximateCreationDateTime: T0 + i * 1000,
      Keys: { pk: { S: key } },
      NewImage: { pk: { S: key }, n: { N: String(i) }, status: { S: i % 2 === 0 ? "paid" : "new" } },
      SizeBytes: 40,
    },
    eventSource: "aws:dynamodb",
  };
  const r = normalizeInput(
    {
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey,
        sequenceNumber: `4960000000000000000000000000000000000000000000000000000${i}`,
        data: Buffer.from(JSON.stringify(change)).toString("base64"),
        approximateArrivalTimestamp: (T0 + i * 1000 + 123) / 1000,
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `${SHARD}:4960000000000000000000000000000000000000000000000000000${i}`,
      eventName: "aws:kinesis:record",
      awsRegion: "us-east-1",
      eventSourceARN: KARN,
    },
    "line 1",
  );
  if (!r.ok) throw new Error(r.error);
  return r.records[0] as StreamRecord;
}

const seq = (i: number) => `4960000000000000000000000000000000000000000000000000000${i}`;

function engine(
  over: Partial<DeliverySettings> = {},
  filter?: ConstructorParameters<typeof DeliveryEngine>[2],
) {
  return new DeliveryEngine({ ...DEFAULT_SETTINGS, ...over }, { streamArn: KARN, functionArn: FN }, filter);
}

function add(e: DeliveryEngine, n: number, keyOf?: (i: number) => string): void {
  for (let i = 0; i < n; i++) e.add(SHARD, krec(i, keyOf?.(i) ?? `K${i}`), T0);
}

const fail = (): Outcome => ({ kind: "error", errorType: "Error", errorMessage: "boom", requestId: "req-9" });

/** Runs every batch through `handler` until the engine is done (at T0 + 60 s by default). */
const drive = (e: DeliveryEngine, handler: (b: Batch, n: number) => Outcome, now = T0 + 60_000) =>
  driveAt(e, handler, now);

describe("delivery of Kinesis records", () => {
  it("the event is Lambda's Kinesis event: data as the stream holds it, eventID <shard>:<sequence number>", () => {
    const e = engine({ batchSize: 10 });
    add(e, 2);
    const steps = drive(e, () => ok());
    const event = batchEvent(steps[0]?.batch as Batch);
    assert.equal(event.Records.length, 2);
    const r0 = event.Records[0] as unknown as Record<string, unknown>;
    assert.deepEqual(Object.keys(r0), [
      "kinesis",
      "eventSource",
      "eventVersion",
      "eventID",
      "eventName",
      "awsRegion",
      "eventSourceARN",
    ]);
    assert.equal(r0.eventSource, "aws:kinesis");
    assert.equal(r0.eventID, `${SHARD}:${seq(0)}`);
    assert.equal(r0.eventSourceARN, KARN);
    const k = r0.kinesis as Record<string, unknown>;
    assert.equal(k.sequenceNumber, seq(0));
    assert.equal(k.partitionKey, "K0");
    assert.equal(k.approximateArrivalTimestamp, (T0 + 123) / 1000);
    const change = JSON.parse(Buffer.from(k.data as string, "base64").toString("utf8"));
    assert.equal(change.tableName, "Orders");
    assert.deepEqual(change.dynamodb.Keys, { pk: { S: "K0" } });
    assert.equal(e.kinesis, true);
  });

  it("ReportBatchItemFailures: itemIdentifier is kinesis.sequenceNumber; the lowest failed one is the checkpoint", () => {
    const e = engine({ batchSize: 5, reportBatchItemFailures: true });
    add(e, 4);
    const steps = drive(e, (_b, n) =>
      n === 0 ? ok({ batchItemFailures: [{ itemIdentifier: seq(3) }, { itemIdentifier: seq(2) }] }) : ok(),
    );
    assert.deepEqual(
      steps.map((s) => `${s.batch.entries.length}:${s.s.verdict}:${s.s.next}`),
      ["4:partial:checkpoint", "2:success:done"],
    );
    assert.equal(steps[0]?.s.failedFrom, seq(2));
    assert.equal(e.stats.delivered, 4);
  });

  it("the eventID as itemIdentifier fails the whole batch and names kinesis.sequenceNumber as the fix", () => {
    const e = engine({ batchSize: 5, reportBatchItemFailures: true, maxRetryAttempts: 0 });
    add(e, 2);
    const steps = drive(e, () => ok({ batchItemFailures: [{ itemIdentifier: `${SHARD}:${seq(1)}` }] }));
    assert.equal(steps[0]?.s.verdict, "failure");
    const d = steps[0]?.s.diagnostics.find((x) => x.code === "identifier-is-event-id");
    assert.match(d?.message ?? "", /record\.kinesis\.sequenceNumber/);
  });

  it("the on-failure record carries KinesisBatchInfo, arrival times to the millisecond", () => {
    const e = engine({ batchSize: 3, maxRetryAttempts: 1 });
    add(e, 3);
    const steps = drive(e, () => fail());
    assert.deepEqual(
      steps.map((s) => s.s.next),
      ["retry", "on-failure"],
    );
    const f = steps[1]?.s.onFailure;
    assert.ok(f);
    assert.equal(f.DDBStreamBatchInfo, undefined);
    assert.deepEqual(Object.keys(f), [
      "requestContext",
      "responseContext",
      "version",
      "timestamp",
      "KinesisBatchInfo",
    ]);
    assert.deepEqual(f.KinesisBatchInfo, {
      shardId: SHARD,
      startSequenceNumber: seq(0),
      endSequenceNumber: seq(2),
      approximateArrivalOfFirstRecord: "2024-01-01T12:00:00.123Z",
      approximateArrivalOfLastRecord: "2024-01-01T12:00:02.123Z",
      batchSize: 3,
      streamArn: KARN,
    });
    assert.deepEqual(f.requestContext, {
      requestId: "req-9",
      functionArn: FN,
      condition: "RetryAttemptsExhausted",
      approximateInvokeCount: 2,
    });
  });

  it("ParallelizationFactor keeps order per partition key", () => {
    const e = engine({ batchSize: 10, parallelizationFactor: 4 });
    // Six records of two partition keys: each key's records stay in one lane, in order.
    for (let i = 0; i < 6; i++) e.add(SHARD, krec(i, `K${i}`, i % 2 === 0 ? "even" : "odd"), T0);
    const steps = drive(e, () => ok());
    const lanesOf = new Map<string, Set<number>>();
    for (const { batch } of steps) {
      for (const x of batch.entries) {
        const pk = (x.lambda as { kinesis: { partitionKey: string } }).kinesis.partitionKey;
        const set = lanesOf.get(pk) ?? new Set<number>();
        set.add(batch.lane);
        lanesOf.set(pk, set);
      }
    }
    assert.equal(lanesOf.get("even")?.size, 1);
    assert.equal(lanesOf.get("odd")?.size, 1);
    for (const { batch } of steps) {
      const ns = batch.entries.map((x) => x.sequenceNumber as string);
      assert.deepEqual(ns, [...ns].sort());
    }
  });

  it("MaximumRecordAgeInSeconds goes by the arrival time in the stream", () => {
    const e = engine({ maxRecordAgeSeconds: 60 });
    add(e, 3);
    e.endInput();
    // Record 0 was made at T0 and arrived at T0 + 0.123 s: at T0 + 60.05 s it is 60.05 s old by its
    // creation, but 59.93 s by its arrival, which is what counts.
    assert.equal(engine({ maxRecordAgeSeconds: 60 }).take(T0 + 60_050).actions.length, 0);
    const young = engine({ maxRecordAgeSeconds: 60 });
    young.add(SHARD, krec(0), T0);
    young.endInput();
    assert.deepEqual(
      young.take(T0 + 60_050).actions.map((a) => a.kind),
      ["invoke"],
    );
    const { actions } = e.take(T0 + 60_200);
    const discard = actions.find((a) => a.kind === "discard");
    assert.ok(discard && discard.kind === "discard");
    assert.equal(discard.count, 1);
    assert.equal(discard.onFailure.requestContext.condition, "RecordAgeExceeded");
    assert.equal(discard.onFailure.KinesisBatchInfo?.startSequenceNumber, seq(0));
  });

  it("filters see the decoded data, as Lambda's Kinesis filters do", () => {
    const seen: unknown[] = [];
    const e = engine({ batchSize: 10 }, (v) => {
      seen.push(v);
      const data = (v as ReturnType<typeof kinesisFilterView>).data as {
        dynamodb: { NewImage: { status: { S: string } } };
      };
      return data.dynamodb.NewImage.status.S === "paid";
    });
    add(e, 4);
    const steps = drive(e, () => ok());
    assert.deepEqual(
      steps.flatMap((s) => s.batch.entries.map((x) => x.sequenceNumber)),
      [seq(0), seq(2)],
    );
    assert.equal(e.stats.filtered, 2);
    assert.deepEqual(Object.keys(seen[0] as object), ["data"]);
  });

  it("a record whose data is not a change record is still delivered, as Lambda would", () => {
    const e = engine();
    const r = normalizeInput(
      {
        kinesis: {
          partitionKey: "p",
          sequenceNumber: "7",
          data: Buffer.from('{"dynamodb":{}}').toString("base64"),
        },
        eventSource: "aws:kinesis",
      },
      "line 1",
    );
    assert.ok(r.ok);
    e.add(SHARD, r.records[0] as StreamRecord, T0);
    const steps = drive(e, () => ok());
    assert.equal(steps.length, 1);
    assert.equal(steps[0]?.batch.entries[0]?.sequenceNumber, "7");
  });
});
