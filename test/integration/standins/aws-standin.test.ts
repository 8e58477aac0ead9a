// The CloudWatch + Lambda stand-in exercised with the REAL AWS SDK v3 clients over HTTP: pagination,
// filters, metric evaluation, wire formats, fault → err.name mapping and the request log.
import * as assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import {
  CloudWatchClient,
  type CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  type MetricDataResult,
  paginateGetMetricData,
  paginateListMetrics,
} from "@aws-sdk/client-cloudwatch";
import {
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  LambdaClient,
  type LambdaServiceException,
  ListEventSourceMappingsCommand,
  paginateListEventSourceMappings,
} from "@aws-sdk/client-lambda";
import {
  type AwsStandin,
  type StartAwsStandinOptions,
  startAwsStandin,
} from "../../helpers/standins/cloudwatch-server.js";

const STREAM_A = "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000";
const STREAM_B = "arn:aws:dynamodb:us-east-1:123456789012:table/users/stream/2024-02-02T00:00:00.000";
const T0 = Date.UTC(2024, 0, 1, 12, 0, 0); // a minute boundary
const MIN = 60_000;

const creds = { accessKeyId: "x", secretAccessKey: "x" };

async function standin(t: TestContext, opts?: StartAwsStandinOptions): Promise<AwsStandin> {
  const s = await startAwsStandin(opts);
  t.after(() => s.stop());
  return s;
}

function clients(
  t: TestContext,
  s: AwsStandin,
  maxAttempts = 1,
): { cw: CloudWatchClient; lambda: LambdaClient } {
  const cfg = { region: "us-east-1", credentials: creds, endpoint: s.endpoint, maxAttempts };
  const cw = new CloudWatchClient(cfg);
  const lambda = new LambdaClient(cfg);
  t.after(() => {
    cw.destroy();
    lambda.destroy();
  });
  return { cw, lambda };
}

async function rejectsWith(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    return e as Error & Record<string, unknown>;
  }
  assert.fail("expected the call to fail");
}

async function collectMappings(
  lambda: LambdaClient,
  input: { EventSourceArn?: string; FunctionName?: string },
  pageSize?: number,
): Promise<{ items: EventSourceMappingConfiguration[]; pages: number }> {
  const items: EventSourceMappingConfiguration[] = [];
  let pages = 0;
  const it = paginateListEventSourceMappings(
    { client: lambda, ...(pageSize ? { pageSize } : {}) },
    { ...input },
  );
  for await (const page of it) {
    pages++;
    assert.ok(pages < 50, "runaway pagination");
    items.push(...(page.EventSourceMappings ?? []));
  }
  return { items, pages };
}

