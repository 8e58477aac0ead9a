// Drives the DynamoDB Streams stand-in with the real AWS SDK v3 clients (no mocked `send`): wire
// format, pagination, ShardFilter, iterator types, end-of-shard, trimming, expiry, every fault kind,
// stats, and that hung requests are bounded by client timeouts and by stop().
import assert from "node:assert/strict";
import { test } from "node:test";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DescribeStreamCommandOutput,
  DynamoDBStreamsClient,
  type DynamoDBStreamsClientConfig,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  ListStreamsCommand,
  type Shard,
} from "@aws-sdk/client-dynamodb-streams";
import {
  type StreamsStandin,
  type StreamsStandinOptions,
  startStreamsStandin,
} from "../../helpers/standins/streams-server.js";
import { buildTopology, topologies } from "../../helpers/standins/streams-topology.js";

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

function streamsClient(s: StreamsStandin, extra: DynamoDBStreamsClientConfig = {}): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({ region: "us-east-1", credentials, endpoint: s.endpoint, ...extra });
}

/** Start a stand-in, run `fn`, always stop it. */
async function withStandin(
  opts: StreamsStandinOptions,
  fn: (s: StreamsStandin) => Promise<void>,
): Promise<void> {
  const s = await startStreamsStandin(opts);
  try {
    await fn(s);
  } finally {
    await s.stop();
  }
}

