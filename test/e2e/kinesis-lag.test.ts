// End-to-end: `lag <table>` with a Kinesis destination — DynamoDB Local behind the destination
// stand-in, kinesalite (one enhanced fan-out consumer registered), and the CloudWatch + Lambda
// stand-in holding the replication metrics, the Kinesis stream's metrics and a Kinesis-sourced
// mapping. All metrics come from ONE GetMetricData call. A KCL application's lease table (in DynamoDB
// Local) is read for the Kinesis stream alone.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ListShardsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { runCli } from "../helpers/cli.js";
import { createTable } from "../helpers/ddb.js";
import { createLeaseTable } from "../helpers/kcl-leases.js";
import { KINESIS_ACCOUNT } from "../helpers/kinesis.js";
import { kinesisLagRig } from "../helpers/standins/kinesis-destination-server.js";

const rig = kinesisLagRig();

interface Json {
  [k: string]: unknown;
}

test("lag <table>: the destination's replication, its Kinesis stream's readers and Lambda mappings, in one GetMetricData call", async () => {
  const table = await createTable(rig.ddbLocal);
  const s = await rig.k.createStream();
  const en = await runCli(["enable", table, "--kinesis", s.name, "--wait"], { env: rig.env });
  assert.equal(en.code, 0, en.stderr);
  rig.k.addConsumer(s.arn, "efo-indexer");
  const now = Date.now();
  const at = (minsAgo: number) => now - minsAgo * 60_000;
  const dims = { TableName: table, DelegatedOperation: "PutRecords" };
  rig.aws.putDatapoints(
    { namespace: "AWS/DynamoDB", metricName: "AgeOfOldestUnreplicatedRecord", dimensions: dims },
    [
      { t: at(3), value: 40 },
      { t: at(1), value: 90_000 },
    ],
  );
  rig.aws.putDatapoints(
    { namespace: "AWS/DynamoDB", metricName: "FailedToReplicateRecordCount", dimensions: dims },
    [{ t: at(2), value: 0 }],
  );
  rig.aws.putDatapoints(
    { namespace: "AWS/DynamoDB", metricName: "ThrottledPutRecordCount", dimensions: dims },
    [{ t: at(2), value: 3 }],
  );
  rig.aws.putDatapoints(
    {
      namespace: "AWS/Kinesis",
      metricName: "GetRecords.IteratorAgeMilliseconds",
      dimensions: { StreamName: s.name },
    },
    [{ t: at(1), value: 500 }],
  );
  rig.aws.putDatapoints(
    {
      namespace: "AWS/Kinesis",
      metricName: "SubscribeToShardEvent.MillisBehindLatest",
      dimensions: { StreamName: s.name, ConsumerName: "efo-indexer" },
    },
    [{ t: at(1), value: 120_000 }],
  );
  const fn = rig.aws.addFunction(`${table}-cdc`);
  rig.aws.addEventSourceMapping({
    EventSourceArn: s.arn,
    FunctionArn: fn,
    State: "Enabled",
    LastProcessingResult: "OK",
  });
  rig.aws.putDatapoints(
    { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: `${table}-cdc` } },
    [{ t: at(1), value: 2000 }],
  );
  const before = rig.aws.requestsFor("cloudwatch", "GetMetricData").length;

  const r = await runCli(["lag", table, "--json"], { env: rig.env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    rig.aws.requestsFor("cloudwatch", "GetMetricData").length - before,
    1,
    "one GetMetricData call",
  );
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

  const pretty = await runCli(["lag", table, "--fail", "1m"], { env: rig.env });
  assert.equal(pretty.code, 1, "replication age over --fail");
  assert.match(pretty.stdout, new RegExp(`kinesis:${s.name}`));
  assert.match(pretty.stdout, /replication: ACTIVE · AgeOfOldestUnreplicatedRecord 1m30s/);
  assert.match(pretty.stdout, /enhanced fan-out: efo-indexer \(ACTIVE\)/);
});

