// GetMetricData merging with a scripted client: pages, PartialData left after the last page, queries
// CloudWatch never answered, and more queries than one call may carry.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { GetMetricDataCommand, GetMetricDataOutput } from "@aws-sdk/client-cloudwatch";
import type { AwsClients } from "../../../src/aws/clients.js";
import { getMetricData, type MetricQuery } from "../../../src/aws/cloudwatch.js";
import type { AwsRun } from "../../../src/aws/streams.js";

function fakeRun(pages: (input: GetMetricDataCommand["input"]) => GetMetricDataOutput): {
  run: AwsRun;
  inputs: Array<GetMetricDataCommand["input"]>;
} {
  const inputs: Array<GetMetricDataCommand["input"]> = [];
  const client = {
    send: async (cmd: GetMetricDataCommand) => {
      inputs.push(cmd.input);
      return pages(cmd.input);
    },
  };
  const clients = {
    settings: {},
    cloudwatch: async () => client,
  } as unknown as AwsClients;
  return {
    run: { clients, signal: new AbortController().signal, now: () => 0, sleep: async () => undefined },
    inputs,
  };
}

const q = (id: string): MetricQuery => ({
  id,
  namespace: "AWS/Lambda",
  metricName: "IteratorAge",
  dimensions: { FunctionName: id },
  stat: "Maximum",
  periodSeconds: 60,
});

test("pages are merged by query id; PartialData after the last page and unanswered queries are incomplete", async () => {
  const { run, inputs } = fakeRun((input) => {
    if (!input.NextToken) {
      return {
        MetricDataResults: [
          { Id: "a", Timestamps: [new Date(120_000)], Values: [2], StatusCode: "PartialData" },
          { Id: "b", Timestamps: [new Date(60_000)], Values: [5], StatusCode: "PartialData" },
        ],
        NextToken: "t1",
        Messages: [{ Code: "Warn", Value: "something" }],
      };
    }
    return {
      MetricDataResults: [
        { Id: "a", Timestamps: [new Date(60_000)], Values: [1], StatusCode: "Complete" },
        { Id: "b", Timestamps: [], Values: [], StatusCode: "PartialData" },
      ],
    };
  });
  const out = await getMetricData(run, [q("a"), q("b"), q("c")], 0, 600_000);
  assert.equal(out.requests, 2);
  assert.equal(inputs[1]?.NextToken, "t1");
  assert.equal(inputs[0]?.ScanBy, "TimestampAscending");
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
  assert.equal(out.series.get("c")?.complete, false, "never answered");
  assert.equal(out.series.get("c")?.statusCode, "Missing");
  assert.deepEqual(out.messages, ["Warn: something"]);
});

test("no query, no call; more than 500 queries: one call per 500", async () => {
  const none = fakeRun(() => ({}));
  assert.equal((await getMetricData(none.run, [], 0, 1)).requests, 0);
  const many = fakeRun((input) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((x) => ({ Id: x.Id, StatusCode: "Complete" })),
  }));
  const qs = Array.from({ length: 501 }, (_, i) => q(`m${i}`));
  const out = await getMetricData(many.run, qs, 0, 1);
  assert.equal(out.requests, 2);
  assert.deepEqual(
    many.inputs.map((i) => i.MetricDataQueries?.length),
    [500, 1],
  );
  assert.ok([...out.series.values()].every((s) => s.complete));
});
