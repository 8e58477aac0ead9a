// tail's GetRecords (src/aws/tail/get-records.ts) parses successful responses itself instead of the
// SDK's schema reader. Against DynamoDB Local: the same pages as the SDK's own GetRecords, rendered
// byte-identically in every output format (all attribute types, every view type). Against a tiny
// local server: errors stay the SDK's, a malformed 200 body rejects, a body that dies mid-way rejects.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { DescribeTableCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { getRecordsPage } from "../../src/aws/tail/get-records.js";
import { recordJsonLine } from "../../src/render/record-json.js";
import { renderPretty } from "../../src/render/record-pretty.js";
import { plainStyle } from "../../src/render/style.js";
import { clients, createTable, ddbEndpoint, TEST_CREDENTIALS, TEST_REGION } from "../helpers/ddb.js";

let endpoint = "";
let c: ReturnType<typeof clients>;
before(async () => {
  endpoint = await ddbEndpoint();
  c = clients(endpoint);
});
after(() => {
  c?.ddb.destroy();
  c?.streams.destroy();
});

const VIEW_TYPES = ["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"] as const;

for (const viewType of VIEW_TYPES) {
  test(`${viewType}: the same records as the SDK's GetRecords, rendered identically`, async () => {
    const tableName = await createTable(endpoint, { viewType });
    const streamArn = (await c.ddb.send(new DescribeTableCommand({ TableName: tableName }))).Table
      ?.LatestStreamArn as string;
    const item = {
      pk: { S: "p1" },
      n: { N: "12345678901234567890.123456789" },
      neg: { N: "-0.000000000000000000000000000001" },
      bin: { B: new Uint8Array([0, 1, 2, 253, 254, 255]) },
      bs: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] },
      ns: { NS: ["1", "99999999999999999999999999999999999999"] },
      ss: { SS: ["a", "é\u0001"] },
      nul: { NULL: true },
      bool: { BOOL: false },
      l: { L: [{ S: "x" }, { M: { deep: { L: [{ N: "1.0" }] } } }] },
      m: { M: { a: { M: { b: { S: "c" } } } } },
    };
    await c.ddb.send(new PutItemCommand({ TableName: tableName, Item: item }));
    await c.ddb.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { pk: { S: "p1" } },
        UpdateExpression: "SET n = :n, bin = :b REMOVE nul",
        ExpressionAttributeValues: { ":n": { N: "1E+2" }, ":b": { B: new Uint8Array([9]) } },
      }),
    );
    const shards = (await c.streams.send(new DescribeStreamCommand({ StreamArn: streamArn })))
      .StreamDescription?.Shards;
    assert.ok(shards && shards.length > 0);
    let compared = 0;
    for (const shard of shards) {
      const iterator = async () =>
        (
          await c.streams.send(
            new GetShardIteratorCommand({
              StreamArn: streamArn,
              ShardId: shard.ShardId,
              ShardIteratorType: "TRIM_HORIZON",
            }),
          )
        ).ShardIterator as string;
      const viaSdk = await c.streams.send(new GetRecordsCommand({ ShardIterator: await iterator() }));
      const raw = await getRecordsPage(c.streams, GetRecordsCommand, { ShardIterator: await iterator() }, {});
      assert.equal(raw.Records.length, viaSdk.Records?.length ?? 0);
      assert.equal(typeof raw.NextShardIterator, typeof viaSdk.NextShardIterator);
      raw.Records.forEach((r, i) => {
        const s = viaSdk.Records?.[i];
        assert.ok(s);
        assert.ok(r.dynamodb?.ApproximateCreationDateTime instanceof Date);
        assert.equal(
          (r.dynamodb?.ApproximateCreationDateTime as Date | undefined)?.getTime(),
          s.dynamodb?.ApproximateCreationDateTime?.getTime(),
        );
        const ctx = { streamArn, shardId: shard.ShardId };
        for (const output of ["json", "dynamodb-json", "raw"] as const) {
          assert.equal(recordJsonLine(r, ctx, output), recordJsonLine(s, ctx, output), output);
        }
        for (const full of [false, true]) {
          const pretty = { style: plainStyle, full, table: tableName, shardId: shard.ShardId };
          assert.equal(renderPretty(r, pretty), renderPretty(s, pretty));
        }
        compared++;
      });
    }
    assert.equal(compared, 2);
  });
}

/** A local HTTP server answering every request with `reply`. */
async function server(
  reply: (res: import("node:http").ServerResponse) => void,
): Promise<{ client: DynamoDBStreamsClient; close(): Promise<void> }> {
  const srv: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => reply(res));
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  const client = new DynamoDBStreamsClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    maxAttempts: 1,
  });
  return {
    client,
    close: async () => {
      client.destroy();
      srv.closeAllConnections();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

test("a service error is the SDK's own error (name and metadata)", async () => {
  const s = await server((res) => {
    res.writeHead(400, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "req-1" });
    res.end(
      JSON.stringify({
        __type: "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException",
        message: "Iterator expired",
      }),
    );
  });
  try {
    await assert.rejects(
      getRecordsPage(s.client, GetRecordsCommand, { ShardIterator: "it" }, {}),
      (e: Error) => {
        assert.equal(e.name, "ExpiredIteratorException");
        assert.equal((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 400);
        return true;
      },
    );
  } finally {
    await s.close();
  }
});

test("a 200 response that is not GetRecords' JSON object rejects", async () => {
  for (const body of ["{not json", "[]", '{"Records":{}}', '{"Records":[1]}']) {
    const s = await server((res) => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(body);
    });
    try {
      await assert.rejects(
        getRecordsPage(s.client, GetRecordsCommand, { ShardIterator: "it" }, {}),
        SyntaxError,
        body,
      );
    } finally {
      await s.close();
    }
  }
});

test("a 200 response cut off mid-body rejects instead of returning a partial page", async () => {
  const s = await server((res) => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "content-length": "1000" });
    res.write('{"Records":[{"eventName":"INSERT"');
    setTimeout(() => res.socket?.destroy(), 20);
  });
  try {
    await assert.rejects(getRecordsPage(s.client, GetRecordsCommand, { ShardIterator: "it" }, {}));
  } finally {
    await s.close();
  }
});

test("an empty page, and a page with records and no NextShardIterator (closed shard)", async () => {
  const bodies = [
    { body: '{"Records":[],"NextShardIterator":"next-1"}', records: 0, next: "next-1" },
    {
      body: '{"Records":[{"eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":1.7044704E9,"Keys":{"k":{"B":"AAE="}},"SequenceNumber":"1"}}]}',
      records: 1,
      next: undefined,
    },
  ];
  for (const b of bodies) {
    const s = await server((res) => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
      res.end(b.body);
    });
    try {
      const page = await getRecordsPage(s.client, GetRecordsCommand, { ShardIterator: "it" }, {});
      assert.equal(page.Records.length, b.records);
      assert.equal(page.NextShardIterator, b.next);
      if (b.records) {
        assert.equal(
          (page.Records[0]?.dynamodb?.ApproximateCreationDateTime as Date | undefined)?.toISOString(),
          "2024-01-05T16:00:00.000Z",
        );
        assert.equal(recordJsonLine(page.Records[0] ?? {}, {}, "json").includes('"keys":{"k":"AAE="}'), true);
      }
    } finally {
      await s.close();
    }
  }
});
