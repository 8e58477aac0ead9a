// The Kinesis test harness with the real SDK clients: kinesalite behind its proxy (the three gaps it
// covers) and the stand-in for DynamoDB's Kinesis-destination operations (status transitions, the
// record format it replicates, duplicates, pass-through to DynamoDB Local).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  DescribeKinesisStreamingDestinationCommand,
  DescribeTableCommand,
  DisableKinesisStreamingDestinationCommand,
  DynamoDBClient,
  EnableKinesisStreamingDestinationCommand,
  PutItemCommand,
  UpdateKinesisStreamingDestinationCommand,
} from "@aws-sdk/client-dynamodb";
import {
  type _Record,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  ListStreamConsumersCommand,
  PutRecordCommand,
} from "@aws-sdk/client-kinesis";
import { clients, createTable, ddbEndpoint, TEST_CREDENTIALS, TEST_REGION } from "../../helpers/ddb.js";
import { type KinesisEmulator, kinesisEmulator } from "../../helpers/kinesis.js";
import {
  type DestinationStandin,
  startDestinationStandin,
} from "../../helpers/standins/kinesis-destination-server.js";

/** The destination's change record, as the tests read it. */
interface ChangeDoc {
  eventID: string;
  eventName: string;
  recordFormat: string;
  tableName: string;
  userIdentity: unknown;
  dynamodb: {
    ApproximateCreationDateTime: number;
    ApproximateCreationDateTimePrecision?: string;
    Keys: unknown;
    SequenceNumber?: string;
  };
}

let k: KinesisEmulator;
let ddbLocal = "";
before(async () => {
  ddbLocal = await ddbEndpoint();
  k = await kinesisEmulator();
});

