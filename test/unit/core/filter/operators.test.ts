// Matching semantics per operator and structure (beyond the conformance corpus).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CompiledPattern, compilePattern, type Dialect } from "../../../../src/core/filter/index.js";

function compile(pattern: unknown, dialect: Dialect = "eventbridge"): CompiledPattern {
  const text = typeof pattern === "string" ? pattern : JSON.stringify(pattern);
  const r = compilePattern(text, { dialect });
  assert.ok(r.ok, `compile failed: ${r.ok ? "" : JSON.stringify(r.errors)}`);
  return r.pattern;
}

/** Assert which of the events match the pattern. */
function check(
  pattern: unknown,
  matching: unknown[],
  nonMatching: unknown[],
  dialect: Dialect = "eventbridge",
): void {
  const p = compile(pattern, dialect);
  for (const e of matching) {
    assert.equal(p.match(e), true, `should match ${JSON.stringify(e)}`);
    assert.equal(p.explain(e).matched, true);
  }
  for (const e of nonMatching) {
    assert.equal(p.match(e), false, `should not match ${JSON.stringify(e)}`);
    assert.equal(p.explain(e).matched, false);
  }
}

describe("exact values", () => {
  test("strings are byte-exact and case-sensitive", () => {
    check({ a: ["x"] }, [{ a: "x" }], [{ a: "X" }, { a: "x " }, { a: ["y"] }, {}, { b: "x" }]);
  });
  test("numbers compare by value, not spelling", () => {
    check(
      { a: [300] },
      [{ a: 300 }, JSON.parse('{"a":300.0}'), JSON.parse('{"a":3.0e2}')],
      [{ a: "300" }, { a: 301 }],
    );
  });
  test("types never coerce", () => {
    check({ a: ["5"] }, [{ a: "5" }], [{ a: 5 }]);
    check({ a: [true] }, [{ a: true }], [{ a: "true" }, { a: 1 }, { a: false }]);
    check({ a: [false] }, [{ a: false }], [{ a: true }, { a: null }]);
  });
  test("null matches only JSON null", () => {
    check({ a: [null] }, [{ a: null }], [{ a: "null" }, {}, { a: [] }]);
  });
  test("empty string matches only the empty string", () => {
    check({ a: [""] }, [{ a: "" }], [{ a: " " }, {}, { a: null }]);
  });
  test("OR within a field, AND across fields", () => {
    const p = { a: ["x", "y"], b: [1] };
    check(
      p,
      [
        { a: "x", b: 1 },
        { a: "y", b: 1 },
      ],
      [{ a: "x", b: 2 }, { a: "z", b: 1 }, { a: "x" }],
    );
  });
  test("a rule list can mix operators", () => {
    check(
      { a: ["x", { prefix: "pre" }, { numeric: [">", 10] }] },
      [{ a: "x" }, { a: "prefix" }, { a: 11 }],
      [{ a: "y" }, { a: 10 }],
    );
  });
  test("IP literals in exact values compare as addresses (event-ruler)", () => {
    check(
      { ip: ["2001:db8::1"] },
      [{ ip: "2001:db8::1" }, { ip: "2001:0db8:0:0:0:0:0:1" }],
      [{ ip: "2001:db8::2" }],
    );
  });
});

describe("equals-ignore-case, prefix, suffix", () => {
  test("equals-ignore-case", () => {
    check(
      { a: [{ "equals-ignore-case": "alice" }] },
      [{ a: "ALICE" }, { a: "Alice" }],
      [{ a: "alicex" }, { a: 1 }],
    );
  });
  test("prefix (case-sensitive, strings only)", () => {
    check(
      { a: [{ prefix: "us-" }] },
      [{ a: "us-east-1" }, { a: "us-" }],
      [{ a: "US-east" }, { a: "eu-west" }, { a: 5 }],
    );
  });
  test('prefix "" matches any string but not other types', () => {
    check({ a: [{ prefix: "" }] }, [{ a: "" }, { a: "x" }], [{ a: null }, { a: 0 }, {}]);
  });
  test("suffix", () => {
    check({ f: [{ suffix: ".png" }] }, [{ f: "a.png" }], [{ f: "a.PNG" }, { f: "png" }]);
  });
  test("prefix and suffix with equals-ignore-case", () => {
    check(
      { a: [{ prefix: { "equals-ignore-case": "EventB" } }] },
      [{ a: "eventbridge" }, { a: "EVENTB" }],
      [{ a: "Event" }],
    );
    check({ f: [{ suffix: { "equals-ignore-case": ".png" } }] }, [{ f: "A.PnG" }], [{ f: "a.jpg" }]);
  });
});

