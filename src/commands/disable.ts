import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { isValidTableName, parseStreamArn, TABLE_NAME_HINT } from "../core/arn.js";
import { UsageError } from "../errors.js";
import { renderKinesisControl } from "../render/describe.js";
import { sanitize } from "../render/sanitize.js";

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const t = target as string;
  const table = t.startsWith("arn:") ? parseStreamArn(t)?.tableName : t;
  if (!table) throw new UsageError(`malformed stream ARN "${t}"`, "pass a table name or a stream ARN");
  if (!isValidTableName(table)) throw new UsageError(`invalid table name "${table}"`, TABLE_NAME_HINT);
  if (typeof opts.kinesis === "string")
    return disableKinesisDestination(ctx, table, opts.kinesis, opts, format);
  if (opts.yes !== true && !ctx.interactive) {
    throw new UsageError(
      "disable needs confirmation: it is irreversible for this stream ARN",
      `pass --yes to confirm: dynastream disable ${table} --yes`,
    );
  }
  const aws = await ctx.aws();
  const { disableStream } = await import("../aws/stream-control.js");
  const { consumerNames } = await import("../aws/consumers.js");
  const result = await disableStream(
    aws,
    { table, yes: opts.yes === true, wait: opts.wait === true },
    {
      info: (m) => ctx.out.info(m),
      warn: (m) => ctx.out.warn(m),
      confirm: (q) => ctx.confirm(q),
      interactive: ctx.interactive,
    },
    (arn) => consumerNames(aws, arn, ctx.env),
  );
  if (format === "json") ctx.out.jsonLine(result);
  else if (result.changed) {
    ctx.out.line(
      `${ctx.out.style.red("disabled")}: ${sanitize(table)} stream ${sanitize(result.streamArn ?? "")} (${result.status})`,
    );
  } else {
    ctx.out.line(`unchanged: ${sanitize(table)} has no enabled stream`);
  }
  return 0;
}

/** `disable <table> --kinesis <stream>`: guarded like the DynamoDB stream's disable. */
async function disableKinesisDestination(
  ctx: Context,
  table: string,
  stream: string,
  opts: Record<string, unknown>,
  format: string,
): Promise<number> {
  if (opts.yes !== true && !ctx.interactive) {
    throw new UsageError(
      "disable needs confirmation: changes made while the destination is off are never replicated",
      `pass --yes to confirm: dynastream disable ${table} --kinesis ${stream} --yes`,
    );
  }
  const aws = await ctx.aws();
  const { disableKinesis } = await import("../aws/kinesis-destination.js");
  const r = await disableKinesis(
    aws,
    { table, kinesis: stream, yes: opts.yes === true, wait: opts.wait === true },
    {
      info: (m) => ctx.out.info(m),
      warn: (m) => ctx.out.warn(m),
      confirm: (q) => ctx.confirm(q),
      interactive: ctx.interactive,
    },
  );
  if (format === "json") ctx.out.jsonLine(r);
  else for (const l of renderKinesisControl(r, "disable", ctx.out.style)) ctx.out.line(l);
  return 0;
}

export const command: CommandSpec = {
  examples: [
    "dynastream disable Orders            # asks for confirmation",
    "dynastream disable Orders --yes --wait",
    "dynastream disable Orders --kinesis orders-cdc --yes   # stop the Kinesis destination",
  ],
  options: (cmd) =>
    cmd
      .option("-y, --yes", "do not ask for confirmation (required when not on a terminal)")
      .option("--wait", "wait until the stream is DISABLED")
      .option(
        "--kinesis <stream-name|arn>",
        "disable the table's Kinesis Data Streams destination to this stream instead",
      ),
  notes:
    "Disabling closes the stream for good: its records stay readable for 24 h, and enabling again creates a new\nstream with a new ARN. Lambda event source mappings on the old stream stop receiving records.",
  run,
};
