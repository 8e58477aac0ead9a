/**
 * Where `invoke` gets records: a live stream, read by tail's reader with tail's start, bounds and
 * checkpoint (../tail/checkpoint: planStart, CheckpointSaver); or `--input`, read by tail's input
 * reader (io/record-input). Records without a shard (a Lambda test event) belong to one shard,
 * `shardId-input`.
 */
import type { Context } from "../../cli/context.js";
import { whenAborted } from "../../cli/stdout.js";
import { sanitize } from "../../render/sanitize.js";
import { plural } from "../../render/words.js";
import { describeRun, openLiveReader } from "../tail/checkpoint.js";
import type { TailInput } from "../tail/options.js";
import type { Feed } from "./run.js";

/** The shard of records that name none. */
export const INPUT_SHARD = "shardId-input";

/** `--input <file|->`: every record of the file, in order (per shard). */
export function inputFeed(ctx: Context, input: TailInput): Feed {
  return {
    async run(engine, wake, room) {
      const { readInputBatches } = await import("../../io/record-input.js");
      const source = input.input === "-" ? { stdin: ctx.stdin } : { path: input.input as string };
      let accepted = 0;
      outer: for await (const batch of readInputBatches(source)) {
        for (const r of batch) {
          if (ctx.aborted) break outer;
          // A Kinesis Lambda event names its shard in its eventID (`shardId-…:<sequence number>`).
          const shardId = r.shardId ?? r.record.kinesis?.shardId ?? INPUT_SHARD;
          if (engine.add(shardId, r.record, ctx.now())) accepted++;
          if (input.count !== undefined && accepted >= input.count) break outer;
        }
        wake();
        await room();
      }
      engine.endInput();
    },
  };
}

/**
 * A live stream: tail's reader from `--from` or the checkpoint, up to tail's bounds. `kinesis`: a
 * Kinesis data stream (the table's destination); its records are delivered as Lambda's Kinesis event
 * records, duplicates included (the destination may write a change twice, and Lambda delivers what the
 * stream holds).
 */
export async function liveFeed(
  ctx: Context,
  input: TailInput,
  streamArn: string,
  table: string | undefined,
  what: string,
  kinesis = false,
): Promise<Feed> {
  const aws = await ctx.aws();
  const { reader, saver, resumed } = await openLiveReader(ctx, aws, input, streamArn, kinesis);
  const from = kinesis
    ? `${table ? `${table} through ` : ""}Kinesis stream ${streamArn}`
    : (table ?? streamArn);
  const retention = kinesis ? "older than the Kinesis stream's retention period" : "older than 24 h";
  return {
    async run(engine, wake, room) {
      for (const s of reader.start.shards) engine.setParent(s.shardId, s.parentShardId);
      await Promise.race([reader.ready, whenAborted(ctx.signal)]);
      ctx.out.info(
        sanitize(
          `invoking ${what} with ${from} (${plural(reader.start.toRead, "shard")}) ${describeRun(input, resumed, kinesis)}`,
        ),
      );
      let accepted = 0;
      try {
        outer: for await (const batch of reader.batches()) {
          for (const ev of batch) {
            if (ev.kind === "record") {
              if (ev.record.decodeError !== undefined) {
                ctx.out.warn(
                  `shard ${ev.shardId} sequence number ${ev.record.kinesis?.sequenceNumber ?? "?"}: not a DynamoDB change record (${ev.record.decodeError}); delivered as Lambda would, data as is`,
                );
              }
              if (engine.add(ev.shardId, ev.record, ctx.now())) accepted++;
              if (input.count !== undefined && accepted >= input.count) break outer;
            } else if (ev.kind === "gap") {
              ctx.out.warn(
                `records lost in shard ${ev.shardId}${ev.afterSequenceNumber ? ` after sequence number ${ev.afterSequenceNumber}` : ""}: trimmed (${retention}) before they were read`,
              );
            } else if (ev.reason !== "bound") {
              engine.endShard(ev.shardId);
            }
          }
          wake();
          await room();
          if (ctx.aborted) break;
        }
      } finally {
        reader.close();
        engine.endInput();
      }
    },
    async settled(shardId, sequenceNumber) {
      if (saver === undefined) return;
      saver.state.advance(shardId, sequenceNumber);
      await saver.afterWrite();
    },
    async close() {
      reader.close();
      if (saver !== undefined) await saver.final();
    },
  };
}