describe("anything-but", () => {
  test("scalar string: matches other values and null, never a missing field", () => {
    check(
      { s: [{ "anything-but": "init" }] },
      [{ s: "run" }, { s: null }, { s: 5 }, { s: true }],
      [{ s: "init" }, {}],
    );
  });
  test("list of strings and list of numbers (numbers by value)", () => {
    check({ s: [{ "anything-but": ["a", "b"] }] }, [{ s: "c" }], [{ s: "a" }, { s: "b" }]);
    check(
      { n: [{ "anything-but": [100, 200] }] },
      [{ n: 300 }, { n: "100" }],
      [{ n: 100 }, JSON.parse('{"n":2e2}')],
    );
  });
  test("prefix / suffix forms match non-strings", () => {
    check(
      { s: [{ "anything-but": { prefix: "init" } }] },
      [{ s: "post" }, { s: 12 }, { s: null }],
      [{ s: "initial" }, {}],
    );
    check(
      { s: [{ "anything-but": { suffix: [".txt", ".md"] } }] },
      [{ s: "a.png" }],
      [{ s: "a.txt" }, { s: "b.md" }],
    );
  });
  test("equals-ignore-case form", () => {
    check(
      { s: [{ "anything-but": { "equals-ignore-case": ["Stopped", "x"] } }] },
      [{ s: "running" }],
      [{ s: "STOPPED" }, { s: "X" }],
    );
  });
  test("wildcard form", () => {
    check(
      { p: [{ "anything-but": { wildcard: "*/lib/*" } }] },
      [{ p: "/usr/bin/x" }, { p: 3 }],
      [{ p: "/usr/lib/x" }],
    );
  });
  test("on an array, matches when any element is not excluded", () => {
    check({ s: [{ "anything-but": "a" }] }, [{ s: ["a", "b"] }], [{ s: ["a"] }, { s: [] }]);
  });
});

describe("numeric", () => {
  test("each comparison", () => {
    check({ n: [{ numeric: ["=", 5] }] }, [{ n: 5 }, { n: 5.0 }], [{ n: 5.1 }]);
    check({ n: [{ numeric: ["<", 5] }] }, [{ n: 4.99 }, { n: -1e9 }], [{ n: 5 }]);
    check({ n: [{ numeric: ["<=", 5] }] }, [{ n: 5 }], [{ n: 5.01 }]);
    check({ n: [{ numeric: [">", 5] }] }, [{ n: 5.01 }], [{ n: 5 }]);
    check({ n: [{ numeric: [">=", 5] }] }, [{ n: 5 }], [{ n: 4.99 }]);
  });
  test("ranges, open and closed", () => {
    check({ n: [{ numeric: [">", 0, "<=", 5] }] }, [{ n: 0.001 }, { n: 5 }], [{ n: 0 }, { n: 5.0001 }]);
    check({ n: [{ numeric: [">=", 0, "<", 5] }] }, [{ n: 0 }, { n: 4.9 }], [{ n: 5 }, { n: -0.1 }]);
  });
  test("only JSON numbers match (not numeric strings, null or booleans)", () => {
    check({ n: [{ numeric: [">", 0] }] }, [{ n: 1 }], [{ n: "1" }, { n: null }, { n: true }, {}]);
  });
  test("never matches a DynamoDB N value (a string)", () => {
    check(
      { dynamodb: { NewImage: { total: { N: [{ numeric: [">", 100] }] } } } },
      [],
      [{ dynamodb: { NewImage: { total: { N: "101" } } } }],
    );
  });
});

describe("exists", () => {
  test("exists:true needs a leaf value (null counts)", () => {
    check(
      { a: [{ exists: true }] },
      [{ a: "x" }, { a: null }, { a: 0 }, { a: [1] }],
      [{}, { a: {} }, { a: [] }, { a: [{}] }],
    );
  });
  test("exists:false holds for missing fields, missing parents, objects and empty arrays", () => {
    check(
      { a: { b: [{ exists: false }] } },
      [{}, { a: 1 }, { a: {} }, { a: { b: {} } }, { a: { b: [] } }],
      [{ a: { b: 1 } }, { a: { b: null } }],
    );
  });
});

