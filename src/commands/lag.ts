import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import { type CommandSpec, collect } from "../cli/program.js";
import { isValidTableName, looksLikeKinesisArn } from "../core/arn.js";
import { formatDuration, parseDuration } from "../core/duration.js";
import { type LagThresholds, lagExitCode } from "../core/lag/verdict.js";
import { AwsError, UsageError } from "../errors.js";

/** The validated flags of `lag`. */
export interface LagInput {
  target: string;
  functions: string[];
  allStreams: boolean;
  sinceMs: number;
  periodSeconds: number;
  thresholds: LagThresholds;
  kclTables: string[];
  watch: boolean;
  intervalMs: number;
}

const DURATION_HINT = "durations look like 30s, 15m, 2h or 1h30m (a bare number is seconds)";
const DAY = 86_400_000;

function duration(flag: string, raw: unknown, fallback: string): number {
  const text = typeof raw === "string" ? raw : fallback;
  const ms = parseDuration(text);
  if (ms === undefined) throw new UsageError(`invalid ${flag} "${text}"`, DURATION_HINT);
  return ms;
}

function list(raw: unknown): string[] {
  return Array.isArray(raw) ? raw.filter((x): x is string => typeof x === "string") : [];
}

/** Parses and validates the flags of `lag` (every mistake is a usage error, exit 2, with a hint). */
export function parseLagInput(target: string, opts: Record<string, unknown>): LagInput {
  const sinceMs = duration("--since", opts.since, "15m");
  const periodMs = duration("--period", opts.period, "60s");
  const warnMs = duration("--warn", opts.warn, "1m");
  const failMs = duration("--fail", opts.fail, "10m");
  if (periodMs < 60_000 || periodMs % 60_000 !== 0) {
    throw new UsageError(
      `invalid --period "${String(opts.period)}": Lambda metrics have 1-minute resolution`,
      "use 60s or a multiple of it, e.g. --period 5m",
    );
  }
  if (sinceMs < periodMs) {
    throw new UsageError(
      `--since ${formatDuration(sinceMs)} is shorter than one --period (${formatDuration(periodMs)})`,
      "widen the window or shorten the period",
    );
  }
  if (sinceMs > 455 * DAY) {
    throw new UsageError(
      "--since is over CloudWatch's 455-day retention",
      "use a shorter window, e.g. --since 1h",
    );
  }
  if (sinceMs > 63 * DAY && periodMs % 3_600_000 !== 0) {
    throw new UsageError(
      "windows over 63 days need --period 1h or a multiple of it (CloudWatch keeps 5-minute data 63 days)",
      "pass --period 1h",
    );
  }
  if (sinceMs > 15 * DAY && periodMs % 300_000 !== 0) {
    throw new UsageError(
      "windows over 15 days need --period 5m or a multiple of it (CloudWatch keeps 1-minute data 15 days)",
      "pass --period 5m",
    );
  }
  if (warnMs > failMs) {
    throw new UsageError(
      `--warn ${formatDuration(warnMs)} is over --fail ${formatDuration(failMs)}`,
      "the warn threshold must not exceed the fail threshold",
    );
  }
  const watch = opts.watch === true;
  if (opts.interval !== undefined && !watch) {
    throw new UsageError(
      "--interval needs --watch",
      `dynastream lag ${target} --watch --interval ${String(opts.interval)}`,
    );
  }
  const intervalMs = duration("--interval", opts.interval, "30s");
  if (intervalMs < 1000) {
    throw new UsageError(
      `--interval ${formatDuration(intervalMs)} is too short`,
      "refresh at most once a second, e.g. --interval 30s",
    );
  }
  const functions = list(opts.function);
  for (const f of functions) {
    if (!/^[A-Za-z0-9_:.$-]{1,170}$/.test(f)) {
      throw new UsageError(
        `invalid --function "${f}"`,
        "pass a function name, name:alias, or a function ARN",
      );
    }
  }
  const kclTables = list(opts.kclTable);
  for (const t of kclTables) {
    if (!isValidTableName(t)) {
      throw new UsageError(
        `invalid --kcl-table "${t}"`,
        "lease table names are 3 to 255 characters of letters, digits, '_', '-' and '.'",
      );
    }
  }
  // A Kinesis stream alone has no older streams (its KCL lease tables are read like a table's).
  if (looksLikeKinesisArn(target) && opts.allStreams === true) {
    throw new UsageError(
      "--all-streams covers a table's DynamoDB streams, not a Kinesis stream",
      `dynastream lag ${target}`,
    );
  }
  return {
    target,
    functions: [...new Set(functions)],
    allStreams: opts.allStreams === true,
    sinceMs,
    periodSeconds: periodMs / 1000,
    thresholds: { warnMs, failMs, failOnNoData: opts.failOnNoData === true },
    kclTables: [...new Set(kclTables)],
    watch,
    intervalMs,
  };
}

