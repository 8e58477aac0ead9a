// io/input-threads.ts: how many worker threads a large input file gets. Without
// DYNASTREAM_INPUT_THREADS, none below the size from which they pay (each costs ~0.25 s to start and
// warm up); with it, what it says, whatever the size.
import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { inputThreads, THREADS_MIN_BYTES } from "../../../src/io/input-threads.js";

const MiB = 1024 * 1024;
const perProcessor = availableParallelism() >= 2 ? Math.min(4, availableParallelism()) : 0;

test("by default: none below the command's size, one per processor (at most 4) from it", async () => {
  for (const command of ["tail", "filter-test"] as const) {
    const min = THREADS_MIN_BYTES[command];
    assert.equal(await inputThreads({}, () => undefined, min - 1, command), 0);
    assert.equal(await inputThreads({}, () => undefined, min, command), perProcessor);
  }
  // tail's pieces on the main thread are fast enough that threads pay later than filter-test's.
  assert.ok(THREADS_MIN_BYTES.tail > THREADS_MIN_BYTES["filter-test"]);
  assert.equal(await inputThreads({}, () => undefined, 64 * MiB, "tail"), 0);
  assert.equal(await inputThreads({}, () => undefined, 64 * MiB, "filter-test"), perProcessor);
});

test("DYNASTREAM_INPUT_THREADS decides at any size; a bad value is warned about and ignored", async () => {
  assert.equal(await inputThreads({ DYNASTREAM_INPUT_THREADS: "2" }, () => undefined, 9 * MiB, "tail"), 2);
  assert.equal(await inputThreads({ DYNASTREAM_INPUT_THREADS: "0" }, () => undefined, 900 * MiB, "tail"), 0);
  const warnings: string[] = [];
  const n = await inputThreads({ DYNASTREAM_INPUT_THREADS: "x" }, (m) => warnings.push(m), 9 * MiB, "tail");
  assert.equal(n, 0);
  assert.equal(warnings.length, 1);
});