describe("Lambda stand-in (REST-JSON)", () => {
  test("ListEventSourceMappings paginates 7 mappings by 3 and filters by EventSourceArn and FunctionName", async (t) => {
    const s = await standin(t, { lambdaPageSize: 3 });
    const { lambda } = clients(t, s);
    const f1 = s.addFunction("orders-consumer");
    const f2 = s.addFunction("audit", { qualifiers: ["live"] });
    const uuids: string[] = [];
    for (let i = 0; i < 4; i++)
      uuids.push(s.addEventSourceMapping({ EventSourceArn: STREAM_A, FunctionArn: f1 }));
    for (let i = 0; i < 2; i++)
      uuids.push(s.addEventSourceMapping({ EventSourceArn: STREAM_A, FunctionArn: f2 }));
    uuids.push(
      s.addEventSourceMapping({ EventSourceArn: STREAM_A, FunctionArn: `${f2}:live`, State: "Disabled" }),
    );
    s.addEventSourceMapping({ EventSourceArn: STREAM_B, FunctionArn: f1 });
    s.addEventSourceMapping({ EventSourceArn: STREAM_B, FunctionArn: f2 });

    const all = await collectMappings(lambda, { EventSourceArn: STREAM_A });
    assert.equal(all.pages, 3);
    assert.deepEqual(
      all.items.map((m) => m.UUID),
      uuids,
    );
    const listCalls = s.requestsFor("lambda", "ListEventSourceMappings");
    assert.equal(listCalls.length, 3);
    assert.equal(listCalls[0]?.method, "GET");
    assert.equal(listCalls[0]?.path, "/2015-03-31/event-source-mappings");
    assert.equal(listCalls[0]?.query.EventSourceArn, STREAM_A);
    assert.equal(listCalls[0]?.query.Marker, undefined);
    assert.ok(listCalls[1]?.query.Marker, "second page sends the NextMarker back");

    // Page size from MaxItems when smaller than the server cap.
    const small = await collectMappings(lambda, { EventSourceArn: STREAM_A }, 2);
    assert.equal(small.pages, 4);
    assert.equal(small.items.length, 7);

    // FunctionName by name, by ARN and with a qualifier; combined with EventSourceArn.
    assert.equal((await collectMappings(lambda, { FunctionName: "orders-consumer" })).items.length, 5);
    assert.equal(
      (await collectMappings(lambda, { EventSourceArn: STREAM_A, FunctionName: f1 })).items.length,
      4,
    );
    assert.equal(
      (await collectMappings(lambda, { EventSourceArn: STREAM_A, FunctionName: "audit" })).items.length,
      2,
    );
    const aliased = await collectMappings(lambda, { FunctionName: `${f2}:live` });
    assert.deepEqual(
      aliased.items.map((m) => m.State),
      ["Disabled"],
    );
    assert.equal(
      (await collectMappings(lambda, { FunctionName: "123456789012:function:audit" })).items.length,
      3,
    );
    assert.equal((await collectMappings(lambda, { FunctionName: "nobody" })).items.length, 0);
    assert.equal((await collectMappings(lambda, { EventSourceArn: `${STREAM_A}x` })).items.length, 0);

    const bad = await rejectsWith(
      lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "not a name!" })),
    );
    assert.equal(bad.name, "ValidationException");
    const badMarker = await rejectsWith(
      lambda.send(new ListEventSourceMappingsCommand({ Marker: "garbage" })),
    );
    assert.equal(badMarker.name, "InvalidParameterValueException");
  });

  test("mapping fields round-trip through the SDK with the right types", async (t) => {
    const s = await standin(t);
    const { lambda } = clients(t, s);
    const fn = s.addFunction("consumer");
    const lastModified = new Date(Date.UTC(2024, 5, 1, 8, 30, 15, 500));
    const uuid = s.addEventSourceMapping({
      EventSourceArn: STREAM_A,
      FunctionArn: fn,
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 5,
      ParallelizationFactor: 4,
      StartingPosition: "TRIM_HORIZON",
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:123456789012:dlq" } },
      FilterCriteria: { Filters: [{ Pattern: '{"eventName":["INSERT"]}' }] },
      MetricsConfig: { Metrics: ["EventCount"] },
      LastModified: lastModified,
      LastProcessingResult: "PROBLEM: Function call failed",
      TumblingWindowInSeconds: 60,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
    const { EventSourceMappings: list } = await lambda.send(new ListEventSourceMappingsCommand({}));
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }));
    for (const m of [list?.[0], got]) {
      assert.ok(m);
      assert.equal(m.UUID, uuid);
      assert.equal(m.EventSourceArn, STREAM_A);
      assert.equal(m.FunctionArn, fn);
      assert.equal(m.State, "Enabled");
      assert.equal(m.StateTransitionReason, "User action");
      assert.equal(m.BatchSize, 500);
      assert.equal(m.ParallelizationFactor, 4);
      assert.equal(m.StartingPosition, "TRIM_HORIZON");
      assert.equal(m.MaximumRecordAgeInSeconds, 3600);
      assert.equal(m.BisectBatchOnFunctionError, true);
      assert.equal(m.DestinationConfig?.OnFailure?.Destination, "arn:aws:sqs:us-east-1:123456789012:dlq");
      assert.equal(m.FilterCriteria?.Filters?.[0]?.Pattern, '{"eventName":["INSERT"]}');
      assert.deepEqual(m.MetricsConfig?.Metrics, ["EventCount"]);
      assert.ok(m.LastModified instanceof Date);
      assert.equal(m.LastModified.getTime(), lastModified.getTime());
      assert.equal(m.LastProcessingResult, "PROBLEM: Function call failed");
      assert.deepEqual(m.FunctionResponseTypes, ["ReportBatchItemFailures"]);
    }
    // LastModified travels as epoch seconds on the wire.
    const raw = s.requestsFor("lambda", "GetEventSourceMapping")[0];
    assert.equal(raw?.path, `/2015-03-31/event-source-mappings/${uuid}`);

    // Defaults of a bare mapping.
    const bare = s.addEventSourceMapping({ EventSourceArn: STREAM_B, FunctionArn: fn });
    const d = await lambda.send(new GetEventSourceMappingCommand({ UUID: bare }));
    assert.equal(d.BatchSize, 100);
    assert.equal(d.MaximumRetryAttempts, -1);
    assert.equal(d.MetricsConfig, undefined);
    assert.equal(d.FilterCriteria, undefined);

    s.updateEventSourceMapping(bare, { State: "Disabled" });
    assert.equal((await lambda.send(new GetEventSourceMappingCommand({ UUID: bare }))).State, "Disabled");

    const missing = await rejectsWith(lambda.send(new GetEventSourceMappingCommand({ UUID: "nope" })));
    assert.equal(missing.name, "ResourceNotFoundException");
    assert.equal((missing as unknown as LambdaServiceException).$metadata.httpStatusCode, 404);
  });

  test("GetFunction finds registered functions by name, ARN and qualifier; 404 otherwise", async (t) => {
    const s = await standin(t);
    const { lambda } = clients(t, s);
    const arn = s.addFunction("consumer", { qualifiers: ["live"] });
    const byName = await lambda.send(new GetFunctionCommand({ FunctionName: "consumer" }));
    assert.equal(byName.Configuration?.FunctionArn, arn);
    assert.equal(byName.Configuration?.State, "Active");
    const byArn = await lambda.send(new GetFunctionCommand({ FunctionName: arn, Qualifier: "live" }));
    assert.equal(byArn.Configuration?.FunctionArn, `${arn}:live`);
    assert.ok(s.requestsFor("lambda", "GetFunction").some((r) => r.query.Qualifier === "live"));
    const e1 = await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: "ghost" })));
    assert.equal(e1.name, "ResourceNotFoundException");
    assert.match(e1.message, /Function not found: arn:aws:lambda:us-east-1:123456789012:function:ghost/);
    const e2 = await rejectsWith(lambda.send(new GetFunctionCommand({ FunctionName: "consumer:dev" })));
    assert.equal(e2.name, "ResourceNotFoundException");
  });
});

