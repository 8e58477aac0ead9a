// filter-test --cases: case suites parsed and run.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { buildFilterSet } from "../../../../src/core/filter/sources.js";
import { parseCaseSuite, runCase } from "../../../../src/core/filter-test/cases.js";

describe("case suites", () => {
  const rec = (eventName: string): Record<string, unknown> => ({
    eventName,
    dynamodb: { Keys: { pk: { S: "A" } }, NewImage: { status: { S: "new" } } },
  });
  const suite = {
    patterns: ['{"eventName":["INSERT"]}', { dynamodb: { NewImage: { status: { S: ["gone"] } } } }],
    dialect: "lambda",
    viewType: "NEW_IMAGE",
    cases: [
      { name: "insert", record: rec("INSERT"), expect: "match" },
      { name: "modify", records: [rec("MODIFY"), rec("REMOVE")], expect: "no-match" },
      { name: "wrong", record: { Records: [rec("INSERT"), rec("MODIFY")] }, expect: "match" },
    ],
  };
  it("parses patterns (strings and objects), dialect, view type and cases", () => {
    const r = parseCaseSuite(suite, "cases.json");
    assert.ok(r.ok, r.ok ? "" : r.error);
    assert.equal(r.suite.patterns?.length, 2);
    assert.equal(r.suite.patterns?.[1]?.text, '{"dynamodb":{"NewImage":{"status":{"S":["gone"]}}}}');
    assert.equal(r.suite.patterns?.[0]?.origin, "cases.json patterns[0]");
    assert.equal(r.suite.dialect, "lambda");
    assert.equal(r.suite.viewType, "NEW_IMAGE");
    assert.deepEqual(
      r.suite.cases.map((c) => [c.name, c.expect, c.events.length]),
      [
        ["insert", "match", 1],
        ["modify", "no-match", 2],
        ["wrong", "match", 2],
      ],
    );
  });
  it("runs cases: every record must agree", () => {
    const r = parseCaseSuite(suite, "cases.json");
    assert.ok(r.ok);
    const set = buildFilterSet(r.suite.patterns ?? []);
    assert.ok(set.ok);
    const results = r.suite.cases.map((c) => runCase(set.set.criteria, c));
    assert.deepEqual(
      results.map((x) => x.passed),
      [true, true, false],
    );
    const wrong = results[2]!;
    assert.equal(wrong.results[1]?.matched, false);
    assert.ok(wrong.results[1]?.explanation !== undefined);
  });
  it("reports mistakes with the case", () => {
    const bad: [unknown, RegExp][] = [
      [[], /expected an object/],
      [{ cases: [] }, /"cases" must be a non-empty array/],
      [{ patterns: [1], cases: suite.cases }, /patterns\[0\] must be/],
      [{ dialect: "sqs", cases: suite.cases }, /"dialect" must be/],
      [{ viewType: "ALL", cases: suite.cases }, /"viewType" must be one of/],
      [
        { cases: [{ name: "x", record: rec("INSERT") }] },
        /cases\[0\] "x": "expect" must be "match" or "no-match"/,
      ],
      [{ cases: [{ name: "x", expect: "match" }] }, /exactly one of "record" and "records"/],
      [{ cases: [{ name: "x", record: {}, records: [], expect: "match" }] }, /exactly one of/],
      [
        { cases: [{ name: "x", record: { a: 1 }, expect: "match" }] },
        /cases\[0\] "x" record: not a DynamoDB stream record/,
      ],
      [{ cases: [{ name: "x", records: {}, expect: "match" }] }, /"records" must be an array/],
      [{ cases: [{ name: "x", records: [], expect: "match" }] }, /no records/],
      [{ cases: [{ nom: "x", record: rec("INSERT"), expect: "match" }] }, /unknown key "nom"/],
      [{ tests: [] }, /unknown key "tests"/],
    ];
    for (const [doc, re] of bad) {
      const r = parseCaseSuite(doc, "c.json");
      assert.ok(!r.ok, JSON.stringify(doc));
      assert.match(r.error, re);
      assert.ok(r.error.startsWith("c.json: "), r.error);
    }
  });
  it("a case without a name gets one", () => {
    const r = parseCaseSuite({ cases: [{ record: rec("INSERT"), expect: "match" }] }, "c");
    assert.ok(r.ok);
    assert.equal(r.suite.cases[0]?.name, "case 1");
  });
});
