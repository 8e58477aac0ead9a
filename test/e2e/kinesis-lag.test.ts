// End-to-end: `lag <table>` with a Kinesis destination — DynamoDB Local behind the destination
// stand-in, kinesalite (one enhanced fan-out consumer registered), and the CloudWatch + Lambda
// stand-in holding the replication metrics, the Kinesis stream's metrics and a Kinesis-sourced
// mapping. All metrics come from ONE GetMetricData call.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { createTable } from "../helpers/ddb.js";
import type { KinesisEmulator } from "../helpers/kinesis.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import { type DestinationStandin, startKinesisRig } from "../helpers/standins/kinesis-destination-server.js";

let k: KinesisEmulator;
let standin: DestinationStandin;
let aws: AwsStandin;
let env: Record<string, string> = {};
let ddbLocal = "";
before(async () => {
  aws = await startAwsStandin();
  ({ k, standin, env, ddbLocal } = await startKinesisRig(
    { transitionMs: 50 },
    { AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint, AWS_ENDPOINT_URL_LAMBDA: aws.endpoint },
  ));
});
after(async () => {
  await standin.stop();
  await aws.stop();
});

interface Json {
  [k: string]: unknown;
}

test("lag <table>: the destination's replication, its Kinesis stream's readers and Lambda mappings, in one GetMetricData call", async () => {
  const table = await createTable(ddbLocal);
  const s = await k.createStream();
  const en = await runCli(["enable", table, "--kinesis", s.name, "--wait"], { env });
  assert.equal(en.code, 0, en.stderr);
  k.addConsumer(s.arn, "efo-indexer");
  const now = Date.now();
  const at = (minsAgo: number) => now - minsAgo * 60_000;
  const dims = { TableName: table, DelegatedOperation: "PutRecords" };
  aws.putDatapoints(
    { namespace: "AWS/DynamoDB", metricName: "AgeOfOldestUnreplicatedRecord", dimensions: dims },
    [
      { t: at(3), value: 40 },
      { t: at(1), value: 90_000 },
    ],
  );
  aws.putDatapoints(
    { namespace: "AWS/DynamoDB", metricName: "FailedToReplicateRecordCount", dimensions: dims },
    [{ t: at(2), value: 0 }],
  );
  aws.putDatapoints({ namespace: "AWS/DynamoDB", metricName: "ThrottledPutRecordCount", dimensions: dims }, [
    { t: at(2), value: 3 },
  ]);
  aws.putDatapoints(
    {
      namespace: "AWS/Kinesis",
      metricName: "GetRecords.IteratorAgeMilliseconds",
      dimensions: { StreamName: s.name },
    },
    [{ t: at(1), value: 500 }],
  );
  aws.putDatapoints(
    {
      namespace: "AWS/Kinesis",
      metricName: "SubscribeToShardEvent.MillisBehindLatest",
      dimensions: { StreamName: s.name, ConsumerName: "efo-indexer" },
    },
    [{ t: at(1), value: 120_000 }],
  );
  const fn = aws.addFunction(`${table}-cdc`);
  aws.addEventSourceMapping({
    EventSourceArn: s.arn,
    FunctionArn: fn,
    State: "Enabled",
    LastProcessingResult: "OK",
  });
  aws.putDatapoints(
    { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: `${table}-cdc` } },
    [{ t: at(1), value: 2000 }],
  );
  const before = aws.requestsFor("cloudwatch", "GetMetricData").length;

  const r = await runCli(["lag", table, "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(aws.requestsFor("cloudwatch", "GetMetricData").length - before, 1, "one GetMetricData call");
  const j = JSON.parse(r.stdout) as { consumers: Json[]; status: string };
  const dest = j.consumers.find((c) => c.kind === "kinesis-destination") as Json;
  assert.ok(dest, r.stdout);
  assert.equal(dest.streamArn, s.arn);
  assert.equal(dest.destinationStatus, "ACTIVE");
  assert.equal((dest.iteratorAge as Json).latestMs, 90_000);
  assert.equal(dest.failedToReplicateRecords, 0);
  assert.equal(dest.throttledPutRecords, 3);
  assert.equal((dest.streamIteratorAge as Json).latestMs, 500);
  assert.deepEqual(dest.efoConsumers, [
    { name: "efo-indexer", status: "ACTIVE", millisBehindLatest: 120_000 },
  ]);
  assert.equal(dest.status, "warn");
  const reasons = (dest.reasons as string[]).join("\n");
  assert.match(reasons, /replication age 1m30s is over the warn threshold/);
  assert.match(reasons, /3 records were throttled/);
  assert.match(
    reasons,
    /enhanced fan-out consumer efo-indexer is 2m00s behind|enhanced fan-out consumer efo-indexer is 2m behind/,
  );
  const lambda = j.consumers.find((c) => c.kind === "lambda" && c.streamArn === s.arn) as Json;
  assert.ok(lambda, "the mapping on the Kinesis stream is a consumer");
  assert.equal((lambda.iteratorAge as Json).latestMs, 2000);

  const pretty = await runCli(["lag", table, "--fail", "1m"], { env });
  assert.equal(pretty.code, 1, "replication age over --fail");
  assert.match(pretty.stdout, new RegExp(`kinesis:${s.name}`));
  assert.match(pretty.stdout, /replication: ACTIVE · AgeOfOldestUnreplicatedRecord 1m30s/);
  assert.match(pretty.stdout, /enhanced fan-out: efo-indexer \(ACTIVE\)/);
});

test("lag <kinesis-stream-arn>: the stream alone — its readers' age, enhanced fan-out consumers and Lambda mappings, in one GetMetricData call", async () => {
  const s = await k.createStream();
  k.addConsumer(s.arn, "efo-alone");
  const now = Date.now();
  const at = (minsAgo: number) => now - minsAgo * 60_000;
  aws.putDatapoints(
    {
      namespace: "AWS/Kinesis",
      metricName: "GetRecords.IteratorAgeMilliseconds",
      dimensions: { StreamName: s.name },
    },
    [
      { t: at(3), value: 100 },
      { t: at(1), value: 75_000 },
    ],
  );
  aws.putDatapoints(
    {
      namespace: "AWS/Kinesis",
      metricName: "SubscribeToShardEvent.MillisBehindLatest",
      dimensions: { StreamName: s.name, ConsumerName: "efo-alone" },
    },
    [{ t: at(1), value: 300 }],
  );
  const fnName = `${s.name}-reader`;
  const fn = aws.addFunction(fnName);
  aws.addEventSourceMapping({
    EventSourceArn: s.arn,
    FunctionArn: fn,
    State: "Enabled",
    LastProcessingResult: "OK",
  });
  aws.putDatapoints(
    { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: fnName } },
    [{ t: at(1), value: 4000 }],
  );
  const before = aws.requestsFor("cloudwatch", "GetMetricData").length;

  const r = await runCli(["lag", s.arn, "--json"], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(aws.requestsFor("cloudwatch", "GetMetricData").length - before, 1, "one GetMetricData call");
  const j = JSON.parse(r.stdout) as { streamArn: string; consumers: Json[]; status: string };
  assert.equal(j.streamArn, s.arn);
  assert.equal(j.status, "warn");
  const stream = j.consumers.find((c) => c.kind === "kinesis-stream") as Json;
  assert.ok(stream, r.stdout);
  assert.equal(stream.streamArn, s.arn);
  assert.equal(stream.table, null);
  assert.equal(stream.destinationStatus, null);
  assert.equal(stream.iteratorAge, null, "no replication asked for a stream alone");
  assert.equal(stream.failedToReplicateRecords, null);
  assert.equal((stream.streamIteratorAge as Json).latestMs, 75_000);
  assert.deepEqual(stream.efoConsumers, [{ name: "efo-alone", status: "ACTIVE", millisBehindLatest: 300 }]);
  assert.equal(stream.status, "warn");
  assert.match((stream.reasons as string[]).join("\n"), /readers of the Kinesis stream are 1m15s behind/);
  assert.ok(!j.consumers.some((c) => c.kind === "kinesis-destination"));
  const lambda = j.consumers.find((c) => c.kind === "lambda") as Json;
  assert.equal(lambda.functionName, fnName);
  assert.equal(lambda.streamArn, s.arn);
  assert.equal((lambda.iteratorAge as Json).latestMs, 4000);
  // No replication metric was asked for.
  const asked = JSON.stringify(aws.requestsFor("cloudwatch", "GetMetricData").at(-1));
  assert.doesNotMatch(asked, /AgeOfOldestUnreplicatedRecord/);

  const pretty = await runCli(["lag", s.arn], { env });
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.match(pretty.stdout, new RegExp(`kinesis:${s.arn.replace(/[/.]/g, "\\$&")} \\(Kinesis stream\\)`));
  assert.match(pretty.stdout, /stream readers: GetRecords\.IteratorAgeMilliseconds 1m15s/);
  assert.doesNotMatch(pretty.stdout, /replication:/);

  const unknown = await runCli(["lag", `${s.arn}-missing`], { env });
  assert.equal(unknown.code, 3, unknown.stderr);
  const kcl = await runCli(["lag", s.arn, "--kcl-table", "leases"], { env });
  assert.equal(kcl.code, 2);
  assert.match(kcl.stderr, /--kcl-table is not supported with a Kinesis stream ARN/);
});
