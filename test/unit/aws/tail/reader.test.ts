// The run of the live reader (src/aws/tail/reader.ts, TailReader) over an in-memory fake of the four
// calls, on virtual time: --until-end with children listed late, lineage in live mode and a disabled
// stream, close(), --idle-timeout, --shard, readiness of LATEST and the once-only throttling warning.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { TailEvent } from "../../../../src/aws/tail/events.js";
import type { TailReaderOptions } from "../../../../src/aws/tail/reader.js";
import { TailReader } from "../../../../src/aws/tail/reader.js";
import type { StreamRecord } from "../../../../src/core/record.js";
import { CHILD_LOOKUP_SPAN_MS } from "../../../../src/core/tail/backoff.js";
import { NotFoundError } from "../../../../src/errors.js";
import { FakeTailApi, record, sdkError } from "../../../helpers/fake-tail-api.js";
import { VirtualTime } from "../../../helpers/virtual-time.js";

const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/L";

function harness() {
  const time = new VirtualTime();
  const api = new FakeTailApi(time.now);
  const abort = new AbortController();
  const warnings: string[] = [];
  const open = (opts: Partial<TailReaderOptions> = {}) =>
    time.run(
      TailReader.open({ now: time.now, sleep: time.sleep, signal: abort.signal }, async () => api, {
        streamArn: ARN,
        rules: { mode: "trim-horizon" },
        random: () => 0.5,
        warn: (m) => warnings.push(m),
        ...opts,
      }),
    );
  /** Everything the reader yields until it ends, as tail's output loop takes it. */
  const drain = async (reader: TailReader): Promise<TailEvent[]> => {
    const out: TailEvent[] = [];
    for await (const batch of reader.batches()) out.push(...batch);
    return out;
  };
  return { time, api, abort, warnings, open, drain };
}

/** Sequence numbers of the records of each shard, in the order they came. */
function byShard(events: TailEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of events) {
    if (e.kind !== "record") continue;
    const list = out[e.shardId] ?? [];
    list.push(e.record.dynamodb?.SequenceNumber ?? "");
    out[e.shardId] = list;
  }
  return out;
}

const seqs = (records: StreamRecord[]) => records.map((r) => r.dynamodb?.SequenceNumber ?? "");

function assertParentFirst(events: TailEvent[], parent: string, child: string): void {
  const ids = events.flatMap((e) => (e.kind === "record" ? [e.shardId] : []));
  assert.ok(ids.lastIndexOf(parent) < ids.indexOf(child), `${parent} before ${child}`);
  assert.ok(ids.indexOf(child) >= 0, `records of ${child}`);
}

