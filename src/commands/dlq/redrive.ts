/**
 * `dlq --redrive`: each failed batch whose records were read is delivered again, with Lambda's
 * semantics, through `invoke`'s delivery core (core/delivery) and invokers (../invoke/invokers): to the
 * deployed function (lambda:InvokeFunction; the function of the on-failure record, or `--function`),
 * or to a local handler (`--handler ./file.mjs[:name]`). Each batch runs in its own engine, so its
 * outcome is its own: it succeeded when every record was delivered (no on-failure, no blocked shard).
 *
 * Settings: the failed mapping's (batch size, retries, bisection, ReportBatchItemFailures,
 * parallelization, tumbling window; found from the record's function and stream), else Lambda's
 * defaults; the deployed function's timeout (GetFunctionConfiguration), else 3 s. Two settings do
 * not apply to a redrive: MaximumRecordAgeInSeconds (the records are old on purpose: Lambda's
 * record-age check is for the mapping's own reading) and the batching window (every record is there).
 * Lambda's retry behaviour: https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 */
import { basename, extname } from "node:path";
import type { Context } from "../../cli/context.js";
import { functionNameOf } from "../../core/arn.js";
import type { DeliverySettings } from "../../core/delivery/index.js";
import {
  DEFAULT_SETTINGS,
  DeliveryEngine,
  describeSettings,
  settingsFromMapping,
} from "../../core/delivery/index.js";
import type { FailedBatch } from "../../core/dlq/batch.js";
import type { FailureRecord } from "../../core/dlq/message.js";
import { InterruptedError, NotFoundError, UsageError } from "../../errors.js";
import { type RedriveView, redriveJson, redriveLine } from "../../render/dlq.js";
import { sanitize } from "../../render/sanitize.js";
import type { HandlerSpec } from "../../runtime/handler-spec.js";
import type { Invoker } from "../invoke/invokers.js";
import { DeployedInvoker, LocalInvoker } from "../invoke/invokers.js";
import type { Feed } from "../invoke/run.js";
import { deliver } from "../invoke/run.js";
import type { DlqInput } from "./options.js";

/** What the redrive gave: the batches delivered completely, and how many were not. */
export interface RedriveResult {
  succeeded: FailedBatch[];
  failed: number;
}

/**
 * Before anything is read: a deployed redrive runs production code, so off a terminal it needs
 * `--yes` (exit 2, nothing called); a local `--handler` must be a module that exists.
 */
export async function checkRedrive(ctx: Context, input: DlqInput): Promise<HandlerSpec | undefined> {
  if (!input.redrive) return undefined;
  if (input.handler === undefined) {
    if (!input.yes && !ctx.interactive) {
      throw new UsageError(
        "--redrive invokes the deployed function (production code): it needs confirmation",
        "pass --yes to confirm, or --handler ./handler.mjs to redrive to a local handler",
      );
    }
    return undefined;
  }
  const { parseHandlerSpec, workingDirectory } = await import("../../runtime/handler-spec.js");
  return parseHandlerSpec(input.handler, workingDirectory());
}

/** The function a batch is redriven to: `--function`, else the one that failed. */
function targetOf(input: DlqInput, f: FailureRecord): string | undefined {
  return input.functionName ?? f.functionArn;
}

/** The records of a batch, in stream order, into the engine on the batch's shard. */
function batchFeed(ctx: Context, b: FailedBatch): Feed {
  return {
    async run(engine, wake) {
      const records = b.outcome.status === "expired" ? [] : b.outcome.records;
      for (const r of records) engine.add(b.failure.batch.shardId, r, ctx.now());
      engine.endInput();
      wake();
    },
  };
}

