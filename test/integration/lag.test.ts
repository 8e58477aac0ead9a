// `dynastream lag` for Lambda consumers: the built binary against DynamoDB Local (tables, streams) and
// the CloudWatch + Lambda stand-in (event source mappings, IteratorAge datapoints, faults), reached
// through AWS_ENDPOINT_URL_CLOUDWATCH / AWS_ENDPOINT_URL_LAMBDA. DynamoDB Local's stream ARNs carry
// region `ddblocal`; the mappings are seeded for exactly those ARNs.
import assert from "node:assert/strict";
import { before, describe, type TestContext, test } from "node:test";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import { runCli, startCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import {
  type AwsStandin,
  type StandinLogEntry,
  type StartAwsStandinOptions,
  startAwsStandin,
} from "../helpers/standins/cloudwatch-server.js";

const MIN = 60_000;
let endpoint = "";
before(async () => {
  endpoint = await ddbEndpoint();
});

async function standin(t: TestContext, opts?: StartAwsStandinOptions): Promise<AwsStandin> {
  const s = await startAwsStandin(opts);
  t.after(() => s.stop());
  return s;
}

function envFor(aws: AwsStandin, extra: Record<string, string> = {}): Record<string, string> {
  return cliEnv(endpoint, {
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
    ...extra,
  });
}

/** A DynamoDB Local table with a stream; returns its name and stream ARN. */
async function tableWithStream(): Promise<{ table: string; streamArn: string }> {
  const table = await createTable(endpoint);
  const { ddb } = clients(endpoint);
  try {
    const d = await ddb.send(new DescribeTableCommand({ TableName: table }));
    return { table, streamArn: d.Table?.LatestStreamArn ?? "" };
  } finally {
    ddb.destroy();
  }
}

/** Adds a function and its mapping on the stream; returns the mapping UUID. */
function mapping(
  aws: AwsStandin,
  streamArn: string,
  name: string,
  extra: Partial<EventSourceMappingConfiguration> = {},
): string {
  const fn = aws.addFunction(name);
  return aws.addEventSourceMapping({
    EventSourceArn: streamArn,
    FunctionArn: fn,
    LastProcessingResult: "OK",
    DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:123456789012:dlq" } },
    ...extra,
  });
}

/** IteratorAge datapoints of a function, oldest first, one every 2 minutes ending 2 minutes ago. */
function ages(aws: AwsStandin, fn: string, values: number[]): void {
  const now = Date.now();
  aws.putDatapoints(
    {
      namespace: "AWS/Lambda",
      metricName: "IteratorAge",
      dimensions: { FunctionName: fn },
      unit: "Milliseconds",
    },
    values.map((value, i) => ({ t: now - (values.length - i) * 2 * MIN, value })),
  );
}

type Json = Record<string, unknown>;

function parse(stdout: string): Json {
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 1, `one JSON document expected, got: ${stdout}`);
  return JSON.parse(lines[0] as string) as Json;
}

function consumers(j: Json): Json[] {
  return j.consumers as Json[];
}

function byFunction(j: Json): Map<string, Json> {
  return new Map(consumers(j).map((c) => [String(c.functionName), c]));
}

interface MetricDataQueryBody {
  Id: string;
  MetricStat: {
    Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> };
    Period: number;
    Stat: string;
  };
}

function queriesOf(entry: StandinLogEntry | undefined): MetricDataQueryBody[] {
  return ((entry?.body as { MetricDataQueries?: MetricDataQueryBody[] } | undefined)?.MetricDataQueries ??
    []) as MetricDataQueryBody[];
}

const LAMBDA_KEYS = [
  "events",
  "functionArn",
  "functionName",
  "iteratorAge",
  "kind",
  "lastProcessingResult",
  "onFailureWaiting",
  "reasons",
  "settings",
  "state",
  "stateTransitionReason",
  "status",
  "streamArn",
  "uuid",
  "warnings",
];

