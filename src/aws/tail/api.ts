/**
 * The four calls the live tail reader makes, as a narrow interface: the reader's units depend on it,
 * not on the SDK client, so unit tests pass a small fake and the integration tests the SDK-backed one
 * ({@link sdkTailApi}). Listing calls reject with dynastream's typed errors (translated at this
 * boundary, DescribeStream throttling already retried); shard calls reject with the SDK's own errors,
 * whose names (`ExpiredIteratorException`, …) the shard reader branches on.
 */
import type { ShardInfo } from "../../core/lineage.js";
import type { IteratorPosition } from "../../core/tail/plan.js";
import type { AwsRun } from "../streams.js";
import { describeChildShards, describeStreamAll } from "../streams.js";
import type { RecordsPage } from "./get-records.js";
import { getRecordsPage } from "./get-records.js";

/** A full listing of a stream. */
export interface StreamListing {
  shards: ShardInfo[];
  status: string | undefined;
  viewType: string | undefined;
}

/** Shard discovery's calls (DescribeStream, at most 10 calls/s shared by the run). */
export interface ListingApi {
  /** Every shard of the stream (DescribeStream paginated). */
  listShards(): Promise<StreamListing>;
  /** The children of a shard (ShardFilter CHILD_SHARDS, matched by ParentShardId), and the stream's status. */
  childShards(parentShardId: string): Promise<{ children: ShardInfo[]; status?: string | undefined }>;
}

/** One shard's calls. */
export interface ShardApi {
  /** GetShardIterator at a position; undefined when the service returned none. */
  shardIterator(shardId: string, position: IteratorPosition): Promise<string | undefined>;
  /** GetRecords with a page limit. */
  records(iterator: string, limit: number): Promise<RecordsPage>;
}

/** Everything the reader calls. */
export interface TailApi extends ListingApi, ShardApi {}

/**
 * The SDK-backed calls for one stream. `run` carries the reader's abort signal and sleep (so closing
 * the reader aborts calls in flight and pauses between throttled listings).
 */
export async function sdkTailApi(run: AwsRun, streamArn: string): Promise<TailApi> {
  const client = await run.clients.streams();
  const sdk = await import("@aws-sdk/client-dynamodb-streams");
  const options = { abortSignal: run.signal };
  return {
    async listShards() {
      const all = await describeStreamAll(run, streamArn);
      return {
        shards: all.shards,
        status: all.description.StreamStatus,
        viewType: all.description.StreamViewType,
      };
    },
    childShards: (parentShardId) => describeChildShards(run, streamArn, parentShardId),
    async shardIterator(shardId, position) {
      if (position.type === "AT_TIMESTAMP") throw new Error("DynamoDB Streams has no AT_TIMESTAMP iterator");
      const out = await client.send(
        new sdk.GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shardId,
          ShardIteratorType: position.type,
          ...("sequenceNumber" in position ? { SequenceNumber: position.sequenceNumber } : {}),
        }),
        options,
      );
      return out.ShardIterator || undefined;
    },
    records: (iterator, limit) =>
      getRecordsPage(client, sdk.GetRecordsCommand, { ShardIterator: iterator, Limit: limit }, options),
  };
}