async function readAll(
  streamArn: string,
  type: "TRIM_HORIZON" | "LATEST" = "TRIM_HORIZON",
): Promise<_Record[]> {
  const shards = await k.client.send(new ListShardsCommand({ StreamARN: streamArn }));
  const out: _Record[] = [];
  for (const s of shards.Shards ?? []) {
    const it = await k.client.send(
      new GetShardIteratorCommand({ StreamARN: streamArn, ShardId: s.ShardId, ShardIteratorType: type }),
    );
    const page = await k.client.send(
      new GetRecordsCommand({ StreamARN: streamArn, ShardIterator: it.ShardIterator }),
    );
    out.push(...(page.Records ?? []));
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("kinesalite behind the proxy", () => {
  test("requests naming the stream only by StreamARN work", async () => {
    const s = await k.createStream({ shards: 2 });
    const d = await k.client.send(new DescribeStreamSummaryCommand({ StreamARN: s.arn }));
    assert.equal(d.StreamDescriptionSummary?.StreamARN, s.arn);
    assert.equal(d.StreamDescriptionSummary?.OpenShardCount, 2);
    await k.client.send(
      new PutRecordCommand({ StreamARN: s.arn, PartitionKey: "a", Data: Buffer.from("x") }),
    );
    const recs = await readAll(s.arn);
    assert.equal(recs.length, 1);
    assert.equal(Buffer.from(recs[0]?.Data ?? []).toString(), "x");
  });

  test("ListStreamConsumers lists registered consumers (none by default)", async () => {
    const s = await k.createStream();
    const none = await k.client.send(new ListStreamConsumersCommand({ StreamARN: s.arn }));
    assert.deepEqual(none.Consumers, []);
    k.addConsumer(s.arn, "efo-app");
    const one = await k.client.send(new ListStreamConsumersCommand({ StreamARN: s.arn }));
    assert.equal(one.Consumers?.length, 1);
    assert.equal(one.Consumers?.[0]?.ConsumerName, "efo-app");
    assert.equal(one.Consumers?.[0]?.ConsumerStatus, "ACTIVE");
  });

  test("AT_TIMESTAMP past the last record answers an iterator at the tip; before it, seeks", async () => {
    const s = await k.createStream();
    await k.client.send(
      new PutRecordCommand({ StreamARN: s.arn, PartitionKey: "a", Data: Buffer.from("old") }),
    );
    await new Promise((r) => setTimeout(r, 30));
    const between = new Date();
    await new Promise((r) => setTimeout(r, 30));
    await k.client.send(
      new PutRecordCommand({ StreamARN: s.arn, PartitionKey: "a", Data: Buffer.from("new") }),
    );
    const shardId = "shardId-000000000000";
    const seek = await k.client.send(
      new GetShardIteratorCommand({
        StreamARN: s.arn,
        ShardId: shardId,
        ShardIteratorType: "AT_TIMESTAMP",
        Timestamp: between,
      }),
    );
    const page = await k.client.send(new GetRecordsCommand({ ShardIterator: seek.ShardIterator }));
    assert.deepEqual(
      (page.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString()),
      ["new"],
    );
    await new Promise((r) => setTimeout(r, 30));
    const past = await k.client.send(
      new GetShardIteratorCommand({
        StreamARN: s.arn,
        ShardId: shardId,
        ShardIteratorType: "AT_TIMESTAMP",
        Timestamp: new Date(Date.now() - 5),
      }),
    );
    assert.ok(past.ShardIterator, "an iterator, not a hang");
    await k.client.send(
      new PutRecordCommand({ StreamARN: s.arn, PartitionKey: "a", Data: Buffer.from("later") }),
    );
    const next = await k.client.send(new GetRecordsCommand({ ShardIterator: past.ShardIterator }));
    assert.deepEqual(
      (next.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString()),
      ["later"],
    );
    assert.ok((k.calls.get("GetShardIterator") ?? 0) >= 2, "the proxy counts calls");
  });
});

describe("DynamoDB Kinesis-destination stand-in", () => {
  let standin: DestinationStandin;
  let ddb: DynamoDBClient;
  before(async () => {
    standin = await startDestinationStandin({
      ddbEndpoint: ddbLocal,
      kinesisEndpoint: k.endpoint,
      transitionMs: 100,
      duplicateEvery: 3,
    });
    ddb = new DynamoDBClient({
      endpoint: standin.endpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
  });
  after(async () => {
    ddb.destroy();
    await standin.stop();
  });

  test("passes other operations through to DynamoDB Local", async () => {
    const table = await createTable(ddbLocal);
    const d = await ddb.send(new DescribeTableCommand({ TableName: table }));
    assert.equal(d.Table?.TableName, table);
  });

  test("enable → ACTIVE, replicates changes in the destination format (microseconds), duplicates every 3rd, update, disable", async () => {
    const table = await createTable(ddbLocal);
    const s = await k.createStream();
    const en = await ddb.send(
      new EnableKinesisStreamingDestinationCommand({
        TableName: table,
        StreamArn: s.arn,
        EnableKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MICROSECOND" },
      }),
    );
    assert.equal(en.DestinationStatus, "ENABLING");
    await until("ACTIVE", async () => {
      const d = await ddb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: table }));
      return d.KinesisDataStreamDestinations?.[0]?.DestinationStatus === "ACTIVE" ? true : undefined;
    });
    const { ddb: direct } = clients(ddbLocal);
    for (const pk of ["a", "b", "c"]) {
      await direct.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, n: { N: "1" } } }));
    }
    // Replication is a polling copy: on a loaded machine (two test files at once) it can take a while.
    const recs = await until(
      "4 records",
      async () => {
        const r = await readAll(s.arn);
        return r.length >= 4 ? r : undefined;
      },
      90_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message} (copy errors: ${standin.errors().join("; ") || "none"})`);
    });
    assert.equal(recs.length, 4, "3 changes, the third delivered twice");
    const docs = recs.map((r) => JSON.parse(Buffer.from(r.Data ?? []).toString()) as ChangeDoc);
    const first = docs[0] as ChangeDoc;
    assert.deepEqual(Object.keys(first), [
      "awsRegion",
      "eventID",
      "eventName",
      "userIdentity",
      "recordFormat",
      "tableName",
      "dynamodb",
      "eventSource",
    ]);
    assert.equal(first.recordFormat, "application/json");
    assert.equal(first.tableName, table);
    assert.equal(first.eventName, "INSERT");
    assert.equal(first.userIdentity, null);
    assert.equal(first.dynamodb.ApproximateCreationDateTimePrecision, "MICROSECOND");
    assert.equal(String(first.dynamodb.ApproximateCreationDateTime).length, 16, "microseconds: 16 digits");
    assert.deepEqual(first.dynamodb.Keys, { pk: { S: "a" } });
    assert.equal(first.dynamodb.SequenceNumber, undefined);
    assert.match(recs[0]?.PartitionKey ?? "", /^[0-9A-F]{32}$/);
    assert.equal(docs[2]?.eventID, docs[3]?.eventID, "a duplicate carries the same eventID");
    assert.notEqual(recs[2]?.SequenceNumber, recs[3]?.SequenceNumber);

    const up = await ddb.send(
      new UpdateKinesisStreamingDestinationCommand({
        TableName: table,
        StreamArn: s.arn,
        UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MILLISECOND" },
      }),
    );
    assert.equal(up.DestinationStatus, "UPDATING");
    const dis = await ddb
      .send(new DisableKinesisStreamingDestinationCommand({ TableName: table, StreamArn: s.arn }))
      .catch((e: Error) => e);
    assert.ok(dis instanceof Error || dis.DestinationStatus === "DISABLING");
  });

  test("a missing Kinesis stream ends in ENABLE_FAILED with a description; unknown table is ResourceNotFoundException", async () => {
    const table = await createTable(ddbLocal);
    const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/does-not-exist";
    await ddb.send(new EnableKinesisStreamingDestinationCommand({ TableName: table, StreamArn: arn }));
    const d = await until("ENABLE_FAILED", async () => {
      const r = await ddb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: table }));
      const x = r.KinesisDataStreamDestinations?.[0];
      return x?.DestinationStatus === "ENABLE_FAILED" ? x : undefined;
    });
    assert.match(d.DestinationStatusDescription ?? "", /does not exist/);
    assert.equal(d.ApproximateCreationDateTimePrecision, "MILLISECOND");
    const nf = await ddb
      .send(new DescribeKinesisStreamingDestinationCommand({ TableName: "no-such-table-xyz" }))
      .catch((e: Error) => e);
    assert.ok(nf instanceof Error);
    assert.equal(nf.name, "ResourceNotFoundException");
  });
});
