// io/filter-line.ts: filter-test's reader for compact Lambda-shaped lines must take a line only when
// the general path (JSON.parse, then isLambdaShaped) would use the record as it is, and the part it
// builds must match every filter exactly as the whole record does (and carry the same eventID,
// eventName and keys). Generated records cover every attribute type, dotted and odd names, escapes and
// non-ASCII text; the lines are also rewritten (escapes, white space, duplicate names, nulls,
// userIdentity) and mutated byte by byte, and every answer is compared with the general path's.
import assert from "node:assert/strict";
import { isAscii, isUtf8 } from "node:buffer";
import { describe, it } from "node:test";
import { compileCriteria, leafPaths } from "../../../src/core/filter/index.js";
import { isLambdaShaped } from "../../../src/core/filter-run.js";
import {
  compileProjection,
  projectionPlan,
  projectRecordLine,
  setSimple,
} from "../../../src/io/filter-line.js";
import type { SlicingBuffer } from "../../../src/io/utf8.js";
import { random } from "../../helpers/random.js";
import { record } from "../../helpers/stream-records.js";

const NOTHING = { eventID: false, keys: false };
const BOTH = { eventID: true, keys: true };

/** Criteria whose paths reach every part of a record, dotted names and whole images included. */
const CRITERIA: string[][] = [
  ['{"dynamodb":{"NewImage":{"status":{"S":["a"]}}}}', '{"eventName":["INSERT"]}'],
  [
    '{"dynamodb":{"NewImage":{"a":{"S":[{"exists":false}]}}}}',
    '{"dynamodb":{"OldImage":{"b":{"N":[{"anything-but":["1"]}]}}}}',
  ],
  ['{"dynamodb.NewImage.customer.M.a.S":[{"prefix":"h"}]}', '{"dynamodb":{"NewImage":{"a.b":{"S":["a"]}}}}'],
  [
    '{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"k1"}]}}}}',
    '{"dynamodb":{"SizeBytes":[{"numeric":[">",200]}]}}',
    '{"dynamodb":{"ApproximateCreationDateTime":[{"numeric":[">",1704110405]}]}}',
    '{"dynamodb":{"SequenceNumber":[{"prefix":"1000000000000000000001"}]}}',
    '{"eventID":[{"suffix":"7"}],"eventSourceARN":[{"prefix":"arn:aws:dynamodb:us-east-1:123456789012:table/Orders/"}]}',
  ],
  ['{"dynamodb":{"NewImage":[{"exists":false}]}}', '{"dynamodb":{"StreamViewType":["NEW_AND_OLD_IMAGES"]}}'],
  [
    '{"$or":[{"dynamodb":{"NewImage":{"customer":{"M":{"a":{"S":["hello world"]}}}}}},{"dynamodb":{"NewImage":{"items":{"L":{"M":{"a":{"BOOL":[true]}}}}}}}]}',
    '{"dynamodb":{"OldImage":{"é":{"SS":["日本語"]}}}}',
  ],
  ['{"dynamodb":[{"exists":false}]}', '{"dynamodb":{"NewImage":{"with\\"quote":{"NULL":[true]}}}}'],
  [
    '{"dynamodb":{"NewImage":{"M":{"M":{"S":{"S":[{"exists":true}]}}}},"OldImage":{"x y":{"N":[{"numeric":["<",0]}]}}}}',
  ],
];

interface Set {
  criteria: Extract<ReturnType<typeof compileCriteria>, { ok: true }>["criteria"];
  projection: ReturnType<typeof compileProjection>;
  ids: boolean;
}

const SETS: Set[] = CRITERIA.flatMap((texts) => {
  const r = compileCriteria(texts, { dialect: "eventbridge" });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return [false, true].map((ids) => ({
    criteria: r.criteria,
    projection: compileProjection(projectionPlan(leafPaths(r.criteria), { eventID: ids, keys: ids })),
    ids,
  }));
});

