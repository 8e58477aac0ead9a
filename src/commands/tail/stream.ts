/**
 * `tail <table|stream-arn>`: the live run. Shards are read by aws/tail/reader, lines built by
 * render/tail-output; this wires them: the start message, backpressure-aware writes, the checkpoint,
 * gaps, Ctrl-C and the summary line.
 */
import type { Context } from "../../cli/context.js";
import { pipeClosed, whenAborted, writeOut } from "../../cli/stdout.js";
import { looksLikeKinesisArn } from "../../core/arn.js";
import { formatDuration } from "../../core/duration.js";
import { sequenceOf } from "../../core/record.js";
import { SeenEvents } from "../../core/tail/dedupe.js";
import { DataLossError, InterruptedError } from "../../errors.js";
import { sanitize } from "../../render/sanitize.js";
import type { TailFormat, TailFormatter } from "../../render/tail-output.js";
import { plural } from "../../render/words.js";
import { describeRun, openLiveReader } from "./checkpoint.js";
import type { Matcher } from "./filters.js";
import type { TailInput } from "./options.js";

/**
 * Output is written in pieces of about this many characters: few write calls, and no string so large
 * that V8 puts it straight into the old generation (a 2000-record batch is megabytes), where garbage
 * lingers until a full collection and peak memory grows with it.
 */
export const WRITE_CHUNK_CHARS = 64 * 1024;

/** Counts of a run, for the summary line. */
interface Tally {
  records: number;
  gaps: number;
}

