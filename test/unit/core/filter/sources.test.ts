// Where filter patterns come from: FilterCriteria documents in their shapes, and the filter set
// (compile once, lints).
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { compileCriteria } from "../../../../src/core/filter/index.js";
import {
  buildFilterSet,
  patternsFromArgument,
  patternsFromDocument,
} from "../../../../src/core/filter/sources.js";
import { lambdaRecord, src } from "../../../helpers/filter.js";

describe("patternsFromDocument", () => {
  const P = '{"eventName":["INSERT"]}';
  it("a FilterCriteria with JSON-string patterns", () => {
    const r = patternsFromDocument({ Filters: [{ Pattern: P }, { Pattern: "{}" }] }, "f.json");
    assert.ok(r.ok);
    assert.deepEqual(r.patterns, [
      { text: P, origin: "f.json Filters[0]" },
      { text: "{}", origin: "f.json Filters[1]" },
    ]);
  });
  it("a Pattern written as an object (SAM/CloudFormation) is serialised", () => {
    const r = patternsFromDocument({ Filters: [{ Pattern: { eventName: ["INSERT"] } }] }, "t");
    assert.ok(r.ok);
    assert.equal(r.patterns[0]?.text, P);
  });
  it("get-event-source-mapping output, a CloudFormation resource, a SAM template", () => {
    const fc = { Filters: [{ Pattern: P }] };
    for (const doc of [
      { UUID: "u", FunctionArn: "arn:aws:lambda:us-east-1:1:function:f", FilterCriteria: fc },
      { Type: "AWS::Lambda::EventSourceMapping", Properties: { FunctionName: "f", FilterCriteria: fc } },
      {
        Resources: {
          Fn: {
            Type: "AWS::Serverless::Function",
            Properties: { Events: { Stream: { Type: "DynamoDB", Properties: { FilterCriteria: fc } } } },
          },
          Table: { Type: "AWS::DynamoDB::Table", Properties: {} },
        },
      },
      { EventSourceMappings: [{ UUID: "a" }, { UUID: "b", FilterCriteria: fc }] },
      [{ Pattern: P }],
    ]) {
      const r = patternsFromDocument(doc, "doc");
      assert.ok(r.ok, JSON.stringify(doc));
      assert.deepEqual(
        r.patterns.map((p) => p.text),
        [P],
      );
    }
  });
  it("a template with several FilterCriteria names them", () => {
    const fc = { Filters: [{ Pattern: P }] };
    const r = patternsFromDocument(
      {
        Resources: {
          A: { Type: "AWS::Lambda::EventSourceMapping", Properties: { FilterCriteria: fc } },
          B: { Type: "AWS::Lambda::EventSourceMapping", Properties: { FilterCriteria: fc } },
        },
      },
      "t.json",
    );
    assert.ok(!r.ok);
    assert.match(r.error, /2 FilterCriteria \(A, B\)/);
  });
  it("KMS-encrypted criteria (null Pattern / null FilterCriteria) say so", () => {
    const a = patternsFromDocument(
      { FilterCriteria: { Filters: [{ Pattern: null }] }, KMSKeyArn: "arn:aws:kms:us-east-1:1:key/k" },
      "m",
    );
    assert.ok(!a.ok);
    assert.match(a.error, /encrypted with the KMS key arn:aws:kms:us-east-1:1:key\/k/);
    const b = patternsFromDocument(
      {
        FilterCriteria: null,
        KMSKeyArn: "arn:aws:kms:us-east-1:1:key/k",
        FilterCriteriaError: { ErrorCode: "KMSAccessDeniedException", Message: "no" },
      },
      "m",
    );
    assert.ok(!b.ok);
    assert.match(b.error, /encrypted.*KMSAccessDeniedException: no/);
  });
  it("rejects intrinsic functions, empty Filters, wrong types", () => {
    const cases: [unknown, RegExp][] = [
      [{ Filters: [{ Pattern: { "Fn::Sub": "x" } }] }, /intrinsic function Fn::Sub/],
      [{ Filters: [] }, /"Filters" is empty/],
      [{ Filters: [{ Pattern: 3 }] }, /Pattern must be a JSON string/],
      [{ Filters: "x" }, /must be an array/],
      [null, /got null/],
      [{ nothing: 1 }, /not a FilterCriteria document/],
      [{ Resources: {} }, /no FilterCriteria/],
    ];
    for (const [doc, re] of cases) {
      const r = patternsFromDocument(doc, "d");
      assert.ok(!r.ok, JSON.stringify(doc));
      assert.match(r.error, re);
    }
  });
  it("patternsFromArgument: a pattern as is, a FilterCriteria expanded, non-JSON kept for the engine", () => {
    assert.deepEqual(patternsFromArgument(P, "--pattern 1"), {
      ok: true,
      patterns: [{ text: P, origin: "--pattern 1" }],
      shape: "pattern",
    });
    const r = patternsFromArgument(JSON.stringify({ Filters: [{ Pattern: P }, { Pattern: P }] }), "f");
    assert.ok(r.ok);
    assert.equal(r.patterns.length, 2);
    const bad = patternsFromArgument('{"a":', "--pattern 1");
    assert.ok(bad.ok);
    assert.equal(bad.patterns[0]?.text, '{"a":');
  });
});

