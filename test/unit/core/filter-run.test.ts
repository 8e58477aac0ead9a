// The pure side of `dynastream filter-test`: FilterCriteria shapes, the filter set (compile + lints),
// the record fast path, evaluation, tallies, the records runner and case suites, and the flags.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { parseFilterTestFlags } from "../../../src/commands/filter-test/options.js";
import { compileCriteria } from "../../../src/core/filter/index.js";
import {
  buildFilterSet,
  type PatternSource,
  patternsFromArgument,
  patternsFromDocument,
} from "../../../src/core/filter/sources.js";
import {
  agrees,
  EXPLAIN_DEFAULT_MAX,
  evaluate,
  type InputBatch,
  MAX_NAMED_FAILURES,
  parseCaseSuite,
  type RecordResult,
  reasonText,
  runCase,
  runRecords,
  Tally,
  toFilterEvents,
} from "../../../src/core/filter-run.js";
import type { StreamRecord } from "../../../src/core/record.js";
import { isLambdaRecord, normalizeInput, toLambdaRecord } from "../../../src/core/record.js";
import { UsageError } from "../../../src/errors.js";
import { goV1 } from "../../helpers/attr.js";

const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";

/** A record in the Lambda shape (as in the DynamoDB Streams guide). */
function lambdaRecord(
  over: Record<string, unknown> = {},
  data: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventID: "e1",
    eventName: "MODIFY",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: 1704110405,
      Keys: { pk: { S: "ORDER#1" } },
      NewImage: {
        pk: { S: "ORDER#1" },
        status: { S: "shipped" },
        total: { N: "129.95" },
        tags: { SS: ["a", "b"] },
      },
      OldImage: { pk: { S: "ORDER#1" }, status: { S: "pending" }, total: { N: "129.95" } },
      SequenceNumber: "111",
      SizeBytes: 26,
      StreamViewType: "NEW_AND_OLD_IMAGES",
      ...data,
    },
    eventSourceARN: ARN,
    ...over,
  };
}

function src(...texts: string[]): PatternSource[] {
  return texts.map((text, i) => ({ text, origin: `--pattern ${i + 1}` }));
}

function criteriaOf(...texts: string[]) {
  const r = buildFilterSet(src(...texts));
  assert.ok(r.ok, r.ok ? "" : JSON.stringify(r.errors));
  return r.set.criteria;
}

async function* batches(...bs: InputBatch[]): AsyncGenerator<InputBatch> {
  for (const b of bs) yield b;
}

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

