// render/fast-line.ts + createFastLineRenderer: the fast path of `tail --input` must write exactly
// what the general path (JSON.parse, normalizeInput, the renderers) writes, in every format, or
// decline the line. Generated records cover every attribute type, escapes, non-ASCII text, odd
// numbers, and the shapes the fast path must decline; hand-made lines cover the edges.
import assert from "node:assert/strict";
import { isUtf8 } from "node:buffer";
import { test } from "node:test";
import { DYNAMODB_FIELDS, normalizeInput } from "../../../src/core/record.js";
import { ByteSink } from "../../../src/render/fast-json-line.js";
import { MAX_FAST_LINE_BYTES, scanRecordLine } from "../../../src/render/fast-line.js";
import { createFastLineRenderer } from "../../../src/render/fast-renderer.js";
import { plainStyle } from "../../../src/render/style.js";
import type { TailFormat } from "../../../src/render/tail-output.js";
import { createInputRenderer, createTailFormatter } from "../../../src/render/tail-output.js";
import { random } from "../../helpers/random.js";
import { record } from "../../helpers/stream-records.js";

const NOW = Date.UTC(2024, 0, 1);
const FORMATS: TailFormat[] = ["json", "dynamodb-json", "pretty"];

function renderers(format: TailFormat, full = false) {
  const formatter = createTailFormatter(format, { style: plainStyle, full, tz: "utc" });
  formatter.setNow(NOW);
  const fast = createFastLineRenderer(format, formatter);
  assert.ok(fast);
  return { fast, general: createInputRenderer(formatter) };
}

/** The general path's text for a line, or "error" when it rejects the line. */
function general(line: string, render: ReturnType<typeof renderers>["general"]): string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "error";
  }
  const r = normalizeInput(value);
  if (!r.ok) return "error";
  return r.records.map((record) => render({ record })).join("");
}

/** Checks one line in every format; returns whether the fast path took it. */
function check(line: string, full = false): boolean {
  let taken: boolean | undefined;
  for (const format of FORMATS) {
    const { fast, general: g } = renderers(format, full);
    // The line inside a chunk, as the workers have it; the sink already holds the line before.
    const before = '{"before":1}\n';
    const buf = Buffer.from(`${before}${line}\n{"after":2}`, "utf8");
    const start = Buffer.byteLength(before);
    const sink = new ByteSink();
    sink.text("before\n");
    const ok = fast(buf, start, start + Buffer.byteLength(line), sink);
    const got = Buffer.from(sink.take()).toString("utf8");
    if (ok) assert.equal(got, `before\n${general(line, g)}`, `${format}: ${line}`);
    else assert.equal(got, "before\n", "a declined line writes nothing");
    assert.ok(taken === undefined || taken === ok, "taken in one format, not in another");
    taken = ok;
  }
  return taken === true;
}

test("generated records: the fast path writes what the general path writes, in every format", () => {
  const rnd = random(7);
  let taken = 0;
  const n = 3000;
  for (let i = 0; i < n; i++) {
    const line = JSON.stringify(record(rnd, i));
    if (check(line, i % 5 === 0)) taken++;
  }
  // Most generated lines are ones it takes (the rest have integer-like names, or escapes that
  // JSON.stringify writes but a file might not).
  assert.ok(taken > n * 0.6, `taken ${taken} of ${n}`);
});

test("mutated lines (a byte inserted, removed or replaced): never taken unless rendered the same", () => {
  // Mostly lines that are not JSON, not records, or not compact any more: whatever the fast path
  // takes must come out as the general path writes it, and nothing the general path rejects may pass.
  const rnd = random(11);
  const MUTATIONS = [
    '"',
    "\\",
    " ",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "0",
    "-",
    ".",
    "e",
    "\u0001",
    "é",
    "n",
    "t",
    "\\u0041",
    "\\n",
    "1",
  ];
  let taken = 0;
  let tried = 0;
  for (let i = 0; i < 500; i++) {
    const line = Buffer.from(JSON.stringify(record(rnd, i)));
    for (let m = 0; m < 4; m++) {
      const at = rnd(line.length);
      const insert = Buffer.from(MUTATIONS[rnd(MUTATIONS.length)] as string);
      const kind = rnd(3);
      const mutated = Buffer.concat([
        line.subarray(0, at),
        kind === 1 ? Buffer.alloc(0) : insert,
        line.subarray(kind === 0 ? at : at + 1),
      ]);
      // As the readers see it: UTF-8 text (a cut character is not a line they would get).
      if (!isUtf8(mutated)) continue;
      tried++;
      if (check(mutated.toString("utf8"))) taken++;
    }
  }
  assert.ok(taken > 0 && taken < tried, `taken ${taken} of ${tried}`);
});

