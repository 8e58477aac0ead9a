// dlq's fetch of a failed batch (src/aws/dlq/fetch.ts): against DynamoDB Local, the exact records of a
// real sequence range (items written, the range taken from the stream), with the mapping's filter
// applied; against the streams stand-in, records trimmed past the retention and shards gone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { BatchFetcher } from "../../src/aws/dlq/fetch.js";
import type { FailureRecord } from "../../src/core/dlq/message.js";
import { parseFailureMessages } from "../../src/core/dlq/message.js";
import { testRun } from "../helpers/aws-run.js";
import { clients, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { onFailureRecord } from "../helpers/dlq.js";
import { type StreamsStandin, startStreamsStandin } from "../helpers/standins/streams-server.js";

function failureOf(batch: Record<string, unknown>): FailureRecord {
  const [m] = parseFailureMessages(onFailureRecord(batch), "test");
  assert.ok(m?.ok);
  return m.failure;
}

describe("fetching a failed batch from DynamoDB Local", () => {
  let endpoint = "";
  let c: ReturnType<typeof clients>;
  let streamArn = "";
  let shardId = "";
  let seqs: string[] = [];
  before(async () => {
    endpoint = await ddbEndpoint();
    c = clients(endpoint);
    const table = await createTable(endpoint);
    for (let i = 0; i < 6; i++) {
      await c.ddb.send(
        new PutItemCommand({
          TableName: table,
          Item: { pk: { S: `order-${i}` }, status: { S: i % 2 === 0 ? "paid" : "pending" } },
        }),
      );
    }
    streamArn = (await c.ddb.send(new DescribeTableCommand({ TableName: table }))).Table
      ?.LatestStreamArn as string;
    const shards = (await c.streams.send(new DescribeStreamCommand({ StreamArn: streamArn })))
      .StreamDescription?.Shards;
    shardId = shards?.[0]?.ShardId as string;
    const it = await c.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    const page = await c.streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator }));
    seqs = (page.Records ?? []).map((r) => r.dynamodb?.SequenceNumber as string);
    assert.equal(seqs.length, 6);
  });
  after(() => {
    c?.ddb.destroy();
    c?.streams.destroy();
  });

  test("the records from the first to the last sequence number, inclusive, in order", async () => {
    const fetcher = new BatchFetcher(testRun(endpoint));
    const out = await fetcher.fetch(
      failureOf({
        streamArn,
        shardId,
        startSequenceNumber: seqs[1],
        endSequenceNumber: seqs[4],
        batchSize: 4,
      }),
    );
    assert.equal(out.status, "fetched");
    assert.ok(out.status === "fetched");
    assert.deepEqual(
      out.records.map((r) => r.dynamodb?.SequenceNumber),
      seqs.slice(1, 5),
    );
    assert.deepEqual(
      out.records.map((r) => r.dynamodb?.Keys?.pk),
      [{ S: "order-1" }, { S: "order-2" }, { S: "order-3" }, { S: "order-4" }],
    );
    assert.equal(out.filteredOut, 0);
    assert.equal(out.filterApplied, false);
  });

  test("a one-record batch, and the mapping's filter dropping records inside the range", async () => {
    const fetcher = new BatchFetcher(testRun(endpoint));
    const single = await fetcher.fetch(
      failureOf({ streamArn, shardId, startSequenceNumber: seqs[5], endSequenceNumber: seqs[5] }),
    );
    assert.ok(single.status === "fetched");
    assert.deepEqual(
      single.records.map((r) => r.dynamodb?.SequenceNumber),
      [seqs[5]],
    );
    const paidOnly = (r: { dynamodb?: { NewImage?: Record<string, unknown> } }): boolean =>
      JSON.stringify(r.dynamodb?.NewImage?.status) === JSON.stringify({ S: "paid" });
    const filtered = await fetcher.fetch(
      failureOf({
        streamArn,
        shardId,
        startSequenceNumber: seqs[0],
        endSequenceNumber: seqs[4],
        batchSize: 3,
      }),
      paidOnly,
    );
    assert.ok(filtered.status === "fetched");
    assert.deepEqual(
      filtered.records.map((r) => r.dynamodb?.SequenceNumber),
      [seqs[0], seqs[2], seqs[4]],
    );
    assert.equal(filtered.filteredOut, 2);
    assert.equal(filtered.filterApplied, true);
  });

  test("a shard that does not exist is reported as expired, not as an error", async () => {
    const fetcher = new BatchFetcher(testRun(endpoint));
    const out = await fetcher.fetch(
      failureOf({
        streamArn,
        shardId: "shardId-00000000000000000000-00000000",
        startSequenceNumber: seqs[0],
        endSequenceNumber: seqs[1],
      }),
    );
    assert.equal(out.status, "expired");
    assert.ok(out.status === "expired");
    assert.match(out.reason, /no longer exists/);
  });
});

