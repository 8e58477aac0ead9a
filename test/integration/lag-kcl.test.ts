// `dynastream lag --kcl-table` for KCL applications, for real against DynamoDB Local: the test writes
// records to a table with a stream, writes a KCL lease table (leaseKey = shard id, checkpoint, owner,
// parentShardId…) checkpointed part way, and runs the built binary. Trimmed checkpoints and
// multi-shard lineage cannot happen on DynamoDB Local (one shard, 24 h retention): those run against
// the DynamoDB Streams stand-in, with the lease table still in DynamoDB Local.
import assert from "node:assert/strict";
import { before, describe, type TestContext, test } from "node:test";
import { type AttributeValue, DescribeTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  type _Record,
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint, uniqueName } from "../helpers/ddb.js";
import { createLeaseTable, type LeaseRow, putLeaseRows } from "../helpers/kcl-leases.js";
import { type AwsStandin, startAwsStandin } from "../helpers/standins/cloudwatch-server.js";
import { type StreamsStandin, startStreamsStandin } from "../helpers/standins/streams-server.js";

let endpoint = "";
let env: Record<string, string> = {};
before(async () => {
  endpoint = await ddbEndpoint();
  env = cliEnv(endpoint);
});

type Json = Record<string, unknown>;

function parse(stdout: string): Json {
  const lines = stdout.trim().split("\n");
  assert.equal(lines.length, 1, `one JSON document expected, got: ${stdout}`);
  return JSON.parse(lines[0] as string) as Json;
}

function kcl(j: Json): Json {
  const cs = j.consumers as Json[];
  assert.equal(cs.length, 1, JSON.stringify(cs));
  const c = cs[0] as Json;
  assert.equal(c.kind, "kcl");
  return c;
}

function shards(c: Json): Map<string, Json> {
  return new Map((c.shards as Json[]).map((s) => [String(s.shardId), s]));
}

/** A table with a stream and `n` items written; returns its stream ARN, shard id and records. */
async function tableWithRecords(
  n: number,
): Promise<{ table: string; streamArn: string; shardId: string; records: _Record[] }> {
  const table = await createTable(endpoint);
  const { ddb, streams } = clients(endpoint);
  try {
    for (let i = 0; i < n; i++) {
      await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `item-${i}` } } }));
    }
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
    const streamArn = Table?.LatestStreamArn ?? "";
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const shardId = d.StreamDescription?.Shards?.[0]?.ShardId ?? "";
    const it = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    const records = page.Records ?? [];
    assert.equal(records.length, n);
    return { table, streamArn, shardId, records };
  } finally {
    ddb.destroy();
    streams.destroy();
  }
}

/** A KCL lease table (hash key leaseKey) in DynamoDB Local, with these leases. */
function leaseTable(leases: LeaseRow[], at: string = endpoint): Promise<string> {
  return createLeaseTable(at, leases);
}

function putLeases(name: string, leases: LeaseRow[], at: string = endpoint): Promise<void> {
  return putLeaseRows(at, name, leases);
}

const seq = (r: _Record | undefined): string => r?.dynamodb?.SequenceNumber ?? "";