describe("lag: Lambda consumers", () => {
  test("ok / warn / fail / no-data verdicts, JSON shape, mappings over several pages, ONE GetMetricData", async (t) => {
    const aws = await standin(t, { lambdaPageSize: 2 });
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-ok");
    mapping(aws, streamArn, "fn-warn");
    mapping(aws, streamArn, "fn-fail");
    mapping(aws, streamArn, "fn-idle");
    const disabled = mapping(aws, streamArn, "fn-disabled", {
      State: "Disabled",
      StateTransitionReason: "User action",
    });
    mapping(
      aws,
      "arn:aws:dynamodb:ddblocal:000000000000:table/other/stream/2026-01-01T00:00:00.000",
      "fn-other",
    );
    ages(aws, "fn-ok", [400, 900, 700]);
    ages(aws, "fn-warn", [5_000, 75_000]);
    ages(aws, "fn-fail", [30_000, 11 * MIN]);
    ages(aws, "fn-disabled", [10]);
    ages(aws, "fn-other", [99 * MIN]);

    const r = await runCli(["lag", table, "--json"], { env: envFor(aws) });
    assert.equal(r.code, 1, r.stderr);
    const j = parse(r.stdout);
    assert.deepEqual(Object.keys(j).sort(), ["consumers", "status", "streamArn", "window"]);
    assert.equal(j.streamArn, streamArn);
    assert.equal(j.status, "fail");
    const w = j.window as Json;
    assert.deepEqual(Object.keys(w).sort(), ["end", "periodSeconds", "start"]);
    assert.equal(w.periodSeconds, 60);
    assert.equal(
      Date.parse(String(w.end)) - Date.parse(String(w.start)),
      15 * MIN,
      "--since defaults to 15m",
    );

    const cs = byFunction(j);
    assert.deepEqual([...cs.keys()].sort(), ["fn-disabled", "fn-fail", "fn-idle", "fn-ok", "fn-warn"]);
    for (const c of cs.values()) {
      assert.deepEqual(Object.keys(c).sort(), LAMBDA_KEYS);
      assert.equal(c.kind, "lambda");
      assert.equal(c.streamArn, streamArn);
      assert.deepEqual(Object.keys(c.iteratorAge as Json).sort(), [
        "latestAt",
        "latestMs",
        "maxMs",
        "series",
      ]);
    }
    const ok = cs.get("fn-ok") as Json;
    assert.equal(ok.status, "ok");
    assert.equal(ok.state, "Enabled");
    assert.equal(ok.lastProcessingResult, "OK");
    assert.match(String(ok.functionArn), /^arn:aws:lambda:us-east-1:123456789012:function:fn-ok$/);
    const okAge = ok.iteratorAge as { latestMs: number; latestAt: string; maxMs: number; series: Json[] };
    assert.equal(okAge.latestMs, 700, "the latest datapoint, not the max");
    assert.equal(okAge.maxMs, 900);
    assert.equal(okAge.series.length, 3);
    assert.deepEqual(
      okAge.series.map((p) => p.ms),
      [400, 900, 700],
    );
    assert.ok(okAge.series.every((p) => !Number.isNaN(Date.parse(String(p.t)))));
    assert.equal(Date.parse(okAge.latestAt), Date.parse(String(okAge.series[2]?.t)));
    assert.equal(ok.events, null, "EventCount metrics not enabled on this mapping");
    assert.deepEqual(ok.reasons, []);
    // 4 reading mappings (the Disabled one does not read): more than two readers per shard
    assert.equal((ok.warnings as string[]).length, 1);
    assert.match((ok.warnings as string[])[0] ?? "", /^4 readers per shard \(4 Lambda mappings\)/);

    const warn = cs.get("fn-warn") as Json;
    assert.equal(warn.status, "warn");
    assert.match((warn.reasons as string[])[0] ?? "", /over the warn threshold 1m00s/);
    const fail = cs.get("fn-fail") as Json;
    assert.equal(fail.status, "fail");
    assert.match((fail.reasons as string[])[0] ?? "", /over the fail threshold 10m00s/);
    const idle = cs.get("fn-idle") as Json;
    assert.equal(idle.status, "no-data");
    assert.deepEqual(idle.iteratorAge, { latestMs: null, latestAt: null, maxMs: null, series: [] });
    const dis = cs.get("fn-disabled") as Json;
    assert.equal(dis.uuid, disabled);
    assert.equal(dis.status, "fail", "a mapping that is not Enabled fails whatever its age");
    assert.match((dis.reasons as string[])[0] ?? "", /Disabled, not Enabled \(User action\)/);

    // ListEventSourceMappings: all pages of this stream's mappings
    const lists = aws.requestsFor("lambda", "ListEventSourceMappings");
    assert.equal(lists.length, 3, "5 mappings at 2 per page");
    assert.ok(lists.every((l) => l.query.EventSourceArn === streamArn));
    assert.equal(lists[0]?.query.Marker, undefined);
    assert.ok(lists[1]?.query.Marker && lists[2]?.query.Marker);
    // exactly ONE GetMetricData: IteratorAge Maximum per function, FunctionName dimension, period 60
    const gmd = aws.requestsFor("cloudwatch", "GetMetricData");
    assert.equal(gmd.length, 1);
    const qs = queriesOf(gmd[0]);
    assert.equal(qs.length, 5);
    for (const q of qs) {
      assert.match(q.Id, /^[a-z][A-Za-z0-9_]*$/);
      assert.equal(q.MetricStat.Metric.Namespace, "AWS/Lambda");
      assert.equal(q.MetricStat.Metric.MetricName, "IteratorAge");
      assert.equal(q.MetricStat.Stat, "Maximum");
      assert.equal(q.MetricStat.Period, 60);
      assert.equal(q.MetricStat.Metric.Dimensions.length, 1);
      assert.equal(q.MetricStat.Metric.Dimensions[0]?.Name, "FunctionName");
    }
    assert.deepEqual(qs.map((q) => q.MetricStat.Metric.Dimensions[0]?.Value).sort(), [
      "fn-disabled",
      "fn-fail",
      "fn-idle",
      "fn-ok",
      "fn-warn",
    ]);
    assert.equal(aws.requests.length, 4, "nothing else was called");
  });

  test("the table: FUNCTION, STATE, LAST RESULT, AGE NOW, MAX, TREND, STATUS; idle is 'no data (idle)', never 0", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-ok");
    mapping(aws, streamArn, "fn-idle", { LastProcessingResult: "No records processed" });
    mapping(aws, streamArn, "fn-problem", { LastProcessingResult: "PROBLEM: Function call failed" });
    ages(aws, "fn-ok", [1_000, 2_000, 65_000]);
    ages(aws, "fn-problem", [500]);
    const r = await runCli(["lag", table], { env: envFor(aws) });
    assert.equal(r.code, 1, r.stderr);
    const out = r.stdout;
    assert.match(out, /^FUNCTION +STATE +LAST RESULT +AGE NOW +MAX +TREND +STATUS$/m);
    assert.match(out, /^fn-ok +Enabled +OK +1m05s +1m05s +\S+ +warn$/m);
    assert.match(out, /^fn-idle +Enabled +No records processed +no data \(idle\) +- +- +no-data$/m);
    assert.match(out, /^fn-problem +Enabled +PROBLEM: Function call failed +500ms +500ms +\S+ +fail$/m);
    assert.match(out, /last processing result: PROBLEM: Function call failed/);
    assert.match(out, /settings: batch 100 · window 0s · parallelization 1 · from LATEST · retries ∞/);
    assert.match(
      out,
      /events: not enabled; enable them with: aws lambda update-event-source-mapping --uuid \S+ --metrics-config Metrics=EventCount/,
    );
    assert.match(out, /^status: fail \(3 consumers: 1 fail, 1 warn, 1 no-data\)$/m);
    assert.doesNotMatch(out, / +$/m, "no trailing spaces");
    assert.doesNotMatch(out, /\u001b\[/, "no colour when stdout is not a terminal");
    const spark = /^fn-ok +Enabled +OK +1m05s +1m05s +(\S+) +warn$/m.exec(out)?.[1] ?? "";
    assert.match(spark, /^[▁▂▃▄▅▆▇█·]+$/);
    assert.ok(spark.includes("█"), `the window max is a full bar: ${spark}`);
  });

  test("exit 0 unless a consumer fails; --warn / --fail thresholds; --fail-on-no-data", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a");
    mapping(aws, streamArn, "fn-idle");
    ages(aws, "fn-a", [3 * MIN]);
    const env = envFor(aws);
    const warnOnly = await runCli(["lag", table, "--json"], { env });
    assert.equal(warnOnly.code, 0, warnOnly.stderr);
    assert.equal(parse(warnOnly.stdout).status, "warn");
    const strict = await runCli(["lag", table, "--json", "--fail", "2m"], { env });
    assert.equal(strict.code, 1);
    assert.equal(byFunction(parse(strict.stdout)).get("fn-a")?.status, "fail");
    const lax = await runCli(["lag", table, "--json", "--warn", "5m", "--fail", "1h"], { env });
    assert.equal(lax.code, 0);
    assert.equal(byFunction(parse(lax.stdout)).get("fn-a")?.status, "ok");
    assert.equal(parse(lax.stdout).status, "no-data", "worst of ok and no-data");
    const noData = await runCli(
      ["lag", table, "--json", "--warn", "5m", "--fail", "1h", "--fail-on-no-data"],
      { env },
    );
    assert.equal(noData.code, 1);
    const idle = byFunction(parse(noData.stdout)).get("fn-idle") as Json;
    assert.equal(idle.status, "fail");
    assert.match((idle.reasons as string[])[0] ?? "", /--fail-on-no-data/);
  });

  test("EventCount metrics (Sum, EventSourceMappingUUID) only for mappings with MetricsConfig EventCount", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    const withMetrics = mapping(aws, streamArn, "fn-metrics", { MetricsConfig: { Metrics: ["EventCount"] } });
    mapping(aws, streamArn, "fn-plain");
    ages(aws, "fn-metrics", [100]);
    const now = Date.now();
    const put = (metricName: string, values: number[]): void =>
      aws.putDatapoints(
        { namespace: "AWS/Lambda", metricName, dimensions: { EventSourceMappingUUID: withMetrics } },
        values.map((value, i) => ({ t: now - (i + 2) * MIN, value })),
      );
    put("PolledEventCount", [10, 20, 30]);
    put("FilteredOutEventCount", [1, 0, 0]);
    put("InvokedEventCount", [9, 20, 30]);
    put("FailedInvokeEventCount", [0, 0, 2]);
    put("DroppedEventCount", [0, 3, 0]);
    put("OnFailureDestinationDeliveredEventCount", [0, 3, 0]);
    const r = await runCli(["lag", table, "--json"], { env: envFor(aws) });
    assert.equal(r.code, 0, r.stderr);
    const cs = byFunction(parse(r.stdout));
    const m = cs.get("fn-metrics") as Json;
    assert.deepEqual(m.events, {
      polled: 60,
      filteredOut: 1,
      invoked: 59,
      failedInvoke: 2,
      dropped: 3,
      onFailureDestinationDelivered: 3,
    });
    assert.match((m.warnings as string[]).join("\n"), /3 events dropped/);
    assert.match((m.warnings as string[]).join("\n"), /2 events failed/);
    assert.equal(cs.get("fn-plain")?.events, null);
    const gmd = aws.requestsFor("cloudwatch", "GetMetricData");
    assert.equal(gmd.length, 1, "IteratorAge and EventCount metrics in the same call");
    const qs = queriesOf(gmd[0]);
    const ev = qs.filter((q) => q.MetricStat.Metric.Dimensions[0]?.Name === "EventSourceMappingUUID");
    assert.equal(ev.length, 6);
    assert.ok(
      ev.every(
        (q) => q.MetricStat.Stat === "Sum" && q.MetricStat.Metric.Dimensions[0]?.Value === withMetrics,
      ),
    );
    assert.deepEqual(ev.map((q) => q.MetricStat.Metric.MetricName).sort(), [
      "DroppedEventCount",
      "FailedInvokeEventCount",
      "FilteredOutEventCount",
      "InvokedEventCount",
      "OnFailureDestinationDeliveredEventCount",
      "PolledEventCount",
    ]);
    const pretty = await runCli(["lag", table], { env: envFor(aws) });
    assert.match(
      pretty.stdout,
      /events: polled 60 · filtered out 1 · invoked 59 · failed 2 · dropped 3 · to on-failure destination 3/,
    );
  });

  test("GetMetricData pages (NextToken) and PartialData are followed to the end; --period and --since are sent", async (t) => {
    const aws = await standin(t, { cloudwatchMaxDatapointsPerPage: 4 });
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a");
    mapping(aws, streamArn, "fn-b");
    ages(aws, "fn-a", [1, 2, 3, 4, 5, 6]);
    ages(aws, "fn-b", [10, 20, 30, 40, 50]);
    aws.faults.inject({ service: "cloudwatch", op: "GetMetricData", kind: "partialData" });
    const r = await runCli(["lag", table, "--json", "--since", "30m", "--period", "120"], {
      env: envFor(aws),
    });
    assert.equal(r.code, 0, r.stderr);
    const cs = byFunction(parse(r.stdout));
    const a = cs.get("fn-a")?.iteratorAge as { series: Json[]; latestMs: number };
    const b = cs.get("fn-b")?.iteratorAge as { series: Json[]; latestMs: number };
    assert.equal(a.series.length, 6);
    assert.equal(a.latestMs, 6);
    assert.equal(b.series.length, 5);
    assert.equal(b.latestMs, 50);
    assert.deepEqual(cs.get("fn-a")?.warnings, [], "complete in the end: no partial-data warning");
    const gmd = aws.requestsFor("cloudwatch", "GetMetricData");
    assert.ok(gmd.length >= 3, `several pages, got ${gmd.length}`);
    assert.equal(gmd[0]?.fault, "partialData");
    const first = gmd[0]?.body as { NextToken?: string; StartTime: number; EndTime: number };
    assert.equal(first.NextToken, undefined);
    assert.equal(first.EndTime - first.StartTime, 30 * 60);
    for (const g of gmd.slice(1)) {
      assert.ok((g.body as { NextToken?: string }).NextToken, "later pages carry the NextToken");
      assert.deepEqual(queriesOf(g), queriesOf(gmd[0]), "the same queries on every page");
    }
    assert.ok(queriesOf(gmd[0]).every((q) => q.MetricStat.Period === 120));
  });

  test("throttling: retried by the SDK; still throttled after retries: exit 5", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a");
    ages(aws, "fn-a", [100]);
    aws.faults.inject({ service: "cloudwatch", op: "GetMetricData", kind: "throttle" });
    const once = await runCli(["lag", table, "--json"], { env: envFor(aws) });
    assert.equal(once.code, 0, once.stderr);
    assert.equal(byFunction(parse(once.stdout)).get("fn-a")?.status, "ok");
    assert.equal(aws.requestsFor("cloudwatch", "GetMetricData").length, 2, "one throttled, one retried");

    aws.clearRequests();
    aws.faults.inject({
      service: "cloudwatch",
      op: "GetMetricData",
      kind: "throttle",
      times: Number.POSITIVE_INFINITY,
    });
    const always = await runCli(["lag", table], { env: envFor(aws), timeoutMs: 120_000 });
    assert.equal(always.code, 5, always.stderr);
    assert.match(always.stderr, /^error: AWS throttled requests for CloudWatch metrics/m);
    assert.equal(always.stdout, "");
  });

  test("AccessDenied on GetMetricData or ListEventSourceMappings: exit 4 with the permission named", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a");
    aws.faults.inject({ service: "cloudwatch", op: "GetMetricData", kind: "accessDenied" });
    const cw = await runCli(["lag", table], { env: envFor(aws) });
    assert.equal(cw.code, 4, cw.stderr);
    assert.match(cw.stderr, /^error: access denied to CloudWatch metrics \(cloudwatch:GetMetricData\)/m);
    assert.match(cw.stderr, /^hint: /m);
    aws.faults.inject({ service: "lambda", op: "ListEventSourceMappings", kind: "accessDenied" });
    const lambda = await runCli(["lag", table, "--json"], { env: envFor(aws) });
    assert.equal(lambda.code, 4, lambda.stderr);
    assert.match(lambda.stderr, /access denied to event source mappings of arn:aws:dynamodb:ddblocal:/);
  });

  test("--function (repeatable) limits the consumers and the metric queries; an unknown function is exit 3", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a");
    mapping(aws, streamArn, "fn-b");
    mapping(aws, streamArn, "fn-c");
    const r = await runCli(
      [
        "lag",
        table,
        "--json",
        "--function",
        "fn-a",
        "--function",
        "arn:aws:lambda:us-east-1:123456789012:function:fn-c",
      ],
      { env: envFor(aws) },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual([...byFunction(parse(r.stdout)).keys()].sort(), ["fn-a", "fn-c"]);
    assert.match(
      ((byFunction(parse(r.stdout)).get("fn-a")?.warnings ?? []) as string[]).join("\n"),
      /3 readers per shard/,
      "fn-b still reads the shards",
    );
    const qs = queriesOf(aws.requestsFor("cloudwatch", "GetMetricData")[0]);
    assert.deepEqual(qs.map((q) => q.MetricStat.Metric.Dimensions[0]?.Value).sort(), ["fn-a", "fn-c"]);

    const missing = await runCli(["lag", table, "--function", "fn-nope"], { env: envFor(aws) });
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /no event source mapping of fn-nope reads this stream/);
    assert.match(missing.stderr, /hint: the stream's Lambda consumers: fn-a, fn-b, fn-c/);
  });

  test("no consumer: says so, exit 0, and calls no CloudWatch", async (t) => {
    const aws = await standin(t);
    const { table } = await tableWithStream();
    const r = await runCli(["lag", table], { env: envFor(aws) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no consumers found/);
    const j = await runCli(["lag", table, "--json"], { env: envFor(aws) });
    assert.equal(j.code, 0);
    assert.deepEqual(parse(j.stdout).consumers, []);
    assert.equal(parse(j.stdout).status, "ok");
    assert.equal(aws.requestsFor("cloudwatch").length, 0);
  });

  test("configuration warnings: infinite retries without destination, more than two readers per shard", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a", { DestinationConfig: { OnFailure: {} }, MaximumRetryAttempts: -1 });
    mapping(aws, streamArn, "fn-b", { MaximumRetryAttempts: 3 });
    mapping(aws, streamArn, "fn-c");
    const r = await runCli(["lag", table, "--json"], { env: envFor(aws) });
    assert.equal(r.code, 0, r.stderr);
    const cs = byFunction(parse(r.stdout));
    const wa = ((cs.get("fn-a")?.warnings ?? []) as string[]).join("\n");
    assert.match(
      wa,
      /retries are infinite .* no on-failure destination: a poison record can stall its shard for up to a day/,
    );
    assert.match(wa, /3 readers per shard \(3 Lambda mappings\)/);
    assert.doesNotMatch(((cs.get("fn-b")?.warnings ?? []) as string[]).join("\n"), /poison/);
    const settings = cs.get("fn-b")?.settings as Json;
    assert.equal(settings.maximumRetryAttempts, 3);
    assert.equal(settings.onFailureDestination, "arn:aws:sqs:us-east-1:123456789012:dlq");
  });

  test("a DynamoDB Local stream without AWS_ENDPOINT_URL_LAMBDA: Lambda is not asked, exit 0", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a");
    const r = await runCli(["lag", table, "--json"], { env: cliEnv(endpoint) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parse(r.stdout).consumers, []);
    assert.match(r.stderr, /DynamoDB Local has no Lambda/);
    assert.equal(aws.requests.length, 0);
  });

  test("--all-streams also covers the table's older streams", async (t) => {
    const aws = await standin(t);
    const { table, streamArn: oldArn } = await tableWithStream();
    const env = envFor(aws);
    const dis = await runCli(["disable", table, "--yes", "--wait"], { env });
    assert.equal(dis.code, 0, dis.stderr);
    const en = await runCli(["enable", table, "--json"], { env });
    assert.equal(en.code, 0, en.stderr);
    const newArn = String(parse(en.stdout).streamArn);
    assert.notEqual(newArn, oldArn);
    mapping(aws, oldArn, "fn-old");
    mapping(aws, newArn, "fn-new");
    const latest = await runCli(["lag", table, "--json"], { env });
    assert.equal(latest.code, 0, latest.stderr);
    assert.deepEqual([...byFunction(parse(latest.stdout)).keys()], ["fn-new"]);
    aws.clearRequests();
    const all = await runCli(["lag", table, "--json", "--all-streams"], { env });
    assert.equal(all.code, 0, all.stderr);
    const j = parse(all.stdout);
    assert.equal(j.streamArn, newArn);
    const cs = byFunction(j);
    assert.deepEqual([...cs.keys()].sort(), ["fn-new", "fn-old"]);
    assert.equal(cs.get("fn-old")?.streamArn, oldArn);
    assert.equal(aws.requestsFor("cloudwatch", "GetMetricData").length, 1, "still one call for both streams");
  });

  test("--watch without a terminal: plain repeated output until Ctrl-C, which exits 130", async (t) => {
    const aws = await standin(t);
    const { table, streamArn } = await tableWithStream();
    mapping(aws, streamArn, "fn-a");
    ages(aws, "fn-a", [100]);
    // The second refresh fails on AWS (throttled through all three SDK attempts): a warning, then
    // the watch goes on.
    aws.faults.inject({ service: "cloudwatch", op: "GetMetricData", kind: "throttle", skip: 1, times: 3 });
    const p = startCli(["lag", table, "--watch", "--interval", "1s", "--json"], { env: envFor(aws) });
    t.after(() => {
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
    });
    const lines = await p.waitForLines(2, 90_000);
    for (const l of lines.slice(0, 2)) assert.equal((JSON.parse(l) as Json).status, "ok");
    assert.match(p.stderr(), /warning: refresh failed, retrying in 1s: AWS throttled requests/);
    p.child.kill("SIGINT");
    const done = await p.done;
    assert.equal(done.code, 130, done.stderr);
    assert.ok(aws.requestsFor("cloudwatch", "GetMetricData").length >= 2, "one GetMetricData per refresh");

    const pretty = startCli(["lag", table, "--watch", "--interval", "1s"], { env: envFor(aws) });
    t.after(() => {
      if (pretty.child.exitCode === null) pretty.child.kill("SIGKILL");
    });
    const out = await waitFor(
      () => (pretty.stdout().match(/^FUNCTION /gm) ?? []).length >= 2,
      pretty.stdout,
      60_000,
    );
    assert.doesNotMatch(out, /\u001b\[2J/, "no screen clearing when stdout is not a terminal");
    assert.match(out, /refreshed .* every 1s · Ctrl-C to stop/);
    pretty.child.kill("SIGINT");
    assert.equal((await pretty.done).code, 130);
  });
});