test("lag <kinesis-stream-arn>: the stream alone — its readers' age, enhanced fan-out consumers and Lambda mappings, in one GetMetricData call", async () => {
  const s = await rig.k.createStream();
  rig.k.addConsumer(s.arn, "efo-alone");
  const now = Date.now();
  const at = (minsAgo: number) => now - minsAgo * 60_000;
  rig.aws.putDatapoints(
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
  rig.aws.putDatapoints(
    {
      namespace: "AWS/Kinesis",
      metricName: "SubscribeToShardEvent.MillisBehindLatest",
      dimensions: { StreamName: s.name, ConsumerName: "efo-alone" },
    },
    [{ t: at(1), value: 300 }],
  );
  const fnName = `${s.name}-reader`;
  const fn = rig.aws.addFunction(fnName);
  rig.aws.addEventSourceMapping({
    EventSourceArn: s.arn,
    FunctionArn: fn,
    State: "Enabled",
    LastProcessingResult: "OK",
  });
  rig.aws.putDatapoints(
    { namespace: "AWS/Lambda", metricName: "IteratorAge", dimensions: { FunctionName: fnName } },
    [{ t: at(1), value: 4000 }],
  );
  const before = rig.aws.requestsFor("cloudwatch", "GetMetricData").length;

  const r = await runCli(["lag", s.arn, "--json"], { env: rig.env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    rig.aws.requestsFor("cloudwatch", "GetMetricData").length - before,
    1,
    "one GetMetricData call",
  );
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
  const asked = JSON.stringify(rig.aws.requestsFor("cloudwatch", "GetMetricData").at(-1));
  assert.doesNotMatch(asked, /AgeOfOldestUnreplicatedRecord/);

  const pretty = await runCli(["lag", s.arn], { env: rig.env });
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.match(pretty.stdout, new RegExp(`kinesis:${s.arn.replace(/[/.]/g, "\\$&")} \\(Kinesis stream\\)`));
  assert.match(pretty.stdout, /stream readers: GetRecords\.IteratorAgeMilliseconds 1m15s/);
  assert.doesNotMatch(pretty.stdout, /replication:/);

  const unknown = await runCli(["lag", `${s.arn}-missing`], { env: rig.env });
  assert.equal(unknown.code, 3, unknown.stderr);
});

test("lag <kinesis-stream-arn> --kcl-table: a KCL application's lag from its lease table, beside the stream's other consumers", async () => {
  const s = await rig.k.createStream({ shards: 2 });
  const listed = await rig.k.client.send(new ListShardsCommand({ StreamName: s.name }));
  const [a, b] = (listed.Shards ?? []).map((x) => x.ShardId ?? "") as [string, string];
  const put = await rig.k.client.send(
    new PutRecordCommand({
      StreamName: s.name,
      PartitionKey: "p",
      ExplicitHashKey: listed.Shards?.[0]?.HashKeyRange?.StartingHashKey,
      Data: Buffer.from("unread"),
    }),
  );
  assert.equal(put.ShardId, a);
  const fnName = `${s.name}-reader`;
  rig.aws.addEventSourceMapping({
    EventSourceArn: s.arn,
    FunctionArn: rig.aws.addFunction(fnName),
    State: "Enabled",
    LastProcessingResult: "OK",
  });
  // A multi-stream lease table (KCL 2.x/3.x): shard a not started, shard b at LATEST, one lease of
  // another stream, one KCL 3.x row that is not a lease.
  const id = `${KINESIS_ACCOUNT}:${s.name}:1700000000`;
  const leases = await createLeaseTable(rig.ddbLocal, [
    { leaseKey: `${id}:${a}`, shardId: a, streamName: id, checkpoint: "TRIM_HORIZON", leaseOwner: "w1" },
    { leaseKey: `${id}:${b}`, shardId: b, streamName: id, checkpoint: "LATEST", leaseOwner: "w1" },
    { leaseKey: `${KINESIS_ACCOUNT}:elsewhere:1700000000:${a}`, checkpoint: "TRIM_HORIZON" },
    { leaseKey: "Leader", entityType: "COORDINATOR_STATE" },
  ]);
  const before = rig.aws.requestsFor("cloudwatch", "GetMetricData").length;

  const r = await runCli(["lag", s.arn, "--kcl-table", leases, "--json", "--warn", "0s", "--fail", "0s"], {
    env: rig.env,
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    `lease table ${leases}: 1 lease of another stream left out (${KINESIS_ACCOUNT}:elsewhere:1700000000)\n`,
  );
  assert.equal(
    rig.aws.requestsFor("cloudwatch", "GetMetricData").length - before,
    1,
    "one GetMetricData call",
  );
  const j = JSON.parse(r.stdout) as { streamArn: string; status: string; consumers: Json[] };
  assert.equal(j.streamArn, s.arn);
  assert.equal(j.status, "fail");
  assert.deepEqual(j.consumers.map((c) => c.kind).sort(), ["kcl", "kinesis-stream", "lambda"]);
  const kcl = j.consumers.find((c) => c.kind === "kcl") as Json;
  assert.equal(kcl.streamArn, s.arn);
  assert.equal(kcl.leaseTable, leases);
  assert.equal(kcl.status, "fail");
  const shards = kcl.shards as Json[];
  assert.deepEqual(
    shards.map((x) => [x.shardId, x.state, x.leaseOwner, x.checkpoint]),
    [
      [a, "not-started", "w1", "TRIM_HORIZON"],
      [b, "not-started", "w1", "LATEST"],
    ],
  );
  assert.ok(Number(shards[0]?.lagMs) > 0);
  assert.equal(shards[1]?.lagMs, 0);
  assert.equal((kcl.iteratorAge as Json).latestMs, shards[0]?.lagMs);

  const pretty = await runCli(["lag", s.arn, "--kcl-table", leases], { env: rig.env });
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.match(pretty.stdout, new RegExp(`^kcl:${leases} +2 leases`, "m"));
});
