import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { isValidTableName, parseStreamArn, TABLE_NAME_HINT } from "../core/arn.js";
import { type Precision, parsePrecision } from "../core/kinesis-destination.js";
import { parseViewType, VIEW_TYPES, type ViewType } from "../core/view-type.js";
import { UsageError } from "../errors.js";
import { renderKinesisControl } from "../render/describe.js";
import { sanitize } from "../render/sanitize.js";

export interface EnableInput {
  table: string;
  /** `--kinesis <stream>`: the Kinesis destination instead of the DynamoDB stream. */
  kinesis?: { stream: string; precision: Precision | undefined };
  viewType: ViewType;
  wait: boolean;
  replace: boolean;
  yes: boolean;
}

/** Parses the flags of `enable` into a typed input. */
export function parseEnableInput(target: string, opts: Record<string, unknown>): EnableInput {
  const kinesis = parseKinesisFlags(opts);
  const raw = (opts.viewType as string | undefined) ?? "NEW_AND_OLD_IMAGES";
  const viewType = parseViewType(raw);
  if (!viewType) {
    throw new UsageError(
      `invalid view type "${raw}"`,
      `valid view types: ${VIEW_TYPES.join(", ")} (or keys-only, new, old, new-and-old)`,
    );
  }
  const table = target.startsWith("arn:") ? parseStreamArn(target)?.tableName : target;
  if (!table) throw new UsageError(`malformed stream ARN "${target}"`, "pass a table name or a stream ARN");
  if (!isValidTableName(table)) throw new UsageError(`invalid table name "${table}"`, TABLE_NAME_HINT);
  return {
    table,
    ...(kinesis ? { kinesis } : {}),
    viewType,
    wait: opts.wait === true,
    replace: opts.replace === true,
    yes: opts.yes === true,
  };
}

/**
 * `--kinesis`/`--precision`: the destination and its record times' precision. The DynamoDB stream's
 * own flags (--view-type, --replace, --yes) mean nothing for a destination: exit 2 with them.
 */
function parseKinesisFlags(opts: Record<string, unknown>): EnableInput["kinesis"] {
  const raw = opts.precision as string | undefined;
  if (typeof opts.kinesis !== "string") {
    if (raw !== undefined) {
      throw new UsageError("--precision applies to a Kinesis destination", "add --kinesis <stream-name|arn>");
    }
    return undefined;
  }
  for (const [flag, key] of [
    ["--view-type", "viewType"],
    ["--replace", "replace"],
    ["--yes", "yes"],
  ] as const) {
    if (opts[key] !== undefined) {
      throw new UsageError(
        `${flag} applies to the table's DynamoDB stream, not to a Kinesis destination`,
        "enable the DynamoDB stream and the Kinesis destination in two commands",
      );
    }
  }
  let precision: Precision | undefined;
  if (raw !== undefined) {
    precision = parsePrecision(raw);
    if (!precision) {
      throw new UsageError(`invalid --precision "${raw}"`, "valid precisions: microsecond, millisecond");
    }
  }
  return { stream: opts.kinesis, precision };
}

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const input = parseEnableInput(target as string, opts);
  const aws = await ctx.aws();
  const ui = {
    info: (m: string) => ctx.out.info(m),
    warn: (m: string) => ctx.out.warn(m),
    confirm: (q: string) => ctx.confirm(q),
    interactive: ctx.interactive,
  };
  if (input.kinesis) {
    const { enableKinesis } = await import("../aws/kinesis-destination.js");
    const r = await enableKinesis(
      aws,
      {
        table: input.table,
        kinesis: input.kinesis.stream,
        precision: input.kinesis.precision,
        wait: input.wait,
      },
      ui,
    );
    if (format === "json") ctx.out.jsonLine(r);
    else for (const l of renderKinesisControl(r, "enable", ctx.out.style)) ctx.out.line(l);
    return 0;
  }
  const { enableStream } = await import("../aws/stream-control.js");
  const result = await enableStream(aws, input, ui);
  if (format === "json") {
    ctx.out.jsonLine(result);
  } else {
    const s = ctx.out.style;
    const verb = result.changed ? (result.replacedStreamArn ? "replaced" : "enabled") : "already enabled";
    ctx.out.line(`${s.green(verb)}: ${sanitize(result.table)} stream ${result.viewType} (${result.status})`);
    ctx.out.line(`stream ARN:   ${sanitize(result.streamArn)}`);
    ctx.out.line(`stream label: ${sanitize(result.streamLabel)}`);
    if (result.replacedStreamArn)
      ctx.out.line(`old stream:   ${sanitize(result.replacedStreamArn)} (readable for 24 h)`);
  }
  return 0;
}

export const command: CommandSpec = {
  examples: [
    "dynastream enable Orders                          # NEW_AND_OLD_IMAGES",
    "dynastream enable Orders --view-type keys-only --wait",
    "dynastream enable Orders --view-type new --replace --yes   # change the view type (new stream ARN)",
    "dynastream enable Orders --kinesis orders-cdc --precision microsecond --wait   # the Kinesis destination",
  ],
  options: (cmd) =>
    cmd
      .option(
        "--view-type <type>",
        "KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES (also keys-only, new, old, new-and-old)",
      )
      .option("--wait", "wait until the stream is ENABLED")
      .option(
        "--replace",
        "if a stream with another view type exists: disable it and enable a new one (asks first)",
      )
      .option("-y, --yes", "with --replace: do not ask for confirmation")
      .option(
        "--kinesis <stream-name|arn>",
        "enable the table's Kinesis Data Streams destination instead (EnableKinesisStreamingDestination)",
      )
      .option(
        "--precision <precision>",
        "with --kinesis: microsecond or millisecond record times (default millisecond; changes an active destination's)",
      ),
  notes:
    "A stream's view type cannot change in place: --replace disables the current stream (irreversible for its ARN;\nits records stay readable for 24 h) and enables a new one with a new ARN.\n--kinesis replicates every change into a Kinesis data stream (kept up to 365 days); --wait waits for ACTIVE\n(ENABLE_FAILED is exit 5 with AWS's reason).",
  run,
};
