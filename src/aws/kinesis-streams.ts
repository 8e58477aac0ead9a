/**
 * Kinesis data streams as a source of DynamoDB change records: which stream a command reads (a
 * Kinesis stream ARN, or a table's destination), and its shards (ListShards, every page).
 */
import type { ListShardsCommandOutput } from "@aws-sdk/client-kinesis";
import { looksLikeKinesisArn, parseStreamArn } from "../core/arn.js";
import { type KinesisDestination, liveDestinations, type Precision } from "../core/kinesis-destination.js";
import type { ShardInfo } from "../core/lineage.js";
import { NotFoundError, UsageError } from "../errors.js";
import { awsErrorName, isThrottle, translateAwsError } from "./errors.js";
import {
  describeDestinations,
  type KinesisStreamSummary,
  resolveKinesisStream,
} from "./kinesis-destination.js";
import { pages } from "./paging.js";
import { type AwsRun, checkTableName } from "./streams.js";

/** The Kinesis stream a command works on. */
export interface KinesisSource extends KinesisStreamSummary {
  /** The table whose destination it is, when resolved from a table. */
  tableName?: string;
  /** The destination's precision, when resolved from a table. */
  precision?: Precision;
}

/**
 * Resolves what a command was pointed at to a Kinesis stream:
 * - `<kinesis-stream-arn>` (and no `--kinesis` value): that stream;
 * - `<table> --kinesis`: the table's destination (ACTIVE, ENABLING or UPDATING); none → exit 3 with
 *   the enable hint; several → exit 2 listing them;
 * - `<table> --kinesis <stream-name|arn>`: that stream (a warning when it is not a destination of the
 *   table). A DynamoDB stream ARN stands for its table.
 */
export async function resolveKinesisSource(
  run: AwsRun,
  target: string,
  kinesis: string | true | undefined,
  warn: (message: string) => void,
): Promise<KinesisSource> {
  if (looksLikeKinesisArn(target)) {
    if (typeof kinesis === "string") {
      throw new UsageError(
        `--kinesis ${kinesis} conflicts with the Kinesis stream ARN ${target}`,
        "pass a Kinesis stream ARN alone, or a table with --kinesis",
      );
    }
    return resolveKinesisStream(run, target);
  }
  const table = target.startsWith("arn:") ? parseStreamArn(target)?.tableName : target;
  if (!table) {
    throw new UsageError(
      `malformed ARN "${target}"`,
      "pass a table name, a stream ARN or a Kinesis stream ARN",
    );
  }
  checkTableName(table);
  const destinations = (await describeDestinations(run, table)) ?? [];
  if (typeof kinesis === "string") {
    const stream = await resolveKinesisStream(run, kinesis);
    const d = destinations.find((x) => x.streamArn === stream.streamArn);
    if (!d) warn(`Kinesis stream ${stream.streamArn} is not a destination of table ${table}`);
    return { ...stream, tableName: table, ...(d ? { precision: d.precision } : {}) };
  }
  const live = liveDestinations(destinations);
  if (live.length === 0) {
    throw new NotFoundError(
      `table ${table} has no active Kinesis destination${describeOthers(destinations)}`,
      `dynastream enable ${table} --kinesis <stream>`,
    );
  }
  if (live.length > 1) {
    throw new UsageError(
      `table ${table} streams to ${live.length} Kinesis streams: ${live.map((d) => d.streamArn).join(", ")}`,
      `name one: --kinesis <stream-name|arn>`,
    );
  }
  const d = live[0] as KinesisDestination;
  const stream = await resolveKinesisStream(run, d.streamArn);
  return { ...stream, tableName: table, precision: d.precision };
}

function describeOthers(ds: KinesisDestination[]): string {
  return ds.length === 0 ? "" : ` (${ds.map((d) => `${d.streamArn} ${d.status}`).join(", ")})`;
}

/**
 * Every shard of a Kinesis stream: ListShards, following NextToken (the first call names the stream,
 * later ones pass only the token, as the API requires). Throttling (LimitExceededException, after the
 * SDK's retries) pauses 1 s and retries up to 10 times.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html
 */
export async function listKinesisShards(run: AwsRun, streamArn: string): Promise<ShardInfo[]> {
  const { ListShardsCommand } = await import("@aws-sdk/client-kinesis");
  const client = await run.clients.kinesis();
  const out: ShardInfo[] = [];
  const list = async (token: string | undefined): Promise<ListShardsCommandOutput> => {
    const input = token ? { NextToken: token, MaxResults: 1000 } : { StreamARN: streamArn, MaxResults: 1000 };
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.send(new ListShardsCommand(input), { abortSignal: run.signal });
      } catch (e) {
        if (isThrottle(e) && attempt < 10 && !run.signal.aborted) {
          await run.sleep(1000);
          continue;
        }
        if (awsErrorName(e) === "ResourceNotFoundException") {
          throw new NotFoundError(`Kinesis stream ${streamArn} not found`, undefined, e);
        }
        throw translateAwsError(e, `Kinesis stream ${streamArn}`, run.clients.settings.endpointUrl);
      }
    }
  };
  for await (const page of pages(list, (p) => p.NextToken || undefined)) {
    for (const s of page.Shards ?? []) {
      out.push({
        shardId: s.ShardId ?? "",
        parentShardId: s.ParentShardId || undefined,
        adjacentParentShardId: s.AdjacentParentShardId || undefined,
        hashKeyRange: {
          startingHashKey: s.HashKeyRange?.StartingHashKey ?? "",
          endingHashKey: s.HashKeyRange?.EndingHashKey ?? "",
        },
        startingSequenceNumber: s.SequenceNumberRange?.StartingSequenceNumber,
        endingSequenceNumber: s.SequenceNumberRange?.EndingSequenceNumber || undefined,
      });
    }
  }
  return out;
}
