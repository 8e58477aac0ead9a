// filter-test's records: as Lambda's filter sees them (Lambda-shaped records used as they are),
// evaluated and explained, tallied, and the records runner.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
  agrees,
  EXPLAIN_DEFAULT_MAX,
  evaluate,
  type InputBatch,
  MAX_NAMED_FAILURES,
  type RecordResult,
  reasonText,
  runRecords,
  Tally,
  toFilterEvents,
} from "../../../../src/core/filter-test/evaluate.js";
import { isLambdaRecord, toLambdaRecord } from "../../../../src/core/lambda-record.js";
import { normalizeInput } from "../../../../src/core/normalize-record.js";
import type { StreamRecord } from "../../../../src/core/record.js";
import { UsageError } from "../../../../src/errors.js";
import { goV1 } from "../../../helpers/attr.js";
import { criteriaOf, lambdaRecord } from "../../../helpers/filter.js";

async function* batches(...bs: InputBatch[]): AsyncGenerator<InputBatch> {
  for (const b of bs) yield b;
}

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
