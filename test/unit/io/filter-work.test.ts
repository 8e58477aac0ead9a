// io/filter-work.ts: pieces of a records file evaluated apart (as the worker threads do), their counts
// added up in order and their results rendered at their place, give the sequential run's text exactly:
// every output format, --explain, --expect (the first disagreeing records of the whole input keep
// their explanation), --summary; and a failing line's number comes out as the sequential reader's.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildFilterSet, type Expectation, runRecords, Tally } from "../../../src/core/filter-run.js";
import { readJsonValues } from "../../../src/io/filter-input.js";
import { projectRecordLine, setSimple } from "../../../src/io/filter-line.js";
import {
  continueAfterResults,
  createFilterWork,
  evaluateChunk,
  type FilterWorkOptions,
  renderHeld,
} from "../../../src/io/filter-work.js";
import type { SlicingBuffer } from "../../../src/io/utf8.js";
import { createRecordsRenderer, type FilterTestFormat } from "../../../src/render/filter-test.js";
import { plainStyle } from "../../../src/render/style.js";
import { random } from "../../helpers/random.js";
import { record as generatedRecord } from "../../helpers/stream-records.js";

const SOURCES = [
  { text: '{"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}', origin: "--pattern 1" },
  { text: '{"eventName":["INSERT"]}', origin: "--pattern 2" },
];

function record(i: number): string {
  const name = i % 3 === 0 ? "INSERT" : i % 3 === 1 ? "MODIFY" : "REMOVE";
  return JSON.stringify({
    eventID: `e${i}`,
    eventName: name,
    eventSource: "aws:dynamodb",
    dynamodb: {
      Keys: { pk: { S: `k${i}` } },
      ...(name !== "REMOVE" ? { NewImage: { status: { S: i % 4 === 0 ? "shipped" : "paid" } } } : {}),
      SequenceNumber: String(100 + i),
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  });
}

/** 60 records over 63 lines: a BOM, CRLF, blank lines, a Lambda event of two records, a SDK-shaped one. */
function input(): string {
  const lines: string[] = [];
  for (let i = 0; i < 58; i++) {
    if (i === 7) lines.push(" ");
    if (i === 20) lines.push(JSON.stringify({ Records: [JSON.parse(record(100)), JSON.parse(record(101))] }));
    if (i === 40) lines.push("");
    lines.push(record(i));
  }
  return `\ufeff${lines.join("\r\n")}\r\n`;
}

async function* once(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

const ctx = { dialect: "lambda" as const, filters: SOURCES };

/** The sequential run's stdout (header, results, footer). */
async function sequential(text: string, o: FilterWorkOptions): Promise<string> {
  const built = buildFilterSet(SOURCES);
  assert.ok(built.ok);
  const renderer = createRecordsRenderer(o.format, ctx, {
    style: plainStyle,
    summaryOnly: o.summaryOnly,
    expect: o.expect,
  });
  let out = renderer.header();
  const outcome = await runRecords(
    built.set.criteria,
    SOURCES.length,
    readJsonValues({ stdin: once(text) }, "--records x"),
    (rs) => {
      out += renderer.results(rs);
    },
    { explain: o.explain, expect: o.expect },
  );
  assert.equal(outcome.error, undefined);
  return out + renderer.footer({ tally: outcome.tally, explained: o.explain, warnings: [] });
}

/** The text cut after the given lines (each piece ends at a newline, as the main thread cuts). */
function cut(text: string, after: number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const pieces: Buffer[] = [];
  let from = 0;
  let line = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 10) continue;
    line++;
    if (after.includes(line)) {
      pieces.push(bytes.subarray(from, i + 1));
      from = i + 1;
    }
  }
  pieces.push(bytes.subarray(from));
  return pieces;
}

/** The pieces evaluated apart, counted in order, rendered at their place: what the threads write. */
async function inPieces(pieces: Buffer[], o: FilterWorkOptions): Promise<string> {
  const w = await createFilterWork(o);
  const tally = new Tally(SOURCES.length, o.expect);
  const renderer = createRecordsRenderer(o.format, ctx, {
    style: plainStyle,
    summaryOnly: o.summaryOnly,
    expect: o.expect,
  });
  let out = renderer.header();
  const evaluated = pieces.map((p, i) => evaluateChunk(p, i === 0, w));
  for (const e of evaluated) {
    const place = { base: tally.total, disagreeingBefore: tally.disagreeing };
    tally.addPart(e.result, place.base);
    if (e.held !== undefined) out += Buffer.from(renderHeld(e.held, place, w)).toString("utf8");
  }
  if (tally.total > 0) continueAfterResults(renderer);
  return out + renderer.footer({ tally, explained: o.explain, warnings: [] });
}