const LAMBDA_NS = "AWS/Lambda";

function iteratorAge(fn: string): {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
} {
  return { namespace: LAMBDA_NS, metricName: "IteratorAge", dimensions: { FunctionName: fn } };
}

function query(
  id: string,
  metricName: string,
  dims: Record<string, string>,
  stat: string,
  period = 60,
): NonNullable<GetMetricDataCommandInput["MetricDataQueries"]>[number] {
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: LAMBDA_NS,
        MetricName: metricName,
        Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: period,
      Stat: stat,
    },
  };
}

function series(r: MetricDataResult | undefined): [number, number][] {
  assert.ok(r, "missing result");
  const ts = r.Timestamps ?? [];
  const vs = r.Values ?? [];
  assert.equal(ts.length, vs.length);
  return ts.map((t, i) => {
    assert.ok(t instanceof Date);
    return [t.getTime(), vs[i] ?? Number.NaN];
  });
}

/** Seeds IteratorAge for "fn" (3 minutes, 2 samples each) and PolledEventCount for one mapping UUID. */
function seedMetrics(s: AwsStandin): void {
  s.putDatapoints(iteratorAge("fn"), [
    { t: T0 + 5_000, value: 100 },
    { t: T0 + 40_000, value: 300 },
    { t: new Date(T0 + MIN + 1_000), value: 2_000 },
    { t: T0 + MIN + 59_999, value: 1_000 },
    { t: T0 + 2 * MIN, value: 50 },
    { t: T0 + 2 * MIN + 30_000, value: 70 },
    { t: T0 + 10 * MIN, value: 999_999 }, // outside the query window
  ]);
  // Same metric name, different dimension set: must not leak into the FunctionName-only query.
  s.putDatapoints({ ...iteratorAge("fn"), dimensions: { FunctionName: "fn", Resource: "fn:live" } }, [
    { t: T0 + 1_000, value: 77_777 },
  ]);
  s.putDatapoints(
    { namespace: LAMBDA_NS, metricName: "PolledEventCount", dimensions: { EventSourceMappingUUID: "u-1" } },
    [
      { t: T0 + 1_000, value: 10 },
      { t: T0 + 2_000, value: 5 },
      { t: T0 + 2 * MIN + 1_000, value: 0 },
    ],
  );
}

