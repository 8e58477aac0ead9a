// `filter-test --records` on a file of 8 MiB or more reads on worker threads (src/io/parallel-filter.ts).
// Everything it writes must be what the sequential run writes (DYNASTREAM_INPUT_THREADS=0): the same
// bytes on stdout and stderr and the same exit code in every output mode, for every input shape; the
// same error, line number and output before it for a bad line or bad bytes deep in the file; the same
// handling of a multi-line document and of inputs too small to leave unexplained.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { BIN, type CliResult, CODE_CACHE_HOME, runCli } from "../helpers/cli.js";
import { largeNdjson, streamRecord } from "../helpers/large-input.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-filter-parallel-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const MIB = 1024 * 1024;
const MIN_BYTES = 8 * MIB;
const STATUSES = ["pending", "paid", "shipped", "delivered"];

function image(i: number, old: boolean): Record<string, unknown> {
  return {
    pk: { S: `order-${i}` },
    status: { S: STATUSES[(i + (old ? 1 : 0)) % 4] },
    total: { N: String(i % 300) },
    name: { S: i % 7 === 0 ? `Zoë ${i} — ✓ 𝄞` : `name ${i}` },
    pad: { S: "x".repeat(200) },
  };
}

/** A record in the Lambda shape. */
const lambda = (i: number): Record<string, unknown> => streamRecord(i, image);

/** The same record in the SDK's shape (ISO time, upper-case userIdentity): converted before matching. */
function sdk(i: number): Record<string, unknown> {
  const r = lambda(i);
  const d = r.dynamodb as Record<string, unknown>;
  return {
    ...r,
    dynamodb: {
      ...d,
      ApproximateCreationDateTime: new Date((1704110400 + (i % 86400)) * 1000).toISOString(),
    },
    userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" },
  };
}

/** The input's lines, by line number modulo 6: records in both shapes, a Lambda event, tail's output. */
const SHAPES: Array<(i: number) => unknown> = [
  lambda,
  lambda,
  (i) => ({ Records: [lambda(i), sdk(i + 1_000_000)] }),
  (i) => ({ type: "record", shardId: `shardId-${i % 4}`, table: "Orders", record: lambda(i) }),
  sdk,
  // now and then a gap line (no record)
  (i) => (i % 500 === 5 ? { type: "gap", shardId: "shardId-1" } : lambda(i)),
];

const line = (i: number): string => JSON.stringify((SHAPES[i % SHAPES.length] as (i: number) => unknown)(i));

/** Lines past the threshold (see largeNdjson); `at` replaces one line. */
function inputBytes(opts: { bom?: boolean; crlf?: boolean; at?: [number, string | Buffer] } = {}): Buffer {
  return largeNdjson(line, { ...opts, blank: " \t " });
}

