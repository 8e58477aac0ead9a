/**
 * `dynastream tail <table|stream-arn>`: live stream records, unmarshalled, with diffs. Flags are
 * validated in core/tail-options, shards read by aws/tail/reader, lines built by render/tail-output;
 * this file wires them: backpressure-aware writes, the checkpoint, Ctrl-C and exit codes.
 */
import { readFile, stat } from "node:fs/promises";
import type { Context } from "../cli/context.js";
import { outputFormat } from "../cli/context.js";
import type { CommandSpec } from "../cli/program.js";
import { collect } from "../cli/program.js";
import { pipeClosed, whenAborted, writeOut } from "../cli/stdout.js";
import { formatDuration } from "../core/duration.js";
import type { InputRecord, StreamRecord } from "../core/record.js";
import { toLambdaRecord } from "../core/record.js";
import { CheckpointState, parseCheckpoint } from "../core/tail/checkpoint.js";
import type { StartRules } from "../core/tail/plan.js";
import { describePosition, skipBeforeFor, timestampPrecisionMs } from "../core/tail/plan.js";
import type { TailInput } from "../core/tail-options.js";
import { DEFAULT_CONCURRENCY, parseTailFlags } from "../core/tail-options.js";
import { DataLossError, InterruptedError, UsageError } from "../errors.js";
import { inputThreads, PARALLEL_MIN_BYTES, threadsSetting, workerScript } from "../io/input-threads.js";
import { sanitize } from "../render/sanitize.js";
import type { TailFormat, TailFormatter } from "../render/tail-output.js";
import {
  createInputRenderer,
  createTailFormatter,
  inputStreamArn,
  TAIL_FORMATS,
} from "../render/tail-output.js";

/** Saves the checkpoint at most every 200 ms (and once more at the end), one save at a time. */
const CHECKPOINT_INTERVAL_MS = 200;

/**
 * Output is written in pieces of about this many characters: few write calls, and no string so large
 * that V8 puts it straight into the old generation (a 2000-record batch is megabytes), where garbage
 * lingers until a full collection and peak memory grows with it.
 */
const WRITE_CHUNK_CHARS = 64 * 1024;

interface Matcher {
  match(rec: StreamRecord, streamArn: string | undefined): boolean;
}