describe("CloudWatch stand-in (JSON 1.0, query-compatible)", () => {
  test("GetMetricData evaluates several queries: buckets, Maximum vs Sum, exact dimensions, ScanBy", async (t) => {
    const s = await standin(t);
    const { cw } = clients(t, s);
    seedMetrics(s);
    const out = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0 + 20_000), // rounded down to T0
        EndTime: new Date(T0 + 3 * MIN),
        MetricDataQueries: [
          query("maxAge", "IteratorAge", { FunctionName: "fn" }, "Maximum"),
          query("sumAge", "IteratorAge", { FunctionName: "fn" }, "Sum"),
          { ...query("cnt", "IteratorAge", { FunctionName: "fn" }, "SampleCount"), Label: "samples" },
          query("polled", "PolledEventCount", { EventSourceMappingUUID: "u-1" }, "Sum"),
          query("none", "IteratorAge", { FunctionName: "other" }, "Maximum"),
          { ...query("hidden", "IteratorAge", { FunctionName: "fn" }, "Minimum"), ReturnData: false },
          { Id: "worst", Expression: "MAX(METRICS())", ReturnData: false },
        ],
      }),
    );
    assert.equal(out.NextToken, undefined);
    assert.deepEqual(out.Messages, []);
    const byId = new Map((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
    assert.deepEqual([...byId.keys()], ["maxAge", "sumAge", "cnt", "polled", "none"]);
    // Descending by default.
    assert.deepEqual(series(byId.get("maxAge")), [
      [T0 + 2 * MIN, 70],
      [T0 + MIN, 2_000],
      [T0, 300],
    ]);
    assert.deepEqual(series(byId.get("sumAge")), [
      [T0 + 2 * MIN, 120],
      [T0 + MIN, 3_000],
      [T0, 400],
    ]);
    assert.equal(byId.get("cnt")?.Label, "samples");
    assert.deepEqual(
      series(byId.get("cnt")).map((p) => p[1]),
      [2, 2, 2],
    );
    assert.equal(byId.get("maxAge")?.Label, "IteratorAge");
    assert.deepEqual(series(byId.get("polled")), [
      [T0 + 2 * MIN, 0],
      [T0, 15],
    ]);
    assert.deepEqual(series(byId.get("none")), []);
    for (const r of byId.values()) assert.equal(r.StatusCode, "Complete");

    // Ascending, 5-minute period, pre-aggregated Maximum series overriding raw samples for that stat.
    s.putDatapoints(iteratorAge("fn"), [{ t: T0 + 3_000, value: 12_345 }], "Maximum");
    const asc = await cw.send(
      new GetMetricDataCommand({
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 15 * MIN),
        ScanBy: "TimestampAscending",
        MetricDataQueries: [
          query("max5", "IteratorAge", { FunctionName: "fn" }, "Maximum", 300),
          query("avg5", "IteratorAge", { FunctionName: "fn" }, "Average", 300),
          query("p50", "IteratorAge", { FunctionName: "fn" }, "p50", 300),
        ],
      }),
    );
    const [max5, avg5, p50] = asc.MetricDataResults ?? [];
    assert.deepEqual(series(max5), [
      [T0, 12_345],
      [T0 + 10 * MIN, 999_999], // bucket without a pre-aggregated value falls back to raw samples
    ]);
    assert.deepEqual(series(avg5), [
      [T0, 3_520 / 6],
      [T0 + 10 * MIN, 999_999],
    ]);
    assert.deepEqual(
      series(p50).map((p) => p[1]),
      [100, 999_999],
    );

    // Exactly one GetMetricData call per send; the body carries epoch-second timestamps.
    const calls = s.requestsFor("cloudwatch", "GetMetricData");
    assert.equal(calls.length, 2);
    const first = calls[0];
    assert.ok(first);
    assert.equal(first.target, "GraniteServiceVersion20100801.GetMetricData");
    assert.equal(first.method, "POST");
    assert.equal(first.path, "/");
    assert.equal(first.headers["content-type"], "application/x-amz-json-1.0");
    assert.equal(first.headers["x-amzn-query-mode"], "true");
    const body = first.body as { StartTime: unknown; EndTime: unknown; MetricDataQueries: unknown[] };
    assert.equal(body.StartTime, (T0 + 20_000) / 1000);
    assert.equal(body.EndTime, (T0 + 3 * MIN) / 1000);
    assert.equal(body.MetricDataQueries.length, 7);
    assert.deepEqual(s.stats(), { "cloudwatch.GetMetricData": 2 });
  });

  test("GetMetricData paginates with MaxDatapoints / server cap and NextToken; PartialData marks cut queries", async (t) => {
    const s = await standin(t);
    const { cw } = clients(t, s);
    const points = Array.from({ length: 10 }, (_, i) => ({ t: T0 + i * MIN, value: i }));
    s.putDatapoints(iteratorAge("a"), points);
    s.putDatapoints(iteratorAge("b"), points.slice(0, 4));
    const input: GetMetricDataCommandInput = {
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 10 * MIN),
      MaxDatapoints: 4,
      ScanBy: "TimestampAscending",
      MetricDataQueries: [
        query("a", "IteratorAge", { FunctionName: "a" }, "Maximum"),
        query("b", "IteratorAge", { FunctionName: "b" }, "Maximum"),
      ],
    };
    const first = await cw.send(new GetMetricDataCommand(input));
    assert.ok(first.NextToken);
    assert.deepEqual(
      first.MetricDataResults?.map((r) => [r.Id, r.StatusCode, r.Values?.length]),
      [
        ["a", "PartialData", 4],
        ["b", "PartialData", 0],
      ],
    );
    const merged = new Map<string, number[]>();
    let pages = 0;
    for await (const page of paginateGetMetricData({ client: cw }, { ...input })) {
      pages++;
      assert.ok(pages < 20, "runaway pagination");
      for (const r of page.MetricDataResults ?? []) {
        merged.set(r.Id ?? "", [...(merged.get(r.Id ?? "") ?? []), ...(r.Values ?? [])]);
      }
    }
    assert.equal(pages, 4); // 14 datapoints, 4 per page
    assert.deepEqual(merged.get("a"), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(merged.get("b"), [0, 1, 2, 3]);

    // The server-side cap forces NextToken even without MaxDatapoints.
    s.options.cloudwatchMaxDatapointsPerPage = 9;
    const capped = await cw.send(new GetMetricDataCommand({ ...input, MaxDatapoints: undefined }));
    assert.ok(capped.NextToken);
    assert.deepEqual(
      capped.MetricDataResults?.map((r) => [r.Id, r.StatusCode, r.Values?.length]),
      [
        ["a", "PartialData", 9],
        ["b", "PartialData", 0],
      ],
    );
    const rest = await cw.send(
      new GetMetricDataCommand({ ...input, MaxDatapoints: undefined, NextToken: capped.NextToken }),
    );
    assert.equal(rest.NextToken, undefined);
    assert.deepEqual(
      rest.MetricDataResults?.map((r) => [r.Id, r.StatusCode, r.Values?.length]),
      [
        ["a", "Complete", 1],
        ["b", "Complete", 4],
      ],
    );

    // A token is bound to its request.
    const wrong = await rejectsWith(
      cw.send(
        new GetMetricDataCommand({ ...input, EndTime: new Date(T0 + 11 * MIN), NextToken: first.NextToken }),
      ),
    );
    assert.equal(wrong.name, "InvalidNextToken");
    const garbage = await rejectsWith(cw.send(new GetMetricDataCommand({ ...input, NextToken: "x" })));
    assert.equal(garbage.name, "InvalidNextToken");
  });

  test("partialData fault: PartialData + NextToken, and the continuation completes the data", async (t) => {
    const s = await standin(t);
    const { cw } = clients(t, s);
    s.putDatapoints(
      iteratorAge("fn"),
      Array.from({ length: 6 }, (_, i) => ({ t: T0 + i * MIN, value: 10 * i })),
    );
    s.faults.inject({ service: "cloudwatch", kind: "partialData" });
    const input: GetMetricDataCommandInput = {
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 6 * MIN),
      MetricDataQueries: [query("m0", "IteratorAge", { FunctionName: "fn" }, "Maximum")],
    };
    const p1 = await cw.send(new GetMetricDataCommand(input));
    assert.equal(p1.MetricDataResults?.[0]?.StatusCode, "PartialData");
    assert.deepEqual(p1.MetricDataResults?.[0]?.Values, [50, 40, 30]);
    assert.ok(p1.NextToken);
    const p2 = await cw.send(new GetMetricDataCommand({ ...input, NextToken: p1.NextToken }));
    assert.equal(p2.MetricDataResults?.[0]?.StatusCode, "Complete");
    assert.deepEqual(p2.MetricDataResults?.[0]?.Values, [20, 10, 0]);
    assert.equal(p2.NextToken, undefined);
    assert.deepEqual(
      s.requestsFor("cloudwatch", "GetMetricData").map((r) => r.fault),
      ["partialData", undefined],
    );

    // Even an empty result can be PartialData (with a token) while the fault lasts.
    s.faults.inject({ service: "cloudwatch", op: "GetMetricData", kind: "partialData" });
    const empty = await cw.send(
      new GetMetricDataCommand({
        ...input,
        MetricDataQueries: [query("m1", "IteratorAge", { FunctionName: "nobody" }, "Maximum")],
      }),
    );
    assert.equal(empty.MetricDataResults?.[0]?.StatusCode, "PartialData");
    assert.ok(empty.NextToken);
    assert.throws(() => s.faults.inject({ service: "lambda", kind: "partialData" }), /GetMetricData only/);
  });

  test("validation errors surface as the modelled CloudWatch exceptions", async (t) => {
    const s = await standin(t);
    const { cw } = clients(t, s);
    const base: GetMetricDataCommandInput = {
      StartTime: new Date(T0),
      EndTime: new Date(T0 + MIN),
      MetricDataQueries: [query("m0", "IteratorAge", { FunctionName: "fn" }, "Maximum")],
    };
    const expr = await rejectsWith(
      cw.send(
        new GetMetricDataCommand({
          ...base,
          MetricDataQueries: [{ Id: "e0", Expression: "MAX(METRICS())" }],
        }),
      ),
    );
    assert.equal(expr.name, "InvalidParameterValueException");
    assert.equal(expr.Code, "InvalidParameterValue");
    assert.equal((expr as unknown as CloudWatchServiceException).$fault, "client");
    assert.match(expr.message, /metric math is not supported/);

    const period = await rejectsWith(
      cw.send(
        new GetMetricDataCommand({
          ...base,
          MetricDataQueries: [query("m0", "IteratorAge", {}, "Maximum", 90)],
        }),
      ),
    );
    assert.equal(period.name, "InvalidParameterValueException");
    const badId = await rejectsWith(
      cw.send(
        new GetMetricDataCommand({ ...base, MetricDataQueries: [query("M0", "IteratorAge", {}, "Maximum")] }),
      ),
    );
    assert.equal(badId.name, "InvalidParameterValueException");
    const badStat = await rejectsWith(
      cw.send(
        new GetMetricDataCommand({ ...base, MetricDataQueries: [query("m0", "IteratorAge", {}, "Max")] }),
      ),
    );
    assert.equal(badStat.name, "InvalidParameterValueException");
    const window = await rejectsWith(cw.send(new GetMetricDataCommand({ ...base, EndTime: new Date(T0) })));
    assert.equal(window.name, "InvalidParameterValueException");
    const missing = await rejectsWith(cw.send(new GetMetricDataCommand({ ...base, StartTime: undefined })));
    assert.equal(missing.name, "MissingRequiredParameterException");
  });

  test("GetMetricStatistics and ListMetrics", async (t) => {
    const s = await standin(t, { listMetricsPageSize: 2 });
    const { cw } = clients(t, s);
    seedMetrics(s);
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: LAMBDA_NS,
        MetricName: "IteratorAge",
        Dimensions: [{ Name: "FunctionName", Value: "fn" }],
        StartTime: new Date(T0),
        EndTime: new Date(T0 + 3 * MIN),
        Period: 60,
        Statistics: ["Maximum", "Average"],
      }),
    );
    assert.equal(stats.Label, "IteratorAge");
    assert.deepEqual(
      stats.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.Maximum, d.Average, d.Unit]),
      [
        [T0, 300, 200, "None"],
        [T0 + MIN, 2_000, 1_500, "None"],
        [T0 + 2 * MIN, 70, 60, "None"],
      ],
    );
    const tooMany = await rejectsWith(
      cw.send(
        new GetMetricStatisticsCommand({
          Namespace: LAMBDA_NS,
          MetricName: "IteratorAge",
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 2 * 1440 * MIN),
          Period: 60,
          Statistics: ["Maximum"],
        }),
      ),
    );
    assert.equal(tooMany.name, "InvalidParameterCombinationException");

    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListMetrics({ client: cw }, { Namespace: LAMBDA_NS })) {
      pages++;
      assert.ok(pages < 20);
      for (const m of page.Metrics ?? [])
        names.push(`${m.MetricName}:${m.Dimensions?.map((d) => d.Name).join("+")}`);
    }
    assert.equal(pages, 2);
    assert.deepEqual(names, [
      "IteratorAge:FunctionName",
      "IteratorAge:FunctionName+Resource",
      "PolledEventCount:EventSourceMappingUUID",
    ]);
    const filtered = await cw.send(
      new ListMetricsCommand({ MetricName: "IteratorAge", Dimensions: [{ Name: "Resource" }] }),
    );
    assert.deepEqual(filtered.Metrics?.[0]?.Dimensions, [
      { Name: "FunctionName", Value: "fn" },
      { Name: "Resource", Value: "fn:live" },
    ]);
  });
});

