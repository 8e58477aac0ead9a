import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { isValidTableName, parseStreamArn, TABLE_NAME_HINT } from "../core/arn.js";
import { parseViewType, VIEW_TYPES, type ViewType } from "../core/view-type.js";
import { UsageError } from "../errors.js";
import { sanitize } from "../render/sanitize.js";

export interface EnableInput {
  table: string;
  viewType: ViewType;
  wait: boolean;
  replace: boolean;
  yes: boolean;
}

/** Parses the flags of `enable` into a typed input. */
export function parseEnableInput(target: string, opts: Record<string, unknown>): EnableInput {
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
    viewType,
    wait: opts.wait === true,
    replace: opts.replace === true,
    yes: opts.yes === true,
  };
}

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const input = parseEnableInput(target as string, opts);
  const aws = await ctx.aws();
  const { enableStream } = await import("../aws/stream-control.js");
  const result = await enableStream(aws, input, {
    info: (m) => ctx.out.info(m),
    warn: (m) => ctx.out.warn(m),
    confirm: (q) => ctx.confirm(q),
    interactive: ctx.interactive,
  });
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
      .option("-y, --yes", "with --replace: do not ask for confirmation"),
  notes:
    "A stream's view type cannot change in place: --replace disables the current stream (irreversible for its ARN;\nits records stay readable for 24 h) and enables a new one with a new ARN.",
  run,
};
