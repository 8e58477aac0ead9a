import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { looksLikeKinesisArn } from "../core/arn.js";
import { buildLineage, isClosed, parentsFirst, type ShardInfo } from "../core/lineage.js";
import { renderShardTable, renderShardTree, shardJson } from "../render/stream.js";

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const aws = await ctx.aws();
  const t = target as string;
  let streamArn: string;
  let shards: ShardInfo[];
  if (opts.kinesis !== undefined || looksLikeKinesisArn(t)) {
    const { resolveKinesisSource, listKinesisShards } = await import("../aws/kinesis-streams.js");
    const source = await resolveKinesisSource(aws, t, opts.kinesis as string | true | undefined, (m) =>
      ctx.out.warn(m),
    );
    streamArn = source.streamArn;
    shards = await listKinesisShards(aws, streamArn);
  } else {
    const { resolveStream, describeStreamAll } = await import("../aws/streams.js");
    const resolved = await resolveStream(aws, t);
    streamArn = resolved.streamArn;
    shards = (await describeStreamAll(aws, resolved.streamArn)).shards;
  }
  const lineage = buildLineage(shards);
  let ordered = parentsFirst(lineage);
  if (opts.open === true) ordered = ordered.filter((s) => !isClosed(s));
  if (format === "json") {
    ctx.out.jsonLine({ streamArn, shards: ordered.map(shardJson) });
    return 0;
  }
  if (ordered.length === 0) {
    ctx.out.info(opts.open === true ? "no open shards" : "the stream has no shards");
    return 0;
  }
  if (opts.tree === true) {
    const tree = opts.open === true ? buildLineage(ordered) : lineage;
    ctx.out.line(renderShardTree(tree, ctx.out.style));
  } else {
    ctx.out.line(renderShardTable(ordered, ctx.out.style));
  }
  const open = ordered.filter((s) => !isClosed(s)).length;
  ctx.out.info(
    `${ordered.length} shard${ordered.length === 1 ? "" : "s"}: ${open} open, ${ordered.length - open} closed`,
  );
  return 0;
}

export const command: CommandSpec = {
  examples: [
    "dynastream shards Orders",
    "dynastream shards Orders --tree",
    "dynastream shards Orders --open --json | jq -r '.shards[].shardId'",
    "dynastream shards Orders --kinesis --tree                # the table's Kinesis destination",
    "dynastream shards arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc",
  ],
  options: (cmd) =>
    cmd
      .option("--tree", "draw the parent/child lineage as a tree")
      .option("--open", "only open shards")
      .option(
        "--kinesis [stream-name|arn]",
        "the table's Kinesis Data Streams destination (or this Kinesis stream) instead of its DynamoDB stream",
      ),
  run,
};
