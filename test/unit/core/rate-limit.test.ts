import assert from "node:assert/strict";
import { test } from "node:test";
import { RateLimiter } from "../../../src/core/rate-limit.js";

test("RateLimiter allows at most `limit` calls in any window (fake clock)", async () => {
  let now = 0;
  const stamps: number[] = [];
  const limiter = new RateLimiter(
    10,
    1000,
    () => now,
    async (ms) => {
      now += ms;
    },
  );
  for (let i = 0; i < 35; i++) {
    await limiter.take();
    stamps.push(now);
  }
  for (let i = 10; i < stamps.length; i++) {
    assert.ok((stamps[i] as number) - (stamps[i - 10] as number) >= 1000, `call ${i} came too soon`);
  }
  assert.ok(now >= 3000 && now < 3100, `35 calls at 10/s take just over 3 s, took ${now}`);
});
