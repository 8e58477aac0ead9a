// `dynastream lag --kcl-table` for KCL applications that read a Kinesis data stream: kinesalite
// holds the stream (behind the harness's proxy, which answers MillisBehindLatest as Kinesis does),
// DynamoDB Local the lease tables, written in each shape KCL writes: 1.x/2.x single-stream leases,
// multi-stream leases (`<account>:<stream>:<epoch>:<shard id>`), KCL 3.x rows tagged with an
// entityType. Both ways to name the stream: `lag <kinesis-stream-arn>`, and `lag <table>` whose
// Kinesis destination the application reads.
import assert from "node:assert/strict";
import { describe, type TestContext, test } from "node:test";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as KinesisRecord,
  ListShardsCommand,
  PutRecordCommand,
  type Shard,
} from "@aws-sdk/client-kinesis";
import { runCli } from "../helpers/cli.js";
import { createTable, uniqueName } from "../helpers/ddb.js";
import { createLeaseTable, putLeaseRows } from "../helpers/kcl-leases.js";
import { KINESIS_ACCOUNT } from "../helpers/kinesis.js";
import { kinesisLagRig } from "../helpers/standins/kinesis-destination-server.js";

const rig = kinesisLagRig();

type Json = Record<string, unknown>;

function kclOf(stdout: string): Json {
  const j = JSON.parse(stdout) as { consumers: Json[] };
  const found = j.consumers.filter((c) => c.kind === "kcl");
  assert.equal(found.length, 1, stdout);
  return found[0] as Json;
}

function byShard(c: Json): Map<string, Json> {
  return new Map((c.shards as Json[]).map((s) => [String(s.shardId), s]));
}

