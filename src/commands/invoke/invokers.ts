/**
 * Who receives the batches of `invoke`: a local handler in execution environments (src/runtime), or
 * the deployed function (aws/lambda-invoke). Both answer with the delivery core's Outcome.
 */
import { randomUUID } from "node:crypto";
import type { AwsRun } from "../../aws/streams.js";
import type { Context } from "../../cli/context.js";
import type { Batch } from "../../core/delivery/index.js";
import { batchEvent } from "../../core/delivery/index.js";
import type { HandlerEnvironment, InvokeContext, LocalInvocation } from "../../runtime/handler-process.js";
import type { HandlerSpec } from "../../runtime/handler-spec.js";

/**
 * One invocation's result, with what the environment knew about it: a local environment's own
 * account of it, or the same fields filled in for the deployed function.
 */
export type InvokerResult = LocalInvocation;

export interface Invoker {
  invoke(batch: Batch, label: string): Promise<InvokerResult>;
  /** Execution environments started (undefined when Lambda runs them: the deployed function). */
  readonly coldStarts: number | undefined;
  close(): void;
}

/** A local handler: a pool of execution environments, one per batch in flight, reused when idle. */
export class LocalInvoker implements Invoker {
  readonly #idle: HandlerEnvironment[] = [];
  readonly #all: HandlerEnvironment[] = [];
  constructor(
    private readonly make: () => HandlerEnvironment,
    private readonly context: Omit<InvokeContext, "awsRequestId">,
    private readonly timeoutMs: number,
  ) {}

  /**
   * The invoker of a local handler (`invoke`, `dlq --redrive --handler`): its execution environments
   * run in `cwd` with `env`, and what the handler writes goes to stderr, prefixed with the invocation.
   */
  static async forHandler(
    ctx: Context,
    o: {
      spec: HandlerSpec;
      env: Record<string, string>;
      cwd: string;
      functionName: string;
      functionArn: string;
      logStreamName: string;
      timeoutMs: number;
    },
  ): Promise<LocalInvoker> {
    const { HandlerEnvironment } = await import("../../runtime/handler-process.js");
    const { handlerLogLine } = await import("../../render/invoke.js");
    const style = ctx.out.errStyle;
    const log = (label: string, _stream: string, line: string): void =>
      ctx.out.info(handlerLogLine(label, line, style));
    return new LocalInvoker(
      () => new HandlerEnvironment({ spec: o.spec, env: o.env, cwd: o.cwd, log }),
      {
        functionName: o.functionName,
        functionVersion: "$LATEST",
        invokedFunctionArn: o.functionArn,
        memoryLimitInMB: "128",
        logGroupName: `/aws/lambda/${o.functionName}`,
        logStreamName: o.logStreamName,
      },
      o.timeoutMs,
    );
  }

  get coldStarts(): number {
    return this.#all.reduce((n, e) => n + e.starts, 0);
  }

  async invoke(batch: Batch, label: string): Promise<InvokerResult> {
    let env = this.#idle.pop();
    if (env === undefined) {
      env = this.make();
      this.#all.push(env);
    }
    try {
      return await env.invoke(
        batchEvent(batch),
        { ...this.context, awsRequestId: randomUUID() },
        this.timeoutMs,
        label,
      );
    } finally {
      this.#idle.push(env);
    }
  }

  close(): void {
    for (const e of this.#all) e.close();
  }
}

/** The deployed function, through lambda:InvokeFunction. */
export class DeployedInvoker implements Invoker {
  readonly coldStarts = undefined;
  executedVersion: string | undefined;
  #run: (AwsRun & { close(): void }) | undefined;
  constructor(
    private readonly run: AwsRun,
    private readonly functionName: string,
    private readonly qualifier: string | undefined,
    private readonly functionTimeoutMs: number,
    private readonly now: () => number,
  ) {}

  async invoke(batch: Batch): Promise<InvokerResult> {
    const { invokeDeployed, invokeRun } = await import("../../aws/lambda-invoke.js");
    this.#run ??= invokeRun(this.run, this.functionTimeoutMs);
    const t0 = this.now();
    const r = await invokeDeployed(this.#run, this.functionName, this.qualifier, batchEvent(batch));
    this.executedVersion = r.executedVersion;
    return {
      outcome: r.outcome,
      cold: false,
      initMs: undefined,
      durationMs: this.now() - t0,
      ignoredReturn: false,
      initError: undefined,
    };
  }

  close(): void {
    this.#run?.close();
  }
}