function keysOf(event: unknown): unknown {
  return (event as { dynamodb?: { Keys?: unknown } }).dynamodb?.Keys;
}

/**
 * Checks one line with every set of criteria, inside a chunk as the workers have it, both ways of
 * reading strings where they apply; returns whether it was taken for some set.
 */
function check(line: string): boolean {
  const before = '{"before":1}\n';
  const buf = Buffer.from(`${before}${line}\n{"after":2}`, "utf8") as SlicingBuffer;
  const start = Buffer.byteLength(before);
  const stop = start + Buffer.byteLength(line);
  let whole: unknown;
  let parsed = true;
  try {
    whole = JSON.parse(line);
  } catch {
    parsed = false;
  }
  const shaped = parsed && isLambdaShaped(whole);
  const simple = isAscii(buf) && buf.indexOf(92) < 0;
  let anyTaken = false;
  for (const set of SETS) {
    // Whether a line is taken may depend on what is built (a `__proto__` attribute), never on how
    // strings are read.
    let taken: boolean | undefined;
    for (const mode of simple ? [true, false] : [false]) {
      setSimple(mode);
      const part = projectRecordLine(buf, start, stop, set.projection);
      if (!shaped) {
        assert.equal(part, undefined, `taken, but the general path does not use it as it is: ${line}`);
        continue;
      }
      assert.ok(
        taken === undefined || taken === (part !== undefined),
        `taken by one reading, not another: ${line}`,
      );
      taken = part !== undefined;
      if (part === undefined) continue;
      anyTaken = true;
      const what = `${line}\n  part: ${JSON.stringify(part)}`;
      assert.equal(set.criteria.match(part), set.criteria.match(whole), what);
      for (const p of set.criteria.patterns)
        assert.equal(p.match(part), p.match(whole), `${p.text}: ${what}`);
      const w = whole as Record<string, unknown>;
      assert.equal(part.eventName, w.eventName, what);
      if (set.ids) {
        assert.equal(part.eventID, w.eventID, what);
        assert.deepEqual(keysOf(part), keysOf(whole), what);
      }
    }
  }
  return anyTaken;
}

/** Attribute names made dotted, some of them the names the criteria's paths pass through. */
const DOTTED = ["a.b", "customer.M", "customer.M.a", "status.S", "items.L", "x.y"];

function withDottedNames(rnd: (n: number) => number, rec: Record<string, unknown>): Record<string, unknown> {
  const d = rec.dynamodb as Record<string, Record<string, unknown> | undefined>;
  for (const k of ["NewImage", "OldImage"]) {
    const img = d[k];
    if (img === undefined || rnd(3) !== 0) continue;
    d[k] = {
      ...img,
      [DOTTED[rnd(DOTTED.length)] as string]: rnd(2) === 0 ? { S: "a" } : { M: { a: { S: "hi" } } },
    };
  }
  return rec;
}

