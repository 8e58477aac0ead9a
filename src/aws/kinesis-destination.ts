/**
 * A table's Kinesis Data Streams destination: resolving a Kinesis stream, listing the table's
 * destinations, enabling, updating and disabling one, and waiting for a status.
 * API: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_EnableKinesisStreamingDestination.html
 * (and DescribeKinesisStreamingDestination, UpdateKinesisStreamingDestination,
 * DisableKinesisStreamingDestination). Replication starts "at a timestamp chosen during the enable
 * workflow"; the status moves ENABLING → ACTIVE (or ENABLE_FAILED, with a DestinationStatusDescription).
 */
import {
  isValidKinesisStreamName,
  KINESIS_STREAM_HINT,
  looksLikeArn,
  parseKinesisStreamArn,
} from "../core/arn.js";
import {
  type KinesisControlResult,
  type KinesisDestination,
  type Precision,
  planEnable,
} from "../core/kinesis-destination.js";
import { AwsError, NotFoundError, UsageError } from "../errors.js";
import { awsErrorName, translateAwsError } from "./errors.js";
import { waitForState } from "./paging.js";
import type { Prompter } from "./stream-control.js";
import { confirmOrRefuse } from "./stream-control.js";
import type { AwsRun } from "./streams.js";

/** A Kinesis stream, as DescribeStreamSummary tells it. */
export interface KinesisStreamSummary {
  streamArn: string;
  streamName: string;
  status: string;
  retentionHours: number;
  openShards: number;
}

/**
 * Resolves a Kinesis stream name or ARN with DescribeStreamSummary (exit 3 when it does not exist,
 * exit 2 when the text is neither a name nor an ARN). An ARN is sent as `StreamARN` (it may name
 * another account's stream); a name as `StreamName`.
 */
export async function resolveKinesisStream(run: AwsRun, nameOrArn: string): Promise<KinesisStreamSummary> {
  const byArn = looksLikeArn(nameOrArn);
  if (byArn && !parseKinesisStreamArn(nameOrArn)) {
    throw new UsageError(`malformed Kinesis stream ARN "${nameOrArn}"`, KINESIS_STREAM_HINT);
  }
  if (!byArn && !isValidKinesisStreamName(nameOrArn)) {
    throw new UsageError(`invalid Kinesis stream name "${nameOrArn}"`, KINESIS_STREAM_HINT);
  }
  const { DescribeStreamSummaryCommand } = await import("@aws-sdk/client-kinesis");
  const client = await run.clients.kinesis();
  try {
    const out = await client.send(
      new DescribeStreamSummaryCommand(byArn ? { StreamARN: nameOrArn } : { StreamName: nameOrArn }),
      { abortSignal: run.signal },
    );
    const s = out.StreamDescriptionSummary;
    if (!s?.StreamARN) throw new NotFoundError(`Kinesis stream ${nameOrArn} not found`);
    return {
      streamArn: s.StreamARN,
      streamName: s.StreamName ?? parseKinesisStreamArn(s.StreamARN)?.streamName ?? nameOrArn,
      status: s.StreamStatus ?? "UNKNOWN",
      retentionHours: s.RetentionPeriodHours ?? 24,
      openShards: s.OpenShardCount ?? 0,
    };
  } catch (e) {
    if (awsErrorName(e) === "ResourceNotFoundException") {
      throw new NotFoundError(
        `Kinesis stream ${nameOrArn} not found`,
        "check the stream name or ARN, --region and --profile (or AWS_ENDPOINT_URL_KINESIS)",
        e,
      );
    }
    throw translateAwsError(e, `Kinesis stream ${nameOrArn}`, run.clients.settings.endpointUrl);
  }
}

/**
 * The table's Kinesis destinations (DescribeKinesisStreamingDestination). Table not found: exit 3.
 * `optional`: an endpoint without the operation (DynamoDB Local answers UnknownOperationException)
 * gives `null` instead of an error.
 */
