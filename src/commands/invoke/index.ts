/**
 * `dynastream invoke <handler> <table|stream-arn>` / `--input <file|->`: delivers stream records to a
 * handler with Lambda's semantics (core/delivery), locally in execution environments (src/runtime)
 * or to the deployed function (`--function` without a handler; asks first). Flags: ./options;
 * record sources: ./sources; the run: ./run; invokers: ./invokers.
 */
import { basename, dirname, extname } from "node:path";
import type { Context } from "../../cli/context.js";
import { outputFormat } from "../../cli/context.js";
import type { CommandSpec } from "../../cli/program.js";
import { collect } from "../../cli/program.js";
import { looksLikeKinesisArn } from "../../core/arn.js";
import type { DeliverySettings, FilterView } from "../../core/delivery/index.js";
import { DeliveryEngine, describeSettings, settingsFromMapping } from "../../core/delivery/index.js";
import { UsageError } from "../../errors.js";
import { sanitize } from "../../render/sanitize.js";
import { patternsFromFlags } from "../criteria.js";
import { compileCriteria } from "../tail/filters.js";
import type { Invoker } from "./invokers.js";
import { DeployedInvoker, LocalInvoker } from "./invokers.js";
import type { InvokeInput } from "./options.js";
import { parseInvokeFlags } from "./options.js";
import { deliver } from "./run.js";
import { inputFeed, liveFeed } from "./sources.js";

/** What `--function` found: the mapping's settings and criteria, the function's ARN. */
interface Deployed {
  settings: DeliverySettings;
  functionArn: string;
  streamArn: string;
  criteria: import("../../core/filter/sources.js").PatternSource[];
}

/**
 * Reads the deployed mapping and function; flags given override its settings, each said once. `table`
 * is the live target (a table, a stream ARN, or a Kinesis stream ARN) when one was given.
 */
async function readDeployed(ctx: Context, input: InvokeInput, table: string | undefined): Promise<Deployed> {
  const aws = await ctx.aws();
  const { selectStreamMapping } = await import("../../aws/filter-source.js");
  const { functionTimeoutSeconds } = await import("../../aws/lambda-invoke.js");
  const fn = input.functionName as string;
  const { mapping } = await selectStreamMapping(
    aws,
    fn,
    table,
    "name its stream: dynastream invoke … <table|stream-arn> --function " + fn,
    { kinesis: true },
  );
  const conf = await functionTimeoutSeconds(aws, fn, input.qualifier);
  const { settings } = settingsFromMapping(mapping, conf.timeout);
  const { patternsFromDocument } = await import("../../core/filter/sources.js");
  const filters = mapping.FilterCriteria?.Filters ?? [];
  let criteria: Deployed["criteria"] = [];
  if (filters.length > 0) {
    const r = patternsFromDocument({ Filters: filters }, `mapping ${mapping.UUID ?? "?"}`);
    if (!r.ok) throw new UsageError(r.error);
    criteria = r.patterns;
  }
  ctx.out.info(
    sanitize(
      `mapping ${mapping.UUID ?? "?"} of ${fn}: ${describeSettings(settings)}${criteria.length > 0 ? `, ${criteria.length} filter pattern${criteria.length === 1 ? "" : "s"}` : ""}`,
    ),
  );
  for (const [field, flag] of Object.entries(input.overrides)) {
    if (field === "localRetryLimit") continue;
    ctx.out.info(sanitize(`${flag} overrides the mapping's setting`));
    (settings as unknown as Record<string, unknown>)[field] = (
      input.settings as unknown as Record<string, unknown>
    )[field];
  }
  settings.localRetryLimit = input.settings.localRetryLimit;
  return {
    settings,
    functionArn: conf.functionArn ?? mapping.FunctionArn ?? fn,
    streamArn: mapping.EventSourceArn as string,
    criteria,
  };
}

/**
 * The environment of a local handler: AWS settings of this run, Lambda's variables, then --env-file and
 * --env. Also used by `dlq --redrive --handler` (which has no --env flags).
 */
