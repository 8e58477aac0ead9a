import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { ShardInfo } from "../../../../src/core/lineage.js";
import type { IteratorPosition } from "../../../../src/core/tail/plan.js";
import { ShardTracker } from "../../../../src/core/tail/tracker.js";

function shard(id: string, parent?: string, closed = false): ShardInfo {
  return {
    shardId: id,
    parentShardId: parent,
    startingSequenceNumber: "100",
    endingSequenceNumber: closed ? "200" : undefined,
  };
}

function ready(t: ShardTracker): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of t.takeReady()) {
    const p = r.position;
    out[r.shard.shardId] = "sequenceNumber" in p ? `${p.type} ${p.sequenceNumber}` : p.type;
  }
  return out;
}

describe("ShardTracker: start planning and lineage", () => {
  it("trim-horizon: roots first, children only after their parent ended, at TRIM_HORIZON", () => {
    const t = new ShardTracker({ mode: "trim-horizon" });
    // listing order carries no meaning: children listed before their parent
    t.add([shard("c1", "root"), shard("c2", "root"), shard("root", undefined, true)]);
    assert.deepEqual(ready(t), { root: "TRIM_HORIZON" });
    assert.equal(t.status("c1"), "waiting");
    assert.deepEqual(ready(t), {}, "handed out once");
    t.finish("root", "ended");
    assert.deepEqual(ready(t), { c1: "TRIM_HORIZON", c2: "TRIM_HORIZON" });
    assert.equal(t.activeCount(), 2);
    t.finish("c1", "ended");
    t.finish("c2", "ended");
    assert.equal(t.activeCount(), 0);
  });

  it("a child whose parent is not listed (trimmed) is a root", () => {
    const t = new ShardTracker({ mode: "trim-horizon" });
    t.add([shard("orphan", "gone")]);
    assert.deepEqual(ready(t), { orphan: "TRIM_HORIZON" });
  });

  it("latest: LATEST on open shards only; closed shards are skipped and their open children start at LATEST", () => {
    const t = new ShardTracker({ mode: "latest" });
    t.add([shard("old", undefined, true), shard("a", "old"), shard("b", "old"), shard("x")]);
    assert.deepEqual(ready(t), { a: "LATEST", b: "LATEST", x: "LATEST" });
    assert.equal(t.status("old"), "skipped");
  });

  it("latest: children discovered later, and children of a shard read from LATEST, start at TRIM_HORIZON", () => {
    const t = new ShardTracker({ mode: "latest" });
    t.add([shard("a")]);
    assert.deepEqual(ready(t), { a: "LATEST" });
    t.add([shard("a", undefined, true), shard("a1", "a"), shard("z")]);
    assert.deepEqual(ready(t), { z: "TRIM_HORIZON" });
    t.finish("a", "ended");
    assert.deepEqual(ready(t), { a1: "TRIM_HORIZON" });
  });

  it("latest: a closed shard with a closed child and an open grandchild skips down to the open one", () => {
    const t = new ShardTracker({ mode: "latest" });
    t.add([shard("g0", undefined, true), shard("g1", "g0", true), shard("g2", "g1")]);
    assert.deepEqual(ready(t), { g2: "LATEST" });
  });

  it("explicit positions (checkpoint) win; done shards are not read but release their children", () => {
    const explicit = new Map<string, IteratorPosition>([
      ["b", { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: "150" }],
    ]);
    const t = new ShardTracker({ mode: "trim-horizon", explicit, done: new Set(["root"]) });
    t.add([shard("root", undefined, true), shard("a", "root"), shard("b", "root"), shard("other")]);
    assert.deepEqual(ready(t), {
      a: "TRIM_HORIZON",
      b: "AFTER_SEQUENCE_NUMBER 150",
      other: "TRIM_HORIZON",
    });
    assert.equal(t.status("root"), "ended");
  });

  it("--shard restricts to the named shards (not their descendants)", () => {
    const t = new ShardTracker({ mode: "trim-horizon" }, { only: new Set(["root"]) });
    t.add([shard("root", undefined, true), shard("c", "root"), shard("x")]);
    assert.deepEqual(ready(t), { root: "TRIM_HORIZON" });
    t.finish("root", "ended");
    assert.deepEqual(ready(t), {});
    assert.equal(t.status("c"), undefined);
    assert.equal(t.activeCount(), 0);
  });

  it("--until-end (frozen): later listings add nothing; children in the snapshot are read", () => {
    const t = new ShardTracker({ mode: "trim-horizon" }, { frozen: true });
    t.add([shard("root", undefined, true), shard("c", "root")]);
    assert.deepEqual(ready(t), { root: "TRIM_HORIZON" });
    assert.deepEqual(t.add([shard("late", "c")]), []);
    t.finish("root", "ended");
    assert.deepEqual(ready(t), { c: "TRIM_HORIZON" });
  });

  it("--until-end (frozen): later children of shards closed at the snapshot are read, down the closed line", () => {
    const t = new ShardTracker({ mode: "trim-horizon" }, { frozen: true });
    t.add([shard("root", undefined, true), shard("open")]);
    assert.deepEqual(ready(t), { root: "TRIM_HORIZON", open: "TRIM_HORIZON" });
    assert.equal(t.followsChildren("root"), true);
    assert.equal(t.followsChildren("open"), false);
    // A later listing names a grandchild before its (closed) parent, and a child of the open shard.
    assert.deepEqual(t.add([shard("g", "c", false), shard("c", "root", true), shard("o1", "open")]).sort(), [
      "c",
      "g",
    ]);
    assert.equal(t.followsChildren("c"), true);
    t.finish("root", "ended");
    assert.deepEqual(ready(t), { c: "TRIM_HORIZON" });
    t.finish("c", "ended");
    assert.deepEqual(ready(t), { g: "TRIM_HORIZON" });
    assert.equal(t.followsChildren("g"), false, "open when found: its children are newer than the snapshot");
  });

  it("--until-end from LATEST: children of skipped shards are not read; ended shards without children are reported", () => {
    const t = new ShardTracker({ mode: "latest", done: new Set(["d"]) }, { frozen: true });
    t.add([shard("old", undefined, true), shard("d", undefined, true)]);
    assert.equal(t.status("old"), "skipped");
    assert.deepEqual(t.endedWithoutChildren(), ["d"]);
    assert.deepEqual(t.add([shard("late", "old", true), shard("dc", "d")]), ["dc"]);
    assert.deepEqual(t.endedWithoutChildren(), []);
  });

  it("a shard stopped at a bound keeps its descendants from being read", () => {
    const t = new ShardTracker({ mode: "trim-horizon" });
    t.add([shard("a"), shard("a1", "a"), shard("a2", "a1")]);
    assert.deepEqual(ready(t), { a: "TRIM_HORIZON" });
    t.finish("a", "bounded");
    assert.equal(t.status("a1"), "bounded");
    assert.equal(t.status("a2"), "bounded");
    assert.equal(t.activeCount(), 0);
  });

  it("merge: a child waits for the parent it names (AdjacentParentShardId is not in the SDK model)", () => {
    const t = new ShardTracker({ mode: "trim-horizon" });
    t.add([shard("pA", undefined, true), shard("pB", undefined, true), shard("child", "pA")]);
    assert.deepEqual(ready(t), { pA: "TRIM_HORIZON", pB: "TRIM_HORIZON" });
    t.finish("pB", "ended");
    assert.deepEqual(ready(t), {});
    t.finish("pA", "ended");
    assert.deepEqual(ready(t), { child: "TRIM_HORIZON" });
  });

  it("re-listings refresh known shards and report only new ones; finish is idempotent", () => {
    const t = new ShardTracker({ mode: "trim-horizon" });
    assert.deepEqual(t.add([shard("a")]), ["a"]);
    assert.deepEqual(t.add([shard("a", undefined, true), shard("b", "a")]), ["b"]);
    assert.equal(t.hasChildren("a"), true);
    assert.equal(t.size, 2);
    ready(t);
    t.finish("a", "ended");
    t.finish("a", "bounded");
    assert.equal(t.status("a"), "ended");
  });
});