describe("toFilterEvents", () => {
  it("uses a Lambda-shaped record as it is: exactly what normalising it would give", () => {
    const variants: Record<string, unknown>[] = [
      lambdaRecord(),
      lambdaRecord({}, { ApproximateCreationDateTime: 1704110405.123 }),
      lambdaRecord({ userIdentity: { principalId: "dynamodb.amazonaws.com", type: "Service" } }),
      { eventName: "INSERT", dynamodb: { Keys: { pk: { S: "ORDER#1" } }, NewImage: { b: { B: "AAH/" } } } },
    ];
    for (const rec of variants) {
      assert.ok(isLambdaRecord(rec), JSON.stringify(rec));
      const r = toFilterEvents(rec);
      assert.ok(r.ok);
      assert.equal(r.events[0], rec, "no copy");
      const n = normalizeInput(rec);
      assert.ok(n.ok);
      assert.deepEqual(toLambdaRecord(n.records[0] as StreamRecord), rec);
    }
  });
  it("Lambda events and tail lines give their records; gaps none", () => {
    const rec = lambdaRecord();
    const e = toFilterEvents({ Records: [rec, rec] });
    assert.ok(e.ok);
    assert.deepEqual(e.events, [rec, rec]);
    assert.equal(e.events[0], rec);
    const t = toFilterEvents({ type: "record", eventID: "e1", record: rec });
    assert.ok(t.ok);
    assert.equal(t.events[0], rec);
    const gap = toFilterEvents({ type: "gap", shardId: "s" });
    assert.deepEqual(gap, { ok: true, events: [] });
  });
  it("other shapes are normalised to exactly what toLambdaRecord gives", () => {
    const variants: Record<string, unknown>[] = [
      lambdaRecord({}, { ApproximateCreationDateTime: "2024-01-01T12:00:05Z" }),
      lambdaRecord({}, { ApproximateCreationDateTime: 1704110405000 }),
      lambdaRecord({}, { OldImage: null }),
      lambdaRecord({ userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" } }),
      lambdaRecord({ extra: "dropped" }),
      lambdaRecord({ eventID: null }),
      lambdaRecord({}, { Unknown: 1 }),
      lambdaRecord({ userIdentity: {} }),
      lambdaRecord({}, { ApproximateCreationDateTime: 1704110405.1234 }),
      lambdaRecord({}, { NewImage: { s: goV1("S", "x") } }),
    ];
    for (const v of variants) {
      assert.ok(!isLambdaRecord(v), JSON.stringify(v));
      const r = toFilterEvents(v);
      const n = normalizeInput(v);
      assert.ok(r.ok && n.ok);
      assert.notDeepEqual(r.events[0], v, JSON.stringify(v));
      assert.deepEqual(
        r.events,
        n.records.map((x) => toLambdaRecord(x)),
      );
    }
    const ms = toFilterEvents(lambdaRecord({}, { ApproximateCreationDateTime: 1704110405000 }));
    assert.ok(ms.ok);
    assert.equal(
      (ms.events[0] as { dynamodb: Record<string, unknown> }).dynamodb.ApproximateCreationDateTime,
      1704110405,
    );
  });
  it("the filter sees values written with every type descriptor as their one descriptor (AWS SDK for Go v1)", () => {
    const written = lambdaRecord(
      {},
      {
        NewImage: {
          status: goV1("S", "shipped"),
          gift: goV1("BOOL", false),
          note: goV1("NULL", true),
          items: goV1("L", [goV1("M", { qty: goV1("N", "3") })]),
        },
      },
    );
    const r = toFilterEvents(written);
    assert.ok(r.ok);
    assert.deepEqual((r.events[0] as { dynamodb: Record<string, unknown> }).dynamodb.NewImage, {
      status: { S: "shipped" },
      gift: { BOOL: false },
      note: { NULL: true },
      items: { L: [{ M: { qty: { N: "3" } } }] },
    });
    const c = criteriaOf(
      '{"dynamodb":{"NewImage":{"status":{"S":["shipped"],"N":[{"exists":false}]},"gift":{"BOOL":[false]}}}}',
    );
    assert.equal(c.match(r.events[0]), 0);
    assert.equal(c.match(written), -1, "unread, the null N would exist for the filter");
  });
  it("wrong shapes and invalid attribute values are errors naming where", () => {
    const bad = toFilterEvents({ eventName: "INSERT" }, "line 3");
    assert.deepEqual(bad, {
      ok: false,
      error: 'line 3: not a DynamoDB stream record (no "dynamodb" object)',
    });
    const av = toFilterEvents(lambdaRecord({}, { NewImage: { total: { N: 5 } } }), "line 1");
    assert.ok(!av.ok);
    assert.match(av.error, /line 1: dynamodb\.NewImage\.total: N must be a string/);
    for (const v of [
      lambdaRecord({}, { NewImage: { n: { N: "abc" } } }),
      lambdaRecord({}, { NewImage: { b: { B: "not base64!" } } }),
      lambdaRecord({}, { NewImage: { x: { S: "a", N: "1" } } }),
      lambdaRecord({}, { NewImage: { l: { L: [{ Q: 1 }] } } }),
      lambdaRecord({}, { SequenceNumber: 12 }),
      lambdaRecord({ eventName: "UPDATE" }),
    ]) {
      assert.ok(!isLambdaRecord(v), JSON.stringify(v));
      assert.equal(toFilterEvents(v).ok, false, JSON.stringify(v));
    }
  });
  it("accepts exactly the decimal strings DynamoDB could have stored", () => {
    const valid = ["1", "-1", "+1", "1.", ".5", "1.50", "1e3", "1E-3", "-0"];
    const invalid = [".", "", "e5", "1e", "1.2.3", " 1", "0x10", "NaN", "1_000"];
    for (const n of [...valid, ...invalid]) {
      const rec = lambdaRecord({}, { NewImage: { n: { N: n } } });
      assert.equal(isLambdaRecord(rec), valid.includes(n), JSON.stringify(n));
      assert.equal(toFilterEvents(rec).ok, valid.includes(n), JSON.stringify(n));
    }
  });
});

describe("evaluate and reasons", () => {
  it("a match names the filter; a miss explains every filter when asked", () => {
    const c = criteriaOf(
      '{"dynamodb":{"NewImage":{"total":{"N":[{"numeric":[">",100]}]}}}}',
      '{"eventName":["INSERT"]}',
      '{"eventName":["MODIFY"]}',
    );
    const hit = evaluate(c, lambdaRecord(), 0, true);
    assert.equal(hit.matched, true);
    assert.equal(hit.filter, 2);
    assert.equal(hit.explanation, undefined);
    assert.equal(reasonText(hit), null);
    const c2 = criteriaOf(
      '{"dynamodb":{"NewImage":{"total":{"N":[{"numeric":[">",100]}]}}}}',
      '{"eventName":["INSERT"]}',
    );
    const miss = evaluate(c2, lambdaRecord(), 4, true);
    assert.equal(miss.matched, false);
    assert.equal(miss.filter, -1);
    assert.equal(miss.index, 4);
    assert.equal(miss.eventID, "e1");
    assert.equal(
      reasonText(miss),
      'filter #1: dynamodb.NewImage.total.N: numeric operator never matches a DynamoDB N value, which is a string in stream records; filter #2: eventName: "MODIFY" is not one of ["INSERT"]',
    );
    assert.equal(reasonText(evaluate(c2, lambdaRecord(), 0, false)), null);
  });
  it("one filter: the reason has no filter prefix", () => {
    const c = criteriaOf('{"dynamodb":{"NewImage":{"status":{"S":["pending"]}}}}');
    assert.equal(
      reasonText(evaluate(c, lambdaRecord(), 0, true)),
      'dynamodb.NewImage.status.S: "shipped" is not one of ["pending"]',
    );
  });
});

describe("Tally", () => {
  const r = (matched: boolean, filter = matched ? 0 : -1): RecordResult => ({
    index: 0,
    eventID: null,
    eventName: null,
    matched,
    filter,
    event: {},
  });
  it("exit 0 when something matched, 1 when nothing did", () => {
    const t = new Tally(2);
    assert.equal(t.exitCode(), 1);
    t.add(r(false));
    assert.equal(t.exitCode(), 1);
    t.add(r(true, 1));
    assert.equal(t.exitCode(), 0);
    assert.deepEqual([t.total, t.matched, t.byFilter], [2, 1, [0, 1]]);
  });
  it("--expect: exit 1 when any record disagrees, remembering the first few", () => {
    const t = new Tally(1, "match");
    assert.equal(t.add(r(true)), true);
    assert.equal(t.exitCode(), 0);
    for (let i = 0; i < MAX_NAMED_FAILURES + 5; i++) assert.equal(t.add(r(false)), false);
    assert.equal(t.disagreeing, MAX_NAMED_FAILURES + 5);
    assert.equal(t.failures.length, MAX_NAMED_FAILURES);
    assert.equal(t.exitCode(), 1);
    const none = new Tally(1, "no-match");
    none.add(r(false));
    assert.equal(none.exitCode(), 0);
    assert.equal(agrees(r(true), "no-match"), false);
  });
  it("addPart: parts counted apart add up to the tally of the whole, failures renumbered", () => {
    // 30 results in three parts of 10; every third matches filter 1, the others disagree.
    const results = Array.from({ length: 30 }, (_, i) => ({
      ...r(i % 3 === 0, i % 3 === 0 ? 1 : -1),
      index: i,
    }));
    const whole = new Tally(2, "match");
    for (const x of results) whole.add(x);
    const merged = new Tally(2, "match");
    for (let p = 0; p < 3; p++) {
      const part = new Tally(2, "match");
      for (const x of results.slice(p * 10, p * 10 + 10)) part.add({ ...x, index: x.index - p * 10 });
      merged.addPart(part, p * 10);
    }
    assert.deepEqual(
      [merged.total, merged.matched, merged.byFilter, merged.disagreeing, merged.exitCode()],
      [whole.total, whole.matched, whole.byFilter, whole.disagreeing, whole.exitCode()],
    );
    assert.deepEqual(
      merged.failures.map((f) => f.index),
      whole.failures.map((f) => f.index),
    );
    assert.equal(merged.failures.length, MAX_NAMED_FAILURES);
  });
});

describe("runRecords", () => {
  const c = criteriaOf('{"eventName":["INSERT"]}');
  const recs = (n: number): unknown[] =>
    Array.from({ length: n }, (_, i) =>
      lambdaRecord({ eventID: String(i), eventName: i % 2 ? "INSERT" : "MODIFY" }),
    );

  it(`explains by default up to ${EXPLAIN_DEFAULT_MAX} records, in order`, async () => {
    const seen: RecordResult[] = [];
    const out = await runRecords(
      c,
      1,
      batches({ values: recs(5) }, { values: recs(EXPLAIN_DEFAULT_MAX - 5) }),
      (rs) => {
        seen.push(...rs);
      },
    );
    assert.equal(out.explained, true);
    assert.equal(seen.length, EXPLAIN_DEFAULT_MAX);
    assert.deepEqual(
      seen.map((r) => r.index),
      Array.from({ length: EXPLAIN_DEFAULT_MAX }, (_, i) => i),
    );
    assert.ok(seen.filter((r) => !r.matched).every((r) => r.explanation !== undefined));
    assert.equal(out.tally.total, EXPLAIN_DEFAULT_MAX);
    assert.equal(out.tally.matched, seen.filter((r) => r.eventName === "INSERT").length);
    assert.equal(out.tally.matched, 2 + 7);
  });
  it("does not explain above the default, unless asked", async () => {
    const seen: RecordResult[] = [];
    const out = await runRecords(c, 1, batches({ values: recs(EXPLAIN_DEFAULT_MAX + 1) }), (rs) => {
      seen.push(...rs);
    });
    assert.equal(out.explained, false);
    assert.equal(seen.length, EXPLAIN_DEFAULT_MAX + 1);
    assert.ok(seen.every((r) => r.explanation === undefined));
    const asked = await runRecords(c, 1, batches({ values: recs(30) }), () => undefined, { explain: true });
    assert.equal(asked.explained, true);
    const never = await runRecords(
      c,
      1,
      batches({ values: recs(3) }),
      (rs) => {
        assert.ok(rs.every((r) => r.explanation === undefined));
      },
      { explain: false },
    );
    assert.equal(never.explained, false);
  });
  it("explains the first records that disagree with --expect even without --explain", async () => {
    const seen: RecordResult[] = [];
    const out = await runRecords(
      c,
      1,
      batches({ values: recs(40) }),
      (rs) => {
        seen.push(...rs);
      },
      { expect: "match" },
    );
    assert.equal(out.tally.disagreeing, 20);
    assert.equal(out.tally.failures.length, MAX_NAMED_FAILURES);
    assert.ok(out.tally.failures.every((r) => r.explanation !== undefined));
    assert.equal(seen.filter((r) => r.explanation !== undefined).length, MAX_NAMED_FAILURES);
  });
  it("a record of the wrong shape stops the run after the results before it", async () => {
    const seen: RecordResult[] = [];
    const out = await runRecords(
      c,
      1,
      batches({ values: [...recs(2), { nope: 1 }, ...recs(2)], lines: [1, 2, 3, 4, 5] }),
      (rs) => {
        seen.push(...rs);
      },
    );
    assert.equal(out.error, 'line 3: not a DynamoDB stream record (no "dynamodb" object)');
    assert.equal(seen.length, 2);
    assert.equal(out.tally.total, 2);
  });
  it("an error thrown by the input is returned, not thrown", async () => {
    async function* failing(): AsyncGenerator<InputBatch> {
      yield { values: recs(1) };
      throw new UsageError("boom");
    }
    const out = await runRecords(c, 1, failing(), () => undefined);
    assert.ok(out.error instanceof UsageError);
    assert.equal(out.tally.total, 1);
  });
  it("stops between batches when the signal is aborted", async () => {
    const ac = new AbortController();
    let calls = 0;
    const out = await runRecords(
      c,
      1,
      batches({ values: recs(30) }, { values: recs(30) }),
      () => {
        calls++;
        ac.abort();
      },
      { signal: ac.signal, explain: false },
    );
    assert.equal(out.aborted, true);
    assert.equal(calls, 1);
    assert.equal(out.tally.total, 30);
  });
  it("numbers records without lines for messages", async () => {
    const out = await runRecords(c, 1, batches({ values: [recs(1)[0], 5] }), () => undefined);
    assert.match(String(out.error), /^record 2: not a DynamoDB stream record/);
  });
});

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

describe("parseFilterTestFlags", () => {
  const P = ['{"eventName":["INSERT"]}'];
  it("defaults", () => {
    const i = parseFilterTestFlags({ pattern: P, records: "r.json" });
    assert.equal(i.dialect, undefined);
    assert.equal(i.limit, 100);
    assert.equal(i.explain, undefined);
    assert.equal(i.summary, false);
  });
  it("parses dialect, view type, limit, expect, explain", () => {
    const i = parseFilterTestFlags({
      pattern: P,
      fromStream: "Orders",
      limit: "25",
      dialect: "EventBridge",
      viewType: "keys-only",
      expect: "no-match",
      explain: false,
    });
    assert.deepEqual(
      [i.dialect, i.limit, i.viewType, i.expect, i.explain],
      ["eventbridge", 25, "KEYS_ONLY", "no-match", false],
    );
  });
  it("rejects conflicting or bad flags (exit 2)", () => {
    const bad: Record<string, unknown>[] = [
      {},
      { records: "r" },
      { pattern: [""] },
      { function: "f", pattern: P },
      { table: "T", pattern: P },
      { pattern: P, dialect: "sqs" },
      { pattern: P, records: "r", fromStream: "T" },
      { cases: "c.json", records: "r" },
      { pattern: P, limit: "5", records: "r" },
      { pattern: P, fromStream: "T", limit: "0" },
      { pattern: P, fromStream: "T", limit: "10001" },
      { pattern: P, fromStream: "T", limit: "2x" },
      { pattern: P, records: "r", viewType: "ALL" },
      { pattern: P, records: "r", expect: "yes" },
      { pattern: P, expect: "match" },
      { cases: "c.json", expect: "match" },
    ];
    for (const f of bad) assert.throws(() => parseFilterTestFlags(f), UsageError, JSON.stringify(f));
  });
  it("a case suite alone is enough", () => {
    assert.equal(parseFilterTestFlags({ cases: "c.json" }).cases, "c.json");
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