/** A stream of `counts.length` shards with `counts[i]` records put into shard i; its records, by shard. */
async function streamWith(counts: number[]): Promise<{
  name: string;
  arn: string;
  shardIds: string[];
  records: Map<string, KinesisRecord[]>;
}> {
  const s = await rig.k.createStream({ shards: counts.length });
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await rig.k.client.send(
      new ListShardsCommand(token ? { NextToken: token } : { StreamName: s.name }),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  assert.equal(shards.length, counts.length);
  const records = new Map<string, KinesisRecord[]>();
  for (const [i, shard] of shards.entries()) {
    const shardId = shard.ShardId ?? "";
    for (let n = 0; n < (counts[i] ?? 0); n++) {
      await rig.k.client.send(
        new PutRecordCommand({
          StreamName: s.name,
          PartitionKey: "p",
          ExplicitHashKey: shard.HashKeyRange?.StartingHashKey,
          Data: Buffer.from(`r${n}`),
        }),
      );
    }
    const it = await rig.k.client.send(
      new GetShardIteratorCommand({
        StreamName: s.name,
        ShardId: shardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const page = await rig.k.client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    assert.equal(page.Records?.length ?? 0, counts[i]);
    records.set(shardId, page.Records ?? []);
  }
  return { ...s, shardIds: shards.map((x) => x.ShardId ?? ""), records };
}

const seqOf = (r: KinesisRecord | undefined): string => r?.SequenceNumber ?? "";

/**
 * Until the test ends, GetShardIterator at `seq` answers with Kinesis's InvalidArgumentException,
 * whose message ends with `why` (empty for a sequence number past the retention).
 */
function refuseSequence(t: TestContext, stream: string, shardId: string, seq: string, why: string): void {
  rig.k.fault = (op, req) =>
    op === "GetShardIterator" && req.StartingSequenceNumber === seq
      ? {
          type: "InvalidArgumentException",
          message: `StartingSequenceNumber ${seq} used in GetShardIterator on shard ${shardId} in stream ${stream} under account ${KINESIS_ACCOUNT} is invalid${why}.`,
        }
      : undefined;
  t.after(() => {
    rig.k.fault = undefined;
  });
}

describe("lag --kcl-table on a Kinesis data stream", () => {
  test("KCL 1.x/2.x leases: behind, caught up, TRIM_HORIZON, LATEST, SHARD_END; one probe per shard, one GetRecords each", async () => {
    const s = await streamWith([3, 2, 2, 1]);
    const [s0, s1, s2, s3] = s.shardIds as [string, string, string, string];
    const r0 = s.records.get(s0) ?? [];
    const r1 = s.records.get(s1) ?? [];
    const leases = await createLeaseTable(rig.ddbLocal, [
      { leaseKey: s0, checkpoint: seqOf(r0[0]), leaseOwner: "worker-1" },
      { leaseKey: s1, checkpoint: seqOf(r1[1]), leaseOwner: "worker-1" },
      { leaseKey: s2, checkpoint: "TRIM_HORIZON", leaseOwner: "worker-2" },
      { leaseKey: s3, checkpoint: "LATEST", leaseOwner: "worker-2" },
      // A finished parent the stream no longer lists: not reported.
      { leaseKey: "shardId-000000000099", checkpoint: "SHARD_END" },
    ]);
    const its = rig.k.calls.get("GetShardIterator") ?? 0;
    const reads = rig.k.calls.get("GetRecords") ?? 0;
    const metricCalls = rig.aws.requestsFor("cloudwatch", "GetMetricData").length;

    const r = await runCli(["lag", s.arn, "--kcl-table", leases, "--json", "--warn", "0s", "--fail", "0s"], {
      env: rig.env,
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal((rig.k.calls.get("GetShardIterator") ?? 0) - its, 3, "s0, s1, s2 probed; LATEST is not");
    assert.equal((rig.k.calls.get("GetRecords") ?? 0) - reads, 3, "one GetRecords per probe");
    assert.equal(
      rig.aws.requestsFor("cloudwatch", "GetMetricData").length - metricCalls,
      1,
      "one GetMetricData",
    );
    const j = JSON.parse(r.stdout) as Json;
    assert.equal(j.streamArn, s.arn);
    const c = kclOf(r.stdout);
    assert.equal(c.streamArn, s.arn);
    assert.equal(c.leaseTable, leases);
    assert.equal(c.status, "fail");
    const by = byShard(c);
    assert.deepEqual([...by.keys()].sort(), [s0, s1, s2, s3]);
    const b = by.get(s0) as Json;
    assert.equal(b.state, "behind");
    assert.equal(b.leaseOwner, "worker-1");
    assert.equal(b.checkpoint, seqOf(r0[0]));
    assert.ok(Number(b.lagMs) > 0, `lag ${String(b.lagMs)}`);
    assert.equal(
      Date.parse(String(b.firstUnprocessedAt)),
      r0[1]?.ApproximateArrivalTimestamp?.getTime(),
      "the first record AFTER the checkpoint",
    );
    const caught = by.get(s1) as Json;
    assert.equal(caught.state, "caught-up");
    assert.equal(caught.lagMs, 0);
    assert.equal(caught.firstUnprocessedAt, null);
    const th = by.get(s2) as Json;
    assert.equal(th.state, "not-started");
    assert.ok(Number(th.lagMs) > 0);
    assert.equal(
      Date.parse(String(th.firstUnprocessedAt)),
      s.records.get(s2)?.[0]?.ApproximateArrivalTimestamp?.getTime(),
    );
    const latest = by.get(s3) as Json;
    assert.equal(latest.state, "not-started");
    assert.equal(latest.lagMs, 0);
    const age = c.iteratorAge as Json;
    assert.equal(
      age.latestMs,
      Math.max(Number(b.lagMs), Number(th.lagMs)),
      "the application's lag is its largest shard lag",
    );

    // Caught up everywhere: exit 0 even at --fail 0s.
    await putLeaseRows(rig.ddbLocal, leases, [
      { leaseKey: s0, checkpoint: seqOf(r0[2]), leaseOwner: "worker-1" },
      { leaseKey: s2, checkpoint: "SHARD_END", leaseOwner: "worker-2" },
    ]);
    const ok = await runCli(["lag", s.arn, "--kcl-table", leases, "--json", "--warn", "0s", "--fail", "0s"], {
      env: rig.env,
    });
    assert.equal(ok.code, 0, ok.stderr);
    const c2 = kclOf(ok.stdout);
    assert.equal(c2.status, "ok");
    assert.equal(byShard(c2).get(s0)?.state, "caught-up");
    assert.equal(byShard(c2).get(s2)?.state, "finished");
  });

  test("multi-stream and KCL 3.x rows: only this stream's lease rows count; the other streams' are left out, with a note", async () => {
    const s = await streamWith([2]);
    const [s0] = s.shardIds as [string];
    const mine = `${KINESIS_ACCOUNT}:${s.name}:1700000000`;
    const leases = await createLeaseTable(rig.ddbLocal, [
      // KCL 2.x/3.x multi-stream lease: stream and shard as attributes too.
      {
        leaseKey: `${mine}:${s0}`,
        shardId: s0,
        streamName: mine,
        checkpoint: seqOf(s.records.get(s0)?.[0]),
        leaseOwner: "w1",
        entityType: "LEASE",
      },
      // Another stream in the same application: left out.
      {
        leaseKey: `${KINESIS_ACCOUNT}:other-stream:1700000000:shardId-000000000000`,
        checkpoint: "TRIM_HORIZON",
      },
      // Same name in another account: not this stream either.
      { leaseKey: `111122223333:${s.name}:1700000000:shardId-000000000000`, checkpoint: "TRIM_HORIZON" },
      // KCL 3.x rows that are not leases.
      { leaseKey: "worker-w1", entityType: "WORKER_METRICS_STATS", checkpoint: "TRIM_HORIZON" },
      { leaseKey: "Leader", entityType: "COORDINATOR_STATE" },
    ]);
    const r = await runCli(["lag", s.arn, "--kcl-table", leases, "--json"], { env: rig.env });
    assert.equal(r.code, 0, r.stderr);
    const c = kclOf(r.stdout);
    assert.deepEqual(
      (c.shards as Json[]).map((x) => [x.shardId, x.state]),
      [[s0, "behind"]],
    );
    assert.match(
      r.stderr,
      new RegExp(`lease table ${leases}: 2 leases of 2 other streams left out \\(.*other-stream.*\\)`),
    );

    // Only other streams' leases: a clear no-data, no probe.
    const others = await createLeaseTable(rig.ddbLocal, [
      {
        leaseKey: `${KINESIS_ACCOUNT}:other-stream:1700000000:shardId-000000000000`,
        checkpoint: "TRIM_HORIZON",
      },
    ]);
    const its = rig.k.calls.get("GetShardIterator") ?? 0;
    const none = await runCli(["lag", s.arn, "--kcl-table", others, "--json"], { env: rig.env });
    assert.equal(none.code, 0, none.stderr);
    const c2 = kclOf(none.stdout);
    assert.equal(c2.status, "no-data");
    assert.match(
      (c2.reasons as string[])[0] ?? "",
      /has no lease of this stream, only of another stream \(000000000000:other-stream:1700000000\)/,
    );
    assert.equal((rig.k.calls.get("GetShardIterator") ?? 0) - its, 0);
  });

  test("the lease table of another stream (same shard ids): the checkpoints are rejected, and the report says why", async (t) => {
    const a = await streamWith([1]);
    const b = await streamWith([2]);
    const foreign = seqOf(b.records.get(b.shardIds[0] ?? "")?.[0]);
    const leases = await createLeaseTable(rig.ddbLocal, [
      { leaseKey: "shardId-000000000000", checkpoint: foreign, leaseOwner: "w" },
    ]);
    // Kinesis refuses a sequence number of another stream; kinesalite only checks it loosely (its
    // sequence numbers encode the stream's creation second), so the harness answers as Kinesis does.
    refuseSequence(t, a.name, "shardId-000000000000", foreign, " because it did not come from this stream");
    const r = await runCli(["lag", a.arn, "--kcl-table", leases, "--json"], { env: rig.env });
    assert.equal(r.code, 0, r.stderr);
    const c = kclOf(r.stdout);
    assert.equal(c.status, "no-data");
    const reasons = (c.reasons as string[]).join("\n");
    assert.match(
      reasons,
      /could not probe shardId-000000000000: the stream rejected the checkpoint \(a sequence number of another stream\?\)/,
    );
  });

  test("a checkpoint past the stream's retention: trimmed, records lost (fail); the other shard still probed", async (t) => {
    const s = await streamWith([2, 1]);
    const [s0, s1] = s.shardIds as [string, string];
    const trimmed = seqOf(s.records.get(s0)?.[0]);
    const leases = await createLeaseTable(rig.ddbLocal, [
      { leaseKey: s0, checkpoint: trimmed, leaseOwner: "w" },
      { leaseKey: s1, checkpoint: "TRIM_HORIZON", leaseOwner: "w" },
    ]);
    // What Kinesis answers for a StartingSequenceNumber it no longer holds (kinesalite never trims).
    refuseSequence(t, s.name, s0, trimmed, "");
    const r = await runCli(["lag", s.arn, "--kcl-table", leases, "--json"], { env: rig.env });
    assert.equal(r.code, 1, r.stderr);
    const c = kclOf(r.stdout);
    assert.equal(c.status, "fail");
    const t0 = byShard(c).get(s0) as Json;
    assert.equal(t0.state, "trimmed");
    assert.equal(t0.lagMs, null);
    assert.match(String(t0.message), /behind the stream's trim point \(older than its retention\)/);
    assert.match(
      (c.reasons as string[]).join("\n"),
      new RegExp(`records lost on ${s0}: its checkpoint was trimmed`),
    );
    assert.equal(byShard(c).get(s1)?.state, "not-started");
  });

  test("a missing lease table: exit 3 with a hint", async () => {
    const s = await streamWith([0]);
    const r = await runCli(["lag", s.arn, "--kcl-table", uniqueName("no-such-leases")], { env: rig.env });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /KCL lease table \S+ not found/);
    assert.match(r.stderr, /--kcl-table/);
    assert.equal(r.stdout, "");
  });

  test("lag <table>: a KCL application reading the table's Kinesis destination is measured on the Kinesis stream", async () => {
    const table = await createTable(rig.ddbLocal);
    const s = await streamWith([2]);
    const en = await runCli(["enable", table, "--kinesis", s.name, "--wait"], { env: rig.env });
    assert.equal(en.code, 0, en.stderr);
    const [s0] = s.shardIds as [string];
    const leases = await createLeaseTable(rig.ddbLocal, [
      { leaseKey: s0, checkpoint: seqOf(s.records.get(s0)?.[0]), leaseOwner: "w" },
    ]);
    const r = await runCli(["lag", table, "--kcl-table", leases, "--json"], { env: rig.env });
    assert.equal(r.code, 0, r.stderr);
    const c = kclOf(r.stdout);
    assert.equal(c.streamArn, s.arn);
    assert.equal(byShard(c).get(s0)?.state, "behind");
  });
});