test("common records are taken", () => {
  const line = JSON.stringify({
    eventID: "1",
    eventName: "MODIFY",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: 1704110405,
      Keys: { pk: { S: "a" } },
      NewImage: { pk: { S: "a" }, n: { N: "2" }, m: { M: { x: { L: [{ S: "y" }, { NULL: true }] } } } },
      OldImage: {
        pk: { S: "a" },
        n: { N: "1" },
        m: { M: { x: { L: [{ S: "z" }] } } },
        gone: { BOOL: false },
      },
      SequenceNumber: "111",
      SizeBytes: 59,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024-01-01T00:00:00.000",
  });
  assert.equal(check(line), true);
  // SDK shape (no eventSourceARN), KEYS_ONLY, and an empty image.
  assert.equal(
    check('{"eventName":"INSERT","dynamodb":{"Keys":{"k":{"S":"a"}},"SequenceNumber":"1"}}'),
    true,
  );
  assert.equal(check('{"eventName":"MODIFY","dynamodb":{"NewImage":{},"OldImage":{}}}'), true);
  assert.equal(check('{"eventName":"REMOVE","dynamodb":{"OldImage":{"k":{"S":"a"}},"NewImage":null}}'), true);
});

test("records in Lambda's field order (whose line can be the Lambda record's text) and out of it", () => {
  // The json writer copies such a line whole as the `record` when its creation time and size read
  // as they are written: times in milliseconds or with a fraction, sizes like 59.0, null images,
  // and fields out of order must come out as the general path writes them all the same.
  const rnd = random(23);
  let taken = 0;
  for (let i = 0; i < 400; i++) {
    const r = record(rnd, i) as { dynamodb: Record<string, unknown> } & Record<string, unknown>;
    const d: Record<string, unknown> = {};
    for (const k of DYNAMODB_FIELDS) if (k in r.dynamodb && rnd(8) > 0) d[k] = r.dynamodb[k];
    if (rnd(6) === 0) d[["Keys", "NewImage", "OldImage"][rnd(3)] as string] = null;
    const top: Record<string, unknown> = {};
    for (const k of Object.keys(r)) top[k] = k === "dynamodb" ? d : r[k];
    let line = JSON.stringify(rnd(10) === 0 ? { dynamodb: d, ...top } : top);
    const v = rnd(6);
    if (v === 0) line = line.replace(/"SizeBytes":(\d+)/, '"SizeBytes":$1.0');
    else if (v === 1)
      line = line.replace(/"ApproximateCreationDateTime":(\d+)/, '"ApproximateCreationDateTime":$1.0');
    else if (v === 2) line = line.replace(/"SizeBytes":(\d+)/, '"SizeBytes":$1e0');
    if (check(line)) taken++;
  }
  assert.ok(taken > 300, `taken ${taken} of 400`);
});

test("lines it must decline (the general path decides) and lines the general path rejects", () => {
  const base = (d: string, top = ""): string => `{"eventName":"MODIFY"${top},"dynamodb":{${d}}}`;
  const cases: [string, boolean][] = [
    // white space, other shapes, other fields
    ['{ "eventName":"MODIFY","dynamodb":{}}', false],
    [base('"Keys":{"k": {"S":"a"}}'), false],
    ['{"Records":[{"eventName":"MODIFY","dynamodb":{}}]}', false],
    ['{"type":"record","record":{"eventName":"MODIFY","dynamodb":{}}}', false],
    ['{"type":"gap","shardId":"s"}', false],
    [
      base(
        '"Keys":{"k":{"S":"a"}}',
        ',"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"}',
      ),
      false,
    ],
    [base('"Keys":{"k":{"S":"a"}}', ',"other":1'), false],
    [base('"Keys":{"k":{"S":"a"}},"Other":1'), false],
    [base('"ApproximateCreationDateTime":"2024-01-01T00:00:00Z"'), false],
    // escapes JSON.stringify would write differently
    [base('"Keys":{"k":{"S":"\\u0041"}}'), false],
    [base('"Keys":{"k":{"S":"a\\/b"}}'), false],
    [base('"Keys":{"k":{"S":"\\u001F"}}'), false],
    [base('"Keys":{"k":{"S":"\\ud83d\\ude00"}}'), false],
    [base('"Keys":{"k":{"S":"\\u000a"}}'), false],
    // ones it takes: escapes as JSON.stringify writes them
    [base('"Keys":{"k":{"S":"a\\"b\\\\c\\n\\u0001"}}'), true],
    // names: duplicates, integer-like
    [base('"Keys":{"k":{"S":"a"},"k":{"S":"b"}}'), false],
    [base('"NewImage":{"b":{"S":"a"},"1":{"S":"b"}},"OldImage":{"b":{"S":"a"}}'), false],
    [base('"NewImage":{"01":{"S":"a"},"4294967295":{"S":"b"}},"OldImage":{}'), true],
    ['{"eventName":"MODIFY","eventName":"INSERT","dynamodb":{}}', false],
    // invalid values (the general path rejects them)
    [base('"Keys":{"k":{"N":"abc"}}'), false],
    [base('"Keys":{"k":{"N":""}}'), false],
    [base('"Keys":{"k":{"B":"***"}}'), false],
    [base('"Keys":{"k":{"NULL":false}}'), false],
    [base('"Keys":{"k":{"S":1}}'), false],
    [base('"Keys":{"k":{"S":"a","N":"1"}}'), false],
    [base('"Keys":{"k":{}}'), false],
    [base('"Keys":{"k":{"X":"a"}}'), false],
    [base('"Keys":[]'), false],
    [base('"SequenceNumber":"12a"'), false],
    [base('"SequenceNumber":""'), false],
    ['{"eventName":"UPDATE","dynamodb":{}}', false],
    ['{"eventName":"MODIFY","dynamodb":{}} ', false],
    ['{"eventName":"MODIFY","dynamodb":{}}x', false],
    ['{"eventName":"MODIFY","dynamodb":{}', false],
    ['{"eventName":"MODIFY"}', false],
    [base('"Keys":{"k":{"S":"a\u0001"}}'), false],
    [base('"SizeBytes":1e999'), false],
    // numbers: a JSON number token unquoted, another decimal quoted
    [base('"NewImage":{"a":{"N":"1E+40"},"b":{"NS":["+1",".5","2"]}},"OldImage":{"a":{"N":"1e40"}}'), true],
    [base('"NewImage":{"a":{"N":"1.0"}},"OldImage":{"a":{"N":"1"}}'), true],
    [base('"SizeBytes":1.50,"ApproximateCreationDateTime":1704110405000'), true],
  ];
  for (const [line, taken] of cases) assert.equal(check(line), taken, line);
});