export async function handlerEnv(
  ctx: Context,
  input: Pick<InvokeInput, "env" | "envFiles">,
  file: string,
  exportName: string,
  functionName: string,
  executionEnv: string,
) {
  const env: Record<string, string> = {};
  for (const k of ["PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR"]) {
    const v = ctx.env[k];
    if (v !== undefined) env[k] = v;
  }
  for (const [k, v] of Object.entries(ctx.env)) if (k.startsWith("AWS_") && v !== undefined) env[k] = v;
  const g = ctx.globals;
  if (g.profile !== undefined) env.AWS_PROFILE = g.profile;
  if (g.region !== undefined) {
    env.AWS_REGION = g.region;
    env.AWS_DEFAULT_REGION = g.region;
  } else if (env.AWS_REGION === undefined && env.AWS_DEFAULT_REGION !== undefined)
    env.AWS_REGION = env.AWS_DEFAULT_REGION;
  if (g.endpointUrl !== undefined) env.AWS_ENDPOINT_URL = g.endpointUrl;
  // What Lambda sets in every execution environment (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
  Object.assign(env, {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
    AWS_EXECUTION_ENV: executionEnv,
    LAMBDA_TASK_ROOT: dirname(file),
    _HANDLER: `${basename(file, extname(file))}.${exportName}`,
    TZ: ":UTC",
  });
  if (input.envFiles.length > 0) {
    const { readEnvFile } = await import("../../io/env-file.js");
    for (const f of input.envFiles) for (const [k, v] of await readEnvFile(f)) env[k] = v;
  }
  for (const [k, v] of input.env) env[k] = v;
  return env;
}

