/** `dynastream describe <table|stream-arn>`: the stream, its shards' counts, consumers and the table's streams. */
import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { shardCounts } from "../core/lineage.js";
import type { DescribeJson } from "../render/describe.js";
import { renderDescribe } from "../render/describe.js";

async function run(ctx: Context, [target]: string[]): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const aws = await ctx.aws();
  const { resolveStream, describeStreamAll, listTableStreams, keySchemaOf } = await import(
    "../aws/streams.js"
  );
  const resolved = await resolveStream(aws, target as string);
  const { description: d, shards } = await describeStreamAll(aws, resolved.streamArn);
  const tableName = d.TableName ?? resolved.tableName;
  const streams = await listTableStreams(aws, tableName);
  const latestArn = resolved.table?.LatestStreamArn ?? resolved.streamArn;
  if (!streams.some((s) => s.streamArn === resolved.streamArn)) {
    streams.unshift({ streamArn: resolved.streamArn, streamLabel: d.StreamLabel ?? "" });
  }
  const { describeConsumers } = await import("../aws/consumers.js");
  const consumers = await describeConsumers(aws, resolved.streamArn, (m) => ctx.out.warn(m), ctx.env);
  const { describeDestinations } = await import("../aws/kinesis-destination.js");
  const kinesisDestinations = await describeDestinations(aws, tableName, { optional: true });
  const result: DescribeJson = {
    tableName,
    streamArn: resolved.streamArn,
    streamLabel: d.StreamLabel ?? null,
    status: d.StreamStatus ?? null,
    viewType: d.StreamViewType ?? null,
    createdAt: d.CreationRequestDateTime ? d.CreationRequestDateTime.toISOString() : null,
    keySchema: keySchemaOf(d.KeySchema),
    shards: shardCounts(shards),
    streams: streams.map((s) => ({ ...s, latest: s.streamArn === latestArn })),
    consumers,
    kinesisDestinations,
  };
  if (format === "json") ctx.out.jsonLine(result);
  else for (const l of renderDescribe(result, ctx.out.style)) ctx.out.line(l);
  return 0;
}

export const command: CommandSpec = {
  examples: [
    "dynastream describe Orders",
    "dynastream describe arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000 --json",
  ],
  run,
};
