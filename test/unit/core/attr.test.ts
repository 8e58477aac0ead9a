import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { AttributeValue as SdkAttributeValue } from "@aws-sdk/client-dynamodb-streams";
import type { AttributeMap, AttributeValue } from "../../../src/core/attr.js";
import {
  attributeEquals,
  byteLength,
  dynamodbJsonMap,
  dynamodbJsonValue,
  isAttributeMap,
  jsonString,
  normalizeNumber,
  numbersEqual,
  plainAndDynamodbJsonMap,
  plainJsonMap,
  plainJsonValue,
  toBase64,
  toBytes,
  toJsonAttributeMap,
} from "../../../src/core/attr.js";
import { readAttributeMap } from "../../../src/core/attr-input.js";
import { goV1 } from "../../helpers/attr.js";

/** The number tokens of a JSON text, in order, as written (strings skipped). */
function numberTokens(text: string): string[] {
  const out: string[] = [];
  const re = /"(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) if (m[0][0] !== '"') out.push(m[0]);
  return out;
}

const N38 = "12345678901234567890123456789012345678";
const LONG_DECIMAL = "0.12345678901234567890123456789";
const MIXED = "12345678901234567890.123456789";

describe("plainJsonMap and plainJsonValue", () => {
  it("writes numbers with exactly the digits DynamoDB sent", () => {
    const img: AttributeMap = {
      big: { N: N38 },
      neg: { N: `-${N38}` },
      dec: { N: LONG_DECIMAL },
      mixed: { N: MIXED },
      exp: { N: "1E+40" },
      tiny: { N: "1E-130" },
      zero: { N: "0" },
    };
    const text = plainJsonMap(img);
    assert.equal(
      text,
      `{"big":${N38},"neg":-${N38},"dec":${LONG_DECIMAL},"mixed":${MIXED},"exp":1E+40,"tiny":1E-130,"zero":0}`,
    );
    assert.doesNotThrow(() => JSON.parse(text));
    assert.deepEqual(numberTokens(text), [N38, `-${N38}`, LONG_DECIMAL, MIXED, "1E+40", "1E-130", "0"]);
  });

  it("quotes numeric strings that are not valid JSON number tokens", () => {
    for (const n of [".5", "5.", "+1", "01", "NaN", "1e", "--1"]) {
      assert.equal(plainJsonValue({ N: n }), JSON.stringify(n));
      assert.equal(plainJsonValue({ NS: [n] }), `[${JSON.stringify(n)}]`);
    }
    for (const n of ["1E+40", "-0.5", "10", "1e-7", "0"]) assert.equal(plainJsonValue({ N: n }), n);
  });

  it("writes numbers inside NS, L and M verbatim", () => {
    const text = plainJsonMap({
      ns: { NS: [N38, "1.50", ".5"] },
      l: { L: [{ N: MIXED }, { M: { deep: { N: LONG_DECIMAL } } }] },
    });
    assert.equal(text, `{"ns":[${N38},1.50,".5"],"l":[${MIXED},{"deep":${LONG_DECIMAL}}]}`);
    assert.deepEqual(numberTokens(text), [N38, "1.50", MIXED, LONG_DECIMAL]);
  });

  it("maps every type", () => {
    const bytes = new Uint8Array([0, 1, 255]);
    const img: AttributeMap = {
      s: { S: 'he said "hi"\n\u001b' },
      b: { B: bytes },
      b64: { B: "AAH/" },
      ss: { SS: ["b", "a"] },
      bs: { BS: [bytes, "AQ=="] },
      nul: { NULL: true },
      t: { BOOL: true },
      f: { BOOL: false },
      m: { M: {} },
      l: { L: [] },
    };
    assert.deepEqual(JSON.parse(plainJsonMap(img)), {
      s: 'he said "hi"\n\u001b',
      b: "AAH/",
      b64: "AAH/",
      ss: ["b", "a"],
      bs: ["AAH/", "AQ=="],
      nul: null,
      t: true,
      f: false,
      m: {},
      l: [],
    });
  });

  it("keeps unusual attribute names and unicode intact", () => {
    const img: AttributeMap = { "a b": { S: "x" }, 'q"': { S: "é😀" }, "": { S: "" } };
    assert.deepEqual(JSON.parse(plainJsonMap(img)), { "a b": "x", 'q"': "é😀", "": "" });
  });

  it("writes one value, or a map whose attributes are named like tags", () => {
    assert.equal(plainJsonValue({ N: "5" }), "5");
    assert.equal(plainJsonValue({ S: "x" }), '"x"');
    assert.equal(plainJsonValue({ M: { a: { S: "x" } } }), '{"a":"x"}');
    assert.equal(plainJsonMap({ S: { S: "x" } }), '{"S":"x"}');
    assert.equal(plainJsonMap({ N: { N: "1" }, x: { S: "y" } }), '{"N":1,"x":"y"}');
  });
});

