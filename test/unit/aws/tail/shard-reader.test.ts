// One shard's read loop (src/aws/tail/shard-reader.ts) against an in-memory fake of GetShardIterator
// and GetRecords, on virtual time: iterator renewal, gaps, back-off, pacing and bounds.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TailEvent } from "../../../../src/aws/tail/events.js";
import { CloseLatch, ReaderClosed, Semaphore } from "../../../../src/aws/tail/plumbing.js";
import { ReadAhead } from "../../../../src/aws/tail/read-ahead.js";
import type { ShardOutcome, ShardRun } from "../../../../src/aws/tail/shard-reader.js";
import { ShardReader } from "../../../../src/aws/tail/shard-reader.js";
import type { IteratorPosition } from "../../../../src/core/tail/plan.js";
import { AwsError } from "../../../../src/errors.js";
import { FakeTailApi, record, sdkError } from "../../../helpers/fake-tail-api.js";
import { VirtualTime } from "../../../helpers/virtual-time.js";

/** A shard reader on a fake, its events as a consumer takes them, and what it reported. */
function harness(opts: Partial<ShardRun> = {}) {
  const time = new VirtualTime();
  const api = new FakeTailApi(time.now);
  const latch = new CloseLatch();
  const readAhead = new ReadAhead(opts.pageLimit ?? 1000);
  const events: TailEvent[] = [];
  const throttled: string[] = [];
  const run: ShardRun = {
    api,
    latch,
    slots: new Semaphore(4),
    readAhead,
    now: time.now,
    sleep: (ms) => latch.race(time.sleep(ms)),
    random: () => 0.5,
    bounds: {},
    skipBeforeMs: undefined,
    pageLimit: 1000,
    streamArn: "arn:aws:dynamodb:us-east-1:1:table/T/stream/L",
    debug: () => undefined,
    throttled: (what) => throttled.push(what),
    positioned: () => undefined,
    sawRecords: () => undefined,
    ...opts,
  };
  // The consumer: takes whatever is queued, as tail's output loop does.
  void (async () => {
    for (;;) {
      events.push(...readAhead.queue.takeAvailable(10_000));
      await readAhead.queue.wait();
    }
  })();
  const read = (shardId: string, position: IteratorPosition = { type: "TRIM_HORIZON" }) =>
    new ShardReader({ shard: { shardId, parentShardId: undefined }, position }, run).read();
  return { time, api, latch, events, throttled, run, read };
}

const seqsOf = (events: TailEvent[]) =>
  events.flatMap((e) => (e.kind === "record" ? [e.record.dynamodb?.SequenceNumber] : []));
const deltas = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));