describe("cidr", () => {
  test("IPv4", () => {
    check(
      { ip: [{ cidr: "10.0.0.0/24" }] },
      [{ ip: "10.0.0.0" }, { ip: "10.0.0.255" }],
      [{ ip: "10.0.1.0" }, { ip: "10.0.0.256" }, { ip: 167772160 }, { ip: "host" }],
    );
  });
  test("IPv6, any spelling of the address", () => {
    check(
      { ip: [{ cidr: "2001:db8:1234:1a00::/64" }] },
      [{ ip: "2001:db8:1234:1a00::1" }, { ip: "2001:0DB8:1234:1A00:ffff:0:0:0" }],
      [{ ip: "2001:db8:1234:1a01::" }, { ip: "10.0.0.1" }],
    );
  });
  test("host bits in the CIDR: the range starts at the address as written (event-ruler)", () => {
    check(
      { ip: [{ cidr: "10.0.0.8/24" }] },
      [{ ip: "10.0.0.8" }, { ip: "10.0.0.200" }],
      [{ ip: "10.0.0.7" }],
    );
  });
});

describe("wildcard", () => {
  test("* matches zero or more characters", () => {
    check(
      { f: [{ wildcard: "dir/*.png" }] },
      [{ f: "dir/a.png" }, { f: "dir/.png" }, { f: "dir/x/y.png" }],
      [{ f: "dir/a.jpg" }, { f: "xdir/a.png" }],
    );
    check({ f: [{ wildcard: "xy*" }] }, [{ f: "xy" }, { f: "xyz" }], [{ f: "x" }]);
  });
  test("several stars and escapes", () => {
    check(
      { f: [{ wildcard: "a*b*c" }] },
      [{ f: "abc" }, { f: "aXbYc" }, { f: "abbc" }],
      [{ f: "acb" }, { f: "ab" }],
    );
    check({ f: [{ wildcard: "a\\*b" }] }, [{ f: "a*b" }], [{ f: "aXb" }]);
    check({ f: [{ wildcard: "a\\\\b" }] }, [{ f: "a\\b" }], [{ f: "ab" }]);
  });
  test("empty wildcard matches only the empty string", () => {
    check({ f: [{ wildcard: "" }] }, [{ f: "" }], [{ f: "x" }]);
  });
});

describe("$or", () => {
  test("at the top level", () => {
    check(
      { $or: [{ a: ["1"] }, { b: ["2"] }] },
      [{ a: "1" }, { b: "2" }, { a: "1", b: "2" }],
      [{ a: "2", b: "1" }],
    );
  });
  test("nested and combined with AND", () => {
    const p = { c: ["x"], d: { $or: [{ e: ["1"] }, { $or: [{ f: ["2"] }, { g: ["3"] }] }] } };
    check(
      p,
      [
        { c: "x", d: { e: "1" } },
        { c: "x", d: { g: "3" } },
      ],
      [
        { c: "y", d: { e: "1" } },
        { c: "x", d: { h: "1" } },
      ],
    );
  });
  test("branches are sub-patterns, fields in a branch are ANDed", () => {
    check({ $or: [{ a: ["1"], b: ["1"] }, { c: ["1"] }] }, [{ a: "1", b: "1" }, { c: "1" }], [{ a: "1" }]);
  });
});

