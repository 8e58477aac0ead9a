// The SDK honours the service-specific endpoint variables for all four clients `lag` uses:
// AWS_ENDPOINT_URL_DYNAMODB (DescribeTable, the KCL lease-table Scan), AWS_ENDPOINT_URL_DYNAMODB_STREAMS
// (DescribeStream, GetShardIterator, GetRecords), AWS_ENDPOINT_URL_LAMBDA (ListEventSourceMappings) and
// AWS_ENDPOINT_URL_CLOUDWATCH (GetMetricData) — while AWS_ENDPOINT_URL points at a dead port, so any call
// that fell back to it would fail. DynamoDB and Streams go through two recording proxies in front of
// DynamoDB Local, so each proxy proves which operations reached it.
import assert from "node:assert/strict";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { before, type TestContext, test } from "node:test";
import { DescribeTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand } from "@aws-sdk/client-dynamodb-streams";
import { runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint, uniqueName } from "../helpers/ddb.js";
import { startAwsStandin } from "../helpers/standins/cloudwatch-server.js";

let endpoint = "";
before(async () => {
  endpoint = await ddbEndpoint();
});

/** A forwarding proxy to `target` that records the x-amz-target of every request. */
async function recordingProxy(t: TestContext, target: string): Promise<{ url: string; targets: string[] }> {
  const targets: string[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    targets.push(String(req.headers["x-amz-target"] ?? `${req.method} ${req.url}`));
    const fwd = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    fwd.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(fwd);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, targets };
}

test("lag sends each service's calls to its own AWS_ENDPOINT_URL_<SERVICE> (all four clients)", async (t) => {
  const table = await createTable(endpoint);
  const leases = await createTable(endpoint, {
    name: uniqueName("kcl"),
    hashKey: "leaseKey",
    viewType: null,
  });
  const { ddb, streams } = clients(endpoint);
  t.after(() => {
    ddb.destroy();
    streams.destroy();
  });
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "a" } } }));
  const streamArn =
    (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table?.LatestStreamArn ?? "";
  const shardId =
    (await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards?.[0]
      ?.ShardId ?? "";
  await ddb.send(
    new PutItemCommand({
      TableName: leases,
      Item: { leaseKey: { S: shardId }, checkpoint: { S: "TRIM_HORIZON" }, leaseOwner: { S: "w" } },
    }),
  );
  const aws = await startAwsStandin();
  t.after(() => aws.stop());
  aws.addEventSourceMapping({ EventSourceArn: streamArn, FunctionArn: aws.addFunction("fn") });
  aws.putDatapoints(
    { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: "fn" } },
    [{ t: Date.now() - 120_000, value: 250 }],
  );
  const dynamo = await recordingProxy(t, endpoint);
  const stream = await recordingProxy(t, endpoint);

  const env = cliEnv("http://127.0.0.1:9", {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.url,
    AWS_ENDPOINT_URL_DYNAMODB_STREAMS: stream.url,
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
  });
  const r = await runCli(["lag", table, "--kcl-table", leases, "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { consumers: Array<{ kind: string; iteratorAge: { latestMs: number } }> };
  assert.deepEqual(
    j.consumers.map((c) => c.kind),
    ["lambda", "kcl"],
  );
  assert.equal(j.consumers[0]?.iteratorAge.latestMs, 250);

  assert.deepEqual([...new Set(dynamo.targets)].sort(), [
    "DynamoDB_20120810.DescribeKinesisStreamingDestination",
    "DynamoDB_20120810.DescribeTable",
    "DynamoDB_20120810.Scan",
  ]);
  assert.deepEqual([...new Set(stream.targets)].sort(), [
    "DynamoDBStreams_20120810.DescribeStream",
    "DynamoDBStreams_20120810.GetRecords",
    "DynamoDBStreams_20120810.GetShardIterator",
  ]);
  assert.deepEqual(aws.stats(), { "lambda.ListEventSourceMappings": 1, "cloudwatch.GetMetricData": 1 });

  // --endpoint-url overrides every variable: all four clients go to DynamoDB Local, which has no
  // Lambda, so for a DynamoDB Local stream Lambda and CloudWatch are not asked at all.
  aws.clearRequests();
  const over = await runCli(["lag", table, "--kcl-table", leases, "--json", "--endpoint-url", endpoint], {
    env,
  });
  assert.equal(over.code, 0, over.stderr);
  assert.deepEqual(
    (JSON.parse(over.stdout) as { consumers: Array<{ kind: string }> }).consumers.map((c) => c.kind),
    ["kcl"],
  );
  assert.match(over.stderr, /DynamoDB Local has no Lambda/);
  assert.equal(aws.requests.length, 0);

  // A --function that cannot be looked up there is not silently dropped: exit 3 with the fix.
  const fn = await runCli(["lag", table, "--function", "orders-indexer", "--endpoint-url", endpoint], {
    env,
  });
  assert.equal(fn.code, 3, fn.stderr);
  assert.match(
    fn.stderr,
    /error: no event source mapping of orders-indexer is known: DynamoDB Local has no Lambda to list them/,
  );
  assert.match(fn.stderr, /AWS_ENDPOINT_URL_LAMBDA/);
  assert.equal(aws.requests.length, 0);
});