describe("pieces evaluated apart give the sequential text", () => {
  const text = input();
  const cuts = [[], [1], [10, 11, 30], [5, 6, 7, 8, 40, 62]];
  const cases: Array<{
    format: FilterTestFormat;
    explain: boolean;
    expect?: Expectation;
    summaryOnly?: boolean;
  }> = [
    { format: "pretty", explain: false },
    { format: "json", explain: false },
    { format: "pretty", explain: true },
    { format: "json", explain: true },
    { format: "pretty", explain: false, expect: "match" },
    { format: "json", explain: false, expect: "match" },
    { format: "json", explain: false, expect: "no-match" },
    { format: "json", explain: false, expect: "match", summaryOnly: true },
    { format: "pretty", explain: false, summaryOnly: true },
  ];
  for (const c of cases) {
    it(`${c.format}${c.explain ? " --explain" : ""}${c.expect ? ` --expect ${c.expect}` : ""}${c.summaryOnly ? " --summary" : ""}`, async () => {
      const o: FilterWorkOptions = {
        sources: SOURCES,
        dialect: "lambda",
        explain: c.explain,
        expect: c.expect,
        format: c.format,
        color: false,
        summaryOnly: c.summaryOnly === true,
      };
      const want = await sequential(text, o);
      for (const after of cuts) assert.equal(await inPieces(cut(text, after), o), want, `cut after ${after}`);
    });
  }
});

describe("evaluateChunk", () => {
  const w = createFilterWork({
    sources: SOURCES,
    dialect: "lambda",
    explain: false,
    format: "json",
    color: false,
    summaryOnly: false,
  });
  it("a failing line: its number in the piece and its text, after the records before it", async () => {
    const text = `${record(1)}\n\n${record(2)}\r\n{"eventName":\n${record(3)}\n`;
    const r = evaluateChunk(Buffer.from(text), false, await w);
    assert.deepEqual(r.result.error, { rel: 4, line: '{"eventName":' });
    assert.equal(r.result.total, 2);
    assert.equal(r.held?.results.length, 2);
  });
  it("JSON that holds no record is a failing line too", async () => {
    const r = evaluateChunk(Buffer.from(`${record(1)}\n{"Item":{}}\n`), false, await w);
    assert.deepEqual(r.result.error, { rel: 2, line: '{"Item":{}}' });
  });
  it("a first value that is not JSON on its line: at the start, a document (no error)", async () => {
    const doc = Buffer.from('[\n  {"eventName": "INSERT"}\n]\n');
    const start = evaluateChunk(doc, true, await w);
    assert.equal(start.result.firstValueFailed, true);
    assert.equal(start.result.error, undefined);
    const later = evaluateChunk(doc, false, await w);
    assert.equal(later.result.firstValueFailed, true);
    assert.deepEqual(later.result.error, { rel: 1, line: "[" });
  });
  it("counts lines (a last one without a newline too) and blank pieces", async () => {
    const r = evaluateChunk(Buffer.from(" \n\n\t\n"), false, await w);
    assert.deepEqual([r.result.lines, r.result.sawValue, r.result.total, r.held], [3, false, 0, undefined]);
    assert.equal(evaluateChunk(Buffer.from(`${record(1)}\n${record(2)}`), false, await w).result.lines, 2);
  });
});

describe("the reader of compact Lambda-shaped lines (io/filter-line.ts) changes no result", () => {
  // Generated records (every attribute type, odd names, escapes, non-ASCII text, creation times in
  // milliseconds, SDK-shaped lines among them), in pieces with and without the fast reader.
  const rnd = random(21);
  const lines: string[] = [];
  for (let i = 0; i < 400; i++) {
    const rec = generatedRecord(rnd, i);
    lines.push(i % 50 === 7 ? JSON.stringify(rec, null, 0).replace(",", ", ") : JSON.stringify(rec));
  }
  const sources = [
    { text: '{"dynamodb":{"NewImage":{"status":{"S":[{"prefix":""}]}}}}', origin: "--pattern 1" },
    {
      text: '{"eventName":["REMOVE"],"dynamodb":{"Keys":{"sk":{"N":[{"exists":false}]}}}}',
      origin: "--pattern 2",
    },
    { text: '{"dynamodb":{"OldImage":{"customer":{"M":{"a":{"S":["a"]}}}}}}', origin: "--pattern 3" },
  ];
  const modes: Array<Partial<FilterWorkOptions>> = [
    { summaryOnly: true },
    { summaryOnly: false },
    { summaryOnly: true, expect: "match" },
    { summaryOnly: false, expect: "no-match" },
  ];
  for (const mode of modes) {
    it(JSON.stringify(mode), async () => {
      const w = await createFilterWork({
        sources,
        dialect: "lambda",
        explain: false,
        format: "json",
        color: false,
        summaryOnly: false,
        ...mode,
      });
      assert.ok(w.projection !== undefined);
      const general = { ...w, projection: undefined };
      const text = `\ufeff${lines.join("\n")}\r\n`;
      for (const pieces of [cut(text, []), cut(text, [3, 100, 101, 250])]) {
        const fast = pieces.map((p, i) => evaluateChunk(p, i === 0, w));
        const slow = pieces.map((p, i) => evaluateChunk(p, i === 0, general));
        assert.deepEqual(fast, slow);
      }
      // The fast reader took most lines (else this would compare the general path with itself).
      const buf = Buffer.from(lines.join("\n")) as SlicingBuffer;
      setSimple(false);
      let taken = 0;
      for (let s = 0; s < buf.length; ) {
        const e = buf.indexOf(10, s) < 0 ? buf.length : buf.indexOf(10, s);
        if (projectRecordLine(buf, s, e, w.projection) !== undefined) taken++;
        s = e + 1;
      }
      assert.ok(taken > lines.length / 3, `${taken} of ${lines.length} taken`);
    });
  }
});
