// Explanations (slow path) and criteria (filter lists).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type CompiledPattern,
  compileCriteria,
  compilePattern,
  DEFAULT_MAX_FILTERS,
  MAX_FILTERS_WITH_QUOTA,
  type PatternExplanation,
} from "../../../../src/core/filter/index.js";

function compile(pattern: unknown): CompiledPattern {
  const r = compilePattern(typeof pattern === "string" ? pattern : JSON.stringify(pattern), {
    dialect: "eventbridge",
  });
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.errors));
  return (r as { pattern: CompiledPattern }).pattern;
}

function why(pattern: unknown, event: unknown): PatternExplanation {
  const p = compile(pattern);
  const e = p.explain(event);
  assert.equal(e.matched, p.match(event), "explain agrees with match");
  return e;
}

const record = {
  eventName: "MODIFY",
  dynamodb: {
    Keys: { pk: { S: "ORDER#1" } },
    NewImage: {
      pk: { S: "ORDER#1" },
      status: { S: "shipped" },
      total: { N: "129.95" },
      tags: { SS: ["a", "b"] },
      flag: { BOOL: true },
    },
  },
};

describe("explain", () => {
  test("a match has no reason", () => {
    assert.deepEqual(why({ eventName: ["MODIFY"] }, record), { matched: true });
  });
  test("numeric on a DynamoDB N value", () => {
    const e = why({ dynamodb: { NewImage: { total: { N: [{ numeric: [">", 100] }] } } } }, record);
    assert.equal(e.path, "dynamodb.NewImage.total.N");
    assert.equal(
      e.reason,
      "numeric operator never matches a DynamoDB N value, which is a string in stream records",
    );
  });
  test("value not in the list", () => {
    const e = why({ dynamodb: { NewImage: { status: { S: ["pending"] } } } }, record);
    assert.equal(`${e.path}: ${e.reason}`, 'dynamodb.NewImage.status.S: "shipped" is not one of ["pending"]');
  });
  test("absent field is reported at the shallowest missing level", () => {
    const e = why({ dynamodb: { NewImage: { note: { S: ["x"] } } } }, record);
    assert.equal(`${e.path}: ${e.reason}`, "dynamodb.NewImage.note: field is absent");
    const top = why({ dynamodb: { OldImage: { note: { S: ["x"] } } } }, record);
    assert.equal(top.path, "dynamodb.OldImage");
  });
  test("the first failing field in pattern order", () => {
    const e = why({ eventName: ["INSERT"], dynamodb: { NewImage: { status: { S: ["x"] } } } }, record);
    assert.equal(e.path, "eventName");
    assert.equal(e.reason, '"MODIFY" is not one of ["INSERT"]');
  });
  test("attribute object without descriptor", () => {
    const e = why({ dynamodb: { NewImage: { status: ["shipped"] } } }, record);
    assert.equal(e.path, "dynamodb.NewImage.status");
    assert.match(e.reason!, /DynamoDB attribute value \{"S":"shipped"\}.*type descriptor/);
  });
  test("reasons per operator", () => {
    const cases: [unknown, unknown, string][] = [
      [{ a: [{ prefix: "us-" }] }, { a: "eu-1" }, '"eu-1" does not start with "us-"'],
      [
        { a: [{ prefix: { "equals-ignore-case": "US-" } }] },
        { a: "eu-1" },
        '"eu-1" does not start with "US-" (ignoring case)',
      ],
      [{ a: [{ suffix: ".png" }] }, { a: "x.jpg" }, '"x.jpg" does not end with ".png"'],
      [{ a: [{ prefix: "x" }] }, { a: 5 }, "prefix only matches strings; value is 5"],
      [{ a: [{ "equals-ignore-case": "abc" }] }, { a: "abd" }, '"abd" does not equal "abc" ignoring case'],
      [{ a: [{ wildcard: "a*c" }] }, { a: "abd" }, '"abd" does not match wildcard "a*c"'],
      [{ a: [{ "anything-but": ["x", "y"] }] }, { a: "x" }, '"x" is excluded by {"anything-but":["x","y"]}'],
      [
        { a: [{ "anything-but": "x" }] },
        {},
        "field is absent (anything-but only matches a field that is present)",
      ],
      [{ a: [{ numeric: [">", 0, "<=", 5] }] }, { a: 7 }, "7 is not > 0 and <= 5"],
      [{ a: [{ numeric: ["=", 5] }] }, { a: 4 }, "4 is not = 5"],
      [
        { a: [{ numeric: ["<", 5] }] },
        { a: "3" },
        'numeric only matches JSON numbers; value is "3" (string)',
      ],
      [
        { a: [{ exists: true }] },
        { a: { b: 1 } },
        'value is an object {"b":1}; exists only matches leaf values (string, number, boolean, null)',
      ],
      [
        { a: [{ exists: false }] },
        { a: "x" },
        'field is present ("x") but the pattern requires it to be absent',
      ],
      [{ a: [{ cidr: "10.0.0.0/24" }] }, { a: "10.0.1.1" }, '"10.0.1.1" is not in 10.0.0.0/24'],
      [{ a: [{ cidr: "10.0.0.0/24" }] }, { a: "nope" }, '"nope" is not an IP address (cidr 10.0.0.0/24)'],
      [{ a: [5] }, { a: "5" }, '"5" is not one of [5] (the value is a string, the pattern lists a number)'],
      [{ a: ["5"] }, { a: 5 }, '5 is not one of ["5"] (the value is a number, the pattern lists a string)'],
      [{ a: [null] }, { a: [] }, "value [] is an array with no values"],
      [{ a: ["x"] }, { a: ["y", "z"] }, 'none of the array values ["y","z"] match "x"'],
      [{ a: ["x", { prefix: "p" }] }, { a: "q" }, '"q" is not one of ["x"]; "q" does not start with "p"'],
      [
        { d: { k: ["v"] } },
        { d: '{"k":"v"}' },
        'value is "{\\"k\\":\\"v\\"}" (string), not an object, so d.k cannot match',
      ],
    ];
    for (const [pattern, event, reason] of cases) {
      const e = why(pattern, event);
      assert.equal(e.matched, false);
      assert.equal(e.reason, reason, JSON.stringify(pattern));
    }
  });
  test("$or: every distinct branch failure is listed", () => {
    const e = why({ $or: [{ a: ["1"] }, { b: ["2"] }] }, { a: "0", b: "0" });
    assert.equal(e.path, "a");
    assert.equal(
      e.reason,
      'none of the 2 $or branches matched: (1) a: "0" is not one of ["1"]; (2) b: "0" is not one of ["2"]',
    );
    const shared = why({ x: ["1"], $or: [{ a: ["1"] }, { b: ["2"] }] }, { x: "0" });
    assert.equal(`${shared.path}: ${shared.reason}`, 'x: "0" is not one of ["1"]');
  });
  test("array consistency is explained with a note", () => {
    const e = why(
      { m: { name: ["CPU"], ns: ["ES"] } },
      {
        m: [
          { name: "CPU", ns: "EC2" },
          { name: "Req", ns: "ES" },
        ],
      },
    );
    assert.equal(e.path, "m.ns");
    assert.match(
      e.reason!,
      /"EC2" is not one of \["ES"\] \(in the closest of 2 elements of m; all fields must match in one element\)/,
    );
    assert.equal(e.notes?.length, 1);
    assert.match(e.notes![0]!, /same element/);
    const plain = why({ m: { name: ["CPU"], ns: ["ES"] } }, { m: [{ name: "Req", ns: "EC2" }] });
    assert.equal(plain.notes, undefined);
  });
});

