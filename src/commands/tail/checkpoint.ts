/**
 * `tail --checkpoint`: where each shard starts (from the checkpoint file when it exists, else from
 * `--from` / `--after-sequence`), and the periodic, atomic saving of progress.
 */
import type { AwsRun } from "../../aws/streams.js";
import type { TailReader } from "../../aws/tail/reader.js";
import type { Context } from "../../cli/context.js";
import { CheckpointState, parseCheckpoint } from "../../core/tail/checkpoint.js";
import type { StartRules } from "../../core/tail/plan.js";
import { describePosition, skipBeforeFor, timestampPrecisionMs } from "../../core/tail/plan.js";
import { InterruptedError, UsageError } from "../../errors.js";
import type { TailInput } from "./options.js";

/** Saves the checkpoint at most every 200 ms (and once more at the end), one save at a time. */
const CHECKPOINT_INTERVAL_MS = 200;

/** Periodic, atomic checkpoint saving. Errors of a background save surface at the next call. */
export class CheckpointSaver {
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
      const { writeCheckpointFile } = await import("../../io/checkpoint-file.js");
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

/** Where each shard starts: from the checkpoint when it exists, else from --from / --after-sequence. */
export async function planStart(
  ctx: Context,
  input: TailInput,
  streamArn: string,
  startedAt: number,
  kinesis = false,
): Promise<{
  rules: StartRules;
  saver: CheckpointSaver | undefined;
  resumed: boolean;
  listed: () => ReadonlySet<string>;
}> {
  // Kinesis seeks by time (AT_TIMESTAMP, on arrival times in milliseconds); DynamoDB Streams reads
  // from TRIM_HORIZON and skips older records, whose times are rounded down.
  const precision = kinesis ? 1000 : timestampPrecisionMs(streamArn);
  const startAt = (ms: number | undefined): Partial<StartRules> =>
    ms === undefined ? {} : kinesis ? { atTimestampMs: ms } : { skipBeforeMs: ms };
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
        return kinesis
          ? { mode: "trim-horizon", atTimestampMs: input.from.ms }
          : { mode: "trim-horizon", skipBeforeMs: skipBeforeFor(input.from.ms, precision) };
    }
  };
  const plan = {
    rules: fromRules(),
    saver: undefined as CheckpointSaver | undefined,
    resumed: false,
    listed: (): ReadonlySet<string> => new Set(),
  };
  if (input.checkpoint === undefined) return plan;
  const { readCheckpointFile } = await import("../../io/checkpoint-file.js");
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
    plan.rules = { mode: "trim-horizon", explicit, done, ...startAt(state.skipBeforeMs) };
    plan.resumed = true;
    if (input.fromGiven)
      ctx.out.info(`resuming from ${input.checkpoint}: --from applies only to a new checkpoint`);
  } else {
    // Shards a restart finds without an entry skip what is older than this run's start point.
    const skip =
      input.from.kind === "latest"
        ? skipBeforeFor(startedAt, precision)
        : (plan.rules.skipBeforeMs ?? plan.rules.atTimestampMs);
    state = CheckpointState.create(streamArn, skip, startedAt);
  }
  plan.saver = new CheckpointSaver(ctx, input.checkpoint, state, () => plan.listed());
  return plan;
}

/**
 * A live run's reader (`tail`, `invoke`), opened at the planned start: the checkpoint when it
 * exists, else `--from` / `--after-sequence`. A new checkpoint is saved at once, so that a restart
 * knows where this run started (skipBefore) even if no record was written; shards skipped (closed at
 * a LATEST start) count as done.
 */
export async function openLiveReader(
  ctx: Context,
  run: AwsRun,
  input: TailInput,
  streamArn: string,
  kinesis = false,
): Promise<{ reader: TailReader; saver: CheckpointSaver | undefined; resumed: boolean; startedAt: number }> {
  const { openTailReader, openKinesisTailReader } = await import("../../aws/tail/reader.js");
  const startedAt = ctx.now();
  const plan = await planStart(ctx, input, streamArn, startedAt, kinesis);
  const { rules, saver, resumed } = plan;
  const reader = await (kinesis ? openKinesisTailReader : openTailReader)(run, {
    streamArn,
    rules,
    only: input.shards ? new Set(input.shards) : undefined,
    bounds: { snapshotMs: input.untilEnd ? startedAt : undefined, untilMs: input.untilMs },
    concurrency: input.concurrency,
    idleTimeoutMs: input.idleTimeoutMs,
    warn: (m) => ctx.out.warn(m),
    debug: (m) => ctx.out.debug(m),
  });
  plan.listed = () => reader.listedShardIds();
  if (saver && !resumed) {
    for (const id of reader.start.skipped) saver.state.markDone(id);
    saver.state.touch();
    await saver.afterWrite();
  }
  return { reader, saver, resumed, startedAt };
}

/** Where a live run starts and how it ends, for its first line: `from <where><bound><stop>`. */
export function describeRun(input: TailInput, resumed: boolean, kinesis = false): string {
  let where: string;
  if (resumed) where = `checkpoint ${input.checkpoint}`;
  else if (input.sequence) where = `${describePosition(input.sequence)} in shard ${input.shards?.[0]}`;
  else if (input.from.kind === "time") {
    where = kinesis
      ? `${new Date(input.from.ms).toISOString()} (AT_TIMESTAMP)`
      : `${new Date(input.from.ms).toISOString()} (reading from TRIM_HORIZON, skipping older records)`;
  } else where = input.from.kind === "latest" ? "LATEST" : "TRIM_HORIZON";
  const bound = input.untilEnd
    ? " until caught up"
    : input.untilMs !== undefined
      ? ` until ${new Date(input.untilMs).toISOString()}`
      : "";
  // A run that ends by itself says nothing of Ctrl-C; one bounded by a time ends then or at Ctrl-C.
  const stop =
    input.untilEnd || input.count !== undefined
      ? ""
      : input.untilMs !== undefined
        ? " — Ctrl-C to stop sooner"
        : " — Ctrl-C to stop";
  return `from ${where}${bound}${stop}`;
}