describe("dynamodbJsonMap and dynamodbJsonValue", () => {
  it("round-trips through JSON.parse exactly (binary as base64)", () => {
    const img: AttributeMap = {
      n: { N: N38 },
      d: { N: LONG_DECIMAL },
      s: { S: "x\u0000y" },
      b: { B: new Uint8Array([0, 1, 255]) },
      ss: { SS: ["a", "b"] },
      ns: { NS: ["1", "2.5"] },
      bs: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] },
      m: { M: { l: { L: [{ NULL: true }, { BOOL: false }, { M: { x: { N: "1" } } }] } } },
    };
    const text = dynamodbJsonMap(img);
    const back = JSON.parse(text) as AttributeMap;
    assert.deepEqual(back, toJsonAttributeMap(img));
    assert.equal(back.n?.N, N38);
    assert.equal(back.b?.B, "AAH/");
    assert.deepEqual(Buffer.from(toBytes(back.b?.B ?? "")), Buffer.from([0, 1, 255]));
    // and writing the parsed form again gives the same text
    assert.equal(dynamodbJsonMap(back), text);
  });

  it("writes one value", () => {
    assert.equal(dynamodbJsonValue({ N: "1.0" }), '{"N":"1.0"}');
    assert.equal(dynamodbJsonValue({ NULL: true }), '{"NULL":true}');
    assert.equal(dynamodbJsonValue({ L: [] }), '{"L":[]}');
  });

  it("accepts SDK attribute values without a cast", () => {
    const sdk: Record<string, SdkAttributeValue> = {
      id: { S: "a" },
      n: { N: "1" },
      b: { B: new Uint8Array([7]) },
    };
    const ours: AttributeMap = sdk;
    assert.equal(dynamodbJsonMap(ours), '{"id":{"S":"a"},"n":{"N":"1"},"b":{"B":"Bw=="}}');
    const unknown: SdkAttributeValue = { $unknown: ["X", 1] };
    const v: AttributeValue = unknown;
    assert.equal(dynamodbJsonValue(v), '{"X":1}');
    assert.equal(plainJsonValue(v), '{"X":1}');
  });
});

describe("plainAndDynamodbJsonMap", () => {
  it("gives exactly the texts of plainJsonMap and dynamodbJsonMap in one pass", () => {
    const imgs: AttributeMap[] = [
      {},
      { a: { S: "x" }, "b c": { S: 'q"\u0000\ud800' }, n: { N: N38 }, odd: { N: ".5" } },
      {
        m: { M: { l: { L: [{ NULL: true }, { BOOL: false }, { BOOL: true }, { M: {} }, { L: [] }] } } },
        ss: { SS: ["a", "b"] },
        ns: { NS: ["1", "5."] },
        bs: { BS: [new Uint8Array([1]), "AQ=="] },
        b: { B: new Uint8Array([0, 1, 255]) },
        u: { $unknown: ["X", { y: 1 }] },
      },
    ];
    for (const img of imgs) {
      assert.deepEqual(plainAndDynamodbJsonMap(img), {
        plain: plainJsonMap(img),
        typed: dynamodbJsonMap(img),
      });
    }
  });
});

describe("jsonString", () => {
  it("matches JSON.stringify, including escapes and lone surrogates", () => {
    for (const s of [
      "",
      "plain",
      'q"',
      "back\\slash",
      "\u0000\u001f\u007f",
      "é😀",
      "\ud800",
      "x\udc00y",
      "\u2028",
    ]) {
      assert.equal(jsonString(s), JSON.stringify(s));
    }
  });
});

describe("binary", () => {
  it("encodes every length like Buffer does", () => {
    for (let n = 0; n <= 60; n++) {
      const b = new Uint8Array(n);
      for (let i = 0; i < n; i++) b[i] = (i * 37 + n * 11) & 255;
      assert.equal(toBase64(b), Buffer.from(b).toString("base64"), `length ${n}`);
    }
  });

  it("encodes Uint8Array views (with offsets) and passes base64 text through", () => {
    const buf = new Uint8Array([9, 9, 0, 1, 255, 9]);
    const view = buf.subarray(2, 5);
    assert.equal(toBase64(view), "AAH/");
    assert.equal(toBase64("AAH/"), "AAH/");
    assert.deepEqual([...toBytes("AAH/")], [0, 1, 255]);
    assert.equal(byteLength("AAH/"), 3);
    assert.equal(byteLength("AQ=="), 1);
    assert.equal(byteLength("AQI="), 2);
    assert.equal(byteLength(view), 3);
    assert.equal(byteLength(""), 0);
  });
});

