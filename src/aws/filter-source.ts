/**
 * AWS inputs of `dynastream filter-test`: the FilterCriteria deployed on a function's DynamoDB (or
 * Kinesis: a table's destination) event source mapping (`--function`), and a bounded sample of a stream's records (`--from-stream`).
 * IAM: lambda:ListEventSourceMappings (plus lambda:GetEventSourceMapping and kms:Decrypt for
 * KMS-encrypted criteria, dynamodb:DescribeTable for --table); for sampling dynamodb:DescribeTable,
 * DescribeStream, GetShardIterator and GetRecords.
 */
import type { EventSourceMappingConfiguration } from "@aws-sdk/client-lambda";
import {
  functionNameOf,
  KINESIS_STREAM_HINT,
  looksLikeKinesisArn,
  parseKinesisStreamArn,
  parseStreamArn,
} from "../core/arn.js";
import type { PatternSource } from "../core/filter/sources.js";
import { patternsFromDocument } from "../core/filter/sources.js";
import type { LambdaStreamRecord } from "../core/lambda-record.js";
import { toLambdaRecord } from "../core/lambda-record.js";
import { AuthError, NotFoundError, UsageError } from "../errors.js";
import { pageEventSourceMappings } from "./consumers.js";
import { type AwsRun, call, describeStreamPage, resolveStream } from "./streams.js";

/** The deployed filter criteria of one mapping. */
export interface DeployedCriteria {
  patterns: PatternSource[];
  functionArn: string;
  uuid: string;
  /** The mapping's stream. */
  streamArn: string;
  tableName: string | undefined;
  state: string | undefined;
  /** The stream's view type, when it could be learnt (for the lints). */
  viewType: string | undefined;
  /**
   * What the mapping reads: a DynamoDB stream, or a Kinesis stream (a table's Kinesis destination),
   * whose records Lambda filters on `data` and the record's metadata:
   * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-filtering.html
   */
  source: "dynamodb" | "kinesis";
}

function isDynamoDBStreamArn(arn: string | undefined): arn is string {
  return arn !== undefined && /^arn:aws[a-z-]*:dynamodb:/.test(arn) && arn.includes("/stream/");
}

function isKinesisStreamArn(arn: string | undefined): arn is string {
  return arn !== undefined && parseKinesisStreamArn(arn) !== undefined;
}

function describeMapping(m: EventSourceMappingConfiguration): string {
  const table = parseStreamArn(m.EventSourceArn ?? "")?.tableName;
  return `${table ?? m.EventSourceArn ?? "?"} (mapping ${m.UUID ?? "?"}${m.State ? `, ${m.State}` : ""})`;
}

/** Every event source mapping of a function (all pages). */
async function mappingsOf(run: AwsRun, functionName: string): Promise<EventSourceMappingConfiguration[]> {
  try {
    return await pageEventSourceMappings(
      run,
      { functionName },
      `event source mappings of function ${functionName}`,
    );
  } catch (e) {
    if (e instanceof NotFoundError) {
      throw new NotFoundError(
        `function ${functionName} not found`,
        "check the function name (or ARN), --region and --profile",
        e,
      );
    }
    throw e;
  }
}

/** GetEventSourceMapping: shows KMS-encrypted criteria in plaintext when the caller may decrypt them. */
async function getMapping(run: AwsRun, uuid: string): Promise<EventSourceMappingConfiguration> {
  const { GetEventSourceMappingCommand } = await import("@aws-sdk/client-lambda");
  const lambda = await run.clients.lambda();
  return call(run, `event source mapping ${uuid}`, (abortSignal) =>
    lambda.send(new GetEventSourceMappingCommand({ UUID: uuid }), { abortSignal }),
  );
}

function needsDecryption(m: EventSourceMappingConfiguration): boolean {
  const filters = m.FilterCriteria?.Filters;
  const hidden =
    m.FilterCriteria === undefined ||
    m.FilterCriteria === null ||
    (filters ?? []).some((f) => f.Pattern === undefined || f.Pattern === null);
  return (m.KMSKeyArn !== undefined && m.KMSKeyArn !== "" && hidden) || m.FilterCriteriaError !== undefined;
}

