// The delivery core against what AWS documents for DynamoDB event source mappings; each test names
// the rule it checks (pages cited in src/core/delivery/engine.ts and response.ts).
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { Batch, Outcome } from "../../../../src/core/delivery/index.js";
import {
  batchEvent,
  DEFAULT_SETTINGS,
  DeliveryEngine,
  MAX_PAYLOAD_BYTES,
} from "../../../../src/core/delivery/index.js";
import type { DeliverySettings } from "../../../../src/core/delivery/settings.js";
import { normalizeInput } from "../../../../src/core/normalize-record.js";
import type { StreamRecord } from "../../../../src/core/record.js";
import { drive as driveAt, fail, ok, type Step, seqs } from "../../../helpers/delivery.js";
import { ARN, lambdaRecord } from "../../../helpers/records.js";

const FN = "arn:aws:lambda:us-east-1:123456789012:function:orders";
const T0 = Date.parse("2024-01-01T12:00:00Z");

/** Record `i` of a shard: sequence number 100+i, key pk=K<key>, written at T0 + i s. */
function rec(i: number, key = `K${i}`, extra: Record<string, unknown> = {}): StreamRecord {
  const r = normalizeInput(
    lambdaRecord(
      { eventID: `ev-${i}` },
      {
        SequenceNumber: String(100 + i),
        Keys: { pk: { S: key } },
        NewImage: { pk: { S: key }, n: { N: String(i) }, ...extra },
        ApproximateCreationDateTime: T0 / 1000 + i,
      },
    ),
  );
  if (!r.ok) throw new Error(r.error);
  return r.records[0] as StreamRecord;
}

function engine(over: Partial<DeliverySettings> = {}, filter?: Parameters<typeof mk>[1]) {
  return mk(over, filter);
}
function mk(
  over: Partial<DeliverySettings>,
  filter?: (r: import("../../../../src/core/delivery/index.js").FilterView) => boolean,
) {
  return new DeliveryEngine({ ...DEFAULT_SETTINGS, ...over }, { streamArn: ARN, functionArn: FN }, filter);
}

/** Runs every batch through `handler` until the engine is done (at T0 + 60 s by default). */
function drive(e: DeliveryEngine, handler: (b: Batch, n: number) => Outcome, now = T0 + 60_000): Step[] {
  return driveAt(e, handler, now);
}

function add(e: DeliveryEngine, n: number, shard = "s1", keyOf?: (i: number) => string): void {
  for (let i = 0; i < n; i++) e.add(shard, rec(i, keyOf?.(i)), T0);
}

describe("delivery: batching", () => {
  it("batches per shard in order, at most BatchSize records", () => {
    const e = engine({ batchSize: 2 });
    add(e, 5);
    const steps = drive(e, () => ok());
    assert.deepEqual(
      steps.map((s) => s.seqs),
      ["100,101", "102,103", "104"],
    );
    assert.equal(e.stats.delivered, 5);
    assert.equal(e.stats.invocations, 3);
  });

  it("a batch never exceeds the 6 MB invocation payload", () => {
    const e = engine({ batchSize: 10_000 });
    const big = "x".repeat(390_000);
    for (let i = 0; i < 40; i++) e.add("s1", rec(i, `K${i}`, { blob: { S: big } }), T0);
    const steps = drive(e, (b) => {
      assert.ok(JSON.stringify(batchEvent(b)).length <= MAX_PAYLOAD_BYTES);
      return ok();
    });
    assert.ok(steps.length >= 3, `${steps.length} batches`);
    assert.equal(e.stats.delivered, 40);
  });

  it("the batching window waits for a fuller batch, unless the batch is full or input ended", () => {
    const e = engine({ batchSize: 3, batchWindowMs: 5000 });
    e.add("s1", rec(0), T0);
    const first = e.take(T0 + 1000);
    assert.deepEqual(first.actions, []);
    assert.equal(first.waitMs, 4000);
    e.add("s1", rec(1), T0 + 1000);
    e.add("s1", rec(2), T0 + 1000);
    const full = e.take(T0 + 1000);
    assert.equal(full.actions.length, 1, "a full batch goes at once");
    e.add("s1", rec(3), T0 + 2000);
    assert.equal(e.take(T0 + 2000).actions.length, 0, "one in flight per lane");
    const a = full.actions[0];
    assert.ok(a?.kind === "invoke");
    e.settle(a.batch.id, ok(), T0 + 2000);
    assert.equal(e.take(T0 + 3000).actions.length, 0, "window still open");
    assert.equal(e.take(T0 + 7000).actions.length, 1, "window closed");
  });

  it("records the filter criteria reject are dropped before batching", () => {
    const e = engine({ batchSize: 10 }, (r) => "dynamodb" in r && r.dynamodb.SequenceNumber !== "101");
    add(e, 3);
    const steps = drive(e, () => ok());
    assert.deepEqual(
      steps.map((s) => s.seqs),
      ["100,102"],
    );
    assert.equal(e.stats.filtered, 1);
  });

  it("a child shard is delivered only after its parent's records", () => {
    const e = engine({ batchSize: 10 });
    e.setParent("child", "parent");
    e.add("child", rec(5), T0);
    e.add("parent", rec(1), T0);
    const order: string[] = [];
    drive(e, (b) => {
      order.push(b.shardId);
      return ok();
    });
    assert.deepEqual(order, ["parent", "child"]);
  });

  it("ParallelizationFactor: several batches of one shard at once, in order per item key", () => {
    const e = engine({ batchSize: 1, parallelizationFactor: 4 });
    // 4 keys, 3 changes each
    for (let i = 0; i < 12; i++) e.add("s1", rec(i, `K${i % 4}`), T0);
    e.endInput();
    const first = e.take(T0).actions;
    assert.ok(first.length > 1, `${first.length} concurrent batches`);
    const lastSeqByKey = new Map<string, number>();
    let actions = first;
    while (actions.length > 0) {
      for (const a of actions) {
        if (a.kind !== "invoke") continue;
        const entry = a.batch.entries[0];
        assert.ok(entry);
        const seq = Number(entry.sequenceNumber);
        assert.ok((lastSeqByKey.get(entry.keys) ?? -1) < seq, "in order per key");
        lastSeqByKey.set(entry.keys, seq);
        e.settle(a.batch.id, ok(), T0);
      }
      actions = e.take(T0).actions;
    }
    assert.equal(e.stats.delivered, 12);
  });
});