/** Reads the stream until a bound, Ctrl-C or an error; returns the exit code. */
export async function runStream(
  ctx: Context,
  input: TailInput,
  formatter: TailFormatter,
  format: TailFormat,
  matcher: Matcher | undefined,
): Promise<number> {
  const aws = await ctx.aws();
  const target = input.target as string;
  const kinesis = input.kinesis !== undefined || looksLikeKinesisArn(target);
  let streamArn: string;
  let table: string | undefined;
  let enabled: boolean | undefined;
  if (kinesis) {
    const { resolveKinesisSource } = await import("../../aws/kinesis-streams.js");
    const source = await resolveKinesisSource(aws, target, input.kinesis, (m) => ctx.out.warn(m));
    streamArn = source.streamArn;
    table = source.tableName;
  } else {
    const { resolveStream } = await import("../../aws/streams.js");
    const resolved = await resolveStream(aws, target);
    streamArn = resolved.streamArn;
    table = resolved.tableName;
    enabled = resolved.enabled;
    if ((resolved.table?.Replicas?.length ?? 0) > 0) {
      ctx.out.warn(
        `${table} is a global table: replication already reads its stream, and AWS recommends at most one other reader per shard; tail is one`,
      );
    }
  }
  const seen = kinesis ? new SeenEvents() : undefined;
  const { reader, saver, resumed } = await openLiveReader(ctx, aws, input, streamArn, kinesis);

  const status = reader.start.streamStatus;
  if (enabled === false || status === "DISABLED" || status === "DISABLING") {
    ctx.out.warn(
      `the stream of ${table} is ${status ?? "DISABLED"}: its records stay readable for 24 h after it was disabled; tail ends once they are read`,
    );
  }

  // ---- the start message, once LATEST iterators are in place (a readiness signal for scripts) ----
  await Promise.race([reader.ready, whenAborted(ctx.signal)]);
  const st = reader.start;
  const shardText =
    st.openToRead === st.toRead && st.toRead > 0
      ? plural(st.toRead, "open shard")
      : `${plural(st.toRead, "shard")}, ${st.openToRead} open`;
  const what = kinesis ? `${table ? `${table} through ` : ""}Kinesis stream ${streamArn}` : (table as string);
  ctx.out.info(sanitize(`tailing ${what} (${shardText}) ${describeRun(input, resumed, kinesis)}`));
  if (st.toRead === 0 && input.from.kind === "latest" && !resumed && st.streamStatus !== "ENABLED") {
    ctx.out.info("the stream has no open shard: use --from trim-horizon to read the records it still holds");
  }

  // ---- the loop ----
  const tally: Tally = { records: 0, gaps: 0 };
  let countReached = false;
  let writeError: unknown;
  try {
    for await (const batch of reader.batches()) {
      formatter.setNow(ctx.now());
      let text = "";
      const advances: Array<[string, string]> = [];
      const ended: string[] = [];
      for (const ev of batch) {
        if (ev.kind === "record") {
          const rec = ev.record;
          const seq = sequenceOf(rec);
          let show = true;
          if (rec.decodeError !== undefined) {
            show = false;
            ctx.out.warn(
              `shard ${ev.shardId} sequence number ${seq ?? "?"}: not a DynamoDB change record (${rec.decodeError}); skipped`,
            );
          } else if (seen !== undefined && rec.eventID !== undefined && seen.check(rec.eventID)) {
            rec.duplicate = true;
            if (input.dedupe) show = false;
          }
          if (show && (!matcher || matcher.match(rec, streamArn))) {
            text += formatter.record(rec, { streamArn, shardId: ev.shardId, table: rec.tableName ?? table });
            tally.records++;
            if (text.length >= WRITE_CHUNK_CHARS) {
              await writeOut(ctx, text);
              text = "";
              if (ctx.signal.aborted) break;
            }
          }
          if (seq !== undefined) advances.push([ev.shardId, seq]);
          if (input.count !== undefined && tally.records >= input.count) {
            countReached = true;
            break;
          }
        } else if (ev.kind === "gap") {
          tally.gaps++;
          const gap = { ...ev, streamArn };
          text += formatter.gap(gap);
          if (!(format === "pretty" && ctx.out.stdoutIsTTY)) {
            ctx.out.warn(
              `records lost in shard ${ev.shardId}${ev.afterSequenceNumber ? ` after sequence number ${ev.afterSequenceNumber}` : ""}: trimmed (older than 24 h) before tail read them; continuing from TRIM_HORIZON`,
            );
          }
        } else if (ev.reason !== "bound") {
          ended.push(ev.shardId);
        }
      }
      await writeOut(ctx, text);
      if (ctx.signal.aborted) break;
      if (saver) {
        for (const [shardId, seq] of advances) saver.state.advance(shardId, seq);
        for (const shardId of ended) saver.state.markDone(shardId);
        await saver.afterWrite();
      }
      if (countReached) break;
    }
  } catch (e) {
    writeError = e;
  } finally {
    reader.close();
    if (saver && !pipeClosed(ctx)) {
      try {
        await saver.final();
      } catch (e) {
        writeError ??= e;
      }
    }
  }
  if (ctx.signal.aborted) {
    if (pipeClosed(ctx)) return 0;
    const s = `tail stopped: ${plural(tally.records, "record")} from ${plural(reader.shardsStarted(), "shard")}, ${plural(tally.gaps, "gap")}`;
    throw new InterruptedError(ctx.out.quiet ? "" : s);
  }
  if (writeError !== undefined) throw writeError;

  const why = countReached
    ? `--count ${input.count} reached`
    : reader.endReason === "idle"
      ? `no records for ${formatDuration(input.idleTimeoutMs ?? 0)} (--idle-timeout)`
      : reader.endReason === "disabled"
        ? "the stream is disabled and all its records were read"
        : reader.endReason === "shards-done"
          ? "the selected shards were read to their end"
          : input.untilEnd
            ? "caught up"
            : "reached --until";
  ctx.out.info(
    `${plural(tally.records, "record")} from ${plural(reader.shardsStarted(), "shard")}, ${plural(tally.gaps, "gap")}: ${why}`,
  );
  if (tally.gaps > 0) {
    throw new DataLossError(
      `${plural(tally.gaps, "gap")}: records were trimmed (older than 24 h) before tail could read them`,
      "read the stream within 24 h of the writes; the gap lines name the shards and positions",
    );
  }
  return 0;
}