describe("numbers", () => {
  it("normalises for comparison without floating point", () => {
    assert.equal(normalizeNumber("1.0"), normalizeNumber("1"));
    assert.equal(normalizeNumber("10E-1"), normalizeNumber("1"));
    assert.equal(normalizeNumber("+1"), normalizeNumber("1"));
    assert.equal(normalizeNumber("0.00"), "0");
    assert.equal(normalizeNumber("-0"), "0");
    assert.equal(normalizeNumber("100"), "1e2");
    assert.equal(normalizeNumber("-0.0120"), "-12e-3");
    assert.equal(normalizeNumber("abc"), "abc");
    assert.ok(numbersEqual(".5", "0.5"));
    assert.ok(numbersEqual("5.", "5"));
    assert.ok(
      !numbersEqual("12345678901234567890123456789012345678", "12345678901234567890123456789012345679"),
    );
    assert.ok(!numbersEqual("0.1", "0.10000000000000001")); // equal as doubles, not as decimals
    assert.ok(numbersEqual("-0", "0"));
    assert.ok(numbersEqual("0.10", "0.1"));
    assert.ok(numbersEqual("1E+2", "100"));
    assert.ok(!numbersEqual("-1", "1"));
    assert.ok(!numbersEqual("0.01", "0.1"));
  });
});

describe("attributeEquals", () => {
  it("compares sets as sets, numbers numerically and binary by bytes", () => {
    assert.ok(attributeEquals({ SS: ["a", "b"] }, { SS: ["b", "a"] }));
    assert.ok(!attributeEquals({ SS: ["a", "b"] }, { SS: ["a", "c"] }));
    assert.ok(!attributeEquals({ SS: ["a"] }, { SS: ["a", "b"] }));
    assert.ok(attributeEquals({ NS: ["1", "2.0"] }, { NS: ["2", "1.00"] }));
    assert.ok(attributeEquals({ BS: [new Uint8Array([1])] }, { BS: ["AQ=="] }));
    assert.ok(attributeEquals({ B: new Uint8Array([0, 1, 255]) }, { B: "AAH/" }));
    assert.ok(!attributeEquals({ B: new Uint8Array([0, 1]) }, { B: "AAH/" }));
    assert.ok(!attributeEquals({ S: "1" }, { N: "1" }));
    assert.ok(
      attributeEquals({ M: { a: { N: "1" }, b: { S: "x" } } }, { M: { b: { S: "x" }, a: { N: "1.0" } } }),
    );
    assert.ok(!attributeEquals({ M: { a: { N: "1" } } }, { M: { a: { N: "1" }, b: { S: "x" } } }));
    assert.ok(!attributeEquals({ L: [{ N: "1" }, { N: "2" }] }, { L: [{ N: "2" }, { N: "1" }] }));
    assert.ok(attributeEquals({ NULL: true }, { NULL: true }));
  });

  it("compares base64 texts by their bytes, canonical or not", () => {
    // Different canonical texts: different bytes, without decoding.
    assert.ok(!attributeEquals({ B: "AAH/" }, { B: "AAH+" }));
    assert.ok(!attributeEquals({ B: "AQ==" }, { B: "Ag==" }));
    // Non-zero unused bits ("AR==" is the byte 1, as "AQ==") and missing padding: the same bytes.
    assert.ok(attributeEquals({ B: "AR==" }, { B: "AQ==" }));
    assert.ok(attributeEquals({ B: "AQ" }, { B: "AQ==" }));
    assert.ok(attributeEquals({ B: "AAE=" }, { B: "AAF=" }));
    assert.ok(!attributeEquals({ B: "AAE" }, { B: "AAI=" }));
    assert.ok(attributeEquals({ BS: ["AR==", "Ag=="] }, { BS: ["Ag==", "AQ=="] }));
  });

  it("compares sets with duplicates, small and large, as sets", () => {
    assert.ok(attributeEquals({ SS: ["a", "a", "b"] }, { SS: ["b", "a"] }));
    assert.ok(!attributeEquals({ SS: ["a", "a"] }, { SS: ["a", "b"] }));
    assert.ok(attributeEquals({ NS: ["1", "1.0", "2"] }, { NS: ["2E0", "1"] }));
    const many = Array.from({ length: 20 }, (_, i) => `t${i}`);
    assert.ok(attributeEquals({ SS: many }, { SS: [...many].reverse() }));
    assert.ok(!attributeEquals({ SS: many }, { SS: [...many.slice(1), "other"] }));
    assert.ok(attributeEquals({ SS: [...many, "t0"] }, { SS: many }));
    assert.ok(!attributeEquals({ SS: ["a", "b"] }, { SS: many }));
  });
});

