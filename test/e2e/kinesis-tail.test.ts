// End-to-end: `tail` on a table's Kinesis Data Streams destination — DynamoDB Local behind the
// destination stand-in (which replicates changes into kinesalite in the destination's record format,
// delivering every 4th change twice), the built binary reading kinesalite through its proxy.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeStreamSummaryCommand, MergeShardsCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { jsonLines, runCli } from "../helpers/cli.js";
import { cliEnv, clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { type KinesisEmulator, kinesisEmulator } from "../helpers/kinesis.js";
import {
  type DestinationStandin,
  destinationRecord,
  startDestinationStandin,
} from "../helpers/standins/kinesis-destination-server.js";

let k: KinesisEmulator;
let standin: DestinationStandin;
let env: Record<string, string> = {};
let ddbLocal = "";
const dir = mkdtempSync(join(tmpdir(), "dynastream-ktail-"));
before(async () => {
  ddbLocal = await ddbEndpoint();
  k = await kinesisEmulator();
  standin = await startDestinationStandin({
    ddbEndpoint: ddbLocal,
    kinesisEndpoint: k.endpoint,
    transitionMs: 50,
    duplicateEvery: 4,
  });
  env = cliEnv(standin.endpoint, { AWS_ENDPOINT_URL_KINESIS: k.endpoint });
});
after(async () => {
  await standin.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Line {
  type: string;
  eventID: string;
  eventName: string;
  table: string;
  streamArn: string;
  shardId: string;
  sequenceNumber: string;
  approximateCreationDateTime: string;
  keys: Record<string, unknown>;
  oldImage: Record<string, unknown> | null;
  newImage: Record<string, unknown> | null;
  changes: Array<{ path: unknown[]; kind: string }> | null;
  source: string;
  kinesis?: { streamArn: string; partitionKey: string; approximateArrivalTimestamp: string };
  duplicate?: boolean;
  record: Record<string, unknown> & {
    kinesis?: { data: string; sequenceNumber: string; partitionKey: string };
  };
}

const lines = (stdout: string): Line[] => jsonLines<Line>(stdout);

async function until(what: string, ok: () => boolean, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) {
      throw new Error(
        `timed out waiting for ${what} (copy errors: ${standin.errors().join("; ") || "none"})`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A table with an ACTIVE destination (microsecond precision) and four changes replicated: 5 Kinesis records. */
async function setup(): Promise<{ table: string; arn: string; name: string }> {
  const table = await createTable(ddbLocal);
  const s = await k.createStream();
  const en = await runCli(["enable", table, "--kinesis", s.name, "--precision", "microsecond", "--wait"], {
    env,
  });
  assert.equal(en.code, 0, en.stderr);
  const before = standin.replicated();
  const { ddb } = clients(ddbLocal);
  await ddb.send(
    new PutItemCommand({
      TableName: table,
      Item: { pk: { S: "o1" }, status: { S: "new" }, n: { N: "12345678901234567890.5" } },
    }),
  );
  await ddb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: "o1" } },
      UpdateExpression: "SET #s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: "paid" } },
    }),
  );
  await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "o2" } } }));
  await ddb.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: "o2" } } }));
  await until("5 records replicated", () => standin.replicated() - before >= 5);
  return { table, arn: s.arn, name: s.name };
}

