/**
 * `tail --checkpoint`: where each shard starts (from the checkpoint file when it exists, else from
 * `--from` / `--after-sequence`), and the periodic, atomic saving of progress.
 */
import type { Context } from "../../cli/context.js";
import { CheckpointState, parseCheckpoint } from "../../core/tail/checkpoint.js";
import type { StartRules } from "../../core/tail/plan.js";
import { skipBeforeFor, timestampPrecisionMs } from "../../core/tail/plan.js";
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