/**
 * The DynamoDB event source mapping of `functionName`: the one on `table`'s stream when given (a table
 * name or stream ARN), else the function's only DynamoDB mapping. Errors name the mappings that
 * exist. Shared by `filter-test --function` and `invoke --function`.
 */
export async function selectStreamMapping(
  run: AwsRun,
  functionName: string,
  table: string | undefined,
  chooseHint = "choose one with --table <table>",
  opts: { kinesis?: boolean } = {},
): Promise<{ mapping: EventSourceMappingConfiguration; viewType: string | undefined }> {
  let streamArn: string | undefined;
  let viewType: string | undefined;
  if (table !== undefined && opts.kinesis === true && looksLikeKinesisArn(table)) {
    // A Kinesis stream ARN names the mapping on that stream (a table's Kinesis destination).
    if (!parseKinesisStreamArn(table)) {
      throw new UsageError(`malformed Kinesis stream ARN "${table}"`, KINESIS_STREAM_HINT);
    }
    streamArn = table;
  } else if (table !== undefined) {
    const resolved = await resolveStream(run, table);
    streamArn = resolved.streamArn;
    viewType = resolved.viewType;
  }
  const all = await mappingsOf(run, functionName);
  // With `kinesis`, mappings on a Kinesis stream (a table's destination) count as well.
  const ddb = all.filter(
    (m) =>
      isDynamoDBStreamArn(m.EventSourceArn) ||
      (opts.kinesis === true && isKinesisStreamArn(m.EventSourceArn)),
  );
  if (ddb.length === 0) {
    const others = all.map((m) => m.EventSourceArn ?? "?");
    throw new NotFoundError(
      `function ${functionName} has no ${opts.kinesis === true ? "DynamoDB or Kinesis stream" : "DynamoDB stream"} event source mapping${others.length > 0 ? ` (its mappings read ${others.join(", ")})` : ""}`,
      "check the function name, --region and --profile",
    );
  }
  let m: EventSourceMappingConfiguration;
  if (streamArn !== undefined) {
    const on = ddb.filter((x) => x.EventSourceArn === streamArn);
    if (on.length === 0) {
      const tableName = parseStreamArn(streamArn)?.tableName ?? table;
      const older = ddb.filter((x) => parseStreamArn(x.EventSourceArn ?? "")?.tableName === tableName);
      throw new NotFoundError(
        `function ${functionName} has no event source mapping on the stream of ${tableName} (${streamArn})` +
          (older.length > 0
            ? `; it has one on an earlier stream of ${tableName}: ${older.map((x) => x.EventSourceArn).join(", ")}`
            : ""),
        `its DynamoDB mappings: ${ddb.map(describeMapping).join(", ")}`,
      );
    }
    m = on[0] as EventSourceMappingConfiguration;
  } else if (ddb.length > 1) {
    throw new UsageError(
      `function ${functionName} has ${ddb.length} ${ddb.every((x) => isDynamoDBStreamArn(x.EventSourceArn)) ? "DynamoDB" : "stream"} event source mappings: ${ddb.map(describeMapping).join(", ")}`,
      chooseHint,
    );
  } else {
    m = ddb[0] as EventSourceMappingConfiguration;
  }
  return { mapping: m, viewType };
}

/**
 * The FilterCriteria of `functionName`'s DynamoDB event source mapping: the one on `table`'s stream
 * when given (a table name or stream ARN), else the function's only DynamoDB mapping. Errors name the
 * mappings that exist. KMS-encrypted criteria are fetched with GetEventSourceMapping; when Lambda
 * still does not show them, an AuthError says what permission is missing.
 */