/** Clears a terminal screen and puts the cursor at the top left (for `--watch` on a TTY). */
const CLEAR = "\u001b[H\u001b[2J";

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const input = parseLagInput(target as string, opts);
  const aws = await ctx.aws();
  const { collectLag } = await import("../aws/lag/collect.js");
  const { newLagSession } = await import("../aws/lag/session.js");
  const { lagJson, renderLag } = await import("../render/lag.js");
  const session = newLagSession();
  const request = { ...input, env: ctx.env };
  const shownNotes = new Set<string>();
  const showNotes = (notes: string[]): void => {
    for (const n of notes) {
      if (shownNotes.has(n)) continue;
      shownNotes.add(n);
      ctx.out.info(n);
    }
  };

  if (!input.watch) {
    const notes: string[] = [];
    const report = await collectLag(aws, request, session, notes);
    showNotes(notes);
    if (format === "json") ctx.out.jsonLine(lagJson(report));
    else ctx.out.line(renderLag(report, ctx.out.style));
    return lagExitCode(report.status);
  }

  // --watch: refresh until Ctrl-C (the sleep rejects with InterruptedError: exit 130). A refresh
  // that fails on AWS (throttling, network) is reported and retried at the next tick.
  const inPlace = format === "pretty" && ctx.out.stdoutIsTTY;
  for (let n = 0; ; n++) {
    const notes: string[] = [];
    try {
      const report = await collectLag(aws, request, session, notes);
      showNotes(notes);
      if (format === "json") {
        ctx.out.jsonLine(lagJson(report));
      } else {
        const text = renderLag(report, ctx.out.style);
        const footer = ctx.out.style.gray(
          `refreshed ${new Date(ctx.now()).toISOString()} · every ${formatDuration(input.intervalMs)} · Ctrl-C to stop`,
        );
        if (inPlace) ctx.out.write(`${CLEAR}${text}\n\n${footer}\n`);
        else ctx.out.line(`${n > 0 ? "\n" : ""}${text}\n${footer}`);
      }
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      ctx.out.warn(`refresh failed, retrying in ${formatDuration(input.intervalMs)}: ${e.message}`);
    }
    await ctx.out.drain();
    await ctx.sleep(input.intervalMs);
  }
}

export const command: CommandSpec = {
  examples: [
    "dynastream lag Orders",
    "dynastream lag Orders --fail 5m --json        # CI: exit 1 when a consumer fails",
    "dynastream lag Orders --function orders-indexer --since 1h",
    "dynastream lag Orders --kcl-table orders-kcl-app",
    "dynastream lag Orders --watch --interval 15s",
    "dynastream lag arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc   # a Kinesis stream alone",
    "dynastream lag arn:aws:kinesis:us-east-1:123456789012:stream/orders-cdc --kcl-table orders-kcl-app",
  ],
  options: (cmd) =>
    cmd
      .option(
        "--function <name>",
        "only this function's mappings (repeatable): name, name:alias or ARN",
        collect,
      )
      .option("--all-streams", "also cover the table's older streams that are still readable")
      .option("--since <duration>", "metrics window, back from now", "15m")
      .option("--period <duration>", "CloudWatch period: 60s or a multiple", "60s")
      .option("--warn <duration>", "warn when the latest age is over this", "1m")
      .option("--fail <duration>", "fail when the latest age is over this", "10m")
      .option("--fail-on-no-data", "a consumer without data fails too (exit 1)")
      .option("--kcl-table <table>", "a KCL application's lease table to read (repeatable)", collect)
      .option("--watch", "refresh until Ctrl-C (in place on a terminal)")
      .option("--interval <duration>", "refresh interval of --watch (default 30s)"),
  notes: [
    "Verdicts: ok · warn (latest age over --warn, or the age rose across the whole window) · fail (over --fail,",
    "within 25% of the 24 h retention, mapping not Enabled, LastProcessingResult reports a problem, KCL records",
    "lost) · no-data (an idle mapping publishes no IteratorAge). Exit 1 when a consumer fails, else 0.",
    "Lambda: one ListEventSourceMappings listing and ONE CloudWatch GetMetricData call for all consumers.",
    "KCL: each shard is probed once (GetShardIterator + GetRecords, billed reads), sequentially; on a Kinesis",
    "stream a shard's lag is the larger of GetRecords' MillisBehindLatest and the first unread record's age.",
  ].join("\n"),
  run,
};
