// io/parallel-chunks.ts: the check of the main thread answers, read by read, exactly as the strict
// decoder of the sequential readers decodes (io/utf8.ts): the same first failing read for every way of
// cutting valid, cut and invalid UTF-8.
import assert from "node:assert/strict";
import { test } from "node:test";
import { strictUtf8Check } from "../../../src/io/parallel-chunks.js";
import { strictUtf8Decoder } from "../../../src/io/utf8.js";
import { random } from "../../helpers/random.js";

/** The index of the first read the check (or decoder) refuses, `reads.length` for the end, or -1. */
function firstFailure(reads: Uint8Array[], ok: (chunk: Uint8Array, last: boolean) => boolean): number {
  for (let i = 0; i < reads.length; i++) if (!ok(reads[i] as Uint8Array, false)) return i;
  return ok(new Uint8Array(0), true) ? -1 : reads.length;
}

const PIECES = [
  "a",
  '{"s":"x"}\n',
  "é",
  "€",
  "𝄞",
  "\ufeff",
  [0xff],
  [0xc0, 0x80], // overlong
  [0xed, 0xa0, 0x80], // a surrogate
  [0xe2, 0x82], // cut
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x80],
];

test("the same verdicts as the strict decoder, read by read, however the bytes are cut", () => {
  const rnd = random(7);
  for (let round = 0; round < 3000; round++) {
    const parts: Buffer[] = [];
    const n = 1 + rnd(12);
    for (let i = 0; i < n; i++) {
      const p = PIECES[rnd(rnd(4) === 0 ? PIECES.length : 6)] as string | number[];
      parts.push(typeof p === "string" ? Buffer.from(p) : Buffer.from(p));
    }
    const bytes = Buffer.concat(parts);
    const reads: Uint8Array[] = [];
    for (let at = 0; at < bytes.length; ) {
      const len = 1 + rnd(5);
      reads.push(bytes.subarray(at, at + len));
      at += len;
    }
    const decode = strictUtf8Decoder();
    const want = firstFailure(reads, (c, last) => decode(c, last) !== undefined);
    assert.equal(firstFailure(reads, strictUtf8Check()), want, `bytes ${bytes.toString("hex")}`);
  }
});
