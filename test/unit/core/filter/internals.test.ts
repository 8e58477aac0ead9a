// Building blocks: JSON parser, IP/CIDR parsing, wildcard parsing and complexity, dotted keys.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { undot } from "../../../../src/core/filter/event-fields.js";
import { ipInRange, ipToHex, parseCidr } from "../../../../src/core/filter/ip.js";
import { parseJson } from "../../../../src/core/filter/parse.js";
import { parseWildcard, wildcardComplexity, wildcardMatcher } from "../../../../src/core/filter/wildcard.js";

describe("parseJson", () => {
  test("keeps positions and raw number text", () => {
    const r = parseJson('{\n  "a": [300.0, -1e2]\n}');
    assert.ok(r.ok);
    if (!r.ok || r.value.kind !== "object") return;
    const entry = r.value.entries[0]!;
    assert.deepEqual([entry.key, entry.keyPos.line, entry.keyPos.column], ["a", 2, 3]);
    assert.equal(entry.value.kind, "array");
    if (entry.value.kind !== "array") return;
    const n = entry.value.items[0]!;
    assert.deepEqual(n.kind === "number" && [n.value, n.raw], [300, "300.0"]);
    const m = entry.value.items[1]!;
    assert.deepEqual(m.kind === "number" && [m.value, m.raw], [-100, "-1e2"]);
  });
  test("duplicate keys: last value kept, both positions reported", () => {
    const r = parseJson('{"x": {"k": [1], "k": [2]}, "y": 1, "x": {"j": [3]}}');
    assert.ok(r.ok);
    if (!r.ok || r.value.kind !== "object") return;
    assert.deepEqual(
      r.value.entries.map((e) => e.key),
      ["y", "x"],
    );
    assert.deepEqual(
      r.duplicates.map((d) => [d.parentPath, d.key, d.first.column, d.last.column, d.droppedObject]),
      [
        ["x", "k", 8, 18, false],
        ["", "x", 2, 37, true],
      ],
    );
  });
  test("errors carry a position", () => {
    const r = parseJson("[1,\n 2,\n x]");
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual([r.pos.line, r.pos.column], [3, 2]);
    assert.match(r.message, /^Unrecognized token 'x'/);
  });
  test("deep nesting is an error, not a stack overflow", () => {
    const r = parseJson("[".repeat(100000));
    assert.equal(r.ok, false);
  });
});

describe("IP addresses", () => {
  test("ipToHex", () => {
    assert.equal(ipToHex("10.0.0.1"), "0A000001");
    assert.equal(ipToHex("::1"), "00000000000000000000000000000001");
    assert.equal(ipToHex("2001:db8::"), "20010DB8000000000000000000000000");
    assert.equal(ipToHex("1.2.3.256"), undefined);
    assert.equal(ipToHex("1::2::3"), undefined);
    assert.equal(ipToHex("example.com"), undefined);
  });
  test("parseCidr computes the range like event-ruler", () => {
    assert.deepEqual(parseCidr("10.0.0.0/24"), {
      ok: true,
      family: 4,
      lo: "0A000000",
      hi: "0A0000FF",
      hostBitsSet: false,
    });
    assert.deepEqual(parseCidr("10.0.0.5/30"), {
      ok: true,
      family: 4,
      lo: "0A000005",
      hi: "0A000007",
      hostBitsSet: true,
    });
    const v6 = parseCidr("2001:db8::/32");
    assert.ok(v6.ok && v6.hi === "20010DB8FFFFFFFFFFFFFFFFFFFFFFFF");
  });
  test("ipInRange only compares the same family", () => {
    assert.equal(ipInRange("10.0.0.7", 4, "0A000000", "0A0000FF"), true);
    assert.equal(ipInRange("::a00:7", 4, "0A000000", "0A0000FF"), false);
  });
});

describe("wildcards", () => {
  test("parse splits on unescaped stars", () => {
    assert.deepEqual(parseWildcard("a*b\\*c*"), { ok: true, pattern: { parts: ["a", "b*c", ""] } });
    assert.deepEqual(parseWildcard("ü**"), {
      ok: false,
      message: "Consecutive wildcard characters at pos 3",
    });
  });
  test("matcher", () => {
    const w = parseWildcard("*a*a*");
    assert.ok(w.ok);
    if (!w.ok) return;
    const m = wildcardMatcher(w.pattern);
    assert.equal(m("aa"), true);
    assert.equal(m("xaya"), true);
    assert.equal(m("a"), false);
  });
  test("complexity grows with stars and repeats; the corpus boundary holds", () => {
    const c = (s: string) => {
      const w = parseWildcard(s);
      assert.ok(w.ok);
      return w.ok ? wildcardComplexity([w.pattern]) : -1;
    };
    assert.equal(c("no-star"), 0);
    assert.ok(c("/Users/*/dir/dir/dir/dir/dir/doc.txt") <= 10);
    assert.ok(c("arn:aws:events:us-east-1:*:event-bus/*") <= 10);
    assert.ok(c("*:*:*:*:*:event-bus/*") > 10);
  });
});

test("undot nests dotted keys without touching the input", () => {
  const input = { a: { x: 1 }, "a.b": 2, "c.d.e": 3, f: 4, "f.g": 5 };
  const out = undot(input);
  assert.deepEqual(JSON.parse(JSON.stringify(out)), {
    a: { x: 1, b: 2 },
    c: { d: { e: 3 } },
    f: [4, { g: 5 }],
  });
  assert.deepEqual(input.a, { x: 1 });
});