describe("delivery: errors and retries", () => {
  it("an error retries the whole batch; MaximumRetryAttempts exhausted sends it to on-failure and the shard moves on", () => {
    const e = engine({ batchSize: 2, maxRetryAttempts: 2 });
    add(e, 3);
    const steps = drive(e, (b) => (b.entries[0]?.sequenceNumber === "100" ? fail() : ok()));
    assert.deepEqual(
      steps.map((s) => `${s.seqs}:${s.s.next}`),
      ["100,101:retry", "100,101:retry", "100,101:on-failure", "102:done"],
    );
    const f = steps[2]?.s.onFailure;
    assert.ok(f);
    assert.equal(f.requestContext.condition, "RetryAttemptsExhausted");
    assert.equal(f.requestContext.approximateInvokeCount, 3);
    assert.equal(f.requestContext.functionArn, FN);
    assert.equal(f.requestContext.requestId, "req-x");
    assert.deepEqual(f.responseContext, {
      statusCode: 200,
      executedVersion: "$LATEST",
      functionError: "Unhandled",
    });
    assert.deepEqual(f.DDBStreamBatchInfo, {
      shardId: "s1",
      startSequenceNumber: "100",
      endSequenceNumber: "101",
      approximateArrivalOfFirstRecord: "2024-01-01T12:00:00Z",
      approximateArrivalOfLastRecord: "2024-01-01T12:00:01Z",
      batchSize: 2,
      streamArn: ARN,
    });
    assert.equal(f.version, "1.0");
    assert.equal(f.timestamp, new Date(T0 + 60_000).toISOString());
    assert.equal(e.stats.discarded, 2);
    assert.equal(e.stats.delivered, 1);
  });

  it("MaximumRetryAttempts 0: no retry at all", () => {
    const e = engine({ maxRetryAttempts: 0 });
    add(e, 1);
    const steps = drive(e, () => fail());
    assert.deepEqual(
      steps.map((s) => s.s.next),
      ["on-failure"],
    );
  });

  it("a timeout is a function error", () => {
    const e = engine({ maxRetryAttempts: 0 });
    add(e, 1);
    const [step] = drive(e, () => ({ kind: "timeout", requestId: "t" }));
    assert.equal(step?.s.verdict, "failure");
    assert.match(step?.s.reason ?? "", /timed out after 3s/);
    assert.equal(step?.s.onFailure?.responseContext?.functionError, "Unhandled");
  });

  it("MaximumRetryAttempts -1 (the default): retries past the local limit block the shard, and a poison record is named", () => {
    const e = engine({ batchSize: 1, localRetryLimit: 4 });
    add(e, 2);
    const steps = drive(e, () => fail());
    assert.deepEqual(
      steps.map((s) => s.s.next),
      ["retry", "retry", "retry", "retry", "blocked"],
    );
    assert.ok(e.finished());
    assert.deepEqual([...e.undelivered()], [["s1", 2]]);
    const poison = steps.flatMap((s) => s.s.diagnostics).filter((d) => d.code === "poison-record");
    assert.equal(poison.length, 1, "said once");
    assert.match(poison[0]?.message ?? "", /pk=K0 \(sequence number 100, shard s1\)/);
    assert.match(poison[0]?.message ?? "", /up to 24 h/);
  });

  it("MaximumRecordAgeInSeconds: records older than it are discarded before invocation (RecordAgeExceeded, no responseContext)", () => {
    const e = engine({ batchSize: 10, maxRecordAgeSeconds: 60 });
    add(e, 3); // written at T0, T0+1s, T0+2s
    e.endInput();
    const { actions } = e.take(T0 + 61_500); // record 0 and 1 are over 60 s old
    assert.equal(actions[0]?.kind, "discard");
    assert.ok(actions[0]?.kind === "discard");
    assert.equal(actions[0].count, 2);
    assert.equal(actions[0].onFailure.requestContext.condition, "RecordAgeExceeded");
    assert.equal(actions[0].onFailure.requestContext.approximateInvokeCount, 0);
    assert.equal(actions[0].onFailure.responseContext, undefined);
    assert.ok(actions[1]?.kind === "invoke");
    assert.equal(seqs(actions[1].batch), "102");
  });

  it("a retried batch whose records aged past MaximumRecordAgeInSeconds is discarded with its invoke count", () => {
    const e = engine({ maxRecordAgeSeconds: 60 });
    add(e, 1);
    e.endInput();
    const [a] = e.take(T0 + 1000).actions;
    assert.ok(a?.kind === "invoke");
    assert.equal(e.settle(a.batch.id, fail(), T0 + 1000).next, "retry");
    const [d] = e.take(T0 + 120_000).actions;
    assert.ok(d?.kind === "discard");
    assert.equal(d.onFailure.requestContext.approximateInvokeCount, 1);
    assert.equal(d.onFailure.responseContext?.functionError, "Unhandled");
    assert.ok(e.finished());
  });

  it("BisectBatchOnFunctionError: a failing batch is split in two, without consuming retries, down to the bad record", () => {
    const e = engine({ batchSize: 4, bisectOnError: true, maxRetryAttempts: 1 });
    add(e, 4);
    const bad = "102";
    const steps = drive(e, (b) => (b.entries.some((x) => x.sequenceNumber === bad) ? fail() : ok()));
    assert.deepEqual(
      steps.map((s) => `${s.seqs}:${s.s.next}`),
      ["100,101,102,103:bisect", "100,101:done", "102,103:bisect", "102:retry", "102:on-failure", "103:done"],
    );
    const f = steps[4]?.s.onFailure;
    assert.equal(f?.DDBStreamBatchInfo?.batchSize, 1);
    assert.equal(f?.DDBStreamBatchInfo?.startSequenceNumber, "102");
    assert.equal(e.stats.bisections, 2);
    assert.equal(e.stats.delivered, 3);
  });
});