describe("fetching a failed batch whose records were trimmed (streams stand-in)", () => {
  let standin: StreamsStandin;
  before(async () => {
    standin = await startStreamsStandin();
  });
  after(() => standin.stop());

  test("records trimmed past the retention: expired, with the time they expired", async () => {
    const s = standin.addStream({ tableName: "Trimmed" });
    const shard = s.addShard();
    const seqs = s.putRecords(shard, [{}, {}, {}, {}]);
    s.trim(shard, { count: 3 });
    const fetcher = new BatchFetcher(testRun(standin.endpoint));
    const out = await fetcher.fetch(
      failureOf({
        streamArn: s.arn,
        shardId: shard,
        startSequenceNumber: seqs[0],
        endSequenceNumber: seqs[1],
        approximateArrivalOfFirstRecord: "2026-01-31T09:00:00Z",
      }),
    );
    assert.deepEqual(out, {
      status: "expired",
      reason: "trimmed: the records are older than the stream's 24-hour retention",
      expiredAtMs: Date.parse("2026-02-01T09:00:00Z"),
    });
  });

  test("a removed shard: expired; records still held next to it are fetched", async () => {
    const s = standin.addStream({ tableName: "Gone" });
    const a = s.addShard();
    const b = s.addShard();
    const seqA = s.putRecords(a, [{}, {}]);
    const seqB = s.putRecords(b, [{}, {}, {}]);
    s.trim(a, { removeShard: true });
    const fetcher = new BatchFetcher(testRun(standin.endpoint));
    const gone = await fetcher.fetch(
      failureOf({ streamArn: s.arn, shardId: a, startSequenceNumber: seqA[0], endSequenceNumber: seqA[1] }),
    );
    assert.equal(gone.status, "expired");
    const kept = await fetcher.fetch(
      failureOf({ streamArn: s.arn, shardId: b, startSequenceNumber: seqB[1], endSequenceNumber: seqB[2] }),
    );
    assert.ok(kept.status === "fetched");
    assert.deepEqual(
      kept.records.map((r) => r.dynamodb?.SequenceNumber),
      seqB.slice(1),
    );
  });

  test("a range whose end the open shard never reaches: incomplete, with the records read", async () => {
    const s = standin.addStream({ tableName: "Short" });
    const shard = s.addShard();
    const seqs = s.putRecords(shard, [{}, {}]);
    const beyond = (BigInt(seqs[1] as string) + 1000n).toString();
    const fetcher = new BatchFetcher(testRun(standin.endpoint));
    const out = await fetcher.fetch(
      failureOf({
        streamArn: s.arn,
        shardId: shard,
        startSequenceNumber: seqs[0],
        endSequenceNumber: beyond,
      }),
    );
    assert.ok(out.status === "incomplete");
    assert.equal(out.records.length, 2);
    assert.match(out.reason, /answered no records after/);
  });

  test("a range across pages and sequence numbers of different lengths", async () => {
    const s = standin.addStream({ tableName: "Pages" });
    const shard = s.addShard({ sequenceBase: "999999999999999999000" });
    const seqs = s.putRecords(
      shard,
      Array.from({ length: 1500 }, () => ({})),
    );
    assert.ok(seqs[0] && seqs[1499] && seqs[0].length < seqs[1499].length);
    const fetcher = new BatchFetcher(testRun(standin.endpoint));
    const out = await fetcher.fetch(
      failureOf({
        streamArn: s.arn,
        shardId: shard,
        startSequenceNumber: seqs[10],
        endSequenceNumber: seqs[1400],
      }),
    );
    assert.ok(out.status === "fetched");
    assert.equal(out.records.length, 1391);
    assert.equal(out.records[0]?.dynamodb?.SequenceNumber, seqs[10]);
    assert.equal(out.records.at(-1)?.dynamodb?.SequenceNumber, seqs[1400]);
  });
});
