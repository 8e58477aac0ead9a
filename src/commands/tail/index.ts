/**
 * `dynastream tail <table|stream-arn>`: live stream records, unmarshalled, with diffs; `--input`
 * renders captured ones. Flags are parsed in ./options, the live run is ./stream, `--input` is ./input,
 * `--filter` is ./filters; this file declares the command.
 */
import type { Context } from "../../cli/context.js";
import { outputFormat } from "../../cli/context.js";
import type { CommandSpec } from "../../cli/program.js";
import { collect } from "../../cli/program.js";
import { looksLikeKinesisArn } from "../../core/arn.js";
import { createTailFormatter, TAIL_FORMATS } from "../../render/tail-output.js";
import { loadMatcher } from "./filters.js";
import { runInput } from "./input.js";
import { DEFAULT_CONCURRENCY, parseTailFlags } from "./options.js";
import { runStream } from "./stream.js";

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const input = parseTailFlags(target, opts, ctx.now());
  const format = outputFormat(ctx.globals, TAIL_FORMATS, ctx.out.stdoutIsTTY, "json");
  const formatter = createTailFormatter(format, { style: ctx.out.style, full: input.full, tz: input.tz });
  const kinesis = input.kinesis !== undefined || (target !== undefined && looksLikeKinesisArn(target));
  const matcher = await loadMatcher(ctx, input.filters, kinesis ? "kinesis" : "dynamodb");
  if (input.input !== undefined) return runInput(ctx, input, formatter, matcher);
  return runStream(ctx, input, formatter, format, matcher);
}

export const command: CommandSpec = {
  examples: [
    "dynastream tail Orders",
    "dynastream tail Orders --from 15m --until-end --json | jq .",
    "dynastream tail Orders --from trim-horizon --checkpoint orders.ckpt",
    'dynastream tail Orders --filter \'{"eventName":["REMOVE"]}\'',
    "dynastream tail --input event.json",
    "dynastream tail Orders --kinesis --from 2h --until-end --json   # the Kinesis destination, a real seek",
  ],
  notes: [
    "Output: pretty on a terminal, NDJSON (--output json) otherwise; also --output dynamodb-json and raw.",
    "Exit codes: 0 done (bounded reads, --count, stream disabled, closed pipe), 2 bad flags or input,",
    "3 table/stream/shard not found, 4 credentials, 5 AWS errors after retries, 6 records lost",
    "(trimmed before they were read; gap lines in the output), 130 Ctrl-C.",
    "tail is a stream reader: AWS recommends at most 2 readers per shard (1 for global tables), Lambda",
    "triggers included; its GetRecords calls are billed as stream read requests.",
  ].join("\n"),
  options: (cmd) =>
    cmd
      .option(
        "--from <position>",
        "where to start: latest (default), trim-horizon, an ISO-8601 time or a duration ago (15m, 2h)",
      )
      .option("--shard <id>", "read only this shard (repeatable)", collect)
      .option("--after-sequence <n>", "start after this sequence number (with one --shard)")
      .option("--at-sequence <n>", "start at this sequence number (with one --shard)")
      .option("--until-end", "exit 0 once every shard is read up to where it stood at start")
      .option("--count <n>", "exit 0 after n records")
      .option("--until <time>", "stop at this time (ISO-8601, or a duration ago)")
      .option("--idle-timeout <duration>", "exit 0 after this long without a record (30s, 5m)")
      .option("--checkpoint <file>", "save progress per shard to this file and resume from it")
      .option("--concurrency <n>", `most shard reads in flight (default ${DEFAULT_CONCURRENCY})`)
      .option(
        "--filter <pattern|@file>",
        "only records a Lambda filter pattern matches (repeatable: any)",
        collect,
      )
      .option("--full", "show whole items and values, never abbreviated (pretty output)")
      .option("--local-time", "show times in the local time zone (pretty output; default UTC)")
      .option("--input <file|->", "render records from a file or stdin instead of reading the stream")
      .option(
        "--kinesis [stream-name|arn]",
        "read the table's Kinesis Data Streams destination (or this Kinesis stream) instead of its DynamoDB stream",
      )
      .option("--dedupe", "drop records whose eventID this run already printed (Kinesis may deliver twice)"),
  run,
};
