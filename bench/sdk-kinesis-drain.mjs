// The Kinesis drain benchmark's reference: a bare loop of the AWS SDK's GetRecords over a whole
// Kinesis data stream that decodes nothing (what the backend can serve). ListShards (every page), then
// each shard in turn, parents before children: GetShardIterator TRIM_HORIZON, GetRecords with Limit
// 10,000 (the API's most) called again at once after each page, until the shard is closed (no
// NextShardIterator) or a page reaches its tip (MillisBehindLatest 0: "zero indicates that record
// processing is caught up", https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html).
// The client is built as the product's (src/aws/clients.ts): the HTTP/1.1 handler of
// @smithy/node-http-handler, same timeouts. Prints `{"records":N,"calls":N,"shards":N,"ms":N}`
// (ms: first call to last page).
// Usage: node bench/sdk-kinesis-drain.mjs <stream-arn> [limit]   (AWS_ENDPOINT_URL_KINESIS etc. in env)
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

const [streamArn, limitText] = process.argv.slice(2);
const limit = Number(limitText ?? 10_000);
const client = new KinesisClient({
  maxAttempts: 3,
  requestHandler: new NodeHttpHandler({
    connectionTimeout: 5000,
    requestTimeout: 10_000,
    throwOnRequestTimeout: true,
    socketTimeout: 10_000,
  }),
});
const t0 = performance.now();
let calls = 0;

const shards = [];
let token;
do {
  const out = await client.send(
    new ListShardsCommand(token ? { NextToken: token } : { StreamARN: streamArn }),
  );
  calls++;
  shards.push(...(out.Shards ?? []));
  token = out.NextToken;
} while (token);

// Parents before children: a shard whose parent is listed is read after it.
const ids = new Set(shards.map((s) => s.ShardId));
const done = new Set();
let records = 0;
let progress = true;
while (progress) {
  progress = false;
  for (const s of shards) {
    if (done.has(s.ShardId)) continue;
    const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p) => p && ids.has(p));
    if (parents.some((p) => !done.has(p))) continue;
    const it = await client.send(
      new GetShardIteratorCommand({
        StreamARN: streamArn,
        ShardId: s.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    calls++;
    let iterator = it.ShardIterator;
    while (iterator) {
      const page = await client.send(
        new GetRecordsCommand({ StreamARN: streamArn, ShardIterator: iterator, Limit: limit }),
      );
      calls++;
      records += page.Records?.length ?? 0;
      iterator = page.NextShardIterator;
      if (page.MillisBehindLatest === 0) break; // an open shard, read to its tip
    }
    done.add(s.ShardId);
    progress = true;
  }
}
process.stdout.write(
  `${JSON.stringify({ records, calls, shards: shards.length, ms: performance.now() - t0 })}\n`,
);
client.destroy();