describe("TailReader", () => {
  it("--until-end reads the children of shards closed at the snapshot, listed seconds late; newer records are cut", async () => {
    const h = harness();
    const t0 = h.time.now();
    const old = t0 - 60_000;
    const root = h.api.addShard("root", { closed: true, records: 2, createdMs: old });
    const childA = h.api.addShard("a", {
      parent: "root",
      closed: true,
      records: 2,
      createdMs: old,
      listedFrom: t0 + 3000,
    });
    const grand = h.api.addShard("a1", { parent: "a", records: 1, createdMs: old, listedFrom: t0 + 6000 });
    const childB = h.api.addShard("b", { parent: "root", records: 2, createdMs: old, listedFrom: t0 + 3000 });
    h.api.put("b", [record("000000000000000009999", t0 + 60_000)]); // newer than the snapshot
    // Open at the snapshot, closed before it is read (its first call fails and waits 150 ms): its
    // child holds only newer records and is not looked for.
    const x = h.api.addShard("x", { records: 1, createdMs: old });
    h.api.fail("shardIterator", () => sdkError("InternalServerError", 500), 1, "x");
    const reader = await h.open({ bounds: { snapshotMs: t0 } });
    h.api.close("x");
    h.api.addShard("x1", { parent: "x", records: 1, createdMs: t0 + 2000 });
    const events = await h.time.run(h.drain(reader));

    assert.equal(reader.endReason, "bounded");
    assert.deepEqual(reader.start.toRead, 2);
    assert.deepEqual(byShard(events), {
      root: seqs(root),
      a: seqs(childA),
      a1: seqs(grand),
      b: seqs(childB),
      x: seqs(x),
    });
    assertParentFirst(events, "root", "a");
    assertParentFirst(events, "root", "b");
    assertParentFirst(events, "a", "a1");
    assert.ok(h.api.callsOf("childShards", "root").length >= 2, "the look-up was retried");
    assert.ok(
      events.some((e) => e.kind === "shard-end" && e.shardId === "x" && e.reason === "end"),
      "x was read to its end",
    );
    assert.equal(h.api.callsOf("childShards", "x").length, 0);
    assert.equal(h.api.callsOf("shardIterator", "x1").length, 0);
  });

  it("--until-end reads a sibling listed after the first child was found: one final listing after the look-up span", async () => {
    const h = harness();
    const t0 = h.time.now();
    const old = t0 - 60_000;
    // p's children: p.a in the first listing, p.b listed 2 s later. q's: q.a found by the look-up
    // at its end, q.b listed 4 s after the snapshot, after that look-up ended.
    const p = h.api.addShard("p", { closed: true, records: 2, createdMs: old });
    const pa = h.api.addShard("p.a", { parent: "p", records: 1, createdMs: old });
    const pb = h.api.addShard("p.b", { parent: "p", records: 1, createdMs: old, listedFrom: t0 + 2000 });
    const q = h.api.addShard("q", { closed: true, records: 2, createdMs: old });
    const qa = h.api.addShard("q.a", { parent: "q", records: 1, createdMs: old, listedFrom: t0 + 1000 });
    const qb = h.api.addShard("q.b", { parent: "q", records: 2, createdMs: old, listedFrom: t0 + 4000 });
    h.api.put("q.b", [record("000000000000000009999", t0 + 60_000)]); // newer than the snapshot
    const reader = await h.open({ bounds: { snapshotMs: t0 } });
    const events = await h.time.run(h.drain(reader));

    assert.equal(reader.endReason, "bounded");
    assert.deepEqual(byShard(events), {
      p: seqs(p),
      "p.a": seqs(pa),
      "p.b": seqs(pb),
      q: seqs(q),
      "q.a": seqs(qa),
      "q.b": seqs(qb),
    });
    for (const [parent, child] of [
      ["p", "p.a"],
      ["p", "p.b"],
      ["q", "q.a"],
      ["q", "q.b"],
    ] as const) {
      assertParentFirst(events, parent, child);
    }
    // The cost: no look-up of p (a child was known), q's look-up ended at q.a, and one more listing.
    assert.equal(h.api.callsOf("childShards", "p").length, 0);
    assert.equal(h.api.callsOf("childShards", "q").at(-1)?.at, t0 + 1550);
    assert.deepEqual(
      h.api.callsOf("listShards").map((c) => c.at - t0),
      [0, CHILD_LOOKUP_SPAN_MS],
    );
  });

  it("--until-end without shards closed at the snapshot ends without another listing", async () => {
    const h = harness();
    const t0 = h.time.now();
    const s = h.api.addShard("s", { records: 2, createdMs: t0 - 60_000 });
    const reader = await h.open({ bounds: { snapshotMs: t0 } });
    const events = await h.time.run(h.drain(reader));
    assert.deepEqual(byShard(events), { s: seqs(s) });
    assert.equal(h.api.callsOf("listShards").length, 1);
    assert.ok(h.time.now() - t0 < CHILD_LOOKUP_SPAN_MS, `ended at +${h.time.now() - t0} ms`);
  });

  it("live: the children of an ended shard are found and read after it; a disabled stream ends the run", async () => {
    const h = harness();
    const t0 = h.time.now();
    const root = h.api.addShard("root", { closed: true, records: 2 });
    const child = h.api.addShard("c", { parent: "root", closed: true, records: 1, listedFrom: t0 + 500 });
    const reader = await h.open();
    const drained = h.drain(reader);
    await h.time.runUntil(() => h.api.callsOf("childShards", "c").length > 0);
    h.api.status = "DISABLED";
    const events = await h.time.run(drained);
    assert.equal(reader.endReason, "disabled");
    assert.deepEqual(byShard(events), { root: seqs(root), c: seqs(child) });
    assertParentFirst(events, "root", "c");
    assert.deepEqual(
      h.api.callsOf("shardIterator").map((c) => `${c.shardId} ${c.position}`),
      ["root TRIM_HORIZON", "c TRIM_HORIZON"],
    );
    assert.equal(reader.shardsStarted(), 2);
  });

  it("close() ends the run at once, and again does nothing; so does an abort of the run's signal", async () => {
    const h = harness();
    h.api.addShard("s", { records: 1 });
    const reader = await h.open();
    const drained = h.drain(reader);
    await h.time.runUntil(() => h.api.callsOf("records").length >= 3);
    reader.close();
    reader.close();
    await h.time.run(drained);
    assert.equal(reader.endReason, "closed");
    const calls = h.api.calls.length;
    await h.time.run(h.time.sleep(60_000));
    assert.equal(h.api.calls.length, calls, "no call after close()");

    const other = await h.open();
    h.abort.abort();
    await h.time.run(h.drain(other));
    assert.equal(other.endReason, "closed");
  });

  it("--idle-timeout ends the run once no record came for that long", async () => {
    const h = harness();
    const t0 = h.time.now();
    h.api.addShard("s");
    const reader = await h.open({ idleTimeoutMs: 5000 });
    await h.time.run(h.drain(reader));
    assert.equal(reader.endReason, "idle");
    assert.ok(h.time.now() >= t0 + 5000 && h.time.now() <= t0 + 5100, `ended at +${h.time.now() - t0} ms`);
  });

  it("--shard that the stream does not list is NotFoundError; a listed one is read alone", async () => {
    const h = harness();
    h.api.addShard("a", { closed: true, records: 1 });
    const b = h.api.addShard("b", { closed: true, records: 1 });
    await assert.rejects(h.open({ only: new Set(["zzz"]) }), NotFoundError);
    const reader = await h.open({ only: new Set(["b"]) });
    assert.deepEqual(byShard(await h.time.run(h.drain(reader))), { b: seqs(b) });
    assert.equal(reader.endReason, "shards-done");
  });

  it("from LATEST: ready once every open shard holds its iterator; closed shards are skipped", async () => {
    const h = harness();
    h.api.addShard("old", { closed: true, records: 1 });
    h.api.addShard("a", { parent: "old", records: 1 });
    h.api.addShard("b", { records: 1 });
    const reader = await h.open({ rules: { mode: "latest" } });
    let ready = false;
    void reader.ready.then(() => {
      ready = true;
    });
    assert.equal(ready, false);
    await h.time.runUntil(() => ready);
    assert.equal(h.api.callsOf("shardIterator").length, 2);
    assert.deepEqual(reader.start.positions, { LATEST: 2 });
    assert.deepEqual(reader.start.skipped, ["old"]);
    reader.close();
  });

  it("warns once about LimitExceededException, however many shards are throttled", async () => {
    const h = harness();
    h.api.addShard("a", { closed: true, records: 1 });
    h.api.addShard("b", { closed: true, records: 1 });
    h.api.fail("records", () => sdkError("LimitExceededException"), 4);
    const reader = await h.open({ bounds: { snapshotMs: h.time.now() } });
    const events = await h.time.run(h.drain(reader));
    assert.equal(Object.keys(byShard(events)).length, 2);
    assert.equal(h.warnings.length, 1);
    assert.match(h.warnings[0] ?? "", /more than 2 processes may be reading/);
  });
});