export async function describeDestinations(
  run: AwsRun,
  tableName: string,
  opts: { optional?: boolean } = {},
): Promise<KinesisDestination[] | null> {
  const { DescribeKinesisStreamingDestinationCommand } = await import("@aws-sdk/client-dynamodb");
  const ddb = await run.clients.dynamodb();
  try {
    const out = await ddb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: tableName }), {
      abortSignal: run.signal,
    });
    return (out.KinesisDataStreamDestinations ?? []).map((d) => ({
      streamArn: d.StreamArn ?? "",
      status: d.DestinationStatus ?? "UNKNOWN",
      statusDescription: d.DestinationStatusDescription || null,
      precision: d.ApproximateCreationDateTimePrecision === "MICROSECOND" ? "MICROSECOND" : "MILLISECOND",
    }));
  } catch (e) {
    const name = awsErrorName(e);
    if (name === "ResourceNotFoundException") {
      throw new NotFoundError(
        `table ${tableName} not found`,
        "check the table name, --region and --profile (or AWS_ENDPOINT_URL for DynamoDB Local)",
        e,
      );
    }
    if (opts.optional && name === "UnknownOperationException") return null;
    throw translateAwsError(
      e,
      `Kinesis destinations of table ${tableName}`,
      run.clients.settings.endpointUrl,
    );
  }
}

/**
 * Waits until the destination reaches `target`; ENABLE_FAILED on the way is exit 5 with AWS's
 * DestinationStatusDescription. Polls DescribeKinesisStreamingDestination (0.25 s doubling to 5 s).
 */
export async function waitDestination(
  run: AwsRun,
  tableName: string,
  streamArn: string,
  target: "ACTIVE" | "DISABLED",
  timeoutMs = 10 * 60_000,
): Promise<KinesisDestination> {
  return waitForState(
    run,
    `the Kinesis destination ${streamArn} of table ${tableName}`,
    target,
    timeoutMs,
    async () => {
      const d = ((await describeDestinations(run, tableName)) ?? []).find((x) => x.streamArn === streamArn);
      if (d?.status === "ENABLE_FAILED") {
        throw new AwsError(
          `enabling the Kinesis destination ${streamArn} of table ${tableName} failed (ENABLE_FAILED)${d.statusDescription ? `: ${d.statusDescription}` : ""}`,
          "check that the stream exists and is ACTIVE, and that its key (if encrypted) lets DynamoDB write; then enable again",
        );
      }
      // A destination no longer listed is as disabled as one listed DISABLED.
      if (!d && target === "DISABLED") {
        return {
          state: "DISABLED",
          value: { streamArn, status: "DISABLED", statusDescription: null, precision: "MILLISECOND" },
        };
      }
      return { state: d?.status ?? "absent", value: d as KinesisDestination };
    },
  );
}

function toResult(table: string, d: KinesisDestination, changed: boolean): KinesisControlResult {
  return {
    table,
    kinesisStreamArn: d.streamArn,
    status: d.status,
    statusDescription: d.statusDescription,
    precision: d.precision,
    changed,
  };
}

/**
 * `enable <table> --kinesis <stream>`: enables the destination (EnableKinesisStreamingDestination),
 * or changes the precision of an active one (UpdateKinesisStreamingDestination), or reports that the
 * stream already is a destination with that precision (unchanged).
 */
