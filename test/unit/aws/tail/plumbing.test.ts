// EventQueue's high-water mark: producers wait in reserve() while the events queued and those reserved
// for calls in flight reach it, until events are taken or reservations released.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EventQueue } from "../../../../src/aws/tail/plumbing.js";

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Starts a reserve() and reports whether it got through (and its release, once it did). */
function reserving(q: EventQueue<number>, n: number): { open: () => boolean; release: () => void } {
  let release: (() => void) | undefined;
  void q.reserve(n).then((r) => {
    release = r;
  });
  return {
    open: () => release !== undefined,
    release: () => {
      assert.ok(release, "not reserved yet");
      release();
    },
  };
}

test("reserve() passes below the high-water mark and waits above it until events are taken", async () => {
  const q = new EventQueue<number>(3);
  (await q.reserve(0))();
  q.pushNow([1, 2]);
  (await q.reserve(0))(); // 2 < 3
  void q.push([3]);
  const r = reserving(q, 1);
  await tick();
  assert.equal(r.open(), false, "3 queued: no room");
  assert.deepEqual(q.takeAvailable(1), [1, 2]);
  await tick();
  assert.equal(r.open(), true, "1 queued after the take: room again");
});

test("reservations count like queued events until released; waiters are let in in order", async () => {
  const q = new EventQueue<number>(4);
  const first = await q.reserve(3); // 0 + 0 < 4: through; 3 expected
  const second = await q.reserve(3); // 0 + 3 < 4: through (a reservation may pass the mark once)
  const a = reserving(q, 2);
  const b = reserving(q, 2);
  await tick();
  assert.equal(a.open() || b.open(), false, "6 expected: no room");
  first(); // 3 expected: room for one of them
  first(); // a release counts once
  await tick();
  assert.equal(a.open(), true, "the first waiter reserved");
  assert.equal(b.open(), false, "5 expected once the first is in: the second waits");
  // The producer of `second` pushed its 3 events, then released: 3 queued + 2 expected.
  q.pushNow([1, 2, 3]);
  second();
  await tick();
  assert.equal(b.open(), false, "5 queued or expected");
  q.takeAvailable(10);
  await tick();
  assert.equal(b.open(), true, "2 expected after the take");
});

test("a higher mark lets waiters in; clear() releases every waiter; no mark means always room", async () => {
  const q = new EventQueue<number>(2);
  q.pushNow([1, 2]);
  const a = reserving(q, 1);
  await tick();
  assert.equal(a.open(), false);
  q.setHighWater(8);
  await tick();
  assert.equal(a.open(), true, "2 + 0 < 8");
  const b = reserving(q, 10);
  const c = reserving(q, 10);
  await tick();
  assert.equal(b.open(), true, "3 < 8");
  assert.equal(c.open(), false, "13 ≥ 8");
  const d = reserving(q, 0);
  await tick();
  assert.equal(d.open(), false, "behind a waiter: waits its turn");
  q.clear();
  await tick();
  assert.equal(c.open() && d.open(), true, "cleared: every waiter through");
  const unbounded = new EventQueue<number>();
  unbounded.pushNow(Array.from({ length: 10_000 }, (_, i) => i));
  (await unbounded.reserve(1000))();
});