function write(name: string, bytes: Buffer | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const SHIPPED = '{"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}';
const INSERT_PREFIX = '{"eventName":["INSERT"],"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"order-1"}]}}}}';
const PATTERNS = ["--pattern", SHIPPED, "--pattern", INSERT_PREFIX];

const threads = (n: number | string) => ({
  PATH: process.env.PATH ?? "",
  DYNASTREAM_INPUT_THREADS: String(n),
});

async function both(args: string[]): Promise<{ seq: CliResult; par: CliResult }> {
  const full = ["filter-test", ...args, "--no-color"];
  const seq = await runCli(full, { env: threads(0), timeoutMs: 300_000 });
  const par = await runCli(full, { env: threads(2), timeoutMs: 300_000 });
  return { seq, par };
}

/** The threaded run wrote exactly what the sequential one wrote, and exited alike. */
function same(seq: CliResult, par: CliResult): void {
  assert.equal(par.code, seq.code, par.stderr);
  assert.equal(par.stderr, seq.stderr);
  assert.ok(
    par.stdout === seq.stdout,
    `stdout differs (${par.stdout.length} vs ${seq.stdout.length} characters)`,
  );
}

const shapes = write("shapes.ndjson", inputBytes({ bom: true, crlf: true }));

test("the threads are used for a large file (--debug says so), and not when turned off", async () => {
  const args = ["filter-test", ...PATTERNS, "--records", shapes, "--summary", "--debug"];
  const on = await runCli(args, { env: threads(2), timeoutMs: 300_000 });
  assert.equal(on.code, 0, on.stderr);
  assert.match(on.stderr, /--records .*shapes\.ndjson: \d+ bytes, read by 2 worker threads/);
  const off = await runCli(args, { env: threads(0), timeoutMs: 300_000 });
  assert.equal(off.code, 0, off.stderr);
  assert.doesNotMatch(off.stderr, /worker threads/);
  assert.equal(on.stdout, off.stdout);
});

const MODES: string[][] = [
  [],
  ["--json"],
  ["--summary"],
  ["--summary", "--json"],
  ["--explain"],
  ["--explain", "--json"],
  ["--no-explain", "--json"],
  ["--expect", "match"],
  ["--expect", "match", "--summary", "--json"],
  ["--expect", "no-match", "--json"],
];

for (const mode of MODES) {
  test(`${mode.join(" ") || "pretty"}: byte-identical to the sequential run (BOM, CRLF, blank lines, every shape)`, async () => {
    const { seq, par } = await both([...PATTERNS, "--records", shapes, ...mode]);
    assert.ok(seq.code === 0 || seq.code === 1, seq.stderr);
    if (!mode.includes("--summary")) assert.ok(seq.stdout.length > 300_000);
    if (mode.includes("--expect")) assert.match(seq.stderr, /records disagree: record #\d+ /);
    same(seq, par);
  });
}

test("an invalid line deep in the file: the records before it, then the same error and line number", async () => {
  const path = write("bad-json.ndjson", inputBytes({ at: [5_000, '{"eventName":"INSERT",'] }));
  for (const mode of [[], ["--json"]]) {
    const { seq, par } = await both([...PATTERNS, "--records", path, ...mode]);
    assert.equal(seq.code, 2);
    assert.match(seq.stderr, /line 5001: invalid JSON/);
    same(seq, par);
  }
  // Every record before the line is counted (and written), not only those of earlier batches.
  const { seq } = await both([...PATTERNS, "--records", path, "--json", "--summary"]);
  const doc = JSON.parse(seq.stdout) as { total: number };
  const before = Array.from({ length: 5000 }, (_, i) => i).filter((i) => i % 97 !== 0);
  const records = before.reduce((n, i) => n + (i % 6 === 2 ? 2 : i % 6 === 5 && i % 500 === 5 ? 0 : 1), 0);
  assert.equal(doc.total, records);
});

test("a line that is JSON but no stream record, deep in the file: the same error", async () => {
  const path = write("bad-shape.ndjson", inputBytes({ at: [4_001, '{"Item":{"pk":{"S":"x"}}}'] }));
  const { seq, par } = await both([...PATTERNS, "--records", path, "--json"]);
  assert.equal(seq.code, 2);
  assert.match(seq.stderr, /line 4002/);
  same(seq, par);
});

/** Whether `b` holds `n` bytes of a string's "x" padding from `at` on. */
function padding(b: Buffer, at: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (b[at + k] !== 0x78) return false;
  return true;
}

/**
 * The input with `bytes` written over its padding: at the first padding from `near` on, or, `exact`,
 * at `near` itself (the last padding before it is moved there by indenting its line: JSON allows it).
 */
function corrupt(name: string, near: number, bytes: number[], exact = false): string {
  let b = inputBytes();
  let at = near;
  if (exact) {
    let q = near;
    while (!padding(b, q, bytes.length)) q--;
    const lineStart = b.lastIndexOf(10, q) + 1;
    b = Buffer.concat([b.subarray(0, lineStart), Buffer.alloc(near - q, " "), b.subarray(lineStart)]);
  } else while (!padding(b, at, bytes.length)) at++;
  assert.ok(padding(b, at, bytes.length));
  for (let k = 0; k < bytes.length; k++) b[at + k] = bytes[k] as number;
  return write(name, b);
}

test("bytes that are not UTF-8 deep in the file: the same error, offset and line, after the same records", async () => {
  const cases: Array<[string, string]> = [
    ["in the middle of a read", corrupt("utf8-middle.ndjson", 5 * MIB + 300_000, [0xff])],
    // Reads are 1 MiB: these bytes come after the last newline of a read (in the piece that follows).
    ["after the last newline of a read", corrupt("utf8-carry.ndjson", 6 * MIB - 2, [0xfe], true)],
    // A lead byte ending one read, and a byte that cannot continue it beginning the next.
    ["a character cut by a read boundary", corrupt("utf8-cut.ndjson", 3 * MIB - 1, [0xe2, 0x28], true)],
    // A file that ends in the middle of a character (no newline after it).
    [
      "at the end of the file",
      write("utf8-end.ndjson", Buffer.concat([inputBytes(), Buffer.from([0xe2, 0x82])])),
    ],
  ];
  for (const [what, path] of cases) {
    const { seq, par } = await both([...PATTERNS, "--records", path, "--json"]);
    assert.equal(seq.code, 2, what);
    assert.match(
      seq.stderr,
      /is not UTF-8 text: invalid byte 0x[0-9a-f]{2} at byte offset \d+ \(line \d+\)/,
      what,
    );
    assert.doesNotMatch(par.stdout, /\uFFFD/, what);
    same(seq, par);
  }
});

test("one JSON document over many lines (a pretty-printed array, a Lambda event) is read whole, as before", async () => {
  const records = [];
  for (let i = 0; records.length < 9000; i++) records.push(lambda(i));
  const array = write("document.json", JSON.stringify(records, null, 2));
  const event = write("event.json", JSON.stringify({ Records: records }, null, 1));
  for (const path of [array, event]) {
    const { seq, par } = await both([...PATTERNS, "--records", path, "--json", "--debug"]);
    assert.equal(seq.code, 0, seq.stderr);
    assert.match(par.stderr, /read by 2 worker threads/);
    assert.match(par.stderr, /read again on one thread/);
    assert.equal(par.stdout, seq.stdout);
    assert.equal((JSON.parse(seq.stdout) as { total: number }).total, 9000);
  }
});

test("at most 20 records in a large file are all explained, as the sequential run does", async () => {
  const parts: string[] = [];
  for (let i = 0; i < 12; i++) parts.push(line(i), " ".repeat(MIB));
  const path = write("few.ndjson", parts.join("\n"));
  for (const mode of [[], ["--json"]]) {
    const { seq, par } = await both([...PATTERNS, "--records", path, ...mode]);
    assert.equal(seq.code, 0, seq.stderr);
    same(seq, par);
  }
  const { par } = await both([...PATTERNS, "--records", path, "--json"]);
  assert.equal((JSON.parse(par.stdout) as { explained: boolean }).explained, true);
});

test("a bad line after a few records in a large file: the same records, explained, then the error", async () => {
  const parts: string[] = [];
  for (let i = 0; i < 9; i++) parts.push(line(i), " ".repeat(MIB));
  parts.push("{not json");
  const path = write("few-then-bad.ndjson", parts.join("\n"));
  const { seq, par } = await both([...PATTERNS, "--records", path, "--json"]);
  assert.equal(seq.code, 2);
  assert.match(seq.stderr, /line 19: invalid JSON/);
  same(seq, par);
});

test("a large file of blank lines: the same 'is empty' error", async () => {
  const path = write("blank.ndjson", " \n".repeat(MIN_BYTES / 2 + 10));
  const { seq, par } = await both([...PATTERNS, "--records", path]);
  assert.equal(seq.code, 2);
  assert.match(seq.stderr, /is empty/);
  same(seq, par);
});

test("a reader that leaves early (| head): exit 0, nothing on stderr", () => {
  // The subshell reports dynastream's own exit status on stderr (not head's).
  const sh = spawnSync(
    "sh",
    [
      "-c",
      `( "${process.execPath}" "${BIN}" filter-test --pattern '${SHIPPED}' --records "${shapes}" --json; echo "exit=$?" >&2 ) | head -c 100 > /dev/null`,
    ],
    { env: { ...threads(2), XDG_CACHE_HOME: CODE_CACHE_HOME }, encoding: "utf8", timeout: 300_000 },
  );
  assert.equal(sh.stderr, "exit=0\n");
});

/** Runs the command on a terminal (util-linux `script` gives it one): what the terminal shows. */
function onTerminal(args: string[], threadCount: number): { status: number | null; text: string } {
  const cmd = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ");
  const r = spawnSync("script", ["-qec", cmd, "/dev/null"], {
    env: { ...threads(threadCount), XDG_CACHE_HOME: CODE_CACHE_HOME, TERM: "xterm-256color" },
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 1 << 28,
  });
  return { status: r.status, text: r.stdout };
}

const hasScript = spawnSync("script", ["--version"]).status === 0;

test("on a terminal: the same colours", { skip: !hasScript && "no util-linux script" }, () => {
  const args = ["filter-test", ...PATTERNS, "--records", shapes, "--expect", "match"];
  const seq = onTerminal(args, 0);
  const par = onTerminal(args, 2);
  assert.equal(seq.status, 1);
  assert.match(seq.text, /\x1b\[32mMATCH filter #1/);
  assert.equal(par.status, seq.status);
  assert.ok(par.text === seq.text, "the terminal shows something else");
  assert.match(onTerminal([...args, "--summary", "--debug"], 2).text, /read by 2 worker threads/);
});

test("DYNASTREAM_INPUT_THREADS that is not a number of threads: a warning, then the default", async () => {
  for (const bad of ["many", "-1", "65", "2.5"]) {
    const r = await runCli(["filter-test", ...PATTERNS, "--records", shapes, "--summary", "--debug"], {
      env: threads(bad),
      timeoutMs: 300_000,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.stderr.includes(
        `DYNASTREAM_INPUT_THREADS=${bad} is not a number of threads (0-64): using the default`,
      ),
      r.stderr,
    );
  }
});
