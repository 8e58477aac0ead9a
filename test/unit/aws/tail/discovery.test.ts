// Shard discovery (src/aws/tail/discovery.ts) against an in-memory fake of DescribeStream (full
// listing and CHILD_SHARDS look-up), on virtual time: look-up retries, the last-resort listing,
// periodic re-listing, --until-end's final listing, coalesced look-ups, listing failures and a
// disabled stream.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ShardDiscovery } from "../../../../src/aws/tail/discovery.js";
import { CloseLatch, ReaderClosed } from "../../../../src/aws/tail/plumbing.js";
import { CHILD_LOOKUP_SPAN_MS } from "../../../../src/core/tail/backoff.js";
import { ShardTracker } from "../../../../src/core/tail/tracker.js";
import { AwsError, NotFoundError } from "../../../../src/errors.js";
import { FakeTailApi, listingError } from "../../../helpers/fake-tail-api.js";
import { VirtualTime } from "../../../helpers/virtual-time.js";

/** Discovery over a fake whose shards the test added before calling `start`. */
function harness() {
  const time = new VirtualTime();
  const api = new FakeTailApi(time.now);
  const latch = new CloseLatch();
  let idle = false;
  const start = async (
    relistEveryMs: number | undefined,
    frozen = relistEveryMs === undefined,
    finalListingAfterMs?: number,
  ) => {
    const tracker = new ShardTracker({ mode: "trim-horizon" }, { frozen });
    const first = await api.listShards();
    tracker.add(first.shards);
    const discovery = new ShardDiscovery({
      api,
      first,
      tracker,
      latch,
      now: time.now,
      sleep: (ms) => latch.race(time.sleep(ms)),
      random: () => 0.5,
      debug: () => undefined,
      relistEveryMs,
      finalListingAfterMs,
      idle: () => idle,
      changed: () => undefined,
    });
    const loop = discovery.run();
    loop.catch(() => undefined);
    /** Reads every ready shard to its end (as far as the tracker knows). */
    const readAll = () => {
      for (const r of tracker.takeReady()) tracker.finish(r.shard.shardId, "ended");
    };
    return { tracker, discovery, loop, readAll };
  };
  const after = (op: "listShards" | "childShards", t0: number) =>
    api.callsOf(op).filter((c) => c.at >= t0 && !(op === "listShards" && c === api.calls[0]));
  return {
    time,
    api,
    latch,
    start,
    after,
    setIdle: (v: boolean) => {
      idle = v;
    },
  };
}

const deltas = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));