/** Rewrites of a line's text the general path may or may not accept. */
const REWRITES: Array<(line: string, rnd: (n: number) => number) => string> = [
  // an ASCII letter inside some string written as an escape
  (l, rnd) => {
    const at: number[] = [];
    let inString = false;
    for (let k = 0; k < l.length; k++) {
      const c = l[k] as string;
      if (c === "\\") {
        k++;
        continue;
      }
      if (c === '"') inString = !inString;
      else if (inString && /[A-Za-z0-9_#]/.test(c)) at.push(k);
    }
    if (at.length === 0) return l;
    const k = at[rnd(at.length)] as number;
    return `${l.slice(0, k)}\\u${l.charCodeAt(k).toString(16).padStart(4, "0")}${l.slice(k + 1)}`;
  },
  // white space after a comma or colon
  (l, rnd) => {
    const k = l.indexOf([",", ":"][rnd(2)] as string, rnd(l.length));
    return k < 0 ? l : `${l.slice(0, k + 1)} ${l.slice(k + 1)}`;
  },
  // a field written twice: JSON.parse keeps the last
  (l) => l.replace('{"eventID":', '{"eventName":"REMOVE","eventID":'),
  (l) => l.replace('"NewImage":{', '"NewImage":{"status":{"S":"a"},'),
  (l) => l.replace('"NewImage":{', '"NewImage":{"status":{"N":"x"},'),
  (l) => l.replace('"OldImage":{', '"OldImage":{"b":{"N":"1"},"b":{"N":"2"},'),
  (l) => l.replace(/"S":"([^"\\]*)"/, '"S":"$1","S":"a"'),
  // shapes the general path treats otherwise
  (l) => l.replace('"NewImage":{', '"NewImage":null,"x":{'),
  (l) => l.replace(/"OldImage":\{/, '"OldImage":null,"y":{'),
  (l) =>
    l.replace(
      '"dynamodb":{',
      '"userIdentity":{"type":"Service","principalId":"dynamodb.amazonaws.com"},"dynamodb":{',
    ),
  (l) => l.replace('"eventVersion":"1.1"', '"eventVersion":1.1'),
  (l) => l.replace('"SizeBytes":', '"SizeBytes":1e400,"z":'),
  (l) => l.replace(/"SizeBytes":\d+/, '"SizeBytes":-0'),
  (l) => l.replace(/"SizeBytes":\d+/, '"SizeBytes":12.50e-1'),
  (l) => l.replace(/"SequenceNumber":"\d+"/, '"SequenceNumber":"12a"'),
  (l) => l.replace(/"SequenceNumber":"\d+"/, '"SequenceNumber":""'),
  (l) => l.replace(/"ApproximateCreationDateTime":[\d.]+/, '"ApproximateCreationDateTime":99999999999.5'),
  (l) => l.replace(/"ApproximateCreationDateTime":[\d.]+/, '"ApproximateCreationDateTime":"1704110405"'),
  (l) => l.replace('"NewImage":{', '"NewImage":{"__proto__":{"S":"a"},'),
  (l) => l.replace('"NewImage":{', '"NewImage":{"\\u005f_proto__":{"S":"a"},'),
  (l) => l.replace('"Keys":{', '"Keys":{"constructor":{"S":"a"},'),
  (l) => l.replace('"Keys":{', '"Keys":{"__proto__":{"S":"a"},'),
  (l) => l.replace(/"SizeBytes":\d+/, '"SizeBytes":-250'),
  (l) => l.replace(/"ApproximateCreationDateTime":[\d.]+/, '"ApproximateCreationDateTime":-1704110406'),
  (l) => l.replace(/\{"N":"([^"]*)"\}/, '{"N":"$1 "}'),
  (l) => l.replace(/\{"B":"([^"]*)"\}/, '{"B":"$1\\/"}'),
  (l) => l.replace(/\{"BOOL":(true|false)\}/, '{"BOOL":"true"}'),
  (l) => l.replace(/\{"NULL":true\}/, '{"NULL":false}'),
  (l) => l.replace(/\{"S":"/, '{"SS":["'),
  (l) => l.replace(/\{"M":\{/, '{"M":{},"L":{'),
  (l) => `${l}x`,
  (l) => l.slice(0, -1),
  (l) => l.replace(/"[a-z]"/, '"a\tb"'),
];

describe("io/filter-line: the part it builds matches as the whole record does", () => {
  it("generated records, with dotted attribute names", () => {
    const rnd = random(11);
    let taken = 0;
    let shaped = 0;
    const n = 2500;
    for (let i = 0; i < n; i++) {
      const line = JSON.stringify(withDottedNames(rnd, record(rnd, i)));
      if (isLambdaShaped(JSON.parse(line))) shaped++;
      if (check(line)) taken++;
    }
    // Most records it can use are taken (the others have escapes the reader leaves to JSON.parse in
    // numbers or binaries, or `__proto__` in an image that is built).
    assert.ok(shaped > n / 2, `${shaped} of ${n} generated records are Lambda-shaped`);
    assert.ok(taken > shaped * 0.7, `only ${taken} of ${shaped} Lambda-shaped lines were taken`);
  });

  it("rewritten lines: escapes, white space, duplicate names, nulls, other shapes", () => {
    const rnd = random(12);
    let changed = 0;
    for (let i = 0; i < 600; i++) {
      const line = JSON.stringify(withDottedNames(rnd, record(rnd, i)));
      for (const rewrite of REWRITES) {
        const other = rewrite(line, rnd);
        if (other === line) continue;
        changed++;
        check(other);
      }
    }
    assert.ok(changed > 600 * 20, `${changed} rewritten lines`);
  });

  it("mutated lines (a byte inserted, removed or replaced): taken only when right", () => {
    const rnd = random(13);
    const bytes = Buffer.from('{}[]":,\\0123456789.eE+-tfnul SNBMLO_aé', "utf8");
    let checked = 0;
    for (let i = 0; i < 1500; i++) {
      const line = Buffer.from(JSON.stringify(record(rnd, i)));
      for (let k = 0; k < 3; k++) {
        const at = rnd(line.length);
        const b = Buffer.from([bytes[rnd(bytes.length)] as number]);
        const kind = rnd(3);
        const mutated = Buffer.concat([
          line.subarray(0, at),
          kind === 1 ? Buffer.alloc(0) : b,
          line.subarray(kind === 0 ? at : at + 1),
        ]);
        if (!isUtf8(mutated) || mutated.includes(10)) continue;
        check(mutated.toString("utf8"));
        checked++;
      }
    }
    assert.ok(checked > 3000);
  });

  it("takes the common record, and builds only what the filters read", () => {
    const line = JSON.stringify({
      eventID: "1",
      eventName: "MODIFY",
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "eu-west-1",
      dynamodb: {
        ApproximateCreationDateTime: 1764086400,
        Keys: { pk: { S: "ORDER#1" } },
        NewImage: { pk: { S: "ORDER#1" }, status: { S: "paid" }, note: { S: "n" }, "a.b": { N: "1" } },
        OldImage: { pk: { S: "ORDER#1" }, status: { S: "new" } },
        SequenceNumber: "100",
        SizeBytes: 50,
        StreamViewType: "NEW_AND_OLD_IMAGES",
      },
      eventSourceARN: "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
    });
    const buf = Buffer.from(line) as SlicingBuffer;
    setSimple(true);
    const p = compileProjection(
      projectionPlan(["dynamodb.NewImage.status.S", "dynamodb.NewImage.a.b.N"], NOTHING),
    );
    assert.deepEqual(projectRecordLine(buf, 0, buf.length, p), {
      eventName: "MODIFY",
      dynamodb: { NewImage: { status: { S: "paid" }, "a.b": { N: "1" } } },
    });
    const withIds = compileProjection(projectionPlan(["dynamodb.SizeBytes", "awsRegion"], BOTH));
    assert.deepEqual(projectRecordLine(buf, 0, buf.length, withIds), {
      eventID: "1",
      eventName: "MODIFY",
      awsRegion: "eu-west-1",
      dynamodb: { Keys: { pk: { S: "ORDER#1" } }, SizeBytes: 50 },
    });
    const all = compileProjection(projectionPlan(["dynamodb"], NOTHING));
    assert.deepEqual(projectRecordLine(buf, 0, buf.length, all), {
      eventName: "MODIFY",
      dynamodb: (JSON.parse(line) as { dynamodb: unknown }).dynamodb,
    });
  });

  it("declines a string that runs to the end of the bytes, in both readings", () => {
    for (const mode of [true, false]) {
      setSimple(mode);
      const p = compileProjection(projectionPlan(["eventID"], BOTH));
      for (const text of ['{"eventID":"abc', '{"eventID":"abc\\', '{"dynamodb":{"Keys":{"a":{"S":"x']) {
        const buf = Buffer.from(text) as SlicingBuffer;
        assert.equal(projectRecordLine(buf, 0, buf.length, p), undefined, text);
      }
    }
  });
});
