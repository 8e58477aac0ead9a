// `tail --input` on a file of 8 MiB or more renders in pieces (src/io/parallel-input.ts) on worker
// threads, or on the main thread with DYNASTREAM_INPUT_THREADS=0, through the fast path for the usual
// lines (src/render/fast-line.ts). Everything it writes must be what the sequential reader writes (the
// same file on stdin, `--input -`, which parses every line): the same bytes on stdout for every output
// format and input shape, the same error, line number and exit code for a bad line or bad bytes deep
// in the file, the same handling of a multi-line document.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN, CODE_CACHE_HOME, runCli, startCli } from "../helpers/cli.js";
import { largeNdjson, streamRecord } from "../helpers/large-input.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-input-parallel-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const MIN_BYTES = 8 * 1024 * 1024;

function image(i: number, v: number): Record<string, unknown> {
  return {
    pk: { S: `order-${i}` },
    n: { N: v === 0 ? "12345678901234567890.5" : String(i) },
    name: { S: i % 7 === 0 ? `Zoë ${i} — ✓ 𝄞` : `name ${i}` },
    m: { M: { a: { L: [{ N: "1" }, { S: "x" }] }, b: { BOOL: v === 1 } } },
    bin: { B: Buffer.from([i & 255, v]).toString("base64") },
    ...(v === 1 ? { added: { SS: ["a", "b"] } } : { gone: { NULL: true } }),
  };
}

function record(i: number): Record<string, unknown> {
  return streamRecord(i, (j, old) => image(j, old ? 0 : 1));
}

/** One input line of several shapes: a record, a Lambda event of two, a tail output line, a gap line. */
function line(i: number): string {
  switch (i % 5) {
    case 1:
      return JSON.stringify({ Records: [record(i), record(i + 1_000_000)] });
    case 2:
      return JSON.stringify({
        type: "record",
        shardId: `shardId-${i % 4}`,
        table: "Other",
        record: record(i),
      });
    case 3:
      return i % 1000 === 3
        ? JSON.stringify({ type: "gap", shardId: "shardId-1" })
        : JSON.stringify(record(i));
    default:
      return JSON.stringify(record(i));
  }
}

/** Writes lines until the file is past the threshold; `at` may replace one line. Returns its path. */
function inputFile(
  name: string,
  opts: { bom?: boolean; crlf?: boolean; at?: [number, string | Buffer] } = {},
) {
  const path = join(dir, name);
  writeFileSync(path, largeNdjson(line, opts));
  return path;
}

const threads = (n: number) => ({ PATH: process.env.PATH ?? "", DYNASTREAM_INPUT_THREADS: String(n) });

/**
 * The run of `args` (whose `--input` is a file) on two worker threads (`par`), checked to be the same
 * as on the main thread (DYNASTREAM_INPUT_THREADS=0) and as the same bytes on stdin (rendered in
 * pieces as they come), and the sequential reader's run (`seq`): `--count` with a count no file here
 * reaches keeps every run on the reader that parses every line.
 */
async function both(args: string[]) {
  const at = args.indexOf("--input") + 1;
  const path = args[at] as string;
  const seq = await runCli([...args, "--count", "1000000000"], { env: threads(0), timeoutMs: 300_000 });
  const par = await runCli(args, { env: threads(2), timeoutMs: 300_000 });
  const inline = await runCli(args, { env: threads(0), timeoutMs: 300_000 });
  assert.equal(inline.code, par.code);
  assert.ok(inline.stdout === par.stdout, "stdout on the main thread differs from the threads'");
  assert.equal(inline.stderr, par.stderr);
  const stdinArgs = args.map((a, i) => (i === at ? "-" : a));
  const piped = await runCli(stdinArgs, { env: threads(0), input: readFileSync(path), timeoutMs: 300_000 });
  // Both runs' codes and messages in the failure: this once failed in CI (the sequential run exited 0
  // where it exits 2) and did not fail again in 13 runs.
  assert.equal(
    piped.code,
    seq.code,
    `stdin: exit ${piped.code} (${piped.signal}) ${piped.stderr.slice(0, 300)} | sequential: exit ${seq.code} (${seq.signal}) ${seq.stderr.slice(0, 300)}, ${seq.stdout.length} characters out`,
  );
  // Before bytes that are not UTF-8, the records of the read that holds them are not written, and a
  // pipe's reads are not the file's (their sizes depend on the load): both write the records before
  // the bad line up to some read, so one output is a prefix of the other.
  if (/not valid UTF-8/.test(seq.stderr))
    assert.ok(seq.stdout.startsWith(piped.stdout) || piped.stdout.startsWith(seq.stdout), "not a prefix");
  else
    assert.ok(piped.stdout === seq.stdout, "stdout of stdin in pieces differs from the sequential reader's");
  assert.equal(piped.stderr, seq.stderr.replaceAll(`--input: ${path} `, "--input: stdin "));
  return { seq, par };
}

test("the threads are used for a large file (--debug says so), and not when turned off", async () => {
  const path = inputFile("debug.ndjson");
  const on = await runCli(["tail", "--input", path, "--debug"], { env: threads(2), timeoutMs: 300_000 });
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stderr, /--input: \d+ bytes, rendered by 2 worker threads/);
  const off = await runCli(["tail", "--input", path, "--debug"], { env: threads(0), timeoutMs: 300_000 });
  assert.equal(off.code, 0, off.stderr);
  assert.match(off.stderr, /--input: \d+ bytes, rendered in pieces on the main thread/);
  assert.doesNotMatch(off.stderr, /worker threads/);
  assert.equal(on.stdout, off.stdout);
});