describe("routing", () => {
  test("one URL serves both services via AWS_ENDPOINT_URL_CLOUDWATCH / AWS_ENDPOINT_URL_LAMBDA", async (t) => {
    const s = await standin(t);
    const saved = { cw: process.env.AWS_ENDPOINT_URL_CLOUDWATCH, l: process.env.AWS_ENDPOINT_URL_LAMBDA };
    t.after(() => {
      for (const [k, v] of [
        ["AWS_ENDPOINT_URL_CLOUDWATCH", saved.cw],
        ["AWS_ENDPOINT_URL_LAMBDA", saved.l],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    });
    process.env.AWS_ENDPOINT_URL_CLOUDWATCH = s.endpoint;
    process.env.AWS_ENDPOINT_URL_LAMBDA = s.endpoint;
    const cw = new CloudWatchClient({ region: "us-east-1", credentials: creds });
    const lambda = new LambdaClient({ region: "us-east-1", credentials: creds });
    t.after(() => {
      cw.destroy();
      lambda.destroy();
    });
    await cw.send(new ListMetricsCommand({}));
    await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: STREAM_A }));
    assert.deepEqual(s.stats(), { "cloudwatch.ListMetrics": 1, "lambda.ListEventSourceMappings": 1 });
  });
});

describe("fault injection → err.name in the real SDK", () => {
  test("CloudWatch faults", async (t) => {
    const s = await standin(t);
    const { cw } = clients(t, s);
    const send = () =>
      cw.send(
        new GetMetricDataCommand({
          StartTime: new Date(T0),
          EndTime: new Date(T0 + MIN),
          MetricDataQueries: [query("m0", "IteratorAge", { FunctionName: "fn" }, "Maximum")],
        }),
      );
    const cases = [
      { kind: "throttle", name: "Throttling", status: 400, code: "Throttling", fault: "client" },
      { kind: "accessDenied", name: "AccessDenied", status: 403, code: "AccessDenied", fault: "client" },
      {
        kind: "500",
        name: "InternalServiceFault",
        status: 500,
        code: "InternalServiceError",
        fault: "server",
      },
    ] as const;
    for (const c of cases) {
      s.faults.inject({ service: "cloudwatch", op: "GetMetricData", kind: c.kind });
      const e = await rejectsWith(send());
      assert.equal(e.name, c.name, c.kind);
      assert.equal(e.Code, c.code, c.kind);
      const se = e as unknown as CloudWatchServiceException;
      assert.equal(se.$metadata.httpStatusCode, c.status, c.kind);
      assert.equal(se.$fault, c.fault, c.kind);
    }
    // Faults are consumed: the next call succeeds. A fault for another op does not fire here.
    s.faults.inject({ service: "cloudwatch", op: "ListMetrics", kind: "500" });
    await send();
    assert.equal(s.faults.pending().length, 1);
    assert.deepEqual(
      s.requestsFor("cloudwatch").map((r) => [r.fault, r.status]),
      [
        ["throttle", 400],
        ["accessDenied", 403],
        ["500", 500],
        [undefined, 200],
      ],
    );
  });

  test("Lambda faults", async (t) => {
    const s = await standin(t);
    const { lambda } = clients(t, s);
    const cases = [
      { kind: "throttle", name: "TooManyRequestsException", status: 429, fault: "client" },
      { kind: "accessDenied", name: "AccessDeniedException", status: 403, fault: "client" },
      { kind: "500", name: "ServiceException", status: 500, fault: "server" },
    ] as const;
    for (const c of cases) {
      s.faults.inject({ service: "lambda", op: "ListEventSourceMappings", kind: c.kind });
      const e = await rejectsWith(
        lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: STREAM_A })),
      );
      assert.equal(e.name, c.name, c.kind);
      const se = e as unknown as LambdaServiceException;
      assert.equal(se.$metadata.httpStatusCode, c.status, c.kind);
      assert.equal(se.$fault, c.fault, c.kind);
    }
    // skip: let the first page through, fail the second.
    s.options.lambdaPageSize = 1;
    s.addEventSourceMapping({ EventSourceArn: STREAM_A, FunctionArn: s.addFunction("f") });
    s.addEventSourceMapping({ EventSourceArn: STREAM_A, FunctionArn: s.addFunction("g") });
    s.faults.inject({ service: "lambda", kind: "throttle", skip: 1 });
    const e = await rejectsWith(collectMappings(lambda, { EventSourceArn: STREAM_A }));
    assert.equal(e.name, "TooManyRequestsException");
    assert.equal((e as unknown as { Reason?: string }).Reason, "CallerRateLimitExceeded");
    assert.deepEqual(
      s
        .requestsFor("lambda", "ListEventSourceMappings")
        .slice(-2)
        .map((r) => r.status),
      [200, 429],
    );
  });

  test("throttling is retried by the SDK's standard retry strategy", async (t) => {
    const s = await standin(t);
    const { cw } = clients(t, s, 2);
    s.faults.inject({ service: "cloudwatch", kind: "throttle" });
    await cw.send(new ListMetricsCommand({}));
    assert.deepEqual(
      s.requestsFor("cloudwatch", "ListMetrics").map((r) => r.status),
      [400, 200],
    );
  });

  test("hang: the request is never answered; the client aborts and stop() still closes cleanly", async (t) => {
    const s = await standin(t);
    const { cw, lambda } = clients(t, s);
    s.faults.inject({ service: "cloudwatch", kind: "hang" });
    s.faults.inject({ service: "lambda", kind: "hang" });
    const started = Date.now();
    const e1 = await rejectsWith(
      cw.send(new ListMetricsCommand({}), { abortSignal: AbortSignal.timeout(200) }),
    );
    assert.equal(e1.name, "AbortError");
    const e2 = await rejectsWith(
      lambda.send(new ListEventSourceMappingsCommand({}), { abortSignal: AbortSignal.timeout(200) }),
    );
    assert.equal(e2.name, "AbortError");
    assert.ok(Date.now() - started < 5_000);
    assert.deepEqual(
      s.requests.map((r) => [r.service, r.fault, r.status]),
      [
        ["cloudwatch", "hang", undefined],
        ["lambda", "hang", undefined],
      ],
    );
    // A hanging request that the client does not abort is cut by stop().
    s.faults.inject({ service: "lambda", kind: "hang" });
    const pending = lambda.send(new ListEventSourceMappingsCommand({}));
    while (s.requests.length < 3) await new Promise((r) => setTimeout(r, 5));
    await s.stop();
    const e3 = await rejectsWith(pending);
    assert.equal(e3.name, "TimeoutError"); // the SDK's name for the reset socket (code ECONNRESET)
    await s.stop(); // idempotent
  });
});
