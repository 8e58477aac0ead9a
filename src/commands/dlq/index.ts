/**
 * `dynastream dlq [table|stream-arn]`: the records behind a Lambda mapping's failed batches. Reads the
 * on-failure records of a queue, an S3 prefix, a file, or a table's mappings' destinations (./sources),
 * fetches each failed batch's records from the stream and writes them as `tail` does (./run), and with
 * `--redrive` delivers them again through invoke's delivery core (./redrive). Flags are parsed in ./options.
 */
import type { Context } from "../../cli/context.js";
import { outputFormat } from "../../cli/context.js";
import type { CommandSpec } from "../../cli/program.js";
import { parseDlqFlags } from "./options.js";
import { DLQ_FORMATS, runDlq } from "./run.js";

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const input = parseDlqFlags(target, opts);
  const format = outputFormat(ctx.globals, DLQ_FORMATS, ctx.out.stdoutIsTTY, "json");
  return runDlq(ctx, input, format);
}

export const command: CommandSpec = {
  examples: [
    "dynastream dlq Orders                          # the on-failure destinations of every mapping on Orders' stream",
    "dynastream dlq --function order-handler        # that function's mappings",
    "dynastream dlq --queue orders-dlq --json > failed.ndjson",
    "dynastream dlq --s3 s3://my-bucket/aws/lambda/",
    "dynastream dlq --input messages.json          # saved on-failure records, receive-message output, SNS notifications",
    "dynastream dlq --queue orders-dlq --redrive --handler ./fixed-handler.mjs",
    "dynastream dlq Orders --redrive --yes --delete # deliver each batch to its function again; delete what succeeded",
  ],
  notes: [
    "Lambda's SQS/SNS on-failure records name a failed batch (shard, first and last sequence numbers) but do",
    "not hold its records: dlq reads them back from the stream, where they stay 24 hours. S3 on-failure",
    "objects carry the records. Messages read from a queue are made visible again at once unless --delete.",
    "Output: pretty on a terminal, NDJSON otherwise: a failure line per batch, then its records as tail --output",
    "json writes them (with the batch's id), so the output feeds tail --input, filter-test --records and",
    "invoke --input.",
    "--redrive delivers each batch again as invoke does (the failed mapping's settings, Lambda's retries,",
    "bisection and partial-batch responses): to the function that failed or --function (production code: asks",
    "on a terminal, needs --yes elsewhere), or to a local --handler. With --delete only the messages of batches",
    "redriven completely are deleted.",
    "Exit codes: 0 done, 1 a redriven batch failed again, 2 bad flags or a message that is not an on-failure",
    "record, 3 queue, bucket, prefix, function or destination not found, 4 access denied, 5 AWS errors, 6 a",
    "batch's records expired, 130 Ctrl-C.",
  ].join("\n"),
  options: (cmd) =>
    cmd
      .option(
        "--function <name>",
        "the function's mappings (with --queue/--s3/--input: only its failures; with --redrive: redrive to it)",
      )
      .option("--queue <name|url|arn>", "read this SQS queue")
      .option("--s3 <s3://bucket/prefix>", "read the S3 on-failure objects under this prefix")
      .option("--input <file|->", "read saved messages from a file or stdin")
      .option("--summary", "one line per failed batch, without its records")
      .option(
        "--redrive",
        "deliver each batch to its function again (the deployed one asks first; writes/runs production code)",
      )
      .option("--handler <file[:export]>", "with --redrive: deliver to this local handler instead")
      .option(
        "--delete",
        "delete each message whose batch's records were written, or with --redrive redriven (asks first)",
      )
      .option(
        "-y, --yes",
        "do not ask before deleting or invoking the deployed function (required off a terminal)",
      )
      .option("--full", "show whole items and values, never abbreviated (pretty output)")
      .option("--local-time", "show times in the local time zone (pretty output; default UTC)"),
  run,
};