describe("readAttributeMap", () => {
  it("accepts well-formed images, SDK or JSON form, as they are", () => {
    const img = { a: { S: "x" }, b: { B: "AAH/" }, c: { B: new Uint8Array(1) }, d: { L: [{ NULL: true }] } };
    assert.ok(isAttributeMap(img));
    assert.equal(readAttributeMap(img, "img"), img);
  });

  it("names the path and the problem", () => {
    assert.equal(
      readAttributeMap({ price: { N: 5 } }, "dynamodb.NewImage"),
      "dynamodb.NewImage.price: N must be a string, got number 5",
    );
    assert.equal(readAttributeMap({ p: { N: "abc" } }, "x"), 'x.p: N "abc" is not a number');
    assert.match(
      readAttributeMap({ name: "bob" }, "dynamodb.NewImage") as string,
      /^dynamodb\.NewImage\.name: not a DynamoDB attribute value \(got string "bob"/,
    );
    assert.match(
      readAttributeMap({ a: { S: "x", N: "1" } }, "i") as string,
      /^i\.a: not a DynamoDB attribute value \(expected exactly one of/,
    );
    assert.match(readAttributeMap({ a: { L: [{ S: "x" }, { Q: 1 }] } }, "i") as string, /^i\.a\[1\]: /);
    assert.equal(
      readAttributeMap({ "odd key": { M: { x: { NS: ["1", "z"] } } } }, "i"),
      'i["odd key"].x.NS[1]: not a valid NS element (got string "z")',
    );
    assert.equal(
      readAttributeMap({ b: { B: "not base64!" } }, "i"),
      'i.b: B must be base64 text, got string "not base64!"',
    );
    assert.equal(
      readAttributeMap({ v: null }, "i"),
      'i.v: not a DynamoDB attribute value (got null; expected e.g. {"S": "text"})',
    );
    assert.equal(readAttributeMap({ n: { NULL: false } }, "i"), "i.n: NULL must be true, got boolean false");
    assert.equal(
      readAttributeMap({ t: { BOOL: "yes" } }, "i"),
      'i.t: BOOL must be true or false, got string "yes"',
    );
    assert.equal(readAttributeMap({ m: { M: [] } }, "i"), "i.m: M must be an object, got an array");
    assert.equal(readAttributeMap({ s: { SS: "a" } }, "i"), 'i.s: SS must be an array, got string "a"');
    assert.equal(readAttributeMap([], "img"), "img: expected an object of attributes, got an array");
  });
});

describe("readAttributeMap: every type descriptor present, the unused ones null (AWS SDK for Go v1)", () => {
  it("reads the one non-null descriptor, at any depth", () => {
    const img = {
      s: goV1("S", "x"),
      n: goV1("N", "1.50"),
      f: goV1("BOOL", false),
      nul: goV1("NULL", true),
      m: goV1("M", { inner: goV1("S", "y"), l: goV1("L", [goV1("N", "2"), { S: "plain" }]) }),
      ss: goV1("SS", ["a"]),
    };
    assert.ok(!isAttributeMap(img));
    assert.deepEqual(readAttributeMap(img, "img"), {
      s: { S: "x" },
      n: { N: "1.50" },
      f: { BOOL: false },
      nul: { NULL: true },
      m: { M: { inner: { S: "y" }, l: { L: [{ N: "2" }, { S: "plain" }] } } },
      ss: { SS: ["a"] },
    });
  });
  it("validates the descriptor it reads, naming the path", () => {
    assert.equal(
      readAttributeMap({ a: goV1("M", { b: goV1("N", 5) }) }, "img"),
      "img.a.b: N must be a string, got number 5",
    );
    assert.equal(
      readAttributeMap({ a: goV1("NULL", false) }, "img"),
      "img.a: NULL must be true, got boolean false",
    );
  });
  it("is an error when no descriptor or more than one is set, or another key is null", () => {
    const keys = /^img\.a: not a DynamoDB attribute value \(expected exactly one of/;
    assert.match(readAttributeMap({ a: { S: null, N: null } }, "img") as string, keys);
    assert.match(readAttributeMap({ a: { ...goV1("S", "x"), N: "1" } }, "img") as string, keys);
    assert.match(readAttributeMap({ a: { S: "x", Other: null } }, "img") as string, keys);
    assert.equal(readAttributeMap({ a: { S: null } }, "img"), "img.a: S must be a string, got null");
  });
});

describe("toJsonAttributeMap", () => {
  it("gives binary as base64 text, and the map itself when it holds no bytes", () => {
    const json: AttributeMap = { s: { S: "x" }, l: { L: [{ B: "AQ==" }] }, bs: { BS: ["AQ=="] } };
    assert.equal(toJsonAttributeMap(json), json);
    const sdk: AttributeMap = {
      s: { S: "x" },
      l: { L: [{ B: new Uint8Array([1]) }] },
      bs: { BS: [new Uint8Array([1])] },
    };
    assert.deepEqual(toJsonAttributeMap(sdk), json);
    assert.ok(sdk.l?.L?.[0]?.B instanceof Uint8Array, "the input is not changed");
  });
});