describe("delivery: ReportBatchItemFailures", () => {
  const fails = (...ids: string[]) =>
    ok({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });

  it("checkpoints before the lowest failed sequence number and retries every record from there", () => {
    const e = engine({ batchSize: 5, reportBatchItemFailures: true });
    add(e, 5);
    const steps = drive(e, (_b, n) => (n === 0 ? fails("103", "101") : ok()));
    assert.deepEqual(
      steps.map((s) => `${s.seqs}:${s.s.verdict}:${s.s.next}`),
      ["100,101,102,103,104:partial:checkpoint", "101,102,103,104:success:done"],
    );
    assert.equal(steps[0]?.s.delivered, 1);
    assert.equal(steps[0]?.s.failedFrom, "101");
    assert.equal(e.stats.delivered, 5);
  });

  it("partial retries count against MaximumRetryAttempts; the on-failure record has no functionError", () => {
    const e = engine({ batchSize: 3, reportBatchItemFailures: true, maxRetryAttempts: 1 });
    add(e, 3);
    const steps = drive(e, () => fails("102"));
    assert.deepEqual(
      steps.map((s) => `${s.seqs}:${s.s.next}`),
      ["100,101,102:checkpoint", "102:on-failure"],
    );
    const f = steps[1]?.s.onFailure;
    assert.deepEqual(f?.responseContext, { statusCode: 200, executedVersion: "$LATEST" });
    assert.equal(f?.DDBStreamBatchInfo?.startSequenceNumber, "102");
    assert.equal(f?.requestContext.approximateInvokeCount, 2);
  });

  it("an eventID as itemIdentifier is a complete failure: the whole batch is retried, and the mistake is named", () => {
    const e = engine({ batchSize: 2, reportBatchItemFailures: true, maxRetryAttempts: 0 });
    add(e, 2);
    const [step] = drive(e, () => fails("ev-1"));
    assert.equal(step?.s.verdict, "failure");
    assert.equal(step?.s.next, "on-failure");
    assert.equal(step?.s.delivered, 0);
    assert.equal(step?.s.diagnostics[0]?.code, "identifier-is-event-id");
    assert.match(step?.s.diagnostics[0]?.message ?? "", /SequenceNumber/);
  });

  it("batchItemFailures while ReportBatchItemFailures is off: ignored, the batch is a success, with a warning", () => {
    const e = engine({ batchSize: 2 });
    add(e, 2);
    const [step] = drive(e, () => fails("101"));
    assert.equal(step?.s.verdict, "success");
    assert.equal(e.stats.delivered, 2);
    assert.equal(step?.s.diagnostics[0]?.code, "failures-ignored");
  });

  it("with bisection too, a partial response retries from the returned sequence number (not halves)", () => {
    const e = engine({ batchSize: 4, reportBatchItemFailures: true, bisectOnError: true });
    add(e, 4);
    const steps = drive(e, (_b, n) => (n === 0 ? fails("102") : ok()));
    assert.deepEqual(
      steps.map((s) => s.seqs),
      ["100,101,102,103", "102,103"],
    );
  });

  it("a partial response keeps naming the same record: a poison record", () => {
    const e = engine({ batchSize: 3, reportBatchItemFailures: true, localRetryLimit: 3 });
    add(e, 3);
    const steps = drive(e, () => fails("101"));
    const poison = steps.flatMap((s) => s.s.diagnostics).find((d) => d.code === "poison-record");
    assert.match(poison?.message ?? "", /sequence number 101/);
    assert.equal(steps.at(-1)?.s.next, "blocked");
  });
});