describe("event arrays", () => {
  test("a leaf array matches when any element matches", () => {
    check({ r: ["x"] }, [{ r: ["y", "x"] }, { r: [["x"]] }], [{ r: ["y"] }, { r: [] }]);
  });
  test("arrays of objects are crushed", () => {
    check({ a: { id: [{ exists: true }] } }, [{ a: [{ k: 1 }, { id: 2 }] }], [{ a: [{ k: 1 }] }]);
  });
  test("array consistency: all fields must match within one element", () => {
    const p = { m: { name: ["CPU"], ns: ["ES"] } };
    check(
      p,
      [
        { m: [{ name: "CPU", ns: "ES" }] },
        {
          m: [
            { name: "X", ns: "Y" },
            { name: "CPU", ns: "ES" },
          ],
        },
      ],
      [
        {
          m: [
            { name: "CPU", ns: "EC2" },
            { name: "Req", ns: "ES" },
          ],
        },
      ],
    );
  });
  test("DynamoDB sets (SS) and lists (L)", () => {
    check(
      { dynamodb: { NewImage: { tags: { SS: ["blue"] } } } },
      [{ dynamodb: { NewImage: { tags: { SS: ["red", "blue"] } } } }],
      [{ dynamodb: { NewImage: { tags: { SS: ["red"] } } } }],
    );
    check(
      { dynamodb: { NewImage: { orgs: { L: { S: [{ exists: true }] } } } } },
      [{ dynamodb: { NewImage: { orgs: { L: [{ N: "1" }, { S: "x" }] } } } }],
      [{ dynamodb: { NewImage: { orgs: { L: [{ N: "1" }] } } } }],
    );
  });
});

describe("paths", () => {
  test("a dotted pattern key matches nested event fields", () => {
    check({ "a.b": ["x"] }, [{ a: { b: "x" } }], [{ a: { b: "y" } }]);
  });
  test("a dotted event key matches a nested pattern", () => {
    check(
      { a: { b: { c: ["x"] } } },
      [{ "a.b": { c: "x" } }, { a: { "b.c": "x" } }, { "a.b.c": "x" }],
      [{ "a.b": { c: "y" } }],
    );
  });
  test("dotted and nested event keys are combined", () => {
    check({ a: { b: ["1"], c: ["2"] } }, [{ a: { b: "1" }, "a.c": "2" }], [{ a: { b: "1" } }]);
  });
  test("the event is not modified by dotted-key handling", () => {
    const e = { a: { x: 1 }, "a.b": "v" };
    const before = JSON.stringify(e);
    check({ a: { b: ["v"] } }, [e], []);
    assert.equal(JSON.stringify(e), before);
  });
  test("keys are case-sensitive", () => {
    check({ Key: ["v"] }, [{ Key: "v" }], [{ key: "v" }]);
  });
  test("a JSON string holding JSON is not parsed", () => {
    check({ d: { k: ["v"] } }, [], [{ d: '{"k":"v"}' }]);
  });
  test("Object.prototype names are ordinary fields", () => {
    check(
      '{"constructor":["x"],"__proto__":["y"]}',
      [JSON.parse('{"constructor":"x","__proto__":"y"}')],
      [{}, JSON.parse('{"constructor":"x"}'), JSON.parse('{"__proto__":"y"}')],
    );
    check({ toString: [{ exists: false }] }, [{}], [{ toString: "v" }]);
  });
  test("events that are not objects never throw", () => {
    const p = compile({ a: ["x"] });
    for (const e of [null, undefined, 5, "s", [], [null], true]) assert.equal(p.match(e), false);
    assert.equal(compile({ a: [{ exists: false }] }).match(null), true);
  });
});

describe("duplicate keys", () => {
  test("the last value wins, with a warning", () => {
    const p = compile('{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}');
    assert.equal(p.match({ location: "eu-central-1" }), true);
    assert.equal(p.match({ location: "us-east" }), false);
    assert.equal(p.warnings.length, 1);
    assert.equal(p.warnings[0]!.code, "duplicate-key");
    assert.equal(p.warnings[0]!.path, "location");
  });
  test("a duplicate object drops the earlier object's conditions", () => {
    const p = compile('{"d":{"x":["1"]},"d":{"y":["2"]}}');
    assert.equal(p.match({ d: { y: "2" } }), true);
    assert.match(p.warnings[0]!.message, /every condition inside the first object is ignored/);
  });
});

describe("robustness", () => {
  test("deeply nested event arrays neither overflow the stack nor change the verdict", () => {
    const depth = 100_000;
    const event = JSON.parse(`{"a":${"[".repeat(depth)}{"b":"x"},"y"${"]".repeat(depth)}}`) as unknown;
    const node = compile({ a: { b: ["x"] } });
    assert.equal(node.match(event), true);
    assert.equal(node.explain(event).matched, true);
    const leaf = compile({ a: ["z"] });
    assert.equal(leaf.match(event), false);
    assert.equal(leaf.explain(event).matched, false);
    assert.equal(compile({ a: ["y"] }).match(event), true);
  });
});
