/**
 * DynamoDB Streams and DynamoDB table calls that every command shares: resolving a table or stream
 * ARN to a stream, listing shards (paginated, rate-limited), listing a table's streams.
 */
import type { KeySchemaElement, TableDescription } from "@aws-sdk/client-dynamodb";
import type { Shard, StreamDescription } from "@aws-sdk/client-dynamodb-streams";
import { isValidTableName, looksLikeArn, parseStreamArn } from "../core/arn.js";
import type { ShardInfo } from "../core/lineage.js";
import { RateLimiter } from "../core/rate-limit.js";
import { NotFoundError, UsageError } from "../errors.js";
import type { AwsClients } from "./clients.js";
import { awsErrorName, isThrottle, translateAwsError } from "./errors.js";
import { pages } from "./paging.js";

/** What a run needs to talk to AWS: the clients, the abort signal, a clock and a sleep. */
export interface AwsRun {
  clients: AwsClients;
  signal: AbortSignal;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Shared DescribeStream limiter (10 calls/s). */
  describeLimiter?: RateLimiter;
}

/** The stream a command works on, after resolving a table name or a stream ARN. */
export interface ResolvedStream {
  tableName: string;
  streamArn: string;
  /** Set when resolved from a table: whether the table's current stream is enabled. */
  enabled?: boolean;
  viewType?: string;
  table?: TableDescription;
}

/** Runs one SDK call with the run's abort signal, translating any failure at the boundary. */
export async function call<T>(
  run: AwsRun,
  subject: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  try {
    return await fn(run.signal);
  } catch (e) {
    throw translateAwsError(e, subject, run.clients.settings.endpointUrl);
  }
}

/**
 * Every item of a paginated listing ({@link pages}): `send(token, abortSignal)` with no token first,
 * then each page's `next` (an empty one ends the listing), at most `maxPages` pages; failures are
 * translated for `subject` (as {@link call}). SDK v3 leaves `undefined` input members out of the
 * request, so `send` can pass the token as it is (`NextToken: token`).
 *
 * @example await listAll(run, "consumers", (t, abortSignal) => client.send(new ListCommand({ NextToken: t }), { abortSignal }), { next: (p) => p.NextToken, items: (p) => p.Consumers })
 */
export async function listAll<P, I>(
  run: AwsRun,
  subject: string,
  send: (token: string | undefined, abortSignal: AbortSignal) => Promise<P>,
  page: { next: (page: P) => string | undefined; items: (page: P) => readonly I[] | undefined },
  maxPages?: number,
): Promise<I[]> {
  const out: I[] = [];
  const listing = pages(
    (token: string | undefined) => call(run, subject, (abortSignal) => send(token, abortSignal)),
    (p) => page.next(p) || undefined,
    maxPages,
  );
  for await (const p of listing) for (const item of page.items(p) ?? []) out.push(item);
  return out;
}

/** DescribeTable, with "not found" worded for a table. */
export async function describeTable(run: AwsRun, tableName: string): Promise<TableDescription> {
  const { DescribeTableCommand } = await import("@aws-sdk/client-dynamodb");
  const ddb = await run.clients.dynamodb();
  try {
    const out = await ddb.send(new DescribeTableCommand({ TableName: tableName }), {
      abortSignal: run.signal,
    });
    if (!out.Table) throw new NotFoundError(`table ${tableName} not found`);
    return out.Table;
  } catch (e) {
    if (awsErrorName(e) === "ResourceNotFoundException") {
      throw new NotFoundError(
        `table ${tableName} not found`,
        "check the table name, --region and --profile (or AWS_ENDPOINT_URL for DynamoDB Local)",
        e,
      );
    }
    throw translateAwsError(e, `table ${tableName}`, run.clients.settings.endpointUrl);
  }
}

/** Validates a table name given on the command line (exit 2 when malformed). */
export function checkTableName(name: string): void {
  if (!isValidTableName(name)) {
    throw new UsageError(
      `invalid table name "${name}"`,
      "table names are 3 to 255 characters of letters, digits, '_', '-' and '.', or pass a stream ARN",
    );
  }
}

/**
 * Resolves `<table|stream-arn>` to a stream. A table without a stream is "not found" (exit 3) with a
 * hint to enable one; a malformed ARN is a usage error (exit 2). A disabled stream stays resolvable
 * (its data is readable for 24 h) and is reported with `enabled: false`.
 */
export async function resolveStream(run: AwsRun, target: string): Promise<ResolvedStream> {
  if (looksLikeArn(target)) {
    const parts = parseStreamArn(target);
    if (!parts) {
      throw new UsageError(
        `malformed stream ARN "${target}"`,
        "a stream ARN looks like arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
      );
    }
    return { tableName: parts.tableName, streamArn: target };
  }
  checkTableName(target);
  const table = await describeTable(run, target);
  const arn = table.LatestStreamArn;
  const enabled = table.StreamSpecification?.StreamEnabled === true;
  if (!arn) {
    throw new NotFoundError(`table ${target} has no stream`, `enable one: dynastream enable ${target}`);
  }
  return {
    tableName: target,
    streamArn: arn,
    enabled,
    viewType: table.StreamSpecification?.StreamViewType,
    table,
  };
}

function toShardInfo(s: Shard): ShardInfo {
  return {
    shardId: s.ShardId ?? "",
    parentShardId: s.ParentShardId || undefined,
    startingSequenceNumber: s.SequenceNumberRange?.StartingSequenceNumber,
    endingSequenceNumber: s.SequenceNumberRange?.EndingSequenceNumber || undefined,
  };
}