export async function enableKinesis(
  run: AwsRun,
  input: { table: string; kinesis: string; precision: Precision | undefined; wait: boolean },
  ui: Prompter,
): Promise<KinesisControlResult> {
  const stream = await resolveKinesisStream(run, input.kinesis);
  const destinations = (await describeDestinations(run, input.table)) ?? [];
  const plan = planEnable(destinations, stream.streamArn, input.precision);
  const sdk = await import("@aws-sdk/client-dynamodb");
  const ddb = await run.clients.dynamodb();
  const subject = `the Kinesis destination ${stream.streamArn} of table ${input.table}`;
  let result: KinesisDestination;
  if (plan.action === "none") {
    ui.info(
      `table ${input.table} already streams to ${stream.streamArn} (${plan.current.status}, ${plan.current.precision.toLowerCase()} precision); nothing to change`,
    );
    result = plan.current;
  } else if (plan.action === "update") {
    if (plan.current.status !== "ACTIVE") {
      throw new UsageError(
        `${subject} is ${plan.current.status}: its precision can only change once it is ACTIVE`,
        `wait for it: dynastream enable ${input.table} --kinesis ${input.kinesis} --wait`,
      );
    }
    const precision = input.precision as Precision;
    const out = await send(run, subject, () =>
      ddb.send(
        new sdk.UpdateKinesisStreamingDestinationCommand({
          TableName: input.table,
          StreamArn: stream.streamArn,
          UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision },
        }),
        { abortSignal: run.signal },
      ),
    );
    result = { ...plan.current, status: out.DestinationStatus ?? "UPDATING", precision };
  } else {
    if (stream.status !== "ACTIVE" && stream.status !== "UPDATING") {
      ui.warn(`Kinesis stream ${stream.streamArn} is ${stream.status}; DynamoDB may fail to enable it`);
    }
    const precision = input.precision ?? "MILLISECOND";
    const out = await send(run, subject, () =>
      ddb.send(
        new sdk.EnableKinesisStreamingDestinationCommand({
          TableName: input.table,
          StreamArn: stream.streamArn,
          ...(input.precision
            ? {
                EnableKinesisStreamingConfiguration: {
                  ApproximateCreationDateTimePrecision: input.precision,
                },
              }
            : {}),
        }),
        { abortSignal: run.signal },
      ),
    );
    result = {
      streamArn: stream.streamArn,
      status: out.DestinationStatus ?? "ENABLING",
      statusDescription: null,
      precision:
        out.EnableKinesisStreamingConfiguration?.ApproximateCreationDateTimePrecision === "MICROSECOND"
          ? "MICROSECOND"
          : precision,
    };
  }
  if (input.wait && result.status !== "ACTIVE") {
    result = await waitDestination(run, input.table, stream.streamArn, "ACTIVE");
  }
  return toResult(input.table, result, plan.action !== "none");
}

/**
 * `disable <table> --kinesis <stream>`: stops replication to the stream, after a warning and a
 * confirmation (or --yes). A stream that is not an active destination is reported and left alone.
 */
export async function disableKinesis(
  run: AwsRun,
  input: { table: string; kinesis: string; yes: boolean; wait: boolean },
  ui: Prompter,
): Promise<KinesisControlResult> {
  const stream = await resolveKinesisStream(run, input.kinesis);
  const destinations = (await describeDestinations(run, input.table)) ?? [];
  const current = destinations.find((d) => d.streamArn === stream.streamArn);
  if (!current || current.status === "DISABLED" || current.status === "ENABLE_FAILED") {
    ui.info(`table ${input.table} does not stream to ${stream.streamArn}; nothing to disable`);
    return toResult(
      input.table,
      current ?? {
        streamArn: stream.streamArn,
        status: "NONE",
        statusDescription: null,
        precision: "MILLISECOND",
      },
      false,
    );
  }
  if (current.status === "DISABLING") {
    ui.info(`the Kinesis destination ${stream.streamArn} of table ${input.table} is already DISABLING`);
    const done = input.wait ? await waitDestination(run, input.table, stream.streamArn, "DISABLED") : current;
    return toResult(input.table, done, false);
  }
  ui.warn(
    `disabling the Kinesis destination of ${input.table} stops replicating its changes to ${stream.streamArn}; changes made while it is off are never sent there, even if you enable it again`,
  );
  await confirmOrRefuse(ui, input.yes, `Stop streaming ${input.table} to ${stream.streamName}?`);
  const sdk = await import("@aws-sdk/client-dynamodb");
  const ddb = await run.clients.dynamodb();
  const subject = `the Kinesis destination ${stream.streamArn} of table ${input.table}`;
  const out = await send(run, subject, () =>
    ddb.send(
      new sdk.DisableKinesisStreamingDestinationCommand({
        TableName: input.table,
        StreamArn: stream.streamArn,
      }),
      { abortSignal: run.signal },
    ),
  );
  let result: KinesisDestination = { ...current, status: out.DestinationStatus ?? "DISABLING" };
  if (input.wait && result.status !== "DISABLED") {
    result = await waitDestination(run, input.table, stream.streamArn, "DISABLED");
  }
  return toResult(input.table, result, true);
}

/** One destination call, its refusals worded for the user. */
async function send<T>(run: AwsRun, subject: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const name = awsErrorName(e);
    const msg = (e as Error).message ?? "";
    if (name === "ResourceInUseException") {
      throw new UsageError(
        `${subject} is busy: ${msg}`,
        "wait until the table and destination are ACTIVE, then try again",
      );
    }
    if (name === "ResourceNotFoundException") throw new NotFoundError(`${subject}: ${msg}`, undefined, e);
    throw translateAwsError(e, subject, run.clients.settings.endpointUrl);
  }
}