async function waitFor(pred: () => boolean, read: () => string, timeoutMs: number): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > until) throw new Error(`timed out; output so far:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

describe("lag: flags", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--since", "15x"], /invalid --since "15x"[\s\S]*hint: durations look like/],
    [["--warn", "soon"], /invalid --warn "soon"/],
    [["--fail", ""], /invalid --fail ""/],
    [["--interval", "x", "--watch"], /invalid --interval "x"/],
    [["--period", "90s"], /invalid --period "90s"[\s\S]*hint: use 60s or a multiple/],
    [["--period", "30s"], /invalid --period/],
    [["--since", "1m", "--period", "5m"], /shorter than one --period/],
    [["--warn", "15m", "--fail", "10m"], /--warn 15m00s is over --fail 10m00s/],
    [["--interval", "10s"], /--interval needs --watch/],
    [["--watch", "--interval", "100ms"], /--interval 100ms is too short/],
    [["--since", "30d"], /windows over 15 days need --period 5m/],
    [["--kcl-table", "x"], /invalid --kcl-table "x"/],
    [["--function", "bad name"], /invalid --function "bad name"/],
  ];
  for (const [flags, expected] of cases) {
    test(`${flags.join(" ")} is a usage error (exit 2)`, async () => {
      // No AWS is reachable: validation happens before any call.
      const r = await runCli(["lag", "Orders", ...flags], {
        env: cliEnv("http://127.0.0.1:9"),
      });
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, expected);
      assert.match(r.stderr, /^hint: /m);
    });
  }
});