function limiterOf(run: AwsRun): RateLimiter {
  // 9 per 1.1 s, not 10 per 1 s: network jitter bunches arrivals at the service.
  if (!run.describeLimiter) run.describeLimiter = new RateLimiter(9, 1100, run.now, run.sleep);
  return run.describeLimiter;
}

/**
 * One DescribeStream call under the 10 calls/s limit, retrying throttling (which the SDK already
 * retried 3 times) with a 1 s pause, up to 10 more times, as the Kinesis adapter does.
 */
export async function describeStreamPage(
  run: AwsRun,
  input: {
    StreamArn: string;
    Limit?: number;
    ExclusiveStartShardId?: string;
    ShardFilter?: { Type: "CHILD_SHARDS"; ShardId: string };
  },
): Promise<StreamDescription> {
  const { DescribeStreamCommand } = await import("@aws-sdk/client-dynamodb-streams");
  const client = await run.clients.streams();
  for (let attempt = 0; ; attempt++) {
    await limiterOf(run).take();
    try {
      const out = await client.send(new DescribeStreamCommand(input), { abortSignal: run.signal });
      if (!out.StreamDescription) throw new NotFoundError(`stream ${input.StreamArn} not found`);
      return out.StreamDescription;
    } catch (e) {
      if (isThrottle(e) && attempt < 10 && !run.signal.aborted) {
        await run.sleep(1000);
        continue;
      }
      if (awsErrorName(e) === "ResourceNotFoundException") {
        throw new NotFoundError(
          `stream ${input.StreamArn} not found`,
          "it may have been deleted with its table, or be older than 24 h",
          e,
        );
      }
      throw translateAwsError(e, `stream ${input.StreamArn}`, run.clients.settings.endpointUrl);
    }
  }
}

/**
 * The pages of DescribeStream (Limit 100, ExclusiveStartShardId), at most `maxPages`; `filter`: a
 * ShardFilter (CHILD_SHARDS of a shard).
 */
async function* describeStreamPages(
  run: AwsRun,
  streamArn: string,
  maxPages: number,
  filter?: { Type: "CHILD_SHARDS"; ShardId: string },
): AsyncGenerator<StreamDescription> {
  yield* pages(
    (start: string | undefined) =>
      describeStreamPage(run, {
        StreamArn: streamArn,
        Limit: 100,
        ...(filter ? { ShardFilter: filter } : {}),
        ...(start ? { ExclusiveStartShardId: start } : {}),
      }),
    (page) => page.LastEvaluatedShardId || undefined,
    maxPages,
  );
}

/** Every shard of a stream, with the stream's description (its first page). */
export async function describeStreamAll(
  run: AwsRun,
  streamArn: string,
): Promise<{ description: StreamDescription; shards: ShardInfo[] }> {
  const shards: ShardInfo[] = [];
  let first: StreamDescription | undefined;
  for await (const page of describeStreamPages(run, streamArn, 100_000)) {
    first ??= page;
    for (const s of page.Shards ?? []) shards.push(toShardInfo(s));
  }
  return { description: first as StreamDescription, shards };
}

/**
 * Children of a shard via DescribeStream ShardFilter CHILD_SHARDS. Only shards whose ParentShardId
 * matches are kept: DynamoDB Local (and LocalStack) ignore the filter and return every shard.
 */
export async function describeChildShards(
  run: AwsRun,
  streamArn: string,
  parentShardId: string,
): Promise<{ children: ShardInfo[]; status?: string }> {
  const children: ShardInfo[] = [];
  let status: string | undefined;
  const filter = { Type: "CHILD_SHARDS" as const, ShardId: parentShardId };
  for await (const page of describeStreamPages(run, streamArn, 10_000, filter)) {
    status ??= page.StreamStatus;
    for (const s of page.Shards ?? []) if (s.ParentShardId === parentShardId) children.push(toShardInfo(s));
  }
  return status === undefined ? { children } : { children, status };
}

/** A table's streams (ListStreams, paginated): current and older ones still listed. */
export async function listTableStreams(
  run: AwsRun,
  tableName: string,
): Promise<Array<{ streamArn: string; streamLabel: string }>> {
  const { ListStreamsCommand } = await import("@aws-sdk/client-dynamodb-streams");
  const client = await run.clients.streams();
  const streams = await listAll(
    run,
    `streams of table ${tableName}`,
    (start, abortSignal) =>
      client.send(
        new ListStreamsCommand({ TableName: tableName, Limit: 100, ExclusiveStartStreamArn: start }),
        { abortSignal },
      ),
    { next: (page) => page.LastEvaluatedStreamArn, items: (page) => page.Streams },
    10_000,
  );
  const out: Array<{ streamArn: string; streamLabel: string }> = [];
  for (const s of streams) {
    if (s.StreamArn && s.TableName === tableName)
      out.push({ streamArn: s.StreamArn, streamLabel: s.StreamLabel ?? "" });
  }
  return out;
}

/** Key schema as `name (HASH), name (RANGE)` pairs. */
export function keySchemaOf(ks: KeySchemaElement[] | undefined): Array<{ name: string; type: string }> {
  return (ks ?? []).map((k) => ({ name: k.AttributeName ?? "", type: k.KeyType ?? "" }));
}