async function loadFilters(ctx: Context, texts: string[]): Promise<Matcher | undefined> {
  if (texts.length === 0) return undefined;
  const patterns: string[] = [];
  for (const t of texts) {
    let text = t;
    if (t.startsWith("@")) {
      try {
        text = await readFile(t.slice(1), "utf8");
      } catch (e) {
        throw new UsageError(
          `cannot read --filter file ${t.slice(1)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
        );
      }
    }
    // A FilterCriteria document ({"Filters":[{"Pattern":"..."}]}, as the Lambda API shows it) gives its patterns.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const filters = (parsed as { Filters?: unknown } | undefined)?.Filters;
    if (
      Array.isArray(filters) &&
      filters.every((f) => typeof (f as { Pattern?: unknown })?.Pattern === "string")
    ) {
      for (const f of filters) patterns.push((f as { Pattern: string }).Pattern);
    } else {
      patterns.push(text);
    }
  }
  const { compileCriteria } = await import("../core/filter/index.js");
  const r = compileCriteria(patterns, { dialect: "lambda" });
  for (const w of r.ok ? r.criteria.warnings : r.warnings)
    ctx.out.warn(`--filter${w.filter !== undefined ? ` ${w.filter + 1}` : ""}: ${w.message}`);
  if (!r.ok) {
    const msgs = r.errors.map(
      (e) =>
        `${e.filter !== undefined ? `filter ${e.filter + 1}: ` : ""}${e.message}${e.path ? ` (at ${e.path})` : ""}`,
    );
    throw new UsageError(
      `invalid --filter: ${msgs.join("; ")}`,
      'a Lambda filter pattern, e.g. --filter \'{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":["shipped"]}}}}\'; check it with dynastream filter-test',
    );
  }
  const criteria = r.criteria;
  return {
    match: (rec, streamArn) =>
      criteria.match(toLambdaRecord(rec, streamArn === undefined ? {} : { streamArn })) >= 0,
  };
}

/** Periodic, atomic checkpoint saving. Errors of a background save surface at the next call. */
class CheckpointSaver {
  private lastSave = Number.NEGATIVE_INFINITY;
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;
  private error: unknown;
  constructor(
    private readonly ctx: Context,
    private readonly path: string,
    readonly state: CheckpointState,
    private readonly listed: () => ReadonlySet<string>,
  ) {}

  private save(): Promise<void> {
    this.chain = this.chain.then(async () => {
      if (!this.state.dirty) return;
      this.lastSave = this.ctx.now();
      const { writeCheckpointFile } = await import("../io/checkpoint-file.js");
      this.state.prune(this.listed());
      await writeCheckpointFile(this.path, this.state.take(this.ctx.now()));
    });
    return this.chain;
  }

  /** After records were written: save now, or soon (at most every 200 ms). */
  async afterWrite(): Promise<void> {
    if (this.error !== undefined) throw this.error;
    if (!this.state.dirty) return;
    const wait = this.lastSave + CHECKPOINT_INTERVAL_MS - this.ctx.now();
    if (wait <= 0) {
      await this.save();
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    this.ctx
      .sleep(wait)
      .then(() => this.save())
      .catch((e: unknown) => {
        if (!(e instanceof InterruptedError)) this.error = e;
      })
      .finally(() => {
        this.scheduled = false;
      });
  }

  /** The last save, at the end of the run (also after Ctrl-C). */
  async final(): Promise<void> {
    await this.chain.catch(() => undefined);
    if (this.error !== undefined) throw this.error;
    await this.save();
  }
}

/** Counts of a run, for the summary line. */
interface Tally {
  records: number;
  gaps: number;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

async function runInput(
  ctx: Context,
  input: TailInput,
  formatter: TailFormatter,
  format: TailFormat,
  matcher: Matcher | undefined,
): Promise<number> {
  const now = ctx.now();
  // Every record written: the input can be rendered in pieces (io/parallel-input.ts), whose renderer
  // has a fast path for the usual lines.
  const everyRecord = input.count === undefined && !matcher && !ctx.out.style.enabled;
  const pieces = {
    signal: ctx.signal,
    format,
    full: input.full,
    tz: input.tz,
    nowMs: now,
    write: (bytes: Uint8Array, written?: () => void) => writeOut(ctx, bytes, written),
  };
  // A large file: on several cores, or on this thread when threads would not pay (io/input-threads.ts)
  // or there are none (DYNASTREAM_INPUT_THREADS=0, one processor, running from source).
  if (input.input !== "-" && everyRecord) {
    const path = input.input as string;
    // The setting is checked (and a bad one warned about) on every run; the rest only for a large file.
    threadsSetting(ctx.env, (m) => ctx.out.warn(m));
    const size = await stat(path).then(
      (st) => (st.isFile() ? st.size : 0),
      () => 0,
    );
    if (size >= PARALLEL_MIN_BYTES) {
      const workerFile = workerScript("input-worker.cjs");
      const threads =
        workerFile === undefined ? 0 : await inputThreads(ctx.env, () => undefined, size, "tail");
      ctx.out.debug(
        `--input: ${size} bytes, rendered ${threads > 0 ? `by ${threads} worker threads` : "in pieces on the main thread"}`,
      );
      const { renderInputInParallel } = await import("../io/parallel-input.js");
      const outcome = await renderInputInParallel({ ...pieces, path, threads, workerFile });
      if (outcome.kind === "done") return inputEnd(ctx, outcome.records);
      // One JSON document over many lines: nothing was written; the sequential reader takes it.
      ctx.out.debug("--input: one JSON document over many lines: read as a whole");
    }
  }
  let stdin: AsyncIterable<Buffer | string> = ctx.stdin;
  // stdin: in pieces as it comes, on this thread.
  if (input.input === "-" && everyRecord) {
    const { renderStdinInPieces } = await import("../io/parallel-input.js");
    const outcome = await renderStdinInPieces({
      ...pieces,
      stdin,
      workerFile: workerScript("input-worker.cjs"),
    });
    if (outcome.kind === "done") return inputEnd(ctx, outcome.records);
    stdin = outcome.replay;
  }
  const { readInputBatches } = await import("../io/record-input.js");
  const source = input.input === "-" ? { stdin } : { path: input.input as string };
  let text = "";
  let records = 0;
  formatter.setNow(now);
  const render = createInputRenderer(formatter);
  try {
    outer: for await (const batch of readInputBatches(source)) {
      for (let i = 0; i < batch.length; i++) {
        if (ctx.signal.aborted) break outer;
        const r = batch[i] as InputRecord;
        if (matcher && !matcher.match(r.record, inputStreamArn(r))) continue;
        text += render(r);
        records++;
        if (text.length >= WRITE_CHUNK_CHARS) {
          await writeOut(ctx, text);
          text = "";
        }
        if (input.count !== undefined && records >= input.count) break outer;
      }
      // Written batch by batch (a batch ends where a read of the input ends): from a live pipe,
      // each record shows as its line comes.
      if (text !== "") {
        await writeOut(ctx, text);
        text = "";
      }
    }
  } catch (e) {
    // A bad line: the records before it are written, then the error (as the parallel path does).
    if (!ctx.signal.aborted) await writeOut(ctx, text);
    throw e;
  }
  await writeOut(ctx, text);
  return inputEnd(ctx, records);
}

/** How a `tail --input` run ends: 0, or interrupted (closed stdout is 0 too). */
function inputEnd(ctx: Context, records: number): number {
  if (ctx.signal.aborted) {
    if (pipeClosed(ctx)) return 0;
    throw new InterruptedError(`tail stopped: ${plural(records, "record")}`);
  }
  return 0;
}

/** Where each shard starts: from the checkpoint when it exists, else from --from / --after-sequence. */
async function planStart(
  ctx: Context,
  input: TailInput,
  streamArn: string,
  startedAt: number,
): Promise<{
  rules: StartRules;
  saver: CheckpointSaver | undefined;
  resumed: boolean;
  listed: () => ReadonlySet<string>;
}> {
  const precision = timestampPrecisionMs(streamArn);
  const fromRules = (): StartRules => {
    if (input.sequence) {
      return {
        mode: "trim-horizon",
        explicit: new Map([[(input.shards as string[])[0] as string, input.sequence]]),
      };
    }
    switch (input.from.kind) {
      case "latest":
        return { mode: "latest" };
      case "trim-horizon":
        return { mode: "trim-horizon" };
      case "time":
        return { mode: "trim-horizon", skipBeforeMs: skipBeforeFor(input.from.ms, precision) };
    }
  };
  const plan = {
    rules: fromRules(),
    saver: undefined as CheckpointSaver | undefined,
    resumed: false,
    listed: (): ReadonlySet<string> => new Set(),
  };
  if (input.checkpoint === undefined) return plan;
  const { readCheckpointFile } = await import("../io/checkpoint-file.js");
  const text = await readCheckpointFile(input.checkpoint);
  const parsed = text === undefined ? undefined : parseCheckpoint(text, streamArn);
  if (parsed && !parsed.ok) {
    throw new UsageError(
      `invalid checkpoint file ${input.checkpoint}: ${parsed.error}`,
      parsed.wrongStream !== undefined
        ? "a checkpoint belongs to one stream (a re-enabled stream has a new ARN): use another file, or delete this one to start over"
        : "fix it, or delete it to start over",
    );
  }
  let state: CheckpointState;
  if (parsed && "data" in parsed) {
    state = new CheckpointState(parsed.data);
    const { explicit, done } = state.startPositions();
    plan.rules = { mode: "trim-horizon", explicit, done, skipBeforeMs: state.skipBeforeMs };
    plan.resumed = true;
    if (input.fromGiven)
      ctx.out.info(`resuming from ${input.checkpoint}: --from applies only to a new checkpoint`);
  } else {
    // Shards a restart finds without an entry skip what is older than this run's start point.
    const skip = input.from.kind === "latest" ? skipBeforeFor(startedAt, precision) : plan.rules.skipBeforeMs;
    state = CheckpointState.create(streamArn, skip, startedAt);
  }
  plan.saver = new CheckpointSaver(ctx, input.checkpoint, state, () => plan.listed());
  return plan;
}

async function runStream(
  ctx: Context,
  input: TailInput,
  formatter: TailFormatter,
  format: TailFormat,
  matcher: Matcher | undefined,
): Promise<number> {
  const aws = await ctx.aws();
  const { resolveStream } = await import("../aws/streams.js");
  const { openTailReader } = await import("../aws/tail/reader.js");
  const resolved = await resolveStream(aws, input.target as string);
  const streamArn = resolved.streamArn;
  const table = resolved.tableName;
  const startedAt = ctx.now();

  if ((resolved.table?.Replicas?.length ?? 0) > 0) {
    ctx.out.warn(
      `${table} is a global table: replication already reads its stream, and AWS recommends at most one other reader per shard; tail is one`,
    );
  }

  const plan = await planStart(ctx, input, streamArn, startedAt);
  const { rules, saver, resumed } = plan;

  const bounds = {
    snapshotMs: input.untilEnd ? startedAt : undefined,
    untilMs: input.untilMs,
  };
  const reader = await openTailReader(aws, {
    streamArn,
    rules,
    only: input.shards ? new Set(input.shards) : undefined,
    bounds,
    concurrency: input.concurrency,
    idleTimeoutMs: input.idleTimeoutMs,
    warn: (m) => ctx.out.warn(m),
    debug: (m) => ctx.out.debug(m),
  });
  plan.listed = () => reader.listedShardIds();
  if (saver && !resumed) {
    // Save the new checkpoint at once: a restart must know where this run started (skipBefore),
    // even if no record was written. Shards skipped (closed at a LATEST start) count as done.
    for (const id of reader.start.skipped) saver.state.markDone(id);
    saver.state.touch();
    await saver.afterWrite();
  }

  const status = reader.start.streamStatus;
  if (resolved.enabled === false || status === "DISABLED" || status === "DISABLING") {
    ctx.out.warn(
      `the stream of ${table} is ${status ?? "DISABLED"}: its records stay readable for 24 h after it was disabled; tail ends once they are read`,
    );
  }

  // ---- the start message, once LATEST iterators are in place (a readiness signal for scripts) ----
  await Promise.race([reader.ready, whenAborted(ctx.signal)]);
  const st = reader.start;
  let where: string;
  if (resumed) where = `checkpoint ${input.checkpoint}`;
  else if (input.sequence) where = `${describePosition(input.sequence)} in shard ${input.shards?.[0]}`;
  else if (input.from.kind === "time") {
    where = `${new Date(input.from.ms).toISOString()} (reading from TRIM_HORIZON, skipping older records)`;
  } else where = input.from.kind === "latest" ? "LATEST" : "TRIM_HORIZON";
  const shardText =
    st.openToRead === st.toRead && st.toRead > 0
      ? plural(st.toRead, "open shard")
      : `${plural(st.toRead, "shard")}, ${st.openToRead} open`;
  const bound = input.untilEnd
    ? " until caught up"
    : input.untilMs !== undefined
      ? ` until ${new Date(input.untilMs).toISOString()}`
      : "";
  const stop = input.untilEnd || input.count !== undefined ? "" : " — Ctrl-C to stop";
  ctx.out.info(sanitize(`tailing ${table} (${shardText}) from ${where}${bound}${stop}`));
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
          const seq = ev.record.dynamodb?.SequenceNumber;
          if (!matcher || matcher.match(ev.record, streamArn)) {
            text += formatter.record(ev.record, { streamArn, shardId: ev.shardId, table });
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

async function run(ctx: Context, [target]: string[], opts: Record<string, unknown>): Promise<number> {
  const input = parseTailFlags(target, opts, ctx.now());
  const format = outputFormat(ctx.globals, TAIL_FORMATS, ctx.out.stdoutIsTTY, "json");
  const formatter = createTailFormatter(format, { style: ctx.out.style, full: input.full, tz: input.tz });
  const matcher = await loadFilters(ctx, input.filters);
  if (input.input !== undefined) return runInput(ctx, input, formatter, format, matcher);
  return runStream(ctx, input, formatter, format, matcher);
}

export const tailCommand: CommandSpec = {
  name: "tail",
  summary: "print stream records as they happen: unmarshalled, with old → new diffs",
  args: ["[table|stream-arn]"],
  examples: [
    "dynastream tail Orders",
    "dynastream tail Orders --from 15m --until-end --json | jq .",
    "dynastream tail Orders --from trim-horizon --checkpoint orders.ckpt",
    'dynastream tail Orders --filter \'{"eventName":["REMOVE"]}\'',
    "dynastream tail --input event.json",
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
      .option("--input <file|->", "render records from a file or stdin instead of reading the stream"),
  run,
};
