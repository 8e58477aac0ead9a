import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildLineage,
  isClosed,
  layoutTree,
  parentsFirst,
  parentsOf,
  type ShardInfo,
  shardCounts,
} from "../../../src/core/lineage.js";

const s = (shardId: string, parentShardId?: string, start = "100", end?: string): ShardInfo => ({
  shardId,
  parentShardId,
  startingSequenceNumber: start,
  endingSequenceNumber: end,
});

test("roots, children, orphans and parent-first order", () => {
  // listing order deliberately scrambled: children before parents
  const shards = [
    s("c1", "root", "300"),
    s("gc", "c1", "500"),
    s("c2", "root", "200"),
    s("root", undefined, "100", "199"),
    s("orphan", "trimmed-away", "50"),
  ];
  const l = buildLineage(shards);
  assert.deepEqual(
    l.roots.map((r) => r.shardId),
    ["orphan", "root"],
  );
  assert.deepEqual(
    l.orphans.map((r) => r.shardId),
    ["orphan"],
  );
  assert.deepEqual(
    (l.children.get("root") ?? []).map((c) => c.shardId),
    ["c2", "c1"],
    "children ordered by starting sequence number as BigInt",
  );
  const order = parentsFirst(l).map((x) => x.shardId);
  assert.deepEqual(order, ["orphan", "root", "c2", "c1", "gc"]);
  for (const sh of shards) {
    if (sh.parentShardId && l.byId.has(sh.parentShardId)) {
      assert.ok(order.indexOf(sh.parentShardId) < order.indexOf(sh.shardId));
    }
  }
});

test("starting sequence numbers of different lengths sort numerically", () => {
  const l = buildLineage([
    s("b", undefined, "13021600000000001596893679"),
    s("a", undefined, "700000000000888747038"),
  ]);
  assert.deepEqual(
    l.roots.map((r) => r.shardId),
    ["a", "b"],
  );
});

test("a cycle in a listing does not hang or drop shards", () => {
  const l = buildLineage([s("x", "y"), s("y", "x")]);
  assert.equal(parentsFirst(l).length, 2);
  assert.equal(layoutTree(l).length, 2);
});

test("open/closed counts and tree layout", () => {
  const shards = [
    s("root", undefined, "1", "9"),
    s("a", "root", "10"),
    s("b", "root", "11", "20"),
    s("b1", "b", "21"),
  ];
  assert.ok(isClosed(shards[0] as ShardInfo));
  assert.deepEqual(shardCounts(shards), { open: 2, closed: 2, total: 4 });
  const lines = layoutTree(buildLineage(shards)).map((t) => `${t.prefix}${t.shard.shardId}`);
  assert.deepEqual(lines, ["root", "├─ a", "└─ b", "   └─ b1"]);
});

test("a re-listed shard (open, then closed) keeps the latest entry", () => {
  const l = buildLineage([s("a", undefined, "1"), s("a", undefined, "1", "5")]);
  assert.equal(l.byId.size, 1);
  assert.ok(isClosed(l.byId.get("a") as ShardInfo));
});

test("a Kinesis merge: the child comes after both parents, is drawn once, and names its other parent", () => {
  const merged: ShardInfo = { ...s("m", "b", "900"), adjacentParentShardId: "a" };
  // a and b are roots (a closed before b started); the merge child is listed first.
  const l = buildLineage([merged, s("b", undefined, "200", "800"), s("a", undefined, "100", "850")]);
  assert.deepEqual(
    l.roots.map((r) => r.shardId),
    ["a", "b"],
  );
  assert.deepEqual(
    parentsFirst(l).map((x) => x.shardId),
    ["a", "b", "m"],
    "m is reached from a first but waits for b",
  );
  const lines = layoutTree(l);
  assert.deepEqual(
    lines.map((t) => `${t.prefix}${t.shard.shardId}`),
    ["a", "└─ m", "b"],
    "drawn under the parent reached first",
  );
  assert.equal(lines[1]?.alsoChildOf, "b");
  assert.equal(parentsOf(merged).join(","), "b,a");
});

test("a merge whose one parent is trimmed hangs under the other; both trimmed makes an orphan root", () => {
  const merged: ShardInfo = { ...s("m", "gone", "900"), adjacentParentShardId: "a" };
  const l = buildLineage([merged, s("a", undefined, "100", "850")]);
  assert.deepEqual(
    parentsFirst(l).map((x) => x.shardId),
    ["a", "m"],
  );
  assert.equal(l.orphans.length, 0);
  const alone = buildLineage([{ ...s("m", "gone", "900"), adjacentParentShardId: "gone2" }]);
  assert.deepEqual(
    alone.orphans.map((o) => o.shardId),
    ["m"],
  );
});