describe("buildFilterSet", () => {
  it("errors carry the filter index, line and column", () => {
    const r = buildFilterSet(src('{"eventName":["INSERT"]}', '{\n  "a": {"b": []}\n}'));
    assert.ok(!r.ok);
    assert.equal(r.errors[0]?.code, "empty-array");
    assert.equal(r.errors[0]?.filter, 1);
    assert.equal(r.errors[0]?.line, 2);
  });
  it("unsupported operators in the lambda dialect are errors, accepted in eventbridge", () => {
    const p = '{"eventName":[{"anything-but":{"prefix":"IN"}}]}';
    const l = buildFilterSet(src(p));
    assert.ok(!l.ok);
    assert.equal(l.errors[0]?.code, "lambda-unsupported-operator");
    assert.ok(buildFilterSet(src(p), { dialect: "eventbridge" }).ok);
  });
  it("lints each filter, with the view type, and lists a duplicate key once", () => {
    const r = buildFilterSet(
      src(
        '{"eventName":["INSERT"]}',
        '{"dynamodb":{"NewImage":{"total":{"N":[{"numeric":[">",1]}]}}},"eventName":["A"],"eventName":["MODIFY"]}',
      ),
      { viewType: "KEYS_ONLY" },
    );
    assert.ok(r.ok);
    const codes = r.set.warnings.map((w) => `${w.filter}:${w.code}`);
    assert.ok(codes.includes("1:ddb-numeric-on-number"), codes.join());
    assert.ok(codes.includes("1:ddb-image-not-in-view"), codes.join());
    assert.equal(codes.filter((c) => c === "1:duplicate-key").length, 1, codes.join());
    assert.ok(!codes.some((c) => c.startsWith("0:")), codes.join());
  });
  it("6 filters warn, 11 are an error", () => {
    const six = buildFilterSet(src(...Array.from({ length: 6 }, () => '{"eventName":["INSERT"]}')));
    assert.ok(six.ok);
    assert.ok(six.set.warnings.some((w) => w.code === "filters-above-default-quota"));
    const eleven = buildFilterSet(src(...Array.from({ length: 11 }, () => '{"eventName":["INSERT"]}')));
    assert.ok(!eleven.ok);
    assert.equal(eleven.errors[0]?.code, "too-many-filters");
  });
});

describe("compile once", () => {
  it("the criteria compiled by buildFilterSet are the engine's", () => {
    const r = buildFilterSet(src('{"eventName":["INSERT"]}'));
    assert.ok(r.ok);
    const direct = compileCriteria(['{"eventName":["INSERT"]}']);
    assert.ok(direct.ok);
    assert.equal(r.set.criteria.match(lambdaRecord({ eventName: "INSERT" })), 0);
    assert.equal(direct.criteria.match(lambdaRecord({ eventName: "INSERT" })), 0);
  });
});
