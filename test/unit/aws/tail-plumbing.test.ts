// EventQueue's high-water mark: producers wait in room() while the consumer has enough queued.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventQueue } from "../../../src/aws/tail/plumbing.js";

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

test("room() resolves at once below the high-water mark and waits above it until events are taken", async () => {
  const q = new EventQueue<number>(3);
  await q.room();
  q.pushNow([1, 2]);
  await q.room(); // 2 < 3
  void q.push([3]);
  let open = false;
  void q.room().then(() => {
    open = true;
  });
  await tick();
  assert.equal(open, false, "3 queued: no room");
  assert.deepEqual(q.takeAvailable(1), [1, 2]);
  await tick();
  assert.equal(open, true, "1 queued after the take: room again");
});

test("clear() releases producers waiting for room; no mark means always room", async () => {
  const q = new EventQueue<number>(1);
  q.pushNow([1]);
  let open = false;
  void q.room().then(() => {
    open = true;
  });
  q.clear();
  await tick();
  assert.equal(open, true);
  const unbounded = new EventQueue<number>();
  unbounded.pushNow(Array.from({ length: 10_000 }, (_, i) => i));
  await unbounded.room();
});