test("a deep or wide record is taken or declined, never wrong", () => {
  let v: unknown = { S: "leaf" };
  for (let i = 0; i < 40; i++) v = { M: { m: v } };
  let w: unknown = { S: "leaf" };
  for (let i = 0; i < 70; i++) w = { L: [w] };
  const wide: Record<string, unknown> = {};
  for (let i = 0; i < 3000; i++) wide[`a${i}`] = { N: String(i) };
  const wide2 = { ...wide, a7: { N: "8" } };
  for (const [o, n] of [
    [{ d: v }, { d: { M: { m: { S: "x" } } } }],
    [{ d: w }, { d: { L: [] } }],
    [wide, wide2],
  ]) {
    check(JSON.stringify({ eventName: "MODIFY", dynamodb: { OldImage: o, NewImage: n } }));
  }
});

test("the scanner leaves no state behind: a declined line does not change the next one", () => {
  const bad = Buffer.from('{"eventName":"MODIFY","dynamodb":{"Keys":{"k":{"S":"a"},"k":{"S":"b"}}}}');
  assert.equal(scanRecordLine(bad, 0, bad.length), undefined);
  assert.equal(check('{"eventName":"INSERT","dynamodb":{"Keys":{"k":{"S":"é"}}}}'), true);
});

test("a line longer than any stream record goes the general way (the scanner's tables stay bounded)", () => {
  const line = (n: number) =>
    JSON.stringify({
      eventName: "INSERT",
      dynamodb: { Keys: { k: { S: "a" } }, NewImage: { big: { S: "x".repeat(n) } } },
    });
  const overhead = Buffer.byteLength(line(0));
  assert.equal(check(line(MAX_FAST_LINE_BYTES - overhead)), true, "a line of the limit is taken");
  assert.equal(check(line(MAX_FAST_LINE_BYTES - overhead + 1)), false, "one byte more is not");
});

test("strings are read four bytes at a time: a quote, backslash, control or wide byte is seen at any offset", () => {
  // The scanner's string loops skip words of four plain bytes; each special byte, at each offset
  // of a word, in names, values, numbers' text and top-level fields.
  const specials = ['\\"', "\\\\", "\\n", "\\u0001", "\\u001f", "é", "€", "\u007f", "~", " "];
  const raw = ["\u0001", "\u001f", "\t"];
  for (let pad = 0; pad < 8; pad++) {
    const a = "abcdefgh".slice(0, pad);
    for (const sp of specials) {
      const v = `${a}${sp}xyzw${sp}`;
      const line = `{"eventID":"${v}","eventName":"MODIFY","dynamodb":{"Keys":{"${v}":{"S":"${v}"}},"NewImage":{"k":{"S":"${v}"},"l":{"SS":["${v}"]}},"OldImage":{"k":{"S":"${a}"},"l":{"SS":["${a}"]}},"SequenceNumber":"1"}}`;
      assert.equal(check(line), true, line);
    }
    for (const r of raw) {
      assert.equal(check(`{"eventName":"MODIFY","dynamodb":{"Keys":{"k":{"S":"${a}${r}xyzw"}}}}`), false);
      assert.equal(check(`{"eventID":"${a}${r}xyzw","eventName":"MODIFY","dynamodb":{}}`), false);
    }
    // A string that runs to the end of the line without its closing quote.
    assert.equal(check(`{"eventName":"MODIFY","dynamodb":{"Keys":{"k":{"S":"${a}xyzwxyzw`), false);
  }
});
