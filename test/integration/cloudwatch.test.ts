// getMetricData (src/aws/cloudwatch.ts) through the real CloudWatch client against the CloudWatch
// stand-in, which speaks its wire protocol, pages by datapoints and refuses more than 500 queries a
// call, as CloudWatch does. How the pages are gathered: test/unit/core/lag-metric-data.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { getMetricData } from "../../src/aws/cloudwatch.js";
import type { MetricQuery } from "../../src/core/lag/metric-data.js";
import { testRun } from "../helpers/aws-run.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";

const MIN = 60_000;

const q = (fn: string): MetricQuery => ({
  id: fn,
  namespace: "AWS/Lambda",
  metricName: "IteratorAge",
  dimensions: { FunctionName: fn },
  stat: "Maximum",
  periodSeconds: 60,
});

type Body = { NextToken?: string; ScanBy?: string; MetricDataQueries: unknown[] };

async function standin(
  t: { after: (fn: () => Promise<void>) => void },
  perPage?: number,
): Promise<AwsStandin> {
  const aws = await startAwsStandin(perPage === undefined ? {} : { cloudwatchMaxDatapointsPerPage: perPage });
  t.after(() => aws.stop());
  return aws;
}

test("every page is followed (NextToken) and merged by query, oldest first", async (t) => {
  const aws = await standin(t, 2);
  const end = Math.floor(Date.now() / MIN) * MIN;
  for (const [fn, values] of [
    ["fa", [1, 2, 3]],
    ["fb", [10, 20, 30]],
  ] as const) {
    aws.putDatapoints(
      { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: fn } },
      values.map((value, i) => ({ t: end - (3 - i) * MIN, value })),
    );
  }
  const out = await getMetricData(testRun(aws.endpoint), [q("fa"), q("fb")], end - 10 * MIN, end);
  const calls = aws.requestsFor("cloudwatch", "GetMetricData").map((r) => r.body as Body);
  assert.equal(out.requests, calls.length);
  assert.equal(calls.length, 3, "6 datapoints, 2 a page");
  assert.equal(calls[0]?.NextToken, undefined);
  assert.ok(calls.slice(1).every((c) => typeof c.NextToken === "string"));
  assert.ok(calls.every((c) => c.ScanBy === "TimestampAscending"));
  assert.deepEqual(
    out.series.get("fa")?.points.map((p) => [p.t, p.value]),
    [
      [end - 3 * MIN, 1],
      [end - 2 * MIN, 2],
      [end - MIN, 3],
    ],
  );
  assert.deepEqual(
    out.series.get("fb")?.points.map((p) => p.value),
    [10, 20, 30],
  );
  assert.ok([...out.series.values()].every((s) => s.complete && s.statusCode === "Complete"));
});

test("no query, no call; 501 queries: one call of 500 and one of 1, every query answered", async (t) => {
  const aws = await standin(t);
  const run = testRun(aws.endpoint);
  assert.equal((await getMetricData(run, [], 0, MIN)).requests, 0);
  assert.equal(aws.requestsFor("cloudwatch", "GetMetricData").length, 0);
  const qs = Array.from({ length: 501 }, (_, i) => q(`m${i}`));
  const out = await getMetricData(run, qs, 0, 10 * MIN);
  const calls = aws.requestsFor("cloudwatch", "GetMetricData").map((r) => r.body as Body);
  assert.deepEqual(
    calls.map((c) => c.MetricDataQueries.length),
    [500, 1],
  );
  assert.equal(out.requests, 2);
  assert.equal(out.series.size, 501);
  assert.ok([...out.series.values()].every((s) => s.complete && s.points.length === 0));
});
