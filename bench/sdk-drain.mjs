// The drain benchmark's reference: a bare loop of the AWS SDK's GetRecords over a whole stream that
// does nothing with the records (what the backend can serve). Lists the shards (DescribeStream,
// paginated), reads parents before children, each shard from TRIM_HORIZON with Limit 1000, calling
// again at once after each page, until the shard ends or `expected` records were read in all.
// Prints `{"records":N,"calls":N,"ms":N}` (ms: first call to last page).
// Usage: node bench/sdk-drain.mjs <stream-arn> <expected-records>   (AWS_ENDPOINT_URL etc. in env)
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";

const [streamArn, expectedText] = process.argv.slice(2);
const expected = Number(expectedText);
const client = new DynamoDBStreamsClient({});
const t0 = performance.now();
let calls = 0;

const shards = [];
let start;
do {
  const out = await client.send(
    new DescribeStreamCommand({ StreamArn: streamArn, Limit: 100, ExclusiveStartShardId: start }),
  );
  calls++;
  shards.push(...(out.StreamDescription?.Shards ?? []));
  start = out.StreamDescription?.LastEvaluatedShardId;
} while (start);

// Parents before children: a shard whose parent is listed is read after it.
const ids = new Set(shards.map((s) => s.ShardId));
const done = new Set();
let records = 0;
let progress = true;
while (records < expected && progress) {
  progress = false;
  for (const s of shards) {
    if (done.has(s.ShardId)) continue;
    if (s.ParentShardId && ids.has(s.ParentShardId) && !done.has(s.ParentShardId)) continue;
    const it = await client.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: s.ShardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    );
    calls++;
    let iterator = it.ShardIterator;
    while (iterator && records < expected) {
      const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      calls++;
      const n = page.Records?.length ?? 0;
      records += n;
      iterator = page.NextShardIterator;
      if (n === 0 && !s.SequenceNumberRange?.EndingSequenceNumber) break; // an open shard, read to its end
    }
    done.add(s.ShardId);
    progress = true;
  }
}
process.stdout.write(
  `${JSON.stringify({ records, calls, shards: shards.length, ms: performance.now() - t0 })}\n`,
);
client.destroy();
