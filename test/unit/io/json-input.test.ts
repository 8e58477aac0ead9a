// Reading filter-test inputs: JSON values streamed from files or stdin chunks (NDJSON, documents,
// CRLF, BOM, chunk boundaries), and every kind of bad input with its location.
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  firstInvalidUtf8,
  type RecordSource,
  readJsonFile,
  readJsonValues,
  readTextFile,
  SYNC_READ_MAX_BYTES,
} from "../../../src/io/json-input.js";

const dir = mkdtempSync(join(tmpdir(), "dynastream-filter-input-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function stdin(...chunks: (string | Buffer)[]): RecordSource {
  return {
    stdin: (async function* () {
      for (const c of chunks) yield c;
    })(),
  };
}

async function values(source: RecordSource): Promise<{ values: unknown[]; lines: number[] }> {
  const out = { values: [] as unknown[], lines: [] as number[] };
  for await (const b of readJsonValues(source, "--records x")) {
    out.values.push(...b.values);
    out.lines.push(...b.lines);
  }
  return out;
}

async function failure(source: RecordSource): Promise<string> {
  try {
    await values(source);
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("expected an error");
}

describe("readJsonValues", () => {
  it("NDJSON with blank lines, CRLF and a BOM; lines are reported", async () => {
    const r = await values({ path: file("a.ndjson", '\ufeff{"a":1}\r\n\r\n{"a":2}\r\n  \n[3]') });
    assert.deepEqual(r.values, [{ a: 1 }, { a: 2 }, [3]]);
    assert.deepEqual(r.lines, [1, 3, 5]);
  });
  it("a pretty-printed document is read whole: an event's Records, each with the line it starts on", async () => {
    const doc = JSON.stringify({ Records: [{ a: 1 }, { a: 'x,]}\\"[' }] }, null, 2);
    const r = await values({ path: file("doc.json", `\n${doc}\n`) });
    assert.deepEqual(r.values, [{ a: 1 }, { a: 'x,]}\\"[' }]);
    assert.deepEqual(r.lines, [4, 7]);
  });
  it("a document's array: its elements with their lines; any other document is one value", async () => {
    const arr = '[\n  {"a": [1,\n 2]},\n\n  3, {"Records": [\n4]}\n]';
    const r = await values(stdin(arr));
    assert.deepEqual(r.values, [{ a: [1, 2] }, 3, { Records: [4] }]);
    assert.deepEqual(r.lines, [2, 5, 5]);
    const other = await values(stdin('{\n "x": [1,\n2],\n "Records": "no"\n}'));
    assert.deepEqual(other.lines, [1]);
    const late = await values(stdin('{\n "other": [9, 9],\n "Records":\n  [\n\n {"a":1}, {"a":2}]}'));
    assert.deepEqual(late.values, [{ a: 1 }, { a: 2 }]);
    assert.deepEqual(late.lines, [6, 6]);
  });
  it("lines split across chunks, and a multi-byte character split across chunks", async () => {
    const euro = Buffer.from('{"s":"€"}\n', "utf8");
    const r = await values(
      stdin(Buffer.from('{"a"'), Buffer.from(":1}\n"), euro.subarray(0, 7), euro.subarray(7)),
    );
    assert.deepEqual(r.values, [{ a: 1 }, { s: "€" }]);
    assert.deepEqual(r.lines, [1, 2]);
  });
  it("invalid JSON on a later line names the line", async () => {
    assert.match(await failure(stdin('{"a":1}\n{"a":\n')), /^--records x: line 2: invalid JSON: /);
  });
  it("the values before a failing line are handed over first, every one of them", async () => {
    const got: number[] = [];
    const text = `${Array.from({ length: 300 }, (_, i) => `{"a":${i}}`).join("\n")}\n{"a":\n{"a":301}\n`;
    await assert.rejects(async () => {
      for await (const b of readJsonValues(stdin(text), "--records x")) got.push(...b.lines);
    }, /line 301: invalid JSON/);
    assert.deepEqual(
      got,
      Array.from({ length: 300 }, (_, i) => i + 1),
    );
  });
  it("an invalid document names line and column", async () => {
    const m = await failure({ path: file("bad.json", '\n\n{\n  "a": 1,\n}\n') });
    assert.match(m, /^--records x is not valid JSON: .* at line 5, column 1$/);
  });
  it("not UTF-8: the byte offset and line, also in a later chunk", async () => {
    const a = await failure({
      path: file("latin1.ndjson", Buffer.from('{"a":1}\n{"s":"caf\xe9"}\n', "latin1")),
    });
    assert.equal(a, "--records x is not UTF-8 text: invalid byte 0xe9 at byte offset 17 (line 2)");
    const b = await failure(stdin(Buffer.from('{"a":1}\n{"a":2}\n'), Buffer.from([0x7b, 0x0a, 0xff])));
    assert.equal(b, "--records x is not UTF-8 text: invalid byte 0xff at byte offset 18 (line 4)");
  });
  it("empty, blank, missing, directory", async () => {
    assert.match(await failure({ path: file("empty.json", "") }), /^--records x is empty$/);
    assert.match(await failure(stdin(" \n\n")), /^--records x is empty$/);
    assert.match(
      await failure({ path: join(dir, "missing.json") }),
      /^cannot read --records x: no such file$/,
    );
    assert.match(await failure({ path: dir }), /is a directory/);
  });
});

/** A named pipe with `content` written to it once a reader opens it (mkfifo is coreutils'). */
function fifo(name: string, content: string): { path: string; written: Promise<void> } {
  const path = join(dir, name);
  const made = spawnSync("mkfifo", [path], { encoding: "utf8" });
  assert.equal(made.status, 0, `mkfifo ${path}: ${made.error?.message ?? made.stderr}`);
  return { path, written: writeFile(path, content) };
}

describe("files read at once or in pieces", () => {
  // Regular files up to SYNC_READ_MAX_BYTES are read synchronously; larger ones and pipes are not.
  it("a file larger than the synchronous read gives the same values, lines and errors", async () => {
    const line = JSON.stringify({ pad: "x".repeat(1000) });
    const n = Math.ceil(SYNC_READ_MAX_BYTES / line.length) + 10;
    const text = `${Array.from({ length: n }, () => line).join("\n")}\n`;
    assert.ok(Buffer.byteLength(text) > SYNC_READ_MAX_BYTES);
    const r = await values({ path: file("large.ndjson", text) });
    assert.equal(r.values.length, n);
    assert.equal(r.lines[n - 1], n);
    const bad = await failure({ path: file("large-bad.ndjson", `${text}{"a":\n`) });
    assert.match(bad, new RegExp(`^--records x: line ${n + 1}: invalid JSON`));
    const doc = `[${Array.from({ length: n }, () => line).join(",\n")}]`;
    assert.equal((await readTextFile(file("large.json", doc), "--criteria large.json")).length, doc.length);
  });
  it("a named pipe (records, and a document)", async () => {
    const records = fifo("records.pipe", '{"a":1}\n{"a":2}\n');
    assert.deepEqual((await values({ path: records.path })).values, [{ a: 1 }, { a: 2 }]);
    await records.written;
    const doc = fifo("criteria.pipe", '{"Filters":[]}');
    assert.equal(await readTextFile(doc.path, "--criteria criteria.pipe"), '{"Filters":[]}');
    await doc.written;
  });
});

describe("readTextFile / readJsonFile", () => {
  it("reads UTF-8 text, drops a BOM", async () => {
    assert.equal(await readTextFile(file("t.json", "\ufeff{}"), "--criteria t.json"), "{}");
  });
  it("names the input and the problem", async () => {
    await assert.rejects(
      readTextFile(join(dir, "nope"), "--criteria nope"),
      /cannot read --criteria nope: no such file/,
    );
    await assert.rejects(
      readTextFile(file("e.json", "\n \n"), "--criteria e.json"),
      /--criteria e.json is empty/,
    );
    await assert.rejects(
      readTextFile(file("l.json", Buffer.from([0x7b, 0x0a, 0x22, 0xe9, 0x22])), "--cases l.json"),
      /--cases l.json is not UTF-8 text: invalid byte 0xe9 at byte offset 3 \(line 2\)/,
    );
    await assert.rejects(
      readJsonFile(file("j.json", '{\n  "a": [1,\n}'), "--cases j.json"),
      /--cases j.json is not valid JSON: .* at line 3, column 1/,
    );
  });
});

describe("firstInvalidUtf8", () => {
  it("accepts valid UTF-8 and finds bad sequences", () => {
    assert.equal(firstInvalidUtf8(Buffer.from("a€😀ü", "utf8")), -1);
    assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80])), 1); // overlong
    assert.equal(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80])), 0); // surrogate
    assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82])), 1); // cut off
    assert.equal(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82]), true), -1); // may continue
    assert.equal(firstInvalidUtf8(Buffer.from([0xf5, 0x80, 0x80, 0x80])), 0);
    // A real U+FFFD (EF BF BD) before the bad byte is text, not the error.
    assert.equal(firstInvalidUtf8(Buffer.concat([Buffer.from("a\ufffdb"), Buffer.from([0xff])])), 5);
  });
});