describe("tail --kinesis", () => {
  test("decodes change records into the one output schema; duplicates marked, --dedupe drops them; same records as the DynamoDB stream", async () => {
    const { table, arn } = await setup();
    const r = await runCli(["tail", table, "--kinesis", "--from", "trim-horizon", "--until-end", "--json"], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `tailing ${table} through Kinesis stream ${arn.replace(/[/.]/g, "\\$&")} \\(1 open shard\\) from TRIM_HORIZON`,
      ),
    );
    const got = lines(r.stdout);
    assert.equal(got.length, 5, r.stdout);
    assert.deepEqual(
      got.map((l) => l.eventName),
      ["INSERT", "MODIFY", "INSERT", "REMOVE", "REMOVE"],
    );
    const dup = got[4] as Line;
    assert.equal(dup.duplicate, true);
    assert.equal(dup.eventID, got[3]?.eventID, "the same change, delivered twice");
    assert.ok(got.slice(0, 4).every((l) => l.duplicate === undefined));
    for (const l of got) {
      assert.equal(l.type, "record");
      assert.equal(l.source, "kinesis");
      assert.equal(l.table, table);
      assert.equal(l.streamArn, arn);
      assert.equal(l.shardId, "shardId-000000000000");
      assert.match(l.sequenceNumber, /^\d+$/);
      assert.match(
        l.approximateCreationDateTime,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/,
        "microseconds kept",
      );
      assert.equal(l.kinesis?.streamArn, arn);
      assert.match(l.kinesis?.partitionKey ?? "", /^[0-9A-F]{32}$/);
      assert.ok(!Number.isNaN(Date.parse(l.kinesis?.approximateArrivalTimestamp ?? "")));
      // `record` is what a Lambda function on the Kinesis stream receives.
      assert.equal(l.record.eventSource, "aws:kinesis");
      assert.equal(l.record.eventName, "aws:kinesis:record");
      assert.equal(l.record.eventSourceARN, arn);
      assert.equal(l.record.eventID, `${l.shardId}:${l.sequenceNumber}`);
      assert.equal(l.record.kinesis?.sequenceNumber, l.sequenceNumber);
      const data = JSON.parse(Buffer.from(l.record.kinesis?.data ?? "", "base64").toString()) as Record<
        string,
        unknown
      >;
      assert.equal(data.tableName, table);
      assert.equal(data.eventID, l.eventID);
    }
    const modify = got[1] as Line;
    assert.deepEqual(modify.keys, { pk: "o1" });
    assert.deepEqual(modify.changes, [{ path: ["status"], kind: "changed", old: "new", new: "paid" }]);
    assert.match(r.stdout, /"n":12345678901234567890\.5/, "numbers verbatim");
    assert.match(r.stderr, /5 records from 1 shard, 0 gaps: caught up/);

    const dedupe = await runCli(
      ["tail", table, "--kinesis", "--from", "trim-horizon", "--until-end", "--dedupe", "--json"],
      {
        env,
      },
    );
    assert.equal(dedupe.code, 0, dedupe.stderr);
    assert.equal(lines(dedupe.stdout).length, 4);

    // The same changes as the DynamoDB stream shows.
    const ddbStream = await runCli(["tail", table, "--from", "trim-horizon", "--until-end", "--json"], {
      env,
    });
    assert.equal(ddbStream.code, 0, ddbStream.stderr);
    const viaDdb = lines(ddbStream.stdout);
    assert.equal(viaDdb[0]?.source, "dynamodb-stream");
    const shape = (l: Line) => JSON.stringify([l.eventName, l.keys, l.oldImage, l.newImage, l.changes]);
    assert.deepEqual(lines(dedupe.stdout).map(shape), viaDdb.map(shape));

    // By the Kinesis stream's ARN, pretty: the [duplicate] mark.
    const pretty = await runCli(["tail", arn, "--from", "trim-horizon", "--until-end", "-o", "pretty"], {
      env,
    });
    assert.equal(pretty.code, 0, pretty.stderr);
    assert.match(
      pretty.stdout,
      new RegExp(`MODIFY ${table} pk=o1 shard:000000000000\\n  ~ status: "new" → "paid"`),
    );
    assert.match(pretty.stdout, /REMOVE .* pk=o2 \[duplicate\]/);

    // tail's output renders back byte for byte (the duplicate mark belongs to the live run).
    const noDup = `${r.stdout.split("\n").slice(0, 4).join("\n")}\n`;
    const again = await runCli(["tail", "--input", "-", "--json"], { env, input: noDup });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, noDup);
  });

  test("--from <time> seeks with AT_TIMESTAMP; checkpoints are keyed by Kinesis shard and resume after the last record", async () => {
    const { table, arn } = await setup();
    await new Promise((res) => setTimeout(res, 1100));
    const t = new Date().toISOString();
    const before = standin.replicated();
    const { ddb } = clients(ddbLocal);
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "late" } } }));
    await until("replicated", () => standin.replicated() > before);
    const r = await runCli(["tail", table, "--kinesis", "--from", t, "--until-end", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\(AT_TIMESTAMP\)/);
    const got = lines(r.stdout);
    assert.deepEqual(
      got.map((l) => l.keys),
      [{ pk: "late" }],
    );

    const ckpt = join(dir, `${table}.ckpt`);
    const first = await runCli(
      ["tail", table, "--kinesis", "--from", "trim-horizon", "--until-end", "--checkpoint", ckpt, "--json"],
      { env },
    );
    assert.equal(first.code, 0, first.stderr);
    assert.equal(lines(first.stdout).length, 6);
    const saved = JSON.parse(readFileSync(ckpt, "utf8")) as {
      streamArn: string;
      shards: Record<string, { sequenceNumber?: string }>;
    };
    assert.equal(saved.streamArn, arn);
    assert.equal(
      saved.shards["shardId-000000000000"]?.sequenceNumber,
      lines(first.stdout)[5]?.sequenceNumber,
    );
    const b2 = standin.replicated();
    await ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "after-checkpoint" } } }));
    await until("replicated", () => standin.replicated() > b2);
    const second = await runCli(["tail", table, "--kinesis", "--until-end", "--checkpoint", ckpt, "--json"], {
      env,
    });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      lines(second.stdout).map((l) => l.keys),
      [{ pk: "after-checkpoint" }],
    );
  });

  test("lineage: records of both parents of a real merge come before the merged shard's; order kept per shard", async () => {
    const s = await k.createStream({ shards: 2 });
    const put = async (pk: string, hashKey: string) => {
      const doc = destinationRecord(
        {
          eventName: "INSERT",
          dynamodb: { Keys: { pk: { S: pk } }, NewImage: { pk: { S: pk } }, SizeBytes: 10 },
        },
        "Direct",
        "MILLISECOND",
        BigInt(Date.now()) * 1000n,
      );
      await k.client.send(
        new PutRecordCommand({
          StreamARN: s.arn,
          PartitionKey: pk,
          ExplicitHashKey: hashKey,
          Data: Buffer.from(JSON.stringify(doc)),
        }),
      );
    };
    const low = "1";
    const high = String(2n ** 127n + 1n);
    for (const pk of ["a1", "a2", "a3"]) await put(pk, low);
    for (const pk of ["b1", "b2"]) await put(pk, high);
    await k.client.send(
      new MergeShardsCommand({
        StreamName: s.name,
        ShardToMerge: "shardId-000000000000",
        AdjacentShardToMerge: "shardId-000000000001",
      }),
    );
    for (;;) {
      const d = await k.client.send(new DescribeStreamSummaryCommand({ StreamName: s.name }));
      if (d.StreamDescriptionSummary?.StreamStatus === "ACTIVE") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    for (const pk of ["c1", "c2"]) await put(pk, low);
    const childAnswers = k.childShardAnswers.count;
    const r = await runCli(["tail", s.arn, "--from", "trim-horizon", "--until-end", "--json"], { env });
    assert.equal(r.code, 0, r.stderr);
    const got = lines(r.stdout);
    const keys = got.map((l) => String(l.keys.pk));
    assert.deepEqual([...keys].sort(), ["a1", "a2", "a3", "b1", "b2", "c1", "c2"]);
    assert.deepEqual(keys.slice(5), ["c1", "c2"], `the merged shard's records last: ${keys.join(",")}`);
    assert.deepEqual(
      keys.filter((x) => x.startsWith("a")),
      ["a1", "a2", "a3"],
    );
    assert.ok(got.slice(5).every((l) => l.shardId === "shardId-000000000002"));
    assert.ok(got.every((l) => l.table === "Direct"));
    assert.ok(k.childShardAnswers.count > childAnswers, "the parents' ends named their child (ChildShards)");
  });

  test("bad input: no destination exit 3 with the enable hint; --kinesis with --input exit 2", async () => {
    const table = await createTable(ddbLocal);
    const r = await runCli(["tail", table, "--kinesis", "--until-end"], { env });
    assert.equal(r.code, 3);
    assert.match(r.stderr, new RegExp(`^hint: dynastream enable ${table} --kinesis <stream>$`, "m"));
    const both = await runCli(["tail", "--input", "x.json", "--kinesis"], { env });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--kinesis reads a Kinesis stream and cannot be used with --input/);
  });
});