describe("ShardTracker: Kinesis merges and AT_TIMESTAMP starts", () => {
  const merged = (id: string, a: string, b: string): ShardInfo => ({
    ...shard(id, a),
    adjacentParentShardId: b,
  });

  it("a merge's child waits until both parents ended", () => {
    const t = new ShardTracker({ mode: "trim-horizon" });
    t.add([merged("m", "a", "b"), shard("a", undefined, true), shard("b", undefined, true)]);
    assert.deepEqual(ready(t), { a: "TRIM_HORIZON", b: "TRIM_HORIZON" });
    t.finish("a", "ended");
    assert.deepEqual(ready(t), {}, "b is still being read");
    assert.equal(t.status("m"), "waiting");
    t.finish("b", "ended");
    assert.deepEqual(ready(t), { m: "TRIM_HORIZON" });
    assert.ok(t.hasChildren("a") && t.hasChildren("b"));
  });

  it("a parent stopped at a bound stops the merge's child too", () => {
    const t = new ShardTracker({ mode: "trim-horizon" });
    t.add([merged("m", "a", "b"), shard("a", undefined, true), shard("b", undefined, true)]);
    ready(t);
    t.finish("a", "ended");
    t.finish("b", "bounded");
    assert.equal(t.status("m"), "bounded");
  });

  it("a start time seeks every shard, and children, AT_TIMESTAMP", () => {
    const at = Date.parse("2026-01-31T09:00:00Z");
    const t = new ShardTracker({ mode: "trim-horizon", atTimestampMs: at });
    t.add([shard("root", undefined, true), shard("c", "root")]);
    assert.deepEqual(ready(t), { root: "AT_TIMESTAMP" });
    t.finish("root", "ended");
    const [c] = t.takeReady();
    assert.deepEqual(c?.position, { type: "AT_TIMESTAMP", timestampMs: at });
  });
});
