// End-to-end: `shards` on a Kinesis stream (by ARN, and as a table's destination) after real
// SplitShard and MergeShards on kinesalite: every ListShards page, both parents of a merge, hash-key
// ranges, the lineage tree; and the errors of a table without destination / an unknown stream.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeStreamSummaryCommand, MergeShardsCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { runCli } from "../helpers/cli.js";
import { createTable } from "../helpers/ddb.js";
import type { KinesisEmulator } from "../helpers/kinesis.js";
import { type DestinationStandin, startKinesisRig } from "../helpers/standins/kinesis-destination-server.js";

let k: KinesisEmulator;
let standin: DestinationStandin;
let env: Record<string, string> = {};
let ddbLocal = "";
before(async () => {
  ({ k, standin, env, ddbLocal } = await startKinesisRig({ transitionMs: 50 }));
});
after(() => standin.stop());

async function active(name: string): Promise<void> {
  for (;;) {
    const d = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface ShardLine {
  shardId: string;
  parentShardId: string | null;
  adjacentParentShardId: string | null;
  status: string;
  hashKeyRange: { startingHashKey: string; endingHashKey: string };
  startingSequenceNumber: string;
  endingSequenceNumber: string | null;
}

describe("shards on a Kinesis stream", () => {
  test("split and merge: every page, both parents of the merge, parents first, the tree", async () => {
    const s = await k.createStream({ shards: 3 });
    const max = 2n ** 128n - 1n;
    const third = max / 3n;
    // Split shard 0 in two halves of its range: shards 3 and 4 (children of 0).
    await k.client.send(
      new SplitShardCommand({
        StreamName: s.name,
        ShardToSplit: "shardId-000000000000",
        NewStartingHashKey: String(third / 2n),
      }),
    );
    await active(s.name);
    // Merge shards 1 and 2 (adjacent ranges): shard 5, parents 1 and 2.
    await k.client.send(
      new MergeShardsCommand({
        StreamName: s.name,
        ShardToMerge: "shardId-000000000001",
        AdjacentShardToMerge: "shardId-000000000002",
      }),
    );
    await active(s.name);
    const before = k.calls.get("ListShards") ?? 0;
    const r = await runCli(["shards", s.arn, "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.ok((k.calls.get("ListShards") ?? 0) - before >= 2, "6 shards in pages of 3: two ListShards calls");
    const j = JSON.parse(r.stdout) as { streamArn: string; shards: ShardLine[] };
    assert.equal(j.streamArn, s.arn);
    const ids = j.shards.map((x) => x.shardId.slice(-1));
    assert.equal(ids.length, 6);
    const at = (id: string) => ids.indexOf(id);
    for (const [parent, child] of [
      ["0", "3"],
      ["0", "4"],
      ["1", "5"],
      ["2", "5"],
    ] as const) {
      assert.ok(at(parent) < at(child), `${parent} before ${child} in ${ids.join(",")}`);
    }
    const merged = j.shards.find((x) => x.shardId.endsWith("5")) as ShardLine;
    assert.equal(merged.parentShardId, "shardId-000000000001");
    assert.equal(merged.adjacentParentShardId, "shardId-000000000002");
    assert.equal(merged.status, "open");
    const zero = j.shards.find((x) => x.shardId.endsWith("0")) as ShardLine;
    assert.equal(zero.status, "closed");
    assert.match(String(zero.endingSequenceNumber), /^\d+$/);
    assert.equal(zero.hashKeyRange.startingHashKey, "0");
    assert.deepEqual(Object.keys(merged).sort(), [
      "adjacentParentShardId",
      "endingSequenceNumber",
      "hashKeyRange",
      "parentShardId",
      "shardId",
      "startingSequenceNumber",
      "status",
    ]);

    const tree = await runCli(["shards", s.arn, "--tree"], { env });
    assert.equal(tree.code, 0, tree.stderr);
    assert.match(tree.stdout, /└─ shardId-000000000005 +open +\(merge: also child of shardId-000000000002\)/);
    assert.match(tree.stdout, /├─ shardId-000000000003/);
    assert.match(tree.stderr, /6 shards: 3 open, 3 closed/);

    const table = await runCli(["shards", s.arn], { env });
    assert.match(table.stdout, /PARENTS/);
    assert.match(table.stdout, /shardId-000000000001 \+ shardId-000000000002/);

    const open = await runCli(["shards", s.arn, "--open", "--json"], { env });
    const openIds = (JSON.parse(open.stdout) as { shards: ShardLine[] }).shards.map((x) =>
      x.shardId.slice(-1),
    );
    assert.deepEqual(openIds.sort(), ["3", "4", "5"]);
  });

  test("<table> --kinesis: the table's destination; none is exit 3 with the enable hint", async () => {
    const table = await createTable(ddbLocal);
    const none = await runCli(["shards", table, "--kinesis"], { env });
    assert.equal(none.code, 3);
    assert.match(none.stderr, /^error: table .* has no active Kinesis destination$/m);
    assert.match(none.stderr, new RegExp(`^hint: dynastream enable ${table} --kinesis <stream>$`, "m"));

    const s = await k.createStream({ shards: 2 });
    const en = await runCli(["enable", table, "--kinesis", s.name, "--wait"], { env });
    assert.equal(en.code, 0, en.stderr);
    const r = await runCli(["shards", table, "--kinesis", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { streamArn: string; shards: ShardLine[] };
    assert.equal(j.streamArn, s.arn);
    assert.equal(j.shards.length, 2);

    const s2 = await k.createStream();
    const en2 = await runCli(["enable", table, "--kinesis", s2.name, "--wait"], { env });
    assert.equal(en2.code, 0, en2.stderr);
    const two = await runCli(["shards", table, "--kinesis"], { env });
    assert.equal(two.code, 2);
    assert.match(two.stderr, /streams to 2 Kinesis streams: .*--kinesis <stream-name\|arn>/s);
    const named = await runCli(["shards", table, "--kinesis", s2.name, "--json"], { env });
    assert.equal(named.code, 0, named.stderr);
    assert.equal((JSON.parse(named.stdout) as { streamArn: string }).streamArn, s2.arn);

    const unknown = await runCli(["shards", "arn:aws:kinesis:us-east-1:000000000000:stream/nope-k"], { env });
    assert.equal(unknown.code, 3);
    assert.match(
      unknown.stderr,
      /^error: Kinesis stream arn:aws:kinesis:us-east-1:000000000000:stream\/nope-k not found$/m,
    );
  });
});
