// The two call loops of aws/: following pages and polling for a state, on a virtual clock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { pages, waitForState } from "../../../src/aws/paging.js";
import { AwsError } from "../../../src/errors.js";

async function collect<P>(it: AsyncIterable<P>): Promise<P[]> {
  const out: P[] = [];
  for await (const p of it) out.push(p);
  return out;
}

test("pages: the first call has no token, each next one the token of the page before, until none", async () => {
  const asked: Array<string | undefined> = [];
  const all = await collect(
    pages(
      async (token: string | undefined) => {
        asked.push(token);
        const n = token === undefined ? 0 : Number(token);
        return { items: [n], next: n < 2 ? String(n + 1) : undefined };
      },
      (p) => p.next,
    ),
  );
  assert.deepEqual(asked, [undefined, "1", "2"]);
  assert.deepEqual(
    all.map((p) => p.items[0]),
    [0, 1, 2],
  );
});

test("pages: a page that repeats its own token ends the listing (no endless loop)", async () => {
  let calls = 0;
  const all = await collect(
    pages(
      async (token: string | undefined) => {
        calls++;
        return { next: token ?? "same" };
      },
      (p) => p.next,
    ),
  );
  assert.equal(calls, 2);
  assert.equal(all.length, 2);
});

test("pages: at most maxPages calls", async () => {
  let n = 0;
  const all = await collect(
    pages(
      async () => ({ next: String(++n) }),
      (p) => p.next,
      5,
    ),
  );
  assert.equal(all.length, 5);
});

function virtualClock() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

test("waitForState: polls 0.25 s doubling to 5 s until the target state, and returns its value", async () => {
  const clock = virtualClock();
  const states = [
    "CREATING",
    "UPDATING",
    "UPDATING",
    "UPDATING",
    "UPDATING",
    "UPDATING",
    "UPDATING",
    "ACTIVE",
  ];
  let i = 0;
  const value = await waitForState(clock, "table T", "ACTIVE", 60_000, async () => {
    const state = states[i];
    return { state, value: `read ${i++}` };
  });
  assert.equal(value, "read 7");
  assert.deepEqual(clock.sleeps, [250, 500, 1000, 2000, 4000, 5000, 5000]);
});

test("waitForState: past the timeout, an AwsError naming what and the state last seen", async () => {
  const clock = virtualClock();
  await assert.rejects(
    waitForState(clock, "stream", "ENABLED", 3000, async () => ({ state: "ENABLING", value: 0 })),
    (e: unknown) => e instanceof AwsError && e.message === "stream is still ENABLING after 3s",
  );
  assert.ok(clock.now() > 3000 && clock.now() < 3000 + 5000);
});

test("waitForState: an error thrown by read stops the wait at once", async () => {
  const clock = virtualClock();
  await assert.rejects(
    waitForState(clock, "destination", "ACTIVE", 60_000, async () => {
      throw new AwsError("ENABLE_FAILED");
    }),
    /ENABLE_FAILED/,
  );
  assert.deepEqual(clock.sleeps, []);
});