export async function fetchDeployedCriteria(
  run: AwsRun,
  functionName: string,
  table: string | undefined,
  debug: (m: string) => void = () => undefined,
): Promise<DeployedCriteria> {
  const selected = await selectStreamMapping(run, functionName, table, undefined, { kinesis: true });
  let m = selected.mapping;
  let viewType = selected.viewType;
  const uuid = m.UUID ?? "?";
  const eventSourceArn = m.EventSourceArn as string;
  const source = isKinesisStreamArn(eventSourceArn) ? "kinesis" : "dynamodb";
  if (needsDecryption(m)) {
    debug(`filter criteria of mapping ${uuid} are KMS-encrypted: GetEventSourceMapping`);
    try {
      m = await getMapping(run, uuid);
    } catch (e) {
      if (!(e instanceof AuthError)) throw e;
    }
    const shown = m.FilterCriteria?.Filters;
    const visible =
      shown !== undefined && shown.length > 0 && shown.every((f) => typeof f.Pattern === "string");
    if (!visible) {
      const err = m.FilterCriteriaError;
      throw new AuthError(
        `the filter criteria of mapping ${uuid} (${functionNameOf(m.FunctionArn ?? functionName)} on ${parseStreamArn(eventSourceArn)?.tableName ?? eventSourceArn}) are encrypted with the KMS key ${m.KMSKeyArn ?? "(unknown)"}, and Lambda did not show them${err ? ` (${[err.ErrorCode, err.Message].filter(Boolean).join(": ")})` : ""}`,
        "allow kms:Decrypt on that key (Lambda then shows them in GetEventSourceMapping), or pass the patterns with --criteria or --pattern",
      );
    }
  }
  const filters = m.FilterCriteria?.Filters ?? [];
  if (filters.length === 0) {
    throw new NotFoundError(
      `mapping ${uuid} (${functionNameOf(m.FunctionArn ?? functionName)} on ${parseStreamArn(eventSourceArn)?.tableName ?? eventSourceArn}) has no filter criteria: Lambda delivers every record to the function`,
      "nothing to test; add FilterCriteria to the mapping, or test patterns with --pattern",
    );
  }
  const r = patternsFromDocument({ Filters: filters }, `mapping ${uuid}`);
  if (!r.ok) throw new UsageError(r.error);
  if (viewType === undefined && source === "dynamodb") {
    try {
      const d = await describeStreamPage(run, { StreamArn: eventSourceArn, Limit: 1 });
      viewType = d.StreamViewType;
    } catch (e) {
      debug(`view type of ${eventSourceArn} unknown: ${(e as Error).message}`);
    }
  }
  return {
    patterns: r.patterns,
    functionArn: m.FunctionArn ?? functionName,
    uuid,
    streamArn: eventSourceArn,
    tableName: parseStreamArn(eventSourceArn)?.tableName,
    state: m.State,
    viewType,
    source,
  };
}

/** A bounded sample of a stream's records, in the Lambda shape. */
export interface StreamSample {
  tableName: string;
  streamArn: string;
  viewType: string | undefined;
  records: LambdaStreamRecord[];
  /** Whether the sample stopped at `limit` (more records may follow). */
  truncated: boolean;
}

/**
 * Reads up to `limit` records of a stream from TRIM_HORIZON (every shard, parents before children),
 * up to where the stream stood when the read started: it never waits for new writes.
 */
export async function sampleStream(
  run: AwsRun,
  target: string,
  limit: number,
  log: { warn(m: string): void; debug(m: string): void },
): Promise<StreamSample> {
  const resolved = await resolveStream(run, target);
  const { openTailReader } = await import("./tail/reader.js");
  const reader = await openTailReader(run, {
    streamArn: resolved.streamArn,
    rules: { mode: "trim-horizon" },
    bounds: { snapshotMs: run.now() },
    warn: (m) => log.warn(m),
    debug: (m) => log.debug(m),
  });
  const records: LambdaStreamRecord[] = [];
  let truncated = false;
  try {
    outer: for await (const batch of reader.batches()) {
      for (const ev of batch) {
        if (ev.kind !== "record") continue;
        if (records.length >= limit) {
          truncated = true;
          break outer;
        }
        records.push(toLambdaRecord(ev.record, { streamArn: resolved.streamArn }));
      }
    }
  } finally {
    reader.close();
  }
  return {
    tableName: resolved.tableName,
    streamArn: resolved.streamArn,
    viewType: resolved.viewType ?? reader.start.viewType,
    records,
    truncated,
  };
}
