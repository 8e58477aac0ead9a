// io/input-work.ts: one chunk of `tail --input` rendered as the sequential reader would, with the
// line numbering, blank lines, BOM and errors the parallel path relies on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderChunk } from "../../../src/io/input-work.js";
import { readInputBatches } from "../../../src/io/record-input.js";
import { plainStyle } from "../../../src/render/style.js";
import { createInputRenderer, createTailFormatter } from "../../../src/render/tail-output.js";

const opts = { format: "json" as const, full: false, tz: "utc" as const, nowMs: Date.UTC(2024, 0, 1) };

function rec(i: number): string {
  return JSON.stringify({
    eventName: "MODIFY",
    dynamodb: {
      Keys: { pk: { S: `k${i}` } },
      NewImage: { pk: { S: `k${i}` }, v: { N: String(i) } },
      OldImage: { pk: { S: `k${i}` }, v: { N: "0" } },
      SequenceNumber: String(1000 + i),
    },
  });
}

async function* chunks(b: Buffer): AsyncGenerator<Buffer> {
  yield b;
}

async function sequential(text: string): Promise<string> {
  const formatter = createTailFormatter("json", { style: plainStyle, full: false, tz: "utc" });
  formatter.setNow(opts.nowMs);
  const render = createInputRenderer(formatter);
  let out = "";
  for await (const batch of readInputBatches({ stdin: chunks(Buffer.from(text)) }))
    for (const r of batch) out += render(r);
  return out;
}

const decode = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

test("two chunks cut at a line boundary give the sequential reader's text and line count", async () => {
  const lines = ["\uFEFF" + rec(0), "", "   ", rec(1), `${rec(2)}\r`, rec(3), rec(4)];
  const text = `${lines.join("\n")}\n`;
  const cut = text.indexOf(rec(3));
  const bytes = Buffer.from(text);
  const at = Buffer.byteLength(text.slice(0, cut));
  const a = renderChunk(bytes.subarray(0, at), true, opts);
  const b = renderChunk(bytes.subarray(at), false, opts);
  assert.equal(a.error, undefined);
  assert.equal(b.error, undefined);
  assert.equal(a.lines + b.lines, lines.length);
  assert.equal(a.records + b.records, 5);
  assert.equal(decode(a.bytes) + decode(b.bytes), await sequential(text));
  assert.equal(a.sawValue && !a.firstValueFailed, true);
});

test("a last line without a newline counts; a chunk of blank lines saw no value", () => {
  const r = renderChunk(Buffer.from(`${rec(1)}\n${rec(2)}`), false, opts);
  assert.equal(r.lines, 2);
  assert.equal(r.records, 2);
  const blank = renderChunk(Buffer.from("\n  \n\t\n"), false, opts);
  assert.equal(blank.sawValue, false);
  assert.equal(blank.records, 0);
  assert.equal(blank.bytes.length, 0);
});

test("a bad line stops the chunk: the records before it, and its number in the chunk", () => {
  const r = renderChunk(Buffer.from(`${rec(1)}\n\n{"eventName":\n${rec(2)}\n`), false, opts);
  assert.deepEqual(r.error, { kind: "line", rel: 3, line: '{"eventName":' });
  assert.equal(r.records, 1);
  assert.match(decode(r.bytes), /"k1"/);
});

test("a BOM is dropped only at the start of the file; elsewhere the line is not JSON", () => {
  const bom = `\uFEFF${rec(1)}\n`;
  assert.equal(renderChunk(Buffer.from(bom), true, opts).records, 1);
  const mid = renderChunk(Buffer.from(bom), false, opts);
  assert.equal(mid.error?.kind, "line");
  assert.equal(mid.firstValueFailed, true);
});

test("bytes that are not UTF-8: an error, no text", () => {
  const r = renderChunk(
    Buffer.concat([Buffer.from(`${rec(1)}\n`), Buffer.from([0xc3, 0x28, 0x0a])]),
    false,
    opts,
  );
  assert.deepEqual(r.error, { kind: "utf8" });
  assert.equal(r.bytes.length, 0);
});

test("at the start of the file, a first line that is not JSON on its own (a document) stops at once", () => {
  const r = renderChunk(Buffer.from(`[\n${rec(1)}\n]\n`), true, opts);
  assert.equal(r.firstValueFailed, true);
  assert.equal(r.error, undefined);
  assert.equal(r.records, 0);
});