describe("delivery: tumbling windows", () => {
  it("batches never span windows; state is carried; each window ends with a final invocation without records", () => {
    const e = engine({ batchSize: 10, tumblingWindowMs: 60_000 });
    // T0 is a minute boundary: records 0 and 1 in the first window, record 70 in the second
    e.add("s1", rec(0), T0);
    e.add("s1", rec(1), T0);
    e.add("s1", rec(70), T0);
    const events: Array<Record<string, unknown>> = [];
    const steps = drive(e, (b) => {
      const ev = batchEvent(b);
      events.push(ev);
      const n = (ev.state as { n?: number }).n ?? 0;
      return ok({ state: { n: n + b.entries.length } });
    });
    assert.deepEqual(
      steps.map((s) => s.seqs),
      ["100,101", "", "170", ""],
    );
    assert.deepEqual(
      events.map((ev) => [ev.window, ev.state, ev.isFinalInvokeForWindow, ev.isWindowTerminatedEarly]),
      [
        [{ start: "2024-01-01T12:00:00Z", end: "2024-01-01T12:01:00Z" }, {}, false, false],
        [{ start: "2024-01-01T12:00:00Z", end: "2024-01-01T12:01:00Z" }, { n: 2 }, true, false],
        [{ start: "2024-01-01T12:01:00Z", end: "2024-01-01T12:02:00Z" }, {}, false, false],
        [{ start: "2024-01-01T12:01:00Z", end: "2024-01-01T12:02:00Z" }, { n: 1 }, true, false],
      ],
    );
    assert.equal(events[0]?.shardId, "s1");
    assert.equal(events[0]?.eventSourceARN, ARN);
  });

  it("live: the final invocation waits for the window's end", () => {
    const e = engine({ tumblingWindowMs: 60_000 });
    e.add("s1", rec(0), T0);
    const [a] = e.take(T0 + 1000).actions;
    assert.ok(a?.kind === "invoke");
    e.settle(a.batch.id, ok({ state: { seen: 1 } }), T0 + 1000);
    const wait = e.take(T0 + 2000);
    assert.deepEqual(wait.actions, []);
    assert.equal(wait.waitMs, 58_000);
    const [f] = e.take(T0 + 60_000).actions;
    assert.ok(f?.kind === "invoke");
    assert.equal(batchEvent(f.batch).isFinalInvokeForWindow, true);
    assert.deepEqual(batchEvent(f.batch).state, { seen: 1 });
  });

  it("a response without state is a failed invocation", () => {
    const e = engine({ tumblingWindowMs: 60_000, maxRetryAttempts: 0 });
    add(e, 1);
    const [step] = drive(e, () => ok({ batchItemFailures: [] }));
    assert.equal(step?.s.verdict, "failure");
    assert.equal(step?.s.next, "on-failure");
    assert.equal(step?.s.diagnostics[0]?.code, "response-without-state");
  });
});