/** Redrives `batches` in order; returns those that succeeded completely. */
export async function redrive(
  ctx: Context,
  input: DlqInput,
  spec: HandlerSpec | undefined,
  batches: FailedBatch[],
  json: boolean,
): Promise<RedriveResult> {
  const result: RedriveResult = { succeeded: [], failed: 0 };
  const style = ctx.out.errStyle;
  const show = (v: RedriveView): void => {
    if (json) ctx.out.jsonLine(redriveJson(v));
    else ctx.out.info(redriveLine(v, style));
  };
  if (batches.length === 0) {
    ctx.out.info("nothing to redrive: no batch's records were read");
    return result;
  }
  const local = spec !== undefined;
  const todo: FailedBatch[] = [];
  for (const b of batches) {
    if (!local && targetOf(input, b.failure) === undefined) {
      result.failed++;
      show({
        batchId: b.id,
        functionName: undefined,
        local,
        result: "not-redriven",
        records: b.outcome.status === "expired" ? 0 : b.outcome.records.length,
        delivered: 0,
        invocations: 0,
        reason: "its on-failure record names no function: give one with --function",
      });
    } else todo.push(b);
  }
  if (!local && todo.length > 0 && !input.yes) {
    const names = [...new Set(todo.map((b) => functionNameOf(targetOf(input, b.failure) as string)))];
    const ok = await ctx.confirm(
      sanitize(
        `Invoke the deployed function${names.length === 1 ? "" : "s"} ${names.join(", ")} (production code) with the records of ${todo.length} failed batch${todo.length === 1 ? "" : "es"}?`,
      ),
    );
    if (!ok) throw new UsageError("not confirmed: nothing was invoked");
  }
  const settingsOf = new MappingSettings(ctx);
  const envs = new Map<string, Record<string, string>>();
  const timeouts = new Map<string, { timeout: number | undefined; functionArn: string | undefined }>();
  const region = ctx.globals.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? "us-east-1";
  for (const b of todo) {
    if (ctx.aborted) throw new InterruptedError("dlq stopped during the redrive: the messages were kept");
    const f = b.failure;
    const records = b.outcome.status === "expired" ? [] : b.outcome.records;
    let invoker: Invoker;
    let functionArn: string;
    let functionName: string;
    let settings: DeliverySettings;
    if (spec !== undefined) {
      const named = targetOf(input, f);
      functionName = named !== undefined ? functionNameOf(named) : basename(spec.file, extname(spec.file));
      functionArn = f.functionArn ?? `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
      settings = await settingsOf.of(f, undefined);
      invoker = await localInvoker(ctx, spec, functionName, functionArn, settings.functionTimeoutMs, envs);
    } else {
      const target = targetOf(input, f) as string;
      functionName = functionNameOf(target);
      let conf = timeouts.get(target);
      if (conf === undefined) {
        const { functionTimeoutSeconds } = await import("../../aws/lambda-invoke.js");
        conf = await functionTimeoutSeconds(await ctx.aws(), target, undefined);
        timeouts.set(target, conf);
      }
      functionArn = conf.functionArn ?? target;
      settings = await settingsOf.of(f, conf.timeout);
      invoker = new DeployedInvoker(await ctx.aws(), target, undefined, settings.functionTimeoutMs, () =>
        ctx.now(),
      );
    }
    const what = spec !== undefined ? (input.handler as string) : `function ${functionName}`;
    ctx.out.info(
      sanitize(
        `redriving batch ${b.id} (${records.length} record${records.length === 1 ? "" : "s"}) to ${what}: ${describeSettings(settings)}`,
      ),
    );
    const engine = new DeliveryEngine(settings, { streamArn: f.batch.streamArn, functionArn });
    let code: number;
    try {
      code = await deliver(ctx, engine, batchFeed(ctx, b), invoker, {
        json,
        showRecords: false,
        onFailureFile: undefined,
        label: what,
      });
    } catch (e) {
      if (e instanceof InterruptedError)
        throw new InterruptedError(
          `dlq stopped during the redrive of batch ${b.id} (invocations in flight finished): no message was deleted`,
        );
      throw e;
    }
    const s = engine.stats;
    const ok = code === 0 && s.delivered === records.length;
    if (ok) result.succeeded.push(b);
    else result.failed++;
    show({
      batchId: b.id,
      functionName,
      local,
      result: ok ? "succeeded" : "failed",
      records: records.length,
      delivered: s.delivered,
      invocations: s.invocations,
      reason: ok
        ? undefined
        : s.discardedBatches > 0
          ? `Lambda would send ${s.discarded} record${s.discarded === 1 ? "" : "s"} to the on-failure destination again and move on`
          : s.blockedLanes > 0
            ? `Lambda would keep retrying it ${settings.maxRetryAttempts < 0 ? "until its records expire" : `(MaximumRetryAttempts ${settings.maxRetryAttempts})`}, holding back its shard`
            : "not every record was delivered",
    });
  }
  return result;
}

/** A local handler's invoker for one batch (its own execution environment, closed after the batch). */
async function localInvoker(
  ctx: Context,
  spec: HandlerSpec,
  functionName: string,
  functionArn: string,
  timeoutMs: number,
  envs: Map<string, Record<string, string>>,
): Promise<Invoker> {
  const { workingDirectory, executionEnv } = await import("../../runtime/handler-spec.js");
  const { handlerEnv } = await import("../invoke/index.js");
  let env = envs.get(functionName);
  if (env === undefined) {
    env = await handlerEnv(
      ctx,
      { env: [], envFiles: [] },
      spec.file,
      spec.exportName,
      functionName,
      executionEnv(),
    );
    envs.set(functionName, env);
  }
  return LocalInvoker.forHandler(ctx, {
    spec,
    env,
    cwd: workingDirectory(),
    functionName,
    functionArn,
    logStreamName: "dynastream-dlq-redrive",
    timeoutMs,
  });
}

/** The delivery settings of each failed mapping, read once per function and stream. */
class MappingSettings {
  readonly #known = new Map<string, Parameters<typeof settingsFromMapping>[0] | undefined>();
  #lookupFailed = false;
  constructor(private readonly ctx: Context) {}

  /** The mapping's settings (with the function's timeout when known), else Lambda's defaults. */
  async of(f: FailureRecord, timeoutSeconds: number | undefined): Promise<DeliverySettings> {
    const mapping = await this.#mapping(f);
    const settings =
      mapping !== undefined
        ? settingsFromMapping(mapping, timeoutSeconds).settings
        : { ...DEFAULT_SETTINGS, functionTimeoutMs: (timeoutSeconds ?? 3) * 1000 };
    settings.maxRecordAgeSeconds = -1;
    settings.batchWindowMs = 0;
    return settings;
  }

  async #mapping(f: FailureRecord): Promise<Parameters<typeof settingsFromMapping>[0] | undefined> {
    if (f.functionArn === undefined) return undefined;
    const k = `${functionNameOf(f.functionArn)}\u0000${f.batch.streamArn}`;
    if (this.#known.has(k)) return this.#known.get(k);
    this.#known.set(k, undefined);
    if (this.#lookupFailed) return undefined;
    const run = await this.ctx.aws();
    const { serviceAvailableFor } = await import("../../aws/consumers.js");
    if (!serviceAvailableFor("LAMBDA", f.batch.streamArn, run, this.ctx.env)) {
      this.ctx.out.info(
        `no Lambda for ${f.batch.streamArn}: redriving with Lambda's default mapping settings`,
      );
      return undefined;
    }
    try {
      const { mappingOfFailure } = await import("../../aws/dlq/mappings.js");
      const m = await mappingOfFailure(run, f.functionArn, f.batch.streamArn);
      if (m === undefined)
        this.ctx.out.info(
          sanitize(
            `no mapping of ${f.functionArn} on the stream: redriving with Lambda's default mapping settings`,
          ),
        );
      this.#known.set(k, m?.delivery);
      return m?.delivery;
    } catch (e) {
      if (e instanceof InterruptedError) throw e;
      if (e instanceof NotFoundError) {
        // The function that failed is gone (or was a local handler's): no mapping to take settings from.
        this.ctx.out.info(
          sanitize(`no mapping of ${f.functionArn}: redriving with Lambda's default mapping settings`),
        );
        return undefined;
      }
      this.#lookupFailed = true;
      this.ctx.out.warn(
        `could not read the failed mapping's settings (${(e as Error).message}): redriving with Lambda's defaults`,
      );
      return undefined;
    }
  }
}