describe("compileCriteria", () => {
  const texts = ['{"eventName":["INSERT"]}', '{"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}'];

  test("match returns the first matching filter or -1", () => {
    const r = compileCriteria(texts);
    assert.ok(r.ok);
    if (!r.ok) return;
    assert.equal(r.criteria.patterns.length, 2);
    assert.equal(r.criteria.match(record), 1);
    assert.equal(r.criteria.match({ eventName: "INSERT", dynamodb: record.dynamodb }), 0);
    assert.equal(r.criteria.match({ eventName: "REMOVE" }), -1);
  });
  test("explain covers every filter", () => {
    const r = compileCriteria(texts);
    assert.ok(r.ok);
    if (!r.ok) return;
    const e = r.criteria.explain(record);
    assert.equal(e.matched, true);
    assert.equal(e.index, 1);
    assert.equal(e.filters.length, 2);
    assert.equal(e.filters[0]!.reason, '"MODIFY" is not one of ["INSERT"]');
    assert.equal(e.filters[1]!.matched, true);
    const none = r.criteria.explain({ eventName: "REMOVE" });
    assert.deepEqual([none.matched, none.index], [false, -1]);
  });
  test("up to 5 filters: no count diagnostic", () => {
    const r = compileCriteria(Array(DEFAULT_MAX_FILTERS).fill(texts[0]));
    assert.ok(r.ok);
    assert.deepEqual(r.ok && r.criteria.warnings, []);
  });
  test("6 to 10 filters: warning (quota increase needed)", () => {
    for (const n of [DEFAULT_MAX_FILTERS + 1, MAX_FILTERS_WITH_QUOTA]) {
      const r = compileCriteria(Array(n).fill(texts[0]));
      assert.ok(r.ok);
      assert.deepEqual(r.ok && r.criteria.warnings.map((w) => w.code), ["filters-above-default-quota"]);
    }
  });
  test("more than 10 filters: error", () => {
    const r = compileCriteria(Array(MAX_FILTERS_WITH_QUOTA + 1).fill(texts[0]));
    assert.equal(r.ok, false);
    assert.deepEqual(!r.ok && r.errors.map((e) => e.code), ["too-many-filters"]);
  });
  test("no filters: error", () => {
    const r = compileCriteria([]);
    assert.deepEqual(!r.ok && r.errors.map((e) => e.code), ["no-filters"]);
  });
  test("diagnostics carry the filter index", () => {
    const r = compileCriteria([
      '{"a":["1"],"a":["2"]}',
      '{"b": []}',
      '{"c": [{"anything-but": {"suffix": "x"}}]}',
    ]);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.deepEqual(
      r.errors.map((e) => [e.filter, e.code]),
      [
        [1, "empty-array"],
        [2, "lambda-unsupported-operator"],
      ],
    );
    assert.deepEqual(
      r.warnings.map((w) => [w.filter, w.code]),
      [[0, "duplicate-key"]],
    );
  });
  test("the eventbridge dialect accepts EventBridge-only operators", () => {
    const r = compileCriteria(['{"c": [{"anything-but": {"suffix": "x"}}]}'], { dialect: "eventbridge" });
    assert.ok(r.ok);
    assert.equal(r.ok && r.criteria.match({ c: "y" }), 0);
  });
});