describe("ShardReader", () => {
  it("renews an expired iterator at the start position before any record, then after the last record read", async () => {
    const h = harness();
    const first = h.api.addShard("s", { records: 3 });
    h.api.fail("records", () => sdkError("ExpiredIteratorException"));
    const done = h.read("s");
    await h.time.runUntil(() => h.events.length >= 3);
    h.api.fail("records", () => sdkError("ExpiredIteratorException"));
    const more = [
      record("000000000000000009001", h.time.now()),
      record("000000000000000009002", h.time.now()),
    ];
    h.api.put("s", more);
    h.api.close("s");
    const outcome: ShardOutcome = await h.time.run(done);
    assert.equal(outcome, "ended");
    assert.deepEqual(
      h.api.callsOf("shardIterator").map((c) => c.position),
      ["TRIM_HORIZON", "TRIM_HORIZON", `AFTER_SEQUENCE_NUMBER ${first[2]?.dynamodb?.SequenceNumber}`],
    );
    assert.deepEqual(
      seqsOf(h.events),
      [...first, ...more].map((r) => r.dynamodb?.SequenceNumber),
    );
    assert.deepEqual(h.events.at(-1), { kind: "shard-end", shardId: "s", reason: "end" });
  });

  it("a trimmed start position is a gap; reading goes on at TRIM_HORIZON", async () => {
    const h = harness();
    const recs = h.api.addShard("s", { records: 2, closed: true });
    const gone = "000000000000000000500";
    const outcome = await h.time.run(h.read("s", { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: gone }));
    assert.equal(outcome, "ended");
    assert.deepEqual(
      h.api.callsOf("shardIterator").map((c) => c.position),
      [`AFTER_SEQUENCE_NUMBER ${gone}`, "TRIM_HORIZON"],
    );
    const gap = h.events[0];
    assert.equal(gap?.kind, "gap");
    assert.equal(gap?.kind === "gap" ? gap.afterSequenceNumber : undefined, gone);
    assert.deepEqual(
      seqsOf(h.events),
      recs.map((r) => r.dynamodb?.SequenceNumber),
    );
  });

  it("throttling backs off exponentially with jitter and is reported; the records come once", async () => {
    const h = harness();
    const recs = h.api.addShard("s", { records: 2, closed: true });
    h.api.fail("records", () => sdkError("LimitExceededException"), 3);
    const outcome = await h.time.run(h.read("s"));
    assert.equal(outcome, "ended");
    // random() = 0.5: half the exponential step fixed, a quarter more (200 ms doubling).
    assert.deepEqual(deltas(h.api.callsOf("records").map((c) => c.at)), [150, 300, 600]);
    assert.deepEqual(h.throttled, ["shard s", "shard s", "shard s"]);
    assert.deepEqual(
      seqsOf(h.events),
      recs.map((r) => r.dynamodb?.SequenceNumber),
    );
  });

  it("fails after 10 retries of a server error", async () => {
    const h = harness();
    h.api.addShard("s", { records: 1 });
    h.api.fail("records", () => sdkError("InternalServerError", 500), 11);
    await assert.rejects(h.time.run(h.read("s")), AwsError);
    assert.equal(h.api.callsOf("records").length, 11);
  });

  it("paces calls that brought a partial page (≤ 5/s) and backs off after empty pages: 250 ms, 500 ms, then 1 s", async () => {
    const h = harness();
    h.api.addShard("s", { records: 2 });
    const done = h.read("s");
    await h.time.runUntil(() => h.api.callsOf("records").length >= 6);
    h.latch.close();
    await assert.rejects(done, ReaderClosed);
    assert.deepEqual(deltas(h.api.callsOf("records").map((c) => c.at)), [200, 250, 500, 1000, 1000]);
  });

  it("follows a full page at once", async () => {
    const h = harness({ pageLimit: 2 });
    h.api.addShard("s", { records: 6, closed: true });
    assert.equal(await h.time.run(h.read("s")), "ended");
    assert.deepEqual(deltas(h.api.callsOf("records").map((c) => c.at)), [0, 0]);
    assert.equal(seqsOf(h.events).length, 6);
  });

  it("--until-end: a record newer than the snapshot ends the shard unshown; an open shard is caught up after two empty pages", async () => {
    const t0 = new VirtualTime().now();
    const h = harness({ bounds: { snapshotMs: t0 } });
    const old = h.api.addShard("a", { records: 2, createdMs: t0 - 10_000 });
    h.api.put("a", [record("000000000000000009001", t0 + 5000), record("000000000000000009002", t0 - 1)]);
    assert.equal(await h.time.run(h.read("a")), "bounded");
    assert.deepEqual(
      seqsOf(h.events),
      old.map((r) => r.dynamodb?.SequenceNumber),
    );
    assert.deepEqual(h.events.at(-1), { kind: "shard-end", shardId: "a", reason: "bound" });

    const idle = harness({ bounds: { snapshotMs: t0 } });
    idle.api.addShard("b", { records: 1, createdMs: t0 - 10_000 });
    assert.equal(await idle.time.run(idle.read("b")), "bounded");
    assert.equal(idle.api.callsOf("records").length, 3, "one page with the record, two empty ones");
  });

  it("--until: an open shard answering empty pages is finished only once the clock passed the end time", async () => {
    const t0 = new VirtualTime().now();
    const h = harness({ bounds: { untilMs: t0 + 5000 } });
    h.api.addShard("s", { records: 1 });
    assert.equal(await h.time.run(h.read("s")), "bounded");
    assert.ok(h.time.now() >= t0 + 5000, `ended at +${h.time.now() - t0} ms`);
    assert.ok(h.time.now() < t0 + 5000 + 1200, `ended at +${h.time.now() - t0} ms`);
  });

  it("a shard that is gone ends as not-found", async () => {
    const h = harness();
    assert.equal(await h.time.run(h.read("missing")), "ended");
    assert.deepEqual(h.events, [{ kind: "shard-end", shardId: "missing", reason: "not-found" }]);
  });
});
