// The pages of GetMetricData gathered into one series per query (core/lag/metric-data.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  MAX_QUERIES_PER_CALL,
  MetricDataCollector,
  type MetricQuery,
  type MetricResult,
  queryCalls,
} from "../../../src/core/lag/metric-data.js";

const q = (id: string): MetricQuery => ({
  id,
  namespace: "AWS/Lambda",
  metricName: "IteratorAge",
  dimensions: { FunctionName: id },
  stat: "Maximum",
  periodSeconds: 60,
});

const result = (id: string, points: Array<[number, number]>, statusCode: string): MetricResult => ({
  id,
  timestamps: points.map((p) => p[0]),
  values: points.map((p) => p[1]),
  statusCode,
  messages: [],
});

test("pages are merged by query id, oldest first; PartialData after the last page and unanswered queries are incomplete", () => {
  const queries = [q("a"), q("b"), q("c")];
  const c = new MetricDataCollector(queries);
  c.page(
    ["Warn: something"],
    [result("a", [[120_000, 2]], "PartialData"), result("b", [[60_000, 5]], "PartialData")],
  );
  c.page([], [result("a", [[60_000, 1]], "Complete"), result("b", [], "PartialData")]);
  c.endCall(queries);
  const out = c.answer();
  assert.equal(out.requests, 2);
  assert.deepEqual(out.series.get("a"), {
    id: "a",
    points: [
      { t: 60_000, value: 1 },
      { t: 120_000, value: 2 },
    ],
    complete: true,
    statusCode: "Complete",
  });
  assert.equal(out.series.get("b")?.complete, false, "still PartialData when the pages ran out");
  assert.deepEqual(out.series.get("b")?.points, [{ t: 60_000, value: 5 }]);
  assert.equal(out.series.get("c")?.complete, false, "never answered");
  assert.equal(out.series.get("c")?.statusCode, "Missing");
  assert.deepEqual(out.messages, ["Warn: something"]);
});

test("a query's own messages name it; ids that were not asked and points that are not numbers are left out", () => {
  const c = new MetricDataCollector([q("a")]);
  c.page(
    [],
    [
      { ...result("a", [[60_000, 1]], "Complete"), messages: ["MaxQueryTimeRangeExceed"] },
      result("zzz", [[60_000, 9]], "Complete"),
      {
        id: "a",
        timestamps: [Number.NaN, 120_000],
        values: [3, Number.POSITIVE_INFINITY],
        statusCode: "Complete",
        messages: [],
      },
    ],
  );
  c.endCall([q("a")]);
  const out = c.answer();
  assert.deepEqual(out.series.get("a")?.points, [{ t: 60_000, value: 1 }]);
  assert.equal(out.series.has("zzz"), false);
  assert.deepEqual(out.messages, ["a: MaxQueryTimeRangeExceed"]);
});

test("pages cut short leave every query of the call incomplete, with the reason", () => {
  const c = new MetricDataCollector([q("a"), q("b")]);
  c.page([], [result("a", [[60_000, 1]], "Complete")]);
  c.endCall([q("a"), q("b")], "stopped after 1000 GetMetricData pages");
  const out = c.answer();
  assert.equal(out.series.get("a")?.complete, false);
  assert.equal(out.series.get("a")?.statusCode, "Complete");
  assert.equal(out.series.get("b")?.statusCode, "Missing");
  assert.deepEqual(out.messages, ["stopped after 1000 GetMetricData pages"]);
});

test("answers are per call: a query answered in one call is not taken as answered in the next", () => {
  const first = [q("a")];
  const second = [q("b")];
  const c = new MetricDataCollector([...first, ...second]);
  c.page([], [result("a", [], "Complete")]);
  c.endCall(first);
  c.page([], []);
  c.endCall(second);
  const out = c.answer();
  assert.equal(out.series.get("a")?.statusCode, "Complete");
  assert.equal(out.series.get("b")?.statusCode, "Missing");
});

test("queries go in calls of at most 500", () => {
  assert.equal(MAX_QUERIES_PER_CALL, 500);
  assert.deepEqual(queryCalls([]), []);
  const qs = Array.from({ length: 1001 }, (_, i) => q(`m${i}`));
  assert.deepEqual(
    queryCalls(qs).map((c) => c.length),
    [500, 500, 1],
  );
  assert.equal(queryCalls(qs)[2]?.[0]?.id, "m1000");
});