describe("lag --kcl-table against DynamoDB Local", () => {
  test("lag > 0 while the checkpoint is behind; 0 once caught up", async () => {
    const { table, streamArn, shardId, records } = await tableWithRecords(3);
    const leases = await leaseTable([
      { leaseKey: shardId, checkpoint: seq(records[0]), leaseOwner: "worker-1" },
    ]);

    const behind = await runCli(
      ["lag", table, "--kcl-table", leases, "--json", "--warn", "0s", "--fail", "0s"],
      {
        env,
      },
    );
    assert.equal(behind.code, 1, behind.stderr);
    const j = parse(behind.stdout);
    assert.equal(j.streamArn, streamArn);
    const c = kcl(j);
    assert.deepEqual(Object.keys(c).sort(), [
      "iteratorAge",
      "kind",
      "leaseTable",
      "reasons",
      "shards",
      "status",
      "streamArn",
      "warnings",
    ]);
    assert.equal(c.leaseTable, leases);
    assert.equal(c.status, "fail");
    const s = shards(c).get(shardId) as Json;
    assert.deepEqual(Object.keys(s).sort(), [
      "checkpoint",
      "firstUnprocessedAt",
      "lagMs",
      "leaseOwner",
      "message",
      "open",
      "shardId",
      "state",
    ]);
    assert.equal(s.state, "behind");
    assert.equal(s.open, true);
    assert.equal(s.leaseOwner, "worker-1");
    assert.equal(s.checkpoint, seq(records[0]));
    assert.ok(Number(s.lagMs) > 0, `lag ${String(s.lagMs)}`);
    assert.equal(
      Date.parse(String(s.firstUnprocessedAt)),
      records[1]?.dynamodb?.ApproximateCreationDateTime?.getTime(),
      "the first record AFTER the checkpoint",
    );
    const age = c.iteratorAge as Json;
    assert.equal(age.latestMs, s.lagMs);
    assert.equal((age.series as Json[]).length, 1);

    // default thresholds: a fresh lag is well under a minute... unless DynamoDB Local's minute
    // truncation makes it look older; either way it is not "no-data" and the table shows it.
    const pretty = await runCli(["lag", table, "--kcl-table", leases], { env });
    assert.match(
      pretty.stdout,
      new RegExp(`^kcl:${leases} +1 lease +1 behind +\\S+ +\\S+ +- +(ok|warn)$`, "m"),
    );
    assert.match(pretty.stdout, /^ +SHARD +OWNER +CHECKPOINT +STATE +LAG$/m);
    assert.match(
      pretty.stdout,
      new RegExp(`^ +${shardId} +worker-1 +${seq(records[0])} +behind +\\S+$`, "m"),
    );

    await putLeases(leases, [{ leaseKey: shardId, checkpoint: seq(records[2]), leaseOwner: "worker-1" }]);
    const caught = await runCli(
      ["lag", table, "--kcl-table", leases, "--json", "--warn", "0s", "--fail", "0s"],
      {
        env,
      },
    );
    assert.equal(caught.code, 0, caught.stderr);
    const c2 = kcl(parse(caught.stdout));
    assert.equal(c2.status, "ok");
    const s2 = shards(c2).get(shardId) as Json;
    assert.equal(s2.state, "caught-up");
    assert.equal(s2.lagMs, 0);
    assert.equal(s2.firstUnprocessedAt, null);
  });

  test("an open shard without a lease: its whole content is lag, and a warning names it", async () => {
    const { table, shardId, records } = await tableWithRecords(2);
    // The application finished a parent shard that is gone now, and has not leased the new one.
    const leases = await leaseTable([
      { leaseKey: "shardId-00000001700000000000-00000000", checkpoint: "SHARD_END" },
    ]);
    const r = await runCli(["lag", table, "--kcl-table", leases, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const c = kcl(parse(r.stdout));
    const s = shards(c).get(shardId) as Json;
    assert.equal(s.state, "no-lease");
    assert.equal(s.leaseOwner, null);
    assert.equal(s.checkpoint, null);
    assert.ok(Number(s.lagMs) > 0);
    assert.equal(
      Date.parse(String(s.firstUnprocessedAt)),
      records[0]?.dynamodb?.ApproximateCreationDateTime?.getTime(),
    );
    assert.match(
      (c.warnings as string[]).join("\n"),
      new RegExp(`1 open shard has no lease yet: ${shardId}`),
    );
    assert.equal(shards(c).size, 1, "the finished lease of a gone shard is not reported");
  });

  test("sentinel checkpoints: TRIM_HORIZON (not started, lag > 0), LATEST (lag 0), SHARD_END (finished)", async () => {
    const { table, shardId } = await tableWithRecords(1);
    const leases = await leaseTable([{ leaseKey: shardId, checkpoint: "TRIM_HORIZON", leaseOwner: "w" }]);
    const state = async (): Promise<Json> => {
      const r = await runCli(["lag", table, "--kcl-table", leases, "--json"], { env });
      assert.equal(r.code, 0, r.stderr);
      return shards(kcl(parse(r.stdout))).get(shardId) as Json;
    };
    const th = await state();
    assert.equal(th.state, "not-started");
    assert.ok(Number(th.lagMs) > 0);
    await putLeases(leases, [{ leaseKey: shardId, checkpoint: "LATEST", leaseOwner: "w" }]);
    const latest = await state();
    assert.equal(latest.state, "not-started");
    assert.equal(latest.lagMs, 0);
    await putLeases(leases, [{ leaseKey: shardId, checkpoint: "SHARD_END", leaseOwner: "w" }]);
    const end = await state();
    assert.equal(end.state, "finished");
    assert.equal(end.lagMs, 0);
  });

  test("KCL 3.x single-table rows and the adapter's multi-stream lease keys: only lease rows of this stream count", async () => {
    const { table, streamArn, shardId, records } = await tableWithRecords(2);
    const leases = await leaseTable([]);
    const label = streamArn.split("/stream/")[1] ?? "";
    const streamId = `000000000000:ddblocal$000000000000$${table}$${label.replace(/:/g, "_")}:1`;
    const { ddb } = clients(endpoint);
    try {
      const rows: Array<Record<string, AttributeValue>> = [
        // The adapter's multi-stream form: stream and shard only in the key.
        {
          leaseKey: { S: `${streamId}:${shardId}` },
          checkpoint: { S: seq(records[0]) },
          leaseOwner: { S: "w1" },
          entityType: { S: "LEASE" },
        },
        // KCL 3.x rows that are not leases.
        {
          leaseKey: { S: "worker-w1" },
          entityType: { S: "WORKER_METRICS_STATS" },
          checkpoint: { S: "TRIM_HORIZON" },
        },
        { leaseKey: { S: "Leader" }, entityType: { S: "COORDINATOR_STATE" } },
        // Another table's stream in the same multi-stream lease table.
        {
          leaseKey: { S: `000000000000:ddblocal$000000000000$Other$${label}:1:shardId-x` },
          checkpoint: { S: "TRIM_HORIZON" },
        },
      ];
      for (const Item of rows) await ddb.send(new PutItemCommand({ TableName: leases, Item }));
    } finally {
      ddb.destroy();
    }
    const r = await runCli(["lag", table, "--kcl-table", leases, "--json", "--warn", "0s", "--fail", "0s"], {
      env,
    });
    assert.equal(r.code, 1, r.stderr);
    const c = kcl(parse(r.stdout));
    const all = c.shards as Json[];
    assert.deepEqual(
      all.map((x) => x.shardId),
      [shardId],
      "one lease: the worker-metrics, coordinator and other-stream rows are not",
    );
    assert.equal(all[0]?.state, "behind");
  });

  test("an empty lease table is no-data (exit 0; 1 with --fail-on-no-data); a missing one is exit 3", async () => {
    const { table } = await tableWithRecords(1);
    const empty = await leaseTable([]);
    const r = await runCli(["lag", table, "--kcl-table", empty, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const c = kcl(parse(r.stdout));
    assert.equal(c.status, "no-data");
    assert.match((c.reasons as string[])[0] ?? "", /has no leases/);
    assert.deepEqual(c.shards, []);
    const strict = await runCli(["lag", table, "--kcl-table", empty, "--fail-on-no-data"], { env });
    assert.equal(strict.code, 1, strict.stderr);
    const missing = await runCli(["lag", table, "--kcl-table", uniqueName("no-such-leases")], { env });
    assert.equal(missing.code, 3, missing.stderr);
    assert.match(missing.stderr, /KCL lease table \S+ not found/);
  });

  test("the lease table of another stream: no-data with a hint, no probe", async () => {
    const a = await tableWithRecords(1);
    const b = await tableWithRecords(1);
    const leases = await leaseTable([
      { leaseKey: b.shardId, checkpoint: seq(b.records[0]), leaseOwner: "w" },
    ]);
    const r = await runCli(["lag", a.table, "--kcl-table", leases, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const c = kcl(parse(r.stdout));
    assert.equal(c.status, "no-data");
    assert.match((c.reasons as string[])[0] ?? "", /lease table of another stream/);
  });
});

describe("lag --kcl-table with lineage and trimming (DynamoDB Streams stand-in)", () => {
  async function standins(t: TestContext): Promise<{ streams: StreamsStandin; aws: AwsStandin }> {
    const streams = await startStreamsStandin();
    const aws = await startAwsStandin();
    t.after(() => Promise.all([streams.stop(), aws.stop()]));
    return { streams, aws };
  }

  test("trimmed checkpoint and vanished shard = records lost (fail); no-lease child; each shard probed once, sequentially", async (t) => {
    const { streams, aws } = await standins(t);
    const s = streams.addStream({ tableName: "Orders" });
    const now = Math.floor(Date.now() / 1000);
    const parent = s.addShard();
    s.putRecords(parent, [{ dynamodb: { ApproximateCreationDateTime: now - 600 } }]);
    s.closeShard(parent);
    const behind = s.addShard({ parentShardId: parent });
    const seqs = s.putRecords(behind, [
      { dynamodb: { ApproximateCreationDateTime: now - 300 } },
      { dynamodb: { ApproximateCreationDateTime: now - 240 } },
      { dynamodb: { ApproximateCreationDateTime: now - 60 } },
    ]);
    const trimmed = s.addShard({ parentShardId: parent });
    const tseqs = s.putRecords(trimmed, [{}, {}, {}]);
    s.trim(trimmed, { count: 2 });
    const fresh = s.addShard({ parentShardId: parent });
    s.putRecords(fresh, [{ dynamodb: { ApproximateCreationDateTime: now - 30 } }]);
    const gone = s.addShard();
    const gseqs = s.putRecords(gone, [{}, {}]);
    s.closeShard(gone);
    s.trim(gone, { removeShard: true });
    // Empty pages before the data: the probe must read on (a few pages) instead of calling it caught up.
    streams.faults.inject({ op: "GetRecords", kind: "empty", times: 2, shardId: behind });

    const leases = await leaseTable([
      { leaseKey: parent, checkpoint: "SHARD_END", leaseOwner: "w1" },
      { leaseKey: behind, checkpoint: seqs[0] as string, leaseOwner: "w1", parentShardId: [parent] },
      { leaseKey: trimmed, checkpoint: tseqs[0] as string, leaseOwner: "w2", parentShardId: [parent] },
      { leaseKey: gone, checkpoint: gseqs[0] as string, leaseOwner: "w2" },
    ]);
    streams.resetStats();
    const r = await runCli(["lag", s.arn, "--kcl-table", leases, "--json"], {
      env: cliEnv(endpoint, {
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS: streams.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: aws.endpoint,
      }),
    });
    assert.equal(r.code, 1, r.stderr);
    const c = kcl(parse(r.stdout));
    assert.equal(c.status, "fail");
    const by = shards(c);
    assert.equal(by.get(parent)?.state, "finished");
    const b = by.get(behind) as Json;
    assert.equal(b.state, "behind");
    assert.equal(
      Date.parse(String(b.firstUnprocessedAt)),
      (now - 240) * 1000,
      "first record after the checkpoint",
    );
    assert.ok(Number(b.lagMs) >= 240_000);
    assert.equal(by.get(trimmed)?.state, "trimmed");
    assert.equal(by.get(gone)?.state, "lost");
    const f = by.get(fresh) as Json;
    assert.equal(f.state, "no-lease");
    assert.ok(Number(f.lagMs) >= 30_000);
    const reasons = (c.reasons as string[]).join("\n");
    assert.match(reasons, new RegExp(`records lost on ${trimmed}: its checkpoint was trimmed`));
    assert.match(reasons, new RegExp(`records lost on ${gone}`));
    assert.equal((c.iteratorAge as Json).latestMs, b.lagMs, "the consumer's lag is its largest shard lag");

    // Probes: one GetShardIterator per probed shard, each finished before the next one starts.
    const log = streams.stats.log.filter((e) => e.op === "GetShardIterator" || e.op === "GetRecords");
    const its = log.filter((e) => e.op === "GetShardIterator");
    assert.deepEqual(its.map((e) => e.shardId).sort(), [behind, trimmed, fresh].sort());
    let current: string | undefined;
    const finished = new Set<string>();
    for (const e of log) {
      if (e.op === "GetShardIterator") {
        if (current) finished.add(current);
        assert.ok(!finished.has(e.shardId ?? ""), "a shard is probed once");
        current = e.shardId;
      } else {
        assert.equal(
          e.shardId,
          current,
          "GetRecords belong to the shard being probed: probes are sequential",
        );
      }
    }
    const reads = log.filter((e) => e.op === "GetRecords" && e.shardId === behind);
    assert.equal(reads.length, 3, "two empty pages, then the record");
    // DynamoDB calls (the lease table) went to DynamoDB Local, not the streams stand-in.
    assert.equal(streams.stats.log.filter((e) => e.op === "DescribeTable").length, 0);
  });
});
