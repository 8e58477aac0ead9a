// The strict streaming UTF-8 decoder of the input readers: the same text and the same verdicts as
// TextDecoder("utf-8", { fatal: true }) fed chunk by chunk, for every way of cutting the bytes.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { completeUtf8Length, strictUtf8Decoder } from "../../../src/io/utf8.js";

/** TextDecoder's answer: the whole text, or undefined when it throws at any chunk. */
function reference(chunks: Uint8Array[]): string | undefined {
  const d = new TextDecoder("utf-8", { fatal: true });
  let out = "";
  try {
    for (const c of chunks) out += d.decode(c, { stream: true });
    return out + d.decode();
  } catch {
    return undefined;
  }
}

function ours(chunks: Uint8Array[]): string | undefined {
  const decode = strictUtf8Decoder();
  let out = "";
  for (const c of chunks) {
    const t = decode(c, false);
    if (t === undefined) return undefined;
    out += t;
  }
  const t = decode(new Uint8Array(0), true);
  return t === undefined ? undefined : out + t;
}

/** Every cut of `bytes` into 1–3 chunks. */
function* cuts(bytes: Uint8Array): Generator<Uint8Array[]> {
  const n = bytes.length;
  yield [bytes];
  for (let i = 0; i <= n; i++) {
    yield [bytes.subarray(0, i), bytes.subarray(i)];
    for (let j = i; j <= n; j++) yield [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
  }
}

const h = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex.replace(/ /g, ""), "hex"));

describe("strictUtf8Decoder", () => {
  const samples: [string, Uint8Array][] = [
    ["ASCII", Buffer.from('{"a":1}\n{"b":"x"}\n')],
    ["2-, 3- and 4-byte characters", Buffer.from('{"s":"é€😀"}\n')],
    ["a leading BOM", Buffer.from('\ufeff{"a":1}\n')],
    ["two BOMs (only the first is dropped)", Buffer.from("\ufeff\ufeffx")],
    ["a BOM later on", Buffer.from("x\ufeffy")],
    ["Latin-1 é", h("7b 22 73 22 3a 22 63 61 66 e9 22 7d 0a")],
    ["a lone continuation byte", h("41 80 41")],
    ["0xff", h("7b 0a ff")],
    ["overlong 2-byte", h("c0 af")],
    ["overlong 3-byte", h("e0 80 af")],
    ["overlong 4-byte", h("f0 80 80 af")],
    ["an encoded surrogate", h("ed a0 80")],
    ["above U+10FFFF", h("f4 90 80 80")],
    ["a truncated sequence at the end", h("41 e2 82")],
    ["a truncated sequence before ASCII", h("e2 82 41")],
    ["a lead byte at the very end", h("41 f0")],
    ["U+10FFFF", h("f4 8f bf bf")],
    ["U+FFFF and U+E000", h("ef bf bf ee 80 80")],
  ];
  for (const [name, bytes] of samples) {
    it(`${name}: same as TextDecoder for every chunking`, () => {
      for (const chunks of cuts(bytes)) assert.equal(ours(chunks), reference(chunks), JSON.stringify(chunks));
    });
  }

  it("random bytes, random chunkings", () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = [
      0x41, 0x0a, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xa0, 0xed, 0x9f, 0xf0, 0x90, 0xf4, 0x8f, 0xff,
    ];
    for (let k = 0; k < 3000; k++) {
      const bytes = Uint8Array.from({ length: 1 + rnd(8) }, () => alphabet[rnd(alphabet.length)] as number);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; ) {
        const len = 1 + rnd(3);
        chunks.push(bytes.subarray(i, i + len));
        i += len;
      }
      assert.equal(ours(chunks), reference(chunks), Buffer.from(bytes).toString("hex"));
    }
  });

  it("cuts only a sequence the next bytes could complete", () => {
    assert.equal(completeUtf8Length(h("41 e2 82")), 1);
    assert.equal(completeUtf8Length(h("41 f0 9f 98")), 1);
    assert.equal(completeUtf8Length(h("41 e2 82 ac")), 4);
    assert.equal(completeUtf8Length(h("41 ff")), 2);
    assert.equal(completeUtf8Length(h("41 e0 80")), 3); // E0 80 can never be completed
    assert.equal(completeUtf8Length(h("41 ed a0")), 3); // a surrogate
    assert.equal(completeUtf8Length(h("41")), 1);
    assert.equal(completeUtf8Length(h("")), 0);
  });
});
