/**
 * doctor's DynamoDB probes, each a read-only call: DescribeTable on the table, then on its stream
 * ListStreams, DescribeStream (one shard), GetShardIterator (LATEST) and GetRecords (Limit 1) on that
 * shard, what `describe`, `shards`, `tail` and `filter-test --from-stream` call.
 */
import { parseStreamArn } from "../../core/arn.js";
import type { Check } from "../../core/doctor/check.js";
import { permissionResource } from "../../core/doctor/permissions.js";
import { awsErrorName } from "../errors.js";
import { attempt, type ProbeContext, probeLine, shardReadChecks, skipped } from "./probe.js";

/** The table as the later probes name it. */
export interface ProbedTable {
  tableName: string;
  /** The table's ARN for the fixes (a wildcard ARN when DescribeTable did not say). */
  tableRes: string;
  /** The stream probed: the one given, else the table's latest. */
  streamArn: string | undefined;
}

/**
 * The DescribeTable line, and the table for the next probes: undefined when the table does not exist
 * (nothing more to probe). `target` is a table name or a stream ARN.
 */
export async function describeTableCheck(
  ctx: ProbeContext,
  target: string,
): Promise<{ check: Check; table: ProbedTable | undefined }> {
  const { run, reachable } = ctx;
  const arnParts = parseStreamArn(target);
  const tableName = arnParts?.tableName ?? target;
  const ddbApi = await import("@aws-sdk/client-dynamodb");
  const opts = { abortSignal: run.signal };

  let tableArn: string | undefined;
  let streamArn: string | undefined = arnParts ? target : undefined;
  let check: Check;
  if (!reachable("DYNAMODB"))
    check = skipped("dynamodb:DescribeTable", "the DynamoDB endpoint does not answer");
  else {
    const ddb = await run.clients.dynamodb();
    const err = await attempt(async () => {
      const t = (await ddb.send(new ddbApi.DescribeTableCommand({ TableName: tableName }), opts)).Table;
      tableArn = t?.TableArn;
      streamArn ??= t?.LatestStreamArn;
    });
    if (awsErrorName(err) === "ResourceNotFoundException") {
      return {
        check: {
          id: "dynamodb:DescribeTable",
          status: "fail",
          summary: `table ${tableName} not found in this account and region`,
          fix: "check the table name, --region and --profile (or AWS_ENDPOINT_URL for DynamoDB Local)",
          data: { action: "dynamodb:DescribeTable", allowed: true, error: "ResourceNotFoundException" },
        },
        table: undefined,
      };
    }
    check = probeLine(
      ctx,
      "dynamodb:DescribeTable",
      err,
      `table ${tableName}`,
      tableArn ?? `arn:aws:dynamodb:*:*:table/${tableName}`,
    );
  }
  tableArn ??= arnParts ? target.replace(/\/stream\/.*$/, "") : undefined;
  const tableRes = tableArn ?? `arn:aws:dynamodb:*:*:table/${tableName}`;
  return { check, table: { tableName, tableRes, streamArn } };
}

/**
 * The stream lines: ListStreams (a DynamoDB Streams operation, dynamodb:ListStreams), then the reads of
 * the stream; without a stream those are warnings (enable one).
 */
export async function streamChecks(ctx: ProbeContext, table: ProbedTable): Promise<Check[]> {
  const { run } = ctx;
  const { tableName, tableRes, streamArn } = table;
  const streamsApi = await import("@aws-sdk/client-dynamodb-streams");
  if (!ctx.reachable("DYNAMODB_STREAMS")) {
    return (
      [
        "dynamodb:ListStreams",
        "dynamodb:DescribeStream",
        "dynamodb:GetShardIterator",
        "dynamodb:GetRecords",
      ] as const
    ).map((a) => skipped(a, "the DynamoDB Streams endpoint does not answer"));
  }
  const streams = await run.clients.streams();
  const listErr = await attempt(() =>
    streams.send(new streamsApi.ListStreamsCommand({ TableName: tableName, Limit: 1 }), {
      abortSignal: run.signal,
    }),
  );
  const out: Check[] = [
    probeLine(
      ctx,
      "dynamodb:ListStreams",
      listErr,
      `streams of ${tableName}`,
      permissionResource("dynamodb:ListStreams", tableRes),
    ),
  ];
  if (!streamArn) {
    for (const a of ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"] as const)
      out.push({
        ...skipped(a, `table ${tableName} has no stream`),
        status: "warn",
        fix: `enable one: dynastream enable ${tableName}`,
      });
    return out;
  }
  out.push(...(await streamReadChecks(ctx, tableRes, streamArn)));
  return out;
}

/** DescribeStream (one shard), then GetShardIterator (LATEST) and GetRecords (Limit 1) on that shard. */
async function streamReadChecks(ctx: ProbeContext, tableRes: string, streamArn: string): Promise<Check[]> {
  const { run } = ctx;
  const api = await import("@aws-sdk/client-dynamodb-streams");
  const streams = await run.clients.streams();
  const opts = { abortSignal: run.signal };
  return shardReadChecks((a, e, what) => probeLine(ctx, a, e, what, permissionResource(a, tableRes)), {
    find: {
      action: "dynamodb:DescribeStream",
      what: `stream ${streamArn}`,
      listing: "DescribeStream",
      noShard: "the stream has no shard yet",
    },
    findShard: async () =>
      (await streams.send(new api.DescribeStreamCommand({ StreamArn: streamArn, Limit: 1 }), opts))
        .StreamDescription?.Shards?.[0]?.ShardId,
    actions: ["dynamodb:GetShardIterator", "dynamodb:GetRecords"],
    iterator: async (ShardId) =>
      (
        await streams.send(
          new api.GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: "LATEST" }),
          opts,
        )
      ).ShardIterator,
    records: (ShardIterator) => streams.send(new api.GetRecordsCommand({ ShardIterator, Limit: 1 }), opts),
    shardWhat: (shardId) => `shard ${shardId}`,
  });
}