describe("ShardDiscovery", () => {
  it("looks up an ended shard's children with backoff (50 ms doubling) until they are listed", async () => {
    const h = harness();
    const t0 = h.time.now();
    h.api.addShard("root", { closed: true });
    h.api.addShard("a", { parent: "root", listedFrom: t0 + 1000 });
    h.api.addShard("b", { parent: "root", listedFrom: t0 + 1000 });
    const d = await h.start(30_000);
    d.readAll();
    d.discovery.lookFor("root");
    assert.equal(d.discovery.busy, true);
    await h.time.runUntil(() => !d.discovery.busy);
    const lookups = h.api.callsOf("childShards", "root").map((c) => c.at - t0);
    assert.deepEqual(lookups, [0, 50, 150, 350, 750, 1550]);
    assert.deepEqual(
      d.tracker.takeReady().map((r) => r.shard.shardId),
      ["a", "b"],
    );
    assert.equal(h.after("listShards", t0).length, 0, "no full listing was needed");
  });

  it("after 10 empty look-ups, one full listing as the last resort; --until-end lists nothing more", async () => {
    const h = harness();
    const t0 = h.time.now();
    h.api.addShard("root", { closed: true });
    h.api.addShard("late", { parent: "root", listedFrom: Number.POSITIVE_INFINITY });
    const d = await h.start(undefined);
    d.readAll();
    d.discovery.lookFor("root");
    await h.time.runUntil(() => !d.discovery.busy);
    assert.equal(h.api.callsOf("childShards").length, 10);
    const last = h.api.callsOf("childShards").at(-1)?.at ?? 0;
    assert.deepEqual(
      h.after("listShards", t0).map((c) => c.at),
      [last],
      "the listing follows the 10th empty look-up at once",
    );
    await h.time.run(h.time.sleep(10 * 60_000));
    assert.equal(h.api.calls.length, 12, "nothing more in ten minutes");
  });

  it("--until-end: one final listing once the look-up span has passed finds a sibling listed after the look-up ended", async () => {
    const h = harness();
    const t0 = h.time.now();
    h.api.addShard("root", { closed: true });
    h.api.addShard("a", { parent: "root", listedFrom: t0 + 1000 });
    h.api.addShard("b", { parent: "root", listedFrom: t0 + 3000 });
    const d = await h.start(undefined, true, CHILD_LOOKUP_SPAN_MS);
    d.readAll();
    d.discovery.lookFor("root");
    h.time.sleep(4000); // a probe: b is listed by then, the look-up has long ended
    await h.time.runUntil(() => h.time.now() >= t0 + 4000);
    assert.equal(d.discovery.busy, true, "busy until the final listing");
    await h.time.runUntil(() => !d.discovery.busy);
    assert.deepEqual(
      h.api.callsOf("childShards", "root").map((c) => c.at - t0),
      [0, 50, 150, 350, 750, 1550],
      "the look-up ends at the first child found",
    );
    assert.deepEqual(
      h.after("listShards", t0).map((c) => c.at - t0),
      [CHILD_LOOKUP_SPAN_MS],
    );
    assert.deepEqual(
      d.tracker.takeReady().map((r) => r.shard.shardId),
      ["a", "b"],
    );
    await h.time.run(h.time.sleep(10 * 60_000));
    assert.equal(h.api.calls.length, 8, "nothing more in ten minutes");
  });

  it("re-lists every 30 s while shards are read, every 10 s when none is", async () => {
    const h = harness();
    const t0 = h.time.now();
    h.api.addShard("s");
    await h.start(30_000);
    await h.time.runUntil(() => h.after("listShards", t0).length >= 2);
    // Becoming idle takes effect after the wait under way (the 30 s one).
    h.setIdle(true);
    await h.time.runUntil(() => h.after("listShards", t0).length >= 4);
    assert.deepEqual(
      h.after("listShards", t0).map((c) => c.at - t0),
      [30_000, 60_000, 90_000, 100_000],
    );
  });

  it("three or more look-ups due at once are one full listing", async () => {
    const h = harness();
    const t0 = h.time.now();
    for (const p of ["p1", "p2", "p3"]) {
      h.api.addShard(p, { closed: true });
      h.api.addShard(`${p}-child`, { parent: p, listedFrom: t0 + 1 });
    }
    const d = await h.start(30_000);
    d.readAll();
    for (const p of ["p1", "p2", "p3"]) d.discovery.lookFor(p);
    h.time.sleep(1); // the children are listed 1 ms later
    await h.time.runUntil(() => !d.discovery.busy);
    assert.equal(h.api.callsOf("childShards").length, 0);
    assert.equal(h.after("listShards", t0).length >= 1, true);
    assert.equal(h.after("listShards", t0).length <= 2, true);
    assert.deepEqual(
      d.tracker
        .takeReady()
        .map((r) => r.shard.shardId)
        .sort(),
      ["p1-child", "p2-child", "p3-child"],
    );
  });

  it("retries a failing listing with backoff (200 ms doubling, at most 10 s, jittered) and fails after 10 retries", async () => {
    const h = harness();
    const t0 = h.time.now();
    h.api.addShard("s");
    const d = await h.start(1000);
    h.api.fail("listShards", listingError, 11);
    await assert.rejects(h.time.run(d.loop), AwsError);
    const times = h.after("listShards", t0).map((c) => c.at - t0);
    assert.equal(times[0], 1000);
    assert.deepEqual(deltas(times), [150, 300, 600, 1200, 2400, 4800, 7500, 7500, 7500, 7500]);
  });

  it("a stream that is gone fails at once", async () => {
    const h = harness();
    h.api.addShard("s");
    const d = await h.start(1000);
    h.api.fail("listShards", () => new NotFoundError("stream gone"));
    await assert.rejects(h.time.run(d.loop), NotFoundError);
    assert.equal(h.api.callsOf("listShards").length, 2);
  });

  it("ends the look-ups once the stream is disabled, and stops when closed", async () => {
    const h = harness();
    h.api.addShard("root", { closed: true });
    const d = await h.start(30_000);
    d.readAll();
    h.api.status = "DISABLED";
    d.discovery.lookFor("root");
    await h.time.runUntil(() => !d.discovery.busy);
    assert.equal(d.discovery.disabled, true);
    assert.equal(h.api.callsOf("childShards").length, 1);
    d.discovery.lookFor("root");
    assert.equal(d.discovery.busy, false, "no look-up on a disabled stream");
    h.latch.close();
    await assert.rejects(d.loop, ReaderClosed);
  });
});