async function run(ctx: Context, args: string[], opts: Record<string, unknown>): Promise<number> {
  const input = parseInvokeFlags(args, opts, ctx.now());
  const format = outputFormat(ctx.globals, ["pretty", "json"], ctx.out.stdoutIsTTY);
  const source = input.source;
  if (input.handler === undefined && !input.yes && !ctx.interactive) {
    throw new UsageError(
      `delivering to the deployed function ${input.functionName} runs production code: it needs confirmation`,
      "pass --yes to confirm, or give a handler file to run locally",
    );
  }
  // The live stream: the table's DynamoDB stream, its Kinesis destination (--kinesis), a stream ARN.
  let streamArn: string | undefined;
  let table: string | undefined;
  if (source.target !== undefined) {
    const aws = await ctx.aws();
    if (source.kinesis !== undefined || looksLikeKinesisArn(source.target)) {
      const { resolveKinesisSource } = await import("../../aws/kinesis-streams.js");
      const k = await resolveKinesisSource(aws, source.target, source.kinesis, (m) => ctx.out.warn(m));
      streamArn = k.streamArn;
      table = k.tableName;
    } else {
      const { resolveStream } = await import("../../aws/streams.js");
      const resolved = await resolveStream(aws, source.target);
      streamArn = resolved.streamArn;
      table = resolved.tableName;
    }
  }
  let settings = input.settings;
  let deployed: Deployed | undefined;
  if (input.functionName !== undefined) {
    const on = streamArn !== undefined && looksLikeKinesisArn(streamArn) ? streamArn : source.target;
    deployed = await readDeployed(ctx, input, on);
    settings = deployed.settings;
    streamArn ??= deployed.streamArn;
  }
  // Records of a Kinesis stream reach a function in Lambda's Kinesis event shape, filtered on `data`.
  const kinesis = streamArn !== undefined && looksLikeKinesisArn(streamArn);
  const filterSource = kinesis ? "kinesis" : "dynamodb";
  // --filter replaces the mapping's criteria (said), else the mapping's apply.
  let filter: ((r: FilterView) => boolean) | undefined;
  if (source.filters.length > 0) {
    if (deployed !== undefined && deployed.criteria.length > 0)
      ctx.out.info("--filter overrides the mapping's filter criteria");
    const patterns = await patternsFromFlags("--filter", source.filters);
    filter = compileCriteria(ctx, patterns, "--filter", filterSource);
  } else if (deployed !== undefined && deployed.criteria.length > 0) {
    filter = compileCriteria(ctx, deployed.criteria, "the mapping's FilterCriteria", filterSource);
  }
  const region = ctx.globals.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION ?? "us-east-1";

  let invoker: Invoker;
  let what: string;
  let functionArn: string;
  if (input.handler !== undefined) {
    const { parseHandlerSpec, workingDirectory, executionEnv } = await import(
      "../../runtime/handler-spec.js"
    );
    const cwd = workingDirectory();
    const spec = parseHandlerSpec(input.handler, cwd);
    const functionName = input.functionName ?? basename(spec.file, extname(spec.file));
    functionArn = deployed?.functionArn ?? `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
    const env = await handlerEnv(ctx, input, spec.file, spec.exportName, functionName, executionEnv());
    invoker = await LocalInvoker.forHandler(ctx, {
      spec,
      env,
      cwd,
      functionName,
      functionArn,
      logStreamName: "dynastream-invoke",
      timeoutMs: settings.functionTimeoutMs,
    });
    what = input.handler;
    if (spec.typescript !== undefined)
      ctx.out.info(`running TypeScript with ${spec.typescript === "tsx" ? "tsx" : "Node's type stripping"}`);
  } else {
    const fn = input.functionName as string;
    const from =
      source.input !== undefined
        ? `the records of ${source.input === "-" ? "stdin" : source.input}`
        : `records of ${table ?? streamArn}${kinesis && table !== undefined ? ` (Kinesis stream ${streamArn})` : ""}`;
    if (!input.yes) {
      const ok = await ctx.confirm(
        sanitize(
          `Invoke the deployed function ${fn}${input.qualifier ? `:${input.qualifier}` : ""} (production code) with ${from}?`,
        ),
      );
      if (!ok) throw new UsageError("not confirmed: nothing was invoked");
    }
    invoker = new DeployedInvoker(await ctx.aws(), fn, input.qualifier, settings.functionTimeoutMs, () =>
      ctx.now(),
    );
    functionArn = deployed?.functionArn ?? fn;
    what = `function ${fn}`;
  }
  ctx.out.info(`settings: ${describeSettings(settings)}`);

  const engine = new DeliveryEngine(
    settings,
    {
      streamArn: streamArn ?? `arn:aws:dynamodb:${region}:000000000000:table/input/stream/local`,
      functionArn,
    },
    filter,
  );
  try {
    const feed =
      source.input !== undefined
        ? inputFeed(ctx, source)
        : await liveFeed(ctx, source, streamArn as string, table, what, kinesis);
    return await deliver(ctx, engine, feed, invoker, {
      json: format === "json",
      showRecords: input.showRecords,
      onFailureFile: input.onFailure,
      label: what,
      checkpoint: source.checkpoint,
    });
  } finally {
    invoker.close();
  }
}

export const command: CommandSpec = {
  examples: [
    "dynastream invoke ./src/handler.mjs Orders",
    "dynastream invoke ./src/handler.mjs Orders --from trim-horizon --until-end --batch-size 10 --report-batch-item-failures",
    "dynastream invoke ./src/handler.mjs Orders --function order-handler",
    "dynastream invoke ./src/handler.mjs Orders --kinesis --from trim-horizon --until-end   # Kinesis events",
    "dynastream invoke ./src/handler.mjs --input captured.ndjson --on-failure failed.ndjson",
    "dynastream invoke --function order-handler --input captured.ndjson --yes",
  ],
  notes: [
    "Records: live from <table|stream-arn> (tail's --from, --shard, --until-end, --count, --until, --idle-timeout,",
    "--checkpoint), from the table's Kinesis destination (--kinesis, or a Kinesis stream ARN: Lambda's Kinesis",
    "event shape, itemIdentifier = kinesis.sequenceNumber, KinesisBatchInfo on failure), or --input (whatever",
    "tail --input reads; Kinesis records keep the Kinesis shape). Each invocation is a line on stderr; --json prints",
    'NDJSON on stdout ("type":"invoke", "type":"failure", "type":"summary"). The handler\'s output goes to stderr.',
    "Exit codes: 0 every record delivered, 1 a batch went to on-failure or a shard is blocked (Lambda would",
    "have skipped or kept retrying it), 2 bad flags, input or handler, 3 not found, 4 credentials, 5 AWS errors,",
    "130 Ctrl-C (invocations in flight finish or time out first).",
    "--function without a handler invokes the deployed function (lambda:InvokeFunction): it runs production code,",
    "so it asks on a terminal and needs --yes elsewhere.",
  ].join("\n"),
  options: (cmd) =>
    cmd
      .option(
        "--from <position>",
        "where to start: latest (default), trim-horizon, an ISO-8601 time or a duration ago",
      )
      .option(
        "--kinesis [stream-name|arn]",
        "read the table's Kinesis destination (or that Kinesis stream): Lambda's Kinesis events",
      )
      .option("--shard <id>", "read only this shard (repeatable)", collect)
      .option("--after-sequence <n>", "start after this sequence number (with one --shard)")
      .option("--at-sequence <n>", "start at this sequence number (with one --shard)")
      .option("--until-end", "stop once every shard is read up to where it stood at start")
      .option("--count <n>", "stop after n records (after filters)")
      .option("--until <time>", "stop at this time (ISO-8601, or a duration ago)")
      .option("--idle-timeout <duration>", "stop after this long without a record (30s, 5m)")
      .option("--checkpoint <file>", "resume from this file; saved only past settled batches")
      .option("--input <file|->", "deliver records from a file or stdin instead of a stream")
      .option(
        "--filter <pattern|@file>",
        "filter criteria: only records a pattern matches (repeatable: any)",
        collect,
      )
      .option("--batch-size <n>", "most records per invocation (1-10000; default 100)")
      .option("--batch-window <s>", "wait up to this long to fill a batch (0-300 s; default 0)")
      .option(
        "--max-retry-attempts <n>",
        "retries of a failing batch (-1 = until the records expire, the default; 0-10000)",
      )
      .option(
        "--max-record-age <s>",
        "discard records older than this (60 s-7 d, or -1 = no limit, the default)",
      )
      .option("--bisect-on-error", "split a failing batch in two and retry each half")
      .option(
        "--report-batch-item-failures",
        "read {batchItemFailures} from the response (ReportBatchItemFailures)",
      )
      .option(
        "--parallelization-factor <n>",
        "concurrent batches per shard, in order per item key (1-10; default 1)",
      )
      .option("--function-timeout <s>", "the function's timeout (1-900 s; default 3s, Lambda's)")
      .option(
        "--tumbling-window <s>",
        "tumbling windows with state carried between invocations (0-900 s; default none)",
      )
      .option(
        "--max-local-retries <n>",
        "stop retrying a batch Lambda would keep retrying after n retries (default 10)",
      )
      .option(
        "--on-failure <file>",
        "append the on-failure records (Lambda's SQS/SNS JSON) to this file, as NDJSON",
      )
      .option("--env <KEY=VALUE>", "environment variable of the handler (repeatable)", collect)
      .option(
        "--env-file <file>",
        "environment variables of the handler, KEY=VALUE lines (repeatable)",
        collect,
      )
      .option(
        "--function <name|arn>",
        "use this function's deployed mapping settings; without <handler>, invoke it (writes)",
      )
      .option("--qualifier <version|alias>", "the version or alias of --function")
      .option("--show-records", "show the records of each batch (in --json: the event)")
      .option("--yes", "confirm invoking the deployed function (needed when not on a terminal)"),
  run,
};