for (const output of ["json", "pretty", "dynamodb-json", "raw"]) {
  test(`--output ${output}: byte-identical to the sequential reader (BOM, CRLF, blank lines, every shape)`, async () => {
    const path = inputFile(`shapes-${output}.ndjson`, { bom: true, crlf: true });
    const args = ["tail", "--input", path, "--output", output, "--no-color"];
    if (output === "pretty") args.push("--full");
    const { seq, par } = await both(args);
    assert.equal(seq.code, 0, seq.stderr);
    assert.equal(par.code, 0, par.stderr);
    assert.ok(seq.stdout.length > 1_000_000);
    assert.ok(par.stdout === seq.stdout, "stdout differs");
    assert.equal(par.stderr, seq.stderr);
  });
}

test("an invalid line deep in the file: the records before it, then the same error and line number", async () => {
  const path = inputFile("bad-json.ndjson", { at: [5_000, '{"eventName":"INSERT",'] });
  const { seq, par } = await both(["tail", "--input", path]);
  assert.equal(seq.code, 2);
  assert.equal(par.code, 2);
  assert.match(seq.stderr, /line 5001: invalid JSON/);
  assert.equal(par.stderr, seq.stderr);
  assert.ok(par.stdout === seq.stdout, "stdout differs");
});

test("a line that is JSON but no stream record, deep in the file: the same error", async () => {
  const path = inputFile("bad-shape.ndjson", { at: [4_001, '{"Item":{"pk":{"S":"x"}}}'] });
  const { seq, par } = await both(["tail", "--input", path]);
  assert.equal(seq.code, 2);
  assert.match(seq.stderr, /line 4002/);
  assert.equal(par.code, 2);
  assert.equal(par.stderr, seq.stderr);
  assert.ok(par.stdout === seq.stdout, "stdout differs");
});

test("bytes that are not UTF-8 deep in the file: the same error, nothing replaced", async () => {
  const path = inputFile("bad-utf8.ndjson", {
    at: [
      4_500,
      Buffer.concat([
        Buffer.from('{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}}}}'),
      ]),
    ],
  });
  const { seq, par } = await both(["tail", "--input", path]);
  assert.equal(seq.code, 2);
  assert.match(seq.stderr, /not valid UTF-8/);
  assert.equal(par.code, 2);
  assert.equal(par.stderr, seq.stderr);
  assert.ok(par.stdout.length <= seq.stdout.length);
  assert.ok(seq.stdout.startsWith(par.stdout), "parallel output is not a prefix of the sequential one");
  assert.doesNotMatch(par.stdout, /\uFFFD/);
});

test("one JSON document over many lines (a pretty-printed array) is read whole, as before", async () => {
  const records = [];
  for (let i = 0; i < 9000; i++) records.push(record(i));
  const path = join(dir, "document.json");
  writeFileSync(path, JSON.stringify(records, null, 2));
  const { seq, par } = await both(["tail", "--input", path]);
  assert.equal(seq.code, 0, seq.stderr);
  assert.equal(par.code, 0, par.stderr);
  assert.ok(par.stdout === seq.stdout, "stdout differs");
  assert.equal(par.stdout.split("\n").length, 9001);
});

test("a large file of blank lines: the same 'no records' error", async () => {
  const path = join(dir, "blank.ndjson");
  writeFileSync(path, " \n".repeat(MIN_BYTES / 2 + 10));
  const { seq, par } = await both(["tail", "--input", path]);
  assert.equal(seq.code, 2);
  assert.match(seq.stderr, /no records/);
  assert.equal(par.code, 2);
  assert.equal(par.stderr, seq.stderr);
});

test("a reader that leaves early (| head): exit 0, nothing on stderr", async () => {
  const path = inputFile("head.ndjson");
  // The subshell reports dynastream's own exit status on stderr (not head's).
  const sh = spawnSync(
    "sh",
    [
      "-c",
      `( "${process.execPath}" "${BIN}" tail --input "${path}"; echo "exit=$?" >&2 ) | head -c 100 > /dev/null`,
    ],
    { env: { ...threads(2), XDG_CACHE_HOME: CODE_CACHE_HOME }, encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(sh.stderr, "exit=0\n");
});

test("DYNASTREAM_INPUT_THREADS that is not a number: a warning, then the default", async () => {
  const path = join(dir, "small.ndjson");
  writeFileSync(path, `${JSON.stringify(record(1))}\n`);
  const r = await runCli(["tail", "--input", path], {
    env: { PATH: process.env.PATH ?? "", DYNASTREAM_INPUT_THREADS: "many" },
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /DYNASTREAM_INPUT_THREADS=many is not a number of threads/);
});

test("stdin: each record is written as its line comes, before the input ends (a live pipe)", async () => {
  const p = startCli(["tail", "--input", "-"], { env: threads(0) });
  try {
    p.child.stdin?.write(`${JSON.stringify(record(1))}\n`);
    const first = await p.waitForLines(1, 60_000);
    assert.match(first[0] as string, /"type":"record"/);
    p.child.stdin?.write(`${JSON.stringify(record(2))}\n`);
    await p.waitForLines(2, 60_000);
    p.child.stdin?.end();
    const r = await p.done;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.split("\n").length, 3);
  } finally {
    p.child.kill();
  }
});

test("stdin: a pretty-printed document (as aws dynamodbstreams get-records prints) is read whole", async () => {
  const doc = JSON.stringify({ Records: [record(1), record(2)] }, null, 2);
  const piped = await runCli(["tail", "--input", "-"], { env: threads(0), input: doc });
  assert.equal(piped.code, 0, piped.stderr);
  const path = join(dir, "doc-small.json");
  writeFileSync(path, doc);
  const file = await runCli(["tail", "--input", path], { env: threads(0) });
  assert.equal(piped.stdout, file.stdout);
  assert.equal(piped.stdout.trim().split("\n").length, 2);
});
