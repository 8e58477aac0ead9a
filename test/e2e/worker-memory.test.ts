// The worker threads of `tail --input` and `filter-test --records` (src/io/parallel-chunks.ts) share
// their memory with the main thread and never transfer it: no thread of the process ever detaches an
// ArrayBuffer. The first detach in a thread makes V8 throw away all of that thread's optimised code,
// and the code it makes after that is slower (measured: a worker's second piece as slow as its first,
// every later one 15% slower). V8 says when it happens (--trace-protector-invalidation prints
// "Invalidating protector cell ArrayBufferDetaching" on stdout, once per thread): here it must never
// say so, in any output mode, while the output stays that of the main thread alone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN, CODE_CACHE_HOME } from "../helpers/cli.js";
import { largeNdjson, streamRecord } from "../helpers/large-input.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-worker-memory-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** An item's image: before (`old`) and after a change of its state, amount, labels and address. */
function image(i: number, old: boolean): Record<string, unknown> {
  const lines = [{ S: "x".repeat(300) }, { N: String(i) }];
  return {
    id: { S: `item-${i}` },
    state: { S: old || i % 2 === 0 ? "open" : "paid" },
    amount: { N: `${i}.${old ? 0 : 5}` },
    labels: { SS: old ? ["a", "b"] : ["a"] },
    address: { M: { city: { S: old ? "Oslo" : "Bergen" }, lines: { L: lines } } },
  };
}

const input = join(dir, "records.ndjson");
writeFileSync(
  input,
  largeNdjson((i) => JSON.stringify(streamRecord(i, image))),
);

const PATTERN = JSON.stringify({
  eventName: ["MODIFY"],
  dynamodb: { NewImage: { state: { S: ["paid"] } } },
});

/**
 * `dynastream ...args` under `node --trace-protector-invalidation`, with `threads` input threads: its
 * exit code, its stdout (the output, with V8's trace lines among it) and its stderr.
 */
function run(args: readonly string[], threads: number, trace: boolean) {
  const out = join(dir, `out-${threads}-${trace}.txt`);
  const fd = openSync(out, "w");
  try {
    const r = spawnSync(
      process.execPath,
      [...(trace ? ["--trace-protector-invalidation"] : []), BIN, ...args],
      {
        env: {
          PATH: process.env.PATH ?? "",
          XDG_CACHE_HOME: CODE_CACHE_HOME,
          DYNASTREAM_INPUT_THREADS: String(threads),
        },
        stdio: ["ignore", fd, "pipe"],
        encoding: "utf8",
        timeout: 120_000,
      },
    );
    return { code: r.status, stdout: readFileSync(out, "utf8"), stderr: r.stderr };
  } finally {
    closeSync(fd);
    rmSync(out, { force: true });
  }
}

const DETACH = "Invalidating protector cell ArrayBufferDetaching";

for (const [name, args] of [
  ["tail --input --output json", ["tail", "--input", input, "--output", "json"]],
  ["tail --input --output pretty", ["tail", "--input", input, "--output", "pretty", "--no-color"]],
  ["filter-test --records --json", ["filter-test", "--pattern", PATTERN, "--records", input, "--json"]],
  ["filter-test --records --summary", ["filter-test", "--pattern", PATTERN, "--records", input, "--summary"]],
] as const) {
  test(`${name} on two worker threads detaches no memory in any thread`, () => {
    const r = run(args, 2, true);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    const detached = lines.filter((l) => l.includes(DETACH));
    assert.deepEqual(detached, [], "a thread detached an ArrayBuffer (V8 threw its optimised code away)");
    // The output is the main thread's alone (the trace, if any, is only extra lines).
    const plain = run(args, 0, false);
    assert.equal(plain.code, r.code);
    assert.equal(r.stdout, plain.stdout);
  });
}

test("the check sees a detach: a run that detaches memory is reported", () => {
  // The same trace of a script that transfers an ArrayBuffer (detaching it), so that the tests above
  // cannot pass by the trace saying nothing at all.
  const r = spawnSync(
    process.execPath,
    [
      "--trace-protector-invalidation",
      "-e",
      "const b = new ArrayBuffer(8); structuredClone(b, { transfer: [b] }); console.log(b.byteLength)",
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.includes(DETACH), r.stdout);
});
