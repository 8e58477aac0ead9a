// `tail --input`: records read in batches from files and stdin chunks, and every kind of bad input
// with the message it has always had.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { InputRecord } from "../../../src/core/record.js";
import type { RecordSource as InputSource } from "../../../src/io/json-input.js";
import { readInputBatches } from "../../../src/io/record-input.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-record-input-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): InputSource {
  const p = join(dir, name);
  writeFileSync(p, content);
  return { path: p };
}

function stdin(...chunks: (string | Buffer)[]): InputSource {
  return {
    stdin: (async function* () {
      for (const c of chunks) yield c;
    })(),
  };
}

const rec = (i: number, extra = ""): string =>
  `{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"k${i}"}},"NewImage":{"pk":{"S":"k${i}"}${extra}},"SequenceNumber":"${100 + i}"}}`;

async function all(source: InputSource): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const b of readInputBatches(source)) out.push(...b);
  return out;
}

/** The records handed over before the error, and the error's message. */
async function untilError(source: InputSource): Promise<{ keys: string[]; message: string }> {
  const keys: string[] = [];
  try {
    for await (const b of readInputBatches(source))
      for (const r of b) keys.push(r.record.dynamodb?.Keys?.pk?.S ?? "?");
  } catch (e) {
    return { keys, message: (e as Error).message };
  }
  return { keys, message: "" };
}

describe("readInputBatches", () => {
  it("many records in order, in non-empty batches, across chunk boundaries", async () => {
    const n = 1000;
    const text = Array.from({ length: n }, (_, i) => rec(i)).join("\n");
    const batches: number[] = [];
    const seen: string[] = [];
    for await (const b of readInputBatches(file("many.ndjson", text))) {
      assert.ok(b.length > 0);
      batches.push(b.length);
      for (const r of b) seen.push(r.record.dynamodb?.SequenceNumber ?? "");
    }
    assert.equal(seen.length, n);
    assert.deepEqual(
      seen,
      Array.from({ length: n }, (_, i) => String(100 + i)),
    );
    assert.ok(batches.length > 1);
  });

  it("stdin chunks split anywhere, even inside a character; CRLF, BOM, blank lines", async () => {
    const text = Buffer.from(`\ufeff${rec(1, ',"s":{"S":"€😀"}')}\r\n\r\n   \n\u00a0\n${rec(2)}\n`);
    for (let cut = 0; cut <= text.length; cut += 7) {
      const got = await all(stdin(text.subarray(0, cut), text.subarray(cut)));
      assert.deepEqual(
        got.map((r) => r.record.dynamodb?.Keys?.pk?.S),
        ["k1", "k2"],
      );
      assert.equal(got[0]?.record.dynamodb?.NewImage?.s?.S, "€😀");
    }
  });

  it("keeps numbers digit for digit and deep nesting", async () => {
    let deep = '{"N":"1"}';
    for (let i = 0; i < 200; i++) deep = `{"M":{"x":${deep}}}`;
    const [r] = await all(stdin(rec(1, `,"n":{"N":"123456789012345678901234567890.123456789"},"d":${deep}`)));
    assert.equal(r?.record.dynamodb?.NewImage?.n?.N, "123456789012345678901234567890.123456789");
  });

  it("tail NDJSON lines keep their shard, table and stream", async () => {
    const line = `{"type":"record","shardId":"s-1","table":"T","streamArn":"arn:x","record":${rec(1)}}`;
    const [r] = await all(stdin(`${line}\n{"type":"gap","shardId":"s-1"}\n`));
    assert.equal(r?.shardId, "s-1");
    assert.equal(r?.table, "T");
    assert.equal(r?.streamArn, "arn:x");
  });

  it("a pretty-printed document is read whole; an error names the line of the bad record", async () => {
    const got = await all(stdin(`{\n  "Records": [\n    ${rec(1)},\n    ${rec(2)}\n  ]\n}\n`));
    assert.equal(got.length, 2);
    const bad = await untilError(
      stdin(`[\n  ${rec(1)},\n\n  {"dynamodb":\n {"NewImage":{"a":{"N":5}}}}\n]\n`),
    );
    assert.deepEqual(bad.keys, ["k1"]);
    assert.equal(
      bad.message,
      "--input (stdin): line 4: dynamodb.NewImage.a: N must be a string, got number 5",
    );
  });

  it("records before a bad line are handed over, then the error names the line", async () => {
    const r = await untilError(stdin(`${rec(1)}\n${rec(2)}\n{oops\n${rec(4)}\n`));
    assert.deepEqual(r.keys, ["k1", "k2"]);
    assert.match(r.message, /^--input \(stdin\): line 3: invalid JSON: Unexpected character .* at column 2$/);
  });

  it("invalid DynamoDB JSON says what and where, as before", async () => {
    const bad = (img: string): Promise<{ message: string }> =>
      untilError(stdin(`${rec(1)}\n{"dynamodb":{"NewImage":${img}}}\n`));
    assert.equal(
      (await bad('{"price":{"N":5}}')).message,
      "--input (stdin): line 2: dynamodb.NewImage.price: N must be a string, got number 5",
    );
    assert.equal(
      (await bad('{"price":{"N":"12abc"}}')).message,
      '--input (stdin): line 2: dynamodb.NewImage.price: N "12abc" is not a number',
    );
    assert.equal(
      (await bad('{"a":{"S":"x","N":"1"}}')).message,
      '--input (stdin): line 2: dynamodb.NewImage.a: not a DynamoDB attribute value (expected exactly one of S, N, B, SS, NS, BS, M, L, NULL, BOOL; got keys ["S","N"])',
    );
    assert.equal(
      (await bad('{"a\\u0000b":{"B":"not base64!"}}')).message,
      '--input (stdin): line 2: dynamodb.NewImage["a\\u0000b"]: B must be base64 text, got string "not base64!"',
    );
  });

  it("bytes that are not UTF-8 are an error, in the first chunk or a later one", async () => {
    const latin1 = Buffer.from(`${rec(1)}\n{"s":"caf\xe9"}\n`, "latin1");
    assert.equal(
      (await untilError(file("latin1.ndjson", latin1))).message.split("\n")[0],
      `--input ${join(dir, "latin1.ndjson")} is not UTF-8 text: invalid byte 0xe9 at byte offset 122 (line 2)`,
    );
    const r = await untilError(stdin(Buffer.from(`${rec(1)}\n`), Buffer.from([0x7b, 0x0a, 0xff])));
    assert.equal(
      r.message,
      "--input (stdin) is not UTF-8 text: invalid byte 0xff at byte offset 115 (line 3)",
    );
    const cut = await untilError(stdin(Buffer.from(`${rec(1)}\n"\xe2\x82`, "latin1")));
    assert.match(
      cut.message,
      /^--input \(stdin\) is not UTF-8 text: invalid byte 0xe2 at byte offset 114 \(line 2\)$/,
    );
  });

  it("an empty input is an error", async () => {
    assert.equal((await untilError(stdin(""))).message, "--input (stdin) is empty");
    assert.equal((await untilError(stdin(" \n\n"))).message, "--input (stdin) is empty");
  });
});