/** The rejection of `p` (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof Error, "rejected with an Error");
    return e;
  }
  assert.fail("expected a rejection");
}

async function listAllShards(c: DynamoDBStreamsClient, arn: string, limit?: number): Promise<Shard[][]> {
  const pages: Shard[][] = [];
  let start: string | undefined;
  for (let i = 0; i < 50; i++) {
    const out: DescribeStreamCommandOutput = await c.send(
      new DescribeStreamCommand({ StreamArn: arn, Limit: limit, ExclusiveStartShardId: start }),
    );
    pages.push(out.StreamDescription?.Shards ?? []);
    start = out.StreamDescription?.LastEvaluatedShardId;
    if (!start) return pages;
  }
  assert.fail("pagination did not end");
}

async function iterator(c: DynamoDBStreamsClient, input: GetShardIteratorCommandInput): Promise<string> {
  const out = await c.send(new GetShardIteratorCommand(input));
  assert.ok(out.ShardIterator, "out.ShardIterator");
  return out.ShardIterator;
}

test("DescribeTable through the real DynamoDBClient; unknown table → ResourceNotFoundException", async () => {
  await withStandin({}, async (s) => {
    const old = s.addStream({ tableName: "Orders", label: "2024-01-01T00:00:00.000" });
    old.setStatus("DISABLED");
    const cur = s.addStream({
      tableName: "Orders",
      viewType: "NEW_IMAGE",
      keySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    });
    s.addTable({ tableName: "Plain" });
    const ddb = new DynamoDBClient({ region: "us-east-1", credentials, endpoint: s.endpoint });
    const t = (await ddb.send(new DescribeTableCommand({ TableName: "Orders" }))).Table;
    assert.equal(t?.TableName, "Orders");
    assert.equal(t?.TableStatus, "ACTIVE");
    assert.equal(t?.LatestStreamArn, cur.arn);
    assert.equal(t?.LatestStreamLabel, cur.label);
    assert.deepEqual(t?.StreamSpecification, { StreamEnabled: true, StreamViewType: "NEW_IMAGE" });
    // key schema comes from the first stream definition that created the table
    assert.deepEqual(t?.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }]);
    assert.ok(t?.CreationDateTime instanceof Date, "t?.CreationDateTime instanceof Date");
    const plain = (await ddb.send(new DescribeTableCommand({ TableName: "Plain" }))).Table;
    assert.equal(plain?.LatestStreamArn, undefined);
    assert.equal(plain?.StreamSpecification, undefined);
    const err = await rejection(ddb.send(new DescribeTableCommand({ TableName: "Nope" })));
    assert.equal(err.name, "ResourceNotFoundException");
    assert.match(err.message, /Nope/);
    cur.setStatus("DISABLED");
    const t2 = (await ddb.send(new DescribeTableCommand({ TableName: "Orders" }))).Table;
    assert.deepEqual(t2?.StreamSpecification, { StreamEnabled: false });
    assert.equal(t2?.LatestStreamArn, cur.arn);
    ddb.destroy();
  });
});

test("ListStreams: TableName filter, Limit paging, validation", async () => {
  await withStandin({}, async (s) => {
    const a1 = s.addStream({ tableName: "A" });
    const b = s.addStream({ tableName: "B" });
    const a2 = s.addStream({ tableName: "A" });
    const c = streamsClient(s);
    const all = await c.send(new ListStreamsCommand({}));
    assert.deepEqual(
      all.Streams?.map((x) => x.StreamArn),
      [a1.arn, b.arn, a2.arn],
    );
    assert.equal(all.LastEvaluatedStreamArn, undefined);
    assert.equal(all.Streams?.[1]?.TableName, "B");
    assert.equal(all.Streams?.[1]?.StreamLabel, b.label);
    const p1 = await c.send(new ListStreamsCommand({ TableName: "A", Limit: 1 }));
    assert.deepEqual(
      p1.Streams?.map((x) => x.StreamArn),
      [a1.arn],
    );
    assert.equal(p1.LastEvaluatedStreamArn, a1.arn);
    const p2 = await c.send(
      new ListStreamsCommand({
        TableName: "A",
        Limit: 1,
        ExclusiveStartStreamArn: p1.LastEvaluatedStreamArn,
      }),
    );
    assert.deepEqual(
      p2.Streams?.map((x) => x.StreamArn),
      [a2.arn],
    );
    assert.equal(p2.LastEvaluatedStreamArn, undefined);
    const err = await rejection(c.send(new ListStreamsCommand({ Limit: 101 })));
    assert.equal(err.name, "ValidationException");
    assert.equal(err.$metadata?.httpStatusCode, 400);
    c.destroy();
  });
});

test("DescribeStream paginates 250 shards in creation order with Limit ≤ 100", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Wide", viewType: "KEYS_ONLY" });
    const topo = buildTopology(s, st.arn, topologies.wide(250), { recordsPerShard: 0 });
    const c = streamsClient(s);
    const pages = await listAllShards(c, st.arn, 100);
    assert.deepEqual(
      pages.map((p) => p.length),
      [100, 100, 50],
    );
    const ids = pages.flat().map((x) => x.ShardId);
    assert.deepEqual(ids, topo.names.map(topo.id));
    assert.equal(new Set(ids).size, 250);
    // default Limit is 100 as well
    const first = await c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
    assert.equal(first.StreamDescription?.Shards?.length, 100);
    assert.equal(first.StreamDescription?.LastEvaluatedShardId, ids[99]);
    assert.equal(first.StreamDescription?.StreamStatus, "ENABLED");
    assert.equal(first.StreamDescription?.StreamViewType, "KEYS_ONLY");
    assert.equal(first.StreamDescription?.TableName, "Wide");
    assert.ok(
      first.StreamDescription?.CreationRequestDateTime instanceof Date,
      "first.StreamDescription?.CreationRequestDateTime instance...",
    );
    assert.deepEqual(first.StreamDescription?.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }]);
    // small pages
    const small = await listAllShards(c, st.arn, 7);
    assert.equal(small.length, 36);
    assert.deepEqual(
      small.flat().map((x) => x.ShardId),
      ids,
    );
    for (const limit of [101, 0]) {
      const err = await rejection(c.send(new DescribeStreamCommand({ StreamArn: st.arn, Limit: limit })));
      assert.equal(err.name, "ValidationException", `Limit ${limit}`);
    }
    const nf = await rejection(c.send(new DescribeStreamCommand({ StreamArn: `${st.arn}x` })));
    assert.equal(nf.name, "ResourceNotFoundException");
    c.destroy();
  });
});

test("lastEvaluatedOnFinalPage: a non-empty LastEvaluatedShardId followed by an empty last page", async () => {
  await withStandin({ lastEvaluatedOnFinalPage: true }, async (s) => {
    const st = s.addStream({ tableName: "T" });
    buildTopology(s, st.arn, topologies.wide(3), { recordsPerShard: 0 });
    const c = streamsClient(s);
    const pages = await listAllShards(c, st.arn, 3);
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 0],
    );
    const streams = await c.send(new ListStreamsCommand({}));
    assert.equal(streams.LastEvaluatedStreamArn, st.arn);
    const none = await c.send(new ListStreamsCommand({ ExclusiveStartStreamArn: st.arn }));
    assert.deepEqual(none.Streams, []);
    assert.equal(none.LastEvaluatedStreamArn, undefined);
    c.destroy();
  });
});

test("ShardFilter CHILD_SHARDS returns only children; ignoreShardFilter returns everything", async () => {
  for (const ignore of [false, true]) {
    await withStandin({ ignoreShardFilter: ignore }, async (s) => {
      const st = s.addStream({ tableName: "T" });
      const topo = buildTopology(s, st.arn, topologies.split());
      const c = streamsClient(s);
      const children = async (name: string) =>
        (
          await c.send(
            new DescribeStreamCommand({
              StreamArn: st.arn,
              ShardFilter: { Type: "CHILD_SHARDS", ShardId: topo.id(name) },
            }),
          )
        ).StreamDescription?.Shards?.map((x) => x.ShardId);
      if (ignore) {
        assert.deepEqual(await children("root"), [topo.id("root"), topo.id("childA"), topo.id("childB")]);
      } else {
        assert.deepEqual(await children("root"), [topo.id("childA"), topo.id("childB")]);
        assert.deepEqual(await children("childA"), []);
      }
      const listed = (await listAllShards(c, st.arn)).flat();
      const root = listed.find((x) => x.ShardId === topo.id("root"));
      assert.equal(root?.ParentShardId, undefined);
      assert.ok(root?.SequenceNumberRange?.EndingSequenceNumber, "closed root has an EndingSequenceNumber");
      const childA = listed.find((x) => x.ShardId === topo.id("childA"));
      assert.equal(childA?.ParentShardId, topo.id("root"));
      assert.equal(childA?.SequenceNumberRange?.EndingSequenceNumber, undefined);
      c.destroy();
    });
  }
});

test("topologies: merge, orphan, three generations, mixed sequence-number lengths", async () => {
  await withStandin({}, async (s) => {
    const c = streamsClient(s);
    const merge = s.addStream({ tableName: "Merge" });
    const m = buildTopology(s, merge.arn, topologies.merge());
    const mShards = (await listAllShards(c, merge.arn)).flat();
    assert.equal(mShards.length, 3);
    assert.equal(mShards.find((x) => x.ShardId === m.id("child"))?.ParentShardId, m.id("parentA"));

    const orphan = s.addStream({ tableName: "Orphan" });
    const o = buildTopology(s, orphan.arn, topologies.orphan());
    const oShards = (await listAllShards(c, orphan.arn)).flat();
    assert.deepEqual(
      oShards.map((x) => x.ShardId),
      [o.id("orphan")],
    );
    assert.equal(oShards[0]?.ParentShardId, o.id("gone"));
    const gone = await rejection(
      c.send(
        new GetShardIteratorCommand({
          StreamArn: orphan.arn,
          ShardId: o.id("gone"),
          ShardIteratorType: "TRIM_HORIZON",
        }),
      ),
    );
    assert.equal(gone.name, "ResourceNotFoundException");

    const gen = s.addStream({ tableName: "Gen" });
    const g = buildTopology(s, gen.arn, topologies.generations(3, 2), {
      recordsPerShard: 3,
      mixedSequenceLengths: true,
    });
    assert.deepEqual(g.names, ["g0", "g1.0", "g1.1", "g2.0", "g2.1", "g2.2", "g2.3"]);
    assert.deepEqual(g.childrenOf("g1.1"), ["g2.2", "g2.3"]);
    const gShards = (await listAllShards(c, gen.arn)).flat();
    assert.equal(gShards.length, 7);
    assert.equal(gShards.find((x) => x.ShardId === g.id("g2.3"))?.ParentShardId, g.id("g1.1"));
    const closed = gShards.filter((x) => x.SequenceNumberRange?.EndingSequenceNumber).length;
    assert.equal(closed, 3);
    const lengths = new Set(Object.values(g.sequences).flatMap((seqs) => seqs.map((q) => q.length)));
    assert.deepEqual([...lengths].sort(), [21, 26]);
    for (const seqs of Object.values(g.sequences)) {
      assert.equal(seqs.length, 3);
      for (let i = 1; i < seqs.length; i++)
        assert.ok(
          BigInt(seqs[i] ?? "0") > BigInt(seqs[i - 1] ?? "0"),
          "BigInt(seqs[i] ?? '0') > BigInt(seqs[i - 1] ?? '0')",
        );
    }
    // every shard's records come back, in order, through the SDK
    for (const name of g.names) {
      const it = await iterator(c, {
        StreamArn: gen.arn,
        ShardId: g.id(name),
        ShardIteratorType: "TRIM_HORIZON",
      });
      const out = await c.send(new GetRecordsCommand({ ShardIterator: it }));
      assert.deepEqual(
        out.Records?.map((r) => r.dynamodb?.SequenceNumber),
        g.sequences[name],
      );
    }
    c.destroy();
  });
});

test("sequence numbers compare as BigInt across a digit-length boundary", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard({ sequenceBase: "999999999999999999950" });
    const seqs = st.putRecords(
      sh,
      Array.from({ length: 30 }, () => ({})),
    );
    assert.ok(
      seqs.some((q) => q.length === 21) && seqs.some((q) => q.length === 22),
      "seqs.some((q) => q.length === 21) && seqs.some((q) => q.l...",
    );
    assert.ok(
      seqs.every((q) => /^\d{21,40}$/.test(q)),
      "all sequence numbers have 21-40 digits",
    );
    const c = streamsClient(s);
    const mid = seqs[seqs.findIndex((q) => q.length === 22) - 1] ?? "";
    const it = await iterator(c, {
      StreamArn: st.arn,
      ShardId: sh,
      ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
      SequenceNumber: mid,
    });
    const out = await c.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.equal(out.Records?.[0]?.dynamodb?.SequenceNumber?.length, 22);
    assert.throws(() => st.putRecords(sh, [{ dynamodb: { SequenceNumber: mid } }]), /does not increase/);
    c.destroy();
  });
});

test("child shards are listed only childVisibilityDelayMs after the parent closes", async () => {
  let now = 1_700_000_000_000;
  await withStandin({ childVisibilityDelayMs: 500, clock: () => now }, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const root = st.addShard();
    st.putRecords(root, [{}]);
    const child = st.addShard({ parentShardId: root });
    const c = streamsClient(s);
    const ids = async () => (await listAllShards(c, st.arn)).flat().map((x) => x.ShardId);
    assert.deepEqual(await ids(), [root], "parent still open: child hidden");
    now += 1000;
    st.closeShard(root);
    assert.deepEqual(await ids(), [root]);
    now += 499;
    assert.deepEqual(await ids(), [root]);
    now += 1;
    assert.deepEqual(await ids(), [root, child]);
    c.destroy();
  });
});

test("iterator types, record shape, Limit, live appends", async () => {
  const now = 1_700_000_000_123;
  await withStandin({ clock: () => now, region: "eu-west-1" }, async (s) => {
    const st = s.addStream({
      tableName: "T",
      viewType: "NEW_AND_OLD_IMAGES",
      keySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      attributeDefinitions: [{ AttributeName: "id", AttributeType: "N" }],
    });
    const sh = st.addShard();
    const seqs = st.putRecords(sh, [
      { eventName: "INSERT" },
      { eventName: "MODIFY", dynamodb: { NewImage: { id: { N: "7" }, blob: { B: "AAH/" } } } },
      { ttlDelete: true },
      { eventName: "INSERT", dynamodb: { ApproximateCreationDateTime: 1_600_000_000.5 } },
    ]);
    assert.equal(seqs.length, 4);
    const c = streamsClient(s);
    const read = async (
      input: Omit<GetShardIteratorCommandInput, "StreamArn" | "ShardId">,
      limit?: number,
    ) => {
      const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ...input });
      return c.send(new GetRecordsCommand({ ShardIterator: it, Limit: limit }));
    };

    const all = await read({ ShardIteratorType: "TRIM_HORIZON" });
    assert.deepEqual(
      all.Records?.map((r) => r.dynamodb?.SequenceNumber),
      seqs,
    );
    assert.ok(all.NextShardIterator, "open shard always hands back an iterator");
    const [r0, r1, r2, r3] = all.Records ?? [];
    assert.equal(r0?.eventName, "INSERT");
    assert.equal(r0?.eventVersion, "1.1");
    assert.equal(r0?.eventSource, "aws:dynamodb");
    assert.equal(r0?.awsRegion, "eu-west-1");
    assert.match(r0?.eventID ?? "", /^[0-9a-f]{32}$/);
    assert.ok(
      r0?.dynamodb?.ApproximateCreationDateTime instanceof Date,
      "r0?.dynamodb?.ApproximateCreationDateTime instanceof Date",
    );
    assert.equal(r0?.dynamodb?.ApproximateCreationDateTime?.getTime(), 1_700_000_000_000);
    assert.equal(r0?.dynamodb?.StreamViewType, "NEW_AND_OLD_IMAGES");
    assert.ok(r0?.dynamodb?.Keys?.id?.N, "numeric key generated from the key schema");
    assert.ok(r0?.dynamodb?.NewImage, "r0?.dynamodb?.NewImage");
    assert.equal(r0?.dynamodb?.OldImage, undefined, "INSERT has no OldImage");
    assert.ok((r0?.dynamodb?.SizeBytes ?? 0) > 0, "(r0?.dynamodb?.SizeBytes ?? 0) > 0");
    assert.equal(r0?.userIdentity, undefined);
    assert.deepEqual(r1?.dynamodb?.NewImage?.blob?.B, new Uint8Array([0, 1, 255]));
    assert.ok(r1?.dynamodb?.OldImage, "MODIFY has both images");
    assert.equal(r2?.eventName, "REMOVE");
    assert.equal(r2?.dynamodb?.NewImage, undefined, "REMOVE has no NewImage");
    assert.deepEqual(r2?.userIdentity, { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" });
    assert.equal(r3?.dynamodb?.ApproximateCreationDateTime?.toISOString(), "2020-09-13T12:26:40.500Z");

    const at = await read({ ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: seqs[1] });
    assert.deepEqual(
      at.Records?.map((r) => r.dynamodb?.SequenceNumber),
      seqs.slice(1),
    );
    const after = await read({ ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: seqs[1] });
    assert.deepEqual(
      after.Records?.map((r) => r.dynamodb?.SequenceNumber),
      seqs.slice(2),
    );
    const limited = await read({ ShardIteratorType: "TRIM_HORIZON" }, 3);
    assert.equal(limited.Records?.length, 3);
    const rest = await c.send(new GetRecordsCommand({ ShardIterator: limited.NextShardIterator }));
    assert.deepEqual(
      rest.Records?.map((r) => r.dynamodb?.SequenceNumber),
      [seqs[3]],
    );

    // LATEST: nothing yet, an iterator, then records put while "tailing"
    const latest = await read({ ShardIteratorType: "LATEST" });
    assert.deepEqual(latest.Records, []);
    assert.ok(latest.NextShardIterator, "latest.NextShardIterator");
    const empty = await c.send(new GetRecordsCommand({ ShardIterator: latest.NextShardIterator }));
    assert.deepEqual(empty.Records, []);
    assert.ok(empty.NextShardIterator, "empty.NextShardIterator");
    const more = st.putRecords(sh, [{}, {}]);
    const live = await c.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));
    assert.deepEqual(
      live.Records?.map((r) => r.dynamodb?.SequenceNumber),
      more,
    );
    // iterators can be reused
    const again = await c.send(new GetRecordsCommand({ ShardIterator: empty.NextShardIterator }));
    assert.equal(again.Records?.length, 2);

    // validation and not-found
    for (const limit of [0, 1001]) {
      const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "LATEST" });
      const err = await rejection(c.send(new GetRecordsCommand({ ShardIterator: it, Limit: limit })));
      assert.equal(err.name, "ValidationException", `Limit ${limit}`);
    }
    assert.equal(
      (await rejection(c.send(new GetRecordsCommand({ ShardIterator: "garbage" })))).name,
      "ValidationException",
    );
    const badSeq = await rejection(read({ ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: "12" }));
    assert.equal(badSeq.name, "ValidationException");
    const noShard = await rejection(
      c.send(
        new GetShardIteratorCommand({
          StreamArn: st.arn,
          ShardId: "shardId-nope",
          ShardIteratorType: "LATEST",
        }),
      ),
    );
    assert.equal(noShard.name, "ResourceNotFoundException");
    const noStream = await rejection(
      c.send(
        new GetShardIteratorCommand({ StreamArn: `${st.arn}x`, ShardId: sh, ShardIteratorType: "LATEST" }),
      ),
    );
    assert.equal(noStream.name, "ResourceNotFoundException");
    c.destroy();
  });
});

test("KEYS_ONLY streams carry only Keys", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "K", viewType: "KEYS_ONLY" });
    const sh = st.addShard();
    st.putRecords(sh, [{ eventName: "MODIFY", dynamodb: { Keys: { pk: { S: "a" } } } }]);
    const c = streamsClient(s);
    const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
    const r = (await c.send(new GetRecordsCommand({ ShardIterator: it }))).Records?.[0];
    assert.deepEqual(r?.dynamodb?.Keys, { pk: { S: "a" } });
    assert.equal(r?.dynamodb?.NewImage, undefined);
    assert.equal(r?.dynamodb?.OldImage, undefined);
    assert.equal(r?.dynamodb?.StreamViewType, "KEYS_ONLY");
    c.destroy();
  });
});

test("end of shard: last records and no NextShardIterator in the same response; LATEST on closed", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    const seqs = st.putRecords(sh, [{}, {}, {}]);
    const c = streamsClient(s);
    const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
    const first = await c.send(new GetRecordsCommand({ ShardIterator: it, Limit: 2 }));
    assert.equal(first.Records?.length, 2);
    st.closeShard(sh);
    const shard = (await listAllShards(c, st.arn)).flat()[0];
    assert.equal(shard?.SequenceNumberRange?.EndingSequenceNumber, seqs[2]);
    // the iterator from before the close still works and ends the shard
    const last = await c.send(new GetRecordsCommand({ ShardIterator: first.NextShardIterator }));
    assert.deepEqual(
      last.Records?.map((r) => r.dynamodb?.SequenceNumber),
      [seqs[2]],
    );
    assert.equal(last.NextShardIterator, undefined);
    // full read in one page: records + end together
    const whole = await c.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.equal(whole.Records?.length, 3);
    assert.equal(whole.NextShardIterator, undefined);
    const latest = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "LATEST" });
    const l = await c.send(new GetRecordsCommand({ ShardIterator: latest }));
    assert.deepEqual(l.Records, []);
    assert.equal(l.NextShardIterator, undefined);
    assert.throws(() => st.putRecords(sh, [{}]), /closed/);

    // disabling closes open shards (empty ones end at their starting number)
    const sh2 = st.addShard({ parentShardId: sh });
    st.setStatus("DISABLED");
    const d = await c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
    assert.equal(d.StreamDescription?.StreamStatus, "DISABLED");
    const s2 = d.StreamDescription?.Shards?.find((x) => x.ShardId === sh2);
    assert.equal(
      s2?.SequenceNumberRange?.EndingSequenceNumber,
      s2?.SequenceNumberRange?.StartingSequenceNumber,
    );
    const it2 = await iterator(c, { StreamArn: st.arn, ShardId: sh2, ShardIteratorType: "TRIM_HORIZON" });
    const e2 = await c.send(new GetRecordsCommand({ ShardIterator: it2 }));
    assert.deepEqual(e2.Records, []);
    assert.equal(e2.NextShardIterator, undefined);
    c.destroy();
  });
});

test("trimming: TrimmedDataAccessException for trimmed positions; removed shards disappear", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    const seqs = st.putRecords(sh, [{}, {}, {}, {}]);
    const c = streamsClient(s);
    const oldIt = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
    st.trim(sh, { count: 2 });
    const e1 = await rejection(c.send(new GetRecordsCommand({ ShardIterator: oldIt })));
    assert.equal(e1.name, "TrimmedDataAccessException");
    assert.equal(e1.$metadata?.httpStatusCode, 400);
    const e2 = await rejection(
      iterator(c, {
        StreamArn: st.arn,
        ShardId: sh,
        ShardIteratorType: "AT_SEQUENCE_NUMBER",
        SequenceNumber: seqs[0],
      }),
    );
    assert.equal(e2.name, "TrimmedDataAccessException");
    const th = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
    const rest = await c.send(new GetRecordsCommand({ ShardIterator: th }));
    assert.deepEqual(
      rest.Records?.map((r) => r.dynamodb?.SequenceNumber),
      seqs.slice(2),
    );
    st.trim(sh, { beforeSequence: seqs[3] });
    const e3 = await rejection(c.send(new GetRecordsCommand({ ShardIterator: th })));
    assert.equal(e3.name, "TrimmedDataAccessException");

    const live = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "LATEST" });
    st.closeShard(sh);
    st.trim(sh, { removeShard: true });
    assert.deepEqual((await listAllShards(c, st.arn)).flat(), []);
    const e4 = await rejection(c.send(new GetRecordsCommand({ ShardIterator: live })));
    assert.equal(e4.name, "TrimmedDataAccessException");
    const e5 = await rejection(iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "LATEST" }));
    assert.equal(e5.name, "ResourceNotFoundException");
    c.destroy();
  });
});

test("iterators expire after iteratorTtlMs; every GetRecords hands back a fresh one", async () => {
  let now = 1_700_000_000_000;
  await withStandin({ clock: () => now, iteratorTtlMs: 60_000 }, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    st.putRecords(sh, [{}]);
    const c = streamsClient(s);
    const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
    now += 59_000;
    const page = await c.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.equal(page.Records?.length, 1);
    now += 2_000;
    const e = await rejection(c.send(new GetRecordsCommand({ ShardIterator: it })));
    assert.equal(e.name, "ExpiredIteratorException");
    assert.equal(e.$metadata?.httpStatusCode, 400);
    // the iterator from the later response is still young
    const next = await c.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator }));
    assert.deepEqual(next.Records, []);
    c.destroy();
  });
  // default TTL is 15 minutes
  now = 1_700_000_000_000;
  await withStandin({ clock: () => now }, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    const c = streamsClient(s);
    const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "LATEST" });
    now += 15 * 60_000;
    await c.send(new GetRecordsCommand({ ShardIterator: it }));
    now += 1;
    assert.equal(
      (await rejection(c.send(new GetRecordsCommand({ ShardIterator: it })))).name,
      "ExpiredIteratorException",
    );
    c.destroy();
  });
});

test("each fault kind surfaces as the expected SDK error", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    st.putRecords(sh, [{}, {}]);
    const c = streamsClient(s, { maxAttempts: 1 });
    const cases: Array<
      [kind: Parameters<StreamsStandin["faults"]["inject"]>[0]["kind"], name: string, status: number]
    > = [
      ["throttle", "LimitExceededException", 400],
      ["throttling", "ThrottlingException", 400],
      ["500", "InternalServerError", 500],
      ["503", "ServiceUnavailable", 503],
      ["expired", "ExpiredIteratorException", 400],
      ["trimmed", "TrimmedDataAccessException", 400],
      ["notfound", "ResourceNotFoundException", 400],
      ["validation", "ValidationException", 400],
    ];
    for (const [kind, name, status] of cases) {
      const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
      s.faults.inject({ op: "GetRecords", kind });
      const e = await rejection(c.send(new GetRecordsCommand({ ShardIterator: it })));
      assert.equal(e.name, name, kind);
      assert.equal(e.$metadata?.httpStatusCode, status, kind);
      // one-shot: the next call succeeds
      const ok = await c.send(new GetRecordsCommand({ ShardIterator: it }));
      assert.equal(ok.Records?.length, 2, kind);
    }
    // the same kinds on other operations
    s.faults.inject({ op: "DescribeStream", kind: "throttling" });
    assert.equal(
      (await rejection(c.send(new DescribeStreamCommand({ StreamArn: st.arn })))).name,
      "ThrottlingException",
    );
    s.faults.inject({ op: "ListStreams", kind: "500" });
    assert.equal((await rejection(c.send(new ListStreamsCommand({})))).name, "InternalServerError");
    s.faults.inject({ op: "GetShardIterator", kind: "trimmed" });
    assert.equal(
      (await rejection(iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" })))
        .name,
      "TrimmedDataAccessException",
    );
    s.faults.inject({ op: "*", kind: "notfound" });
    assert.equal((await rejection(c.send(new ListStreamsCommand({})))).name, "ResourceNotFoundException");
    const ddb = new DynamoDBClient({
      region: "us-east-1",
      credentials,
      endpoint: s.endpoint,
      maxAttempts: 1,
    });
    s.faults.inject({ op: "DescribeTable", kind: "throttling" });
    assert.equal(
      (await rejection(ddb.send(new DescribeTableCommand({ TableName: "T" })))).name,
      "ThrottlingException",
    );
    ddb.destroy();
    assert.throws(
      () => s.faults.inject({ op: "DescribeStream", kind: "expired" }),
      /only applies to GetRecords/,
    );
    assert.equal(s.stats.faultsInjected, 13);
    assert.equal(s.stats.faultsByKind.throttling, 3);
    c.destroy();
  });
});

test("reset fault: the socket dies mid-response; the SDK retries it by default", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    st.putRecords(sh, [{}]);
    const c1 = streamsClient(s, { maxAttempts: 1 });
    const it = await iterator(c1, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
    s.faults.inject({ op: "GetRecords", kind: "reset" });
    const e = await rejection(c1.send(new GetRecordsCommand({ ShardIterator: it })));
    // what the SDK surfaces for a body cut off mid-stream
    assert.equal(e.name, "Error");
    assert.equal((e as { code?: unknown }).code, "ECONNRESET");
    assert.match(e.message, /aborted/);
    c1.destroy();
    const c3 = streamsClient(s);
    s.faults.inject({ op: "GetRecords", kind: "reset" });
    const ok = await c3.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.equal(ok.Records?.length, 1);
    c3.destroy();
  });
});

test("hang fault is bounded by a client requestTimeout and by an abort signal; stop() frees it", {
  timeout: 20_000,
}, async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    // NB: in this SDK version `requestTimeout` alone only logs a warning; it needs throwOnRequestTimeout.
    const c = streamsClient(s, {
      maxAttempts: 1,
      requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
    });
    const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "LATEST" });
    s.faults.inject({ op: "GetRecords", kind: "hang", times: 2 });
    const t0 = Date.now();
    const e = await rejection(c.send(new GetRecordsCommand({ ShardIterator: it })));
    assert.equal(e.name, "TimeoutError");
    assert.ok(Date.now() - t0 < 5000, "Date.now() - t0 < 5000");
    const c2 = streamsClient(s, { maxAttempts: 1 });
    const e2 = await rejection(
      c2.send(new GetRecordsCommand({ ShardIterator: it }), { abortSignal: AbortSignal.timeout(200) }),
    );
    assert.equal(e2.name, "AbortError");
    assert.equal(s.stats.faultsByKind.hang, 2);
    c.destroy();
    c2.destroy();
  });
  // a request still hanging when stop() is called is cut off, and stop() returns
  const s = await startStreamsStandin();
  const st = s.addStream({ tableName: "T" });
  s.addShard(st.arn);
  const c = streamsClient(s, { maxAttempts: 1 });
  s.faults.inject({ op: "DescribeStream", kind: "hang" });
  const pending = c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
  await waitFor(() => s.stats.faultsInjected === 1);
  await s.stop();
  const e = await rejection(pending);
  assert.equal((e as { code?: unknown }).code, "ECONNRESET", `${e.name}: ${e.message}`);
  c.destroy();
});

test("empty and delay faults; times, skip and shardId matching; cancel", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const topo = buildTopology(s, st.arn, topologies.split(), { recordsPerShard: 1 });
    const c = streamsClient(s, { maxAttempts: 1 });
    const it = (name: string) =>
      iterator(c, { StreamArn: st.arn, ShardId: topo.id(name), ShardIteratorType: "TRIM_HORIZON" });

    // empty: no records, iterator at the same position — even on a closed shard
    s.faults.inject({ op: "GetRecords", kind: "empty", shardId: topo.id("root") });
    const e1 = await c.send(new GetRecordsCommand({ ShardIterator: await it("root") }));
    assert.deepEqual(e1.Records, []);
    const e2 = await c.send(new GetRecordsCommand({ ShardIterator: e1.NextShardIterator }));
    assert.equal(e2.Records?.length, 1);
    assert.equal(e2.NextShardIterator, undefined);
    // empty DescribeStream page: "children not visible yet"
    s.faults.inject({ op: "DescribeStream", kind: "empty" });
    const d = await c.send(
      new DescribeStreamCommand({
        StreamArn: st.arn,
        ShardFilter: { Type: "CHILD_SHARDS", ShardId: topo.id("root") },
      }),
    );
    assert.deepEqual(d.StreamDescription?.Shards, []);

    // shardId matching, skip and times
    const h = s.faults.inject({
      op: "GetRecords",
      kind: "500",
      shardId: topo.id("childB"),
      skip: 1,
      times: 2,
    });
    const a = await it("childA");
    const b = await it("childB");
    await c.send(new GetRecordsCommand({ ShardIterator: a }));
    await c.send(new GetRecordsCommand({ ShardIterator: b })); // skipped
    assert.equal(
      (await rejection(c.send(new GetRecordsCommand({ ShardIterator: b })))).name,
      "InternalServerError",
    );
    await c.send(new GetRecordsCommand({ ShardIterator: a }));
    assert.equal(
      (await rejection(c.send(new GetRecordsCommand({ ShardIterator: b })))).name,
      "InternalServerError",
    );
    await c.send(new GetRecordsCommand({ ShardIterator: b }));
    assert.equal(h.fired(), 2);
    assert.equal(h.remaining(), 0);

    const forever = s.faults.inject({ op: "ListStreams", kind: "throttle", times: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) await rejection(c.send(new ListStreamsCommand({})));
    forever.cancel();
    assert.equal(s.faults.pending(), 0);
    await c.send(new ListStreamsCommand({}));

    // delay
    s.faults.inject({ op: "ListStreams", kind: "delay", delayMs: 150 });
    const t0 = Date.now();
    await c.send(new ListStreamsCommand({}));
    assert.ok(Date.now() - t0 >= 140, "Date.now() - t0 >= 140");
    c.destroy();
  });
});

test("the SDK's own retries absorb a 500 and a throttle (default maxAttempts 3)", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const sh = st.addShard();
    st.putRecords(sh, [{}]);
    const c = streamsClient(s);
    const it = await iterator(c, { StreamArn: st.arn, ShardId: sh, ShardIteratorType: "TRIM_HORIZON" });
    s.faults.inject({ op: "GetRecords", kind: "500" });
    s.faults.inject({ op: "GetRecords", kind: "throttle" });
    const out = await c.send(new GetRecordsCommand({ ShardIterator: it }));
    assert.equal(out.Records?.length, 1);
    assert.equal(s.stats.calls.GetRecords, 3);
    assert.equal(s.stats.getRecordsByShard[sh], 3);
    assert.deepEqual(s.stats.faultsByKind, { "500": 1, throttle: 1 });
    c.destroy();
  });
});

test("stats: per-op counts, per-shard GetRecords, DescribeStream rate window and enforcement, log", async () => {
  let now = 1_700_000_000_000;
  await withStandin({ clock: () => now, describeRateLimit: 3 }, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const topo = buildTopology(s, st.arn, topologies.split(), { recordsPerShard: 1 });
    const c = streamsClient(s, { maxAttempts: 1 });
    for (let i = 0; i < 5; i++) {
      await c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
      now += 100;
    }
    now += 2000;
    await c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
    let stats = s.stats;
    assert.equal(stats.calls.DescribeStream, 6);
    assert.equal(stats.maxDescribeStreamPerSecond, 5);
    assert.equal(stats.describeRateViolations, 2);
    for (const name of ["root", "childA", "childA"]) {
      const it = await iterator(c, {
        StreamArn: st.arn,
        ShardId: topo.id(name),
        ShardIteratorType: "TRIM_HORIZON",
      });
      await c.send(new GetRecordsCommand({ ShardIterator: it }));
    }
    await c.send(new ListStreamsCommand({}));
    stats = s.stats;
    assert.equal(stats.calls.GetShardIterator, 3);
    assert.equal(stats.calls.GetRecords, 3);
    assert.equal(stats.calls.ListStreams, 1);
    assert.equal(stats.totalCalls, 13);
    assert.deepEqual(stats.getRecordsByShard, { [topo.id("root")]: 1, [topo.id("childA")]: 2 });
    assert.deepEqual(stats.getShardIteratorByShard, { [topo.id("root")]: 1, [topo.id("childA")]: 2 });
    assert.equal(stats.faultsInjected, 0);
    const rootRead = stats.log.find((e) => e.op === "GetRecords" && e.shardId === topo.id("root"));
    assert.equal(rootRead?.records, 1);
    assert.equal(rootRead?.hasNext, false);
    assert.equal(stats.log.find((e) => e.op === "GetShardIterator")?.iteratorType, "TRIM_HORIZON");
    assert.deepEqual(
      stats.log.map((e) => e.n),
      Array.from({ length: 13 }, (_, i) => i + 1),
    );
    // snapshots are detached
    stats.calls.GetRecords = 99;
    assert.equal(s.stats.calls.GetRecords, 3);
    s.resetStats();
    assert.equal(s.stats.totalCalls, 0);
  });
  now = 1_700_000_000_000;
  await withStandin(
    { clock: () => now, describeRateLimit: 2, enforceDescribeRateLimit: "LimitExceededException" },
    async (s) => {
      const st = s.addStream({ tableName: "T" });
      const c = streamsClient(s, { maxAttempts: 1 });
      const seen: string[] = [];
      const off = s.onRequest((e) => seen.push(e.error ?? String(e.status)));
      await c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
      await c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
      const e = await rejection(c.send(new DescribeStreamCommand({ StreamArn: st.arn })));
      assert.equal(e.name, "LimitExceededException");
      now += 1000;
      await c.send(new DescribeStreamCommand({ StreamArn: st.arn }));
      off();
      await c.send(new ListStreamsCommand({}));
      assert.deepEqual(seen, ["200", "200", "LimitExceededException", "200"]);
      c.destroy();
    },
  );
});

test("live lineage: records and late children appear while a client reads", async () => {
  await withStandin({ childVisibilityDelayMs: 100 }, async (s) => {
    const st = s.addStream({ tableName: "T" });
    const root = st.addShard();
    const c = streamsClient(s);
    let it: string | undefined = await iterator(c, {
      StreamArn: st.arn,
      ShardId: root,
      ShardIteratorType: "LATEST",
    });
    const got: string[] = [];
    const written = st.putRecords(root, [{}, {}]);
    for (let i = 0; i < 10 && it; i++) {
      const out: GetRecordsCommandOutput = await c.send(new GetRecordsCommand({ ShardIterator: it }));
      for (const r of out.Records ?? []) got.push(r.dynamodb?.SequenceNumber ?? "");
      it = out.NextShardIterator;
      if (i === 1) {
        written.push(...st.putRecords(root, [{}]));
        st.closeShard(root);
        st.addShard({ parentShardId: root });
      }
    }
    assert.equal(it, undefined, "shard ended");
    assert.deepEqual(got, written);
    const kids = async () =>
      (
        await c.send(
          new DescribeStreamCommand({
            StreamArn: st.arn,
            ShardFilter: { Type: "CHILD_SHARDS", ShardId: root },
          }),
        )
      ).StreamDescription?.Shards ?? [];
    assert.equal((await kids()).length, 0, "child not visible right after close");
    await waitFor(async () => (await kids()).length === 1);
    c.destroy();
  });
});

test("stop() leaves nothing listening", async () => {
  const s = await startStreamsStandin();
  const endpoint = s.endpoint;
  assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
  await s.stop();
  await s.stop(); // idempotent
  const c = new DynamoDBStreamsClient({ region: "us-east-1", credentials, endpoint, maxAttempts: 1 });
  const e = await rejection(c.send(new ListStreamsCommand({})));
  assert.match(`${e.name} ${e.message} ${String((e as { code?: unknown }).code)}`, /ECONNREFUSED/);
  c.destroy();
});

/** Poll `cond` every 20 ms for up to 3 s. */
async function waitFor(cond: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail("condition not met within 3 s");
}
