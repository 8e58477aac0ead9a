/**
 * Stand-in for DynamoDB's four Kinesis Data Streams destination operations, which DynamoDB Local
 * answers with UnknownOperationException: EnableKinesisStreamingDestination,
 * DisableKinesisStreamingDestination, DescribeKinesisStreamingDestination and
 * UpdateKinesisStreamingDestination. Every other request passes through, unchanged, to DynamoDB Local,
 * so one endpoint serves the table calls, the DynamoDB stream and the destination (point
 * AWS_ENDPOINT_URL at it and AWS_ENDPOINT_URL_KINESIS at the Kinesis emulator).
 *
 * Replication: while a destination is ACTIVE (or UPDATING), the stand-in reads the table's DynamoDB
 * stream in DynamoDB Local (the table needs one: test tables have it) from the moment it was enabled,
 * and puts each change into the Kinesis stream in the destination's record format
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html), one JSON document per
 * Kinesis record:
 *   {"awsRegion","eventID" (a UUID),"eventName","userIdentity" (null or {"principalId","type"}),
 *    "recordFormat":"application/json","tableName","dynamodb":{"ApproximateCreationDateTime",
 *    "Keys","NewImage","OldImage","SizeBytes"[,"ApproximateCreationDateTimePrecision":"MICROSECOND"]},
 *    "eventSource":"aws:dynamodb"}
 * `ApproximateCreationDateTime` is epoch milliseconds, or microseconds with precision MICROSECOND;
 * the stand-in takes it from its own clock when it copies the change (DynamoDB Local rounds its own
 * times to the minute), with sub-millisecond digits from the high-resolution clock. There is no
 * `SequenceNumber` or `StreamViewType` inside: the Kinesis record carries the sequence number. The
 * partition key is the upper-case hex MD5 of the item's key, 32 characters, as AWS's look.
 *
 * `duplicateEvery: n` delivers every n-th change twice (the destination is at-least-once: "might also
 * appear more than once", same page). Status transitions (ENABLING → ACTIVE, UPDATING → ACTIVE,
 * DISABLING → DISABLED) take `transitionMs`. A destination whose Kinesis stream does not exist goes
 * ENABLING → ENABLE_FAILED with a DestinationStatusDescription; `failNextEnable(description)` forces
 * that for the next enable.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before } from "node:test";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  type _Record,
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
} from "@aws-sdk/client-dynamodb-streams";
import { DescribeStreamSummaryCommand, type KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { cliEnv, ddbEndpoint, TEST_CREDENTIALS, TEST_REGION } from "../ddb.js";
import { type KinesisEmulator, kinesisClient, kinesisEmulator } from "../kinesis.js";
import { type AwsStandin, startAwsStandin } from "./cloudwatch-server.js";

export type DestinationStatus =
  | "ENABLING"
  | "ACTIVE"
  | "DISABLING"
  | "DISABLED"
  | "ENABLE_FAILED"
  | "UPDATING";
export type Precision = "MILLISECOND" | "MICROSECOND";

interface Destination {
  table: string;
  streamArn: string;
  status: DestinationStatus;
  description?: string;
  precision: Precision;
  /** DynamoDB stream shard → next iterator (undefined: not started). */
  iterators: Map<string, string | undefined>;
  /** Shards read to their end. */
  done: Set<string>;
  /** When enabled: records created before are not replicated. */
  since: number;
}

export interface DestinationStandinOptions {
  /** DynamoDB Local. */
  ddbEndpoint: string;
  /** The Kinesis emulator (test/helpers/kinesis.ts). */
  kinesisEndpoint: string;
  /** Time of each status transition (default 200 ms). */
  transitionMs?: number;
  /** Deliver every n-th change twice (default never). */
  duplicateEvery?: number;
  /** How often the copier polls the table streams (default 100 ms). */
  pollMs?: number;
}

export interface DestinationStandin {
  endpoint: string;
  /** Every destination, in the order enabled. */
  destinations(): Array<{
    table: string;
    streamArn: string;
    status: DestinationStatus;
    precision: Precision;
  }>;
  /** The next enable ends in ENABLE_FAILED with this description. */
  failNextEnable(description: string): void;
  /** Changes put into Kinesis so far (duplicates count twice). */
  replicated(): number;
  /** The last errors of the copy loop (it retries at its next poll), for test failure messages. */
  errors(): string[];
  stop(): Promise<void>;
}

const NS = "com.amazonaws.dynamodb.v20120810";

class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The change record the destination writes for one DynamoDB stream record. */
export function destinationRecord(
  rec: _Record,
  tableName: string,
  precision: Precision,
  timeMicros: bigint,
): Record<string, unknown> {
  const d = rec.dynamodb ?? {};
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: Number(precision === "MICROSECOND" ? timeMicros : timeMicros / 1000n),
    Keys: d.Keys,
  };
  if (d.NewImage) dynamodb.NewImage = d.NewImage;
  if (d.OldImage) dynamodb.OldImage = d.OldImage;
  dynamodb.SizeBytes = d.SizeBytes;
  if (precision === "MICROSECOND") dynamodb.ApproximateCreationDateTimePrecision = "MICROSECOND";
  const u = rec.userIdentity;
  return {
    awsRegion: TEST_REGION,
    eventID: randomUUID(),
    eventName: rec.eventName,
    userIdentity: u ? { principalId: u.PrincipalId, type: u.Type } : null,
    recordFormat: "application/json",
    tableName,
    dynamodb,
    eventSource: "aws:dynamodb",
  };
}

/** Starts the stand-in on a free loopback port. */
export async function startDestinationStandin(opts: DestinationStandinOptions): Promise<DestinationStandin> {
  const ddbUrl = new URL(opts.ddbEndpoint);
  // Bounded waits: a call that hangs on a loaded machine must not stall replication for good.
  const cfg = {
    endpoint: opts.ddbEndpoint,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    requestHandler: { requestTimeout: 10_000, connectionTimeout: 5_000, throwOnRequestTimeout: true },
  };
  const ddb = new DynamoDBClient(cfg);
  const streams = new DynamoDBStreamsClient(cfg);
  const kinesis: KinesisClient = kinesisClient(opts.kinesisEndpoint);
  const transitionMs = opts.transitionMs ?? 200;
  const list: Destination[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let failNext: string | undefined;
  let changes = 0;
  let copied = 0;
  let stopped = false;
  const copyErrors: string[] = [];
  // Microseconds since the epoch: wall clock at start plus the high-resolution clock since.
  const originMicros = BigInt(Date.now()) * 1000n;
  const originHr = process.hrtime.bigint();
  const nowMicros = () => originMicros + (process.hrtime.bigint() - originHr) / 1000n;

  function later(fn: () => void): void {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, transitionMs);
    timers.add(t);
  }

  async function tableOf(name: unknown): Promise<string> {
    if (typeof name !== "string" || name === "")
      throw new ApiError("ValidationException", "TableName is required");
    const table = name.startsWith("arn:") ? (/:table\/([^/]+)/.exec(name)?.[1] ?? name) : name;
    try {
      await ddb.send(new DescribeTableCommand({ TableName: table }));
    } catch (e) {
      if ((e as Error).name === "ResourceNotFoundException")
        throw new ApiError(
          "ResourceNotFoundException",
          `Requested resource not found: Table: ${table} not found`,
        );
      throw e;
    }
    return table;
  }

  async function kinesisExists(arn: string): Promise<boolean> {
    try {
      await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: arn }));
      return true;
    } catch {
      return false;
    }
  }

  function find(table: string, arn: unknown): Destination | undefined {
    return list.find((d) => d.table === table && d.streamArn === arn);
  }

  function precisionOf(v: unknown): Precision {
    if (v === undefined || v === null) return "MILLISECOND";
    if (v === "MILLISECOND" || v === "MICROSECOND") return v;
    throw new ApiError(
      "ValidationException",
      `1 validation error detected: Value '${String(v)}' at 'approximateCreationDateTimePrecision' failed to satisfy constraint: Member must satisfy enum value set: [MILLISECOND, MICROSECOND]`,
    );
  }

  const ops: Record<string, (b: Record<string, unknown>) => Promise<unknown>> = {
    async EnableKinesisStreamingDestination(b) {
      const table = await tableOf(b.TableName);
      const arn = String(b.StreamArn ?? "");
      const conf = (b.EnableKinesisStreamingConfiguration ?? {}) as Record<string, unknown>;
      const precision = precisionOf(conf.ApproximateCreationDateTimePrecision);
      const existing = find(table, arn);
      if (existing && existing.status !== "DISABLED" && existing.status !== "ENABLE_FAILED") {
        throw new ApiError("ResourceInUseException", `Table ${table} is already streaming to ${arn}`);
      }
      const dest: Destination = existing ?? {
        table,
        streamArn: arn,
        status: "ENABLING",
        precision,
        iterators: new Map(),
        done: new Set(),
        since: Date.now(),
      };
      Object.assign(dest, { status: "ENABLING", precision, since: Date.now(), description: undefined });
      dest.iterators = new Map();
      dest.done = new Set();
      if (!existing) list.push(dest);
      const fail =
        failNext ?? ((await kinesisExists(arn)) ? undefined : `Kinesis stream ${arn} does not exist`);
      failNext = undefined;
      // Replication starts now: the shards' current ends (LATEST) are taken before answering.
      if (fail === undefined) await startIterators(dest);
      later(() => {
        if (dest.status !== "ENABLING") return;
        dest.status = fail === undefined ? "ACTIVE" : "ENABLE_FAILED";
        if (fail !== undefined) dest.description = fail;
      });
      return {
        TableName: table,
        StreamArn: arn,
        DestinationStatus: "ENABLING",
        EnableKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision },
      };
    },
    async DisableKinesisStreamingDestination(b) {
      const table = await tableOf(b.TableName);
      const dest = find(table, b.StreamArn);
      if (!dest || dest.status === "DISABLED" || dest.status === "ENABLE_FAILED") {
        throw new ApiError(
          "ResourceNotFoundException",
          `Table ${table} is not streaming to ${String(b.StreamArn)}`,
        );
      }
      dest.status = "DISABLING";
      later(() => {
        if (dest.status === "DISABLING") dest.status = "DISABLED";
      });
      return { TableName: table, StreamArn: dest.streamArn, DestinationStatus: "DISABLING" };
    },
    async UpdateKinesisStreamingDestination(b) {
      const table = await tableOf(b.TableName);
      const dest = find(table, b.StreamArn);
      if (dest?.status !== "ACTIVE") {
        throw new ApiError(
          "ResourceInUseException",
          `Table ${table} has no ACTIVE destination ${String(b.StreamArn)}`,
        );
      }
      const conf = (b.UpdateKinesisStreamingConfiguration ?? {}) as Record<string, unknown>;
      const precision = precisionOf(conf.ApproximateCreationDateTimePrecision);
      if (precision === dest.precision) {
        throw new ApiError("ValidationException", `The precision is already ${precision}`);
      }
      dest.status = "UPDATING";
      dest.precision = precision;
      later(() => {
        if (dest.status === "UPDATING") dest.status = "ACTIVE";
      });
      return {
        TableName: table,
        StreamArn: dest.streamArn,
        DestinationStatus: "UPDATING",
        UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision },
      };
    },
    async DescribeKinesisStreamingDestination(b) {
      const table = await tableOf(b.TableName);
      return {
        TableName: table,
        KinesisDataStreamDestinations: list
          .filter((d) => d.table === table)
          .map((d) => ({
            StreamArn: d.streamArn,
            DestinationStatus: d.status,
            ...(d.description ? { DestinationStatusDescription: d.description } : {}),
            ApproximateCreationDateTimePrecision: d.precision,
          })),
      };
    },
  };

  async function shardsOf(
    table: string,
  ): Promise<
    { streamArn: string; shards: Array<{ id: string; parent?: string; closed: boolean }> } | undefined
  > {
    const t = await ddb.send(new DescribeTableCommand({ TableName: table }));
    const streamArn = t.Table?.LatestStreamArn;
    if (!streamArn) return undefined;
    const d = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    return {
      streamArn,
      shards: (d.StreamDescription?.Shards ?? []).map((s) => ({
        id: s.ShardId ?? "",
        ...(s.ParentShardId ? { parent: s.ParentShardId } : {}),
        closed: s.SequenceNumberRange?.EndingSequenceNumber !== undefined,
      })),
    };
  }

  async function startIterators(dest: Destination): Promise<void> {
    const s = await shardsOf(dest.table);
    if (!s) return;
    for (const sh of s.shards) {
      if (sh.closed) {
        dest.done.add(sh.id);
        continue;
      }
      const it = await streams.send(
        new GetShardIteratorCommand({ StreamArn: s.streamArn, ShardId: sh.id, ShardIteratorType: "LATEST" }),
      );
      dest.iterators.set(sh.id, it.ShardIterator);
    }
  }

  async function copyOnce(dest: Destination): Promise<void> {
    const s = await shardsOf(dest.table);
    if (!s) return;
    for (const sh of s.shards) {
      if (dest.done.has(sh.id)) continue;
      let it = dest.iterators.get(sh.id);
      if (it === undefined) {
        const r = await streams.send(
          new GetShardIteratorCommand({
            StreamArn: s.streamArn,
            ShardId: sh.id,
            ShardIteratorType: "TRIM_HORIZON",
          }),
        );
        it = r.ShardIterator;
      }
      if (it === undefined) {
        dest.done.add(sh.id);
        continue;
      }
      let page: GetRecordsCommandOutput;
      try {
        page = await streams.send(new GetRecordsCommand({ ShardIterator: it }));
      } catch (e) {
        // DynamoDB Local can refuse a LATEST iterator taken on a shard that had no record yet
        // ("attempted to read past the oldest stream record"): start the shard again from its
        // oldest record; records older than the enable are skipped below.
        if ((e as Error).name === "TrimmedDataAccessException") dest.iterators.delete(sh.id);
        throw e;
      }
      for (const rec of page.Records ?? []) {
        const created = rec.dynamodb?.ApproximateCreationDateTime?.getTime() ?? Date.now();
        // DynamoDB Local rounds to the minute: only what is clearly older than the enable is skipped.
        if (created < dest.since - 60_000) continue;
        const doc = destinationRecord(rec, dest.table, dest.precision, nowMicros());
        const key = createHash("md5")
          .update(JSON.stringify(rec.dynamodb?.Keys ?? {}))
          .digest("hex")
          .toUpperCase();
        const data = Buffer.from(JSON.stringify(doc));
        changes += 1;
        const times = opts.duplicateEvery && changes % opts.duplicateEvery === 0 ? 2 : 1;
        for (let i = 0; i < times; i++) {
          await kinesis.send(
            new PutRecordCommand({ StreamARN: dest.streamArn, PartitionKey: key, Data: data }),
          );
          copied += 1;
        }
      }
      if (page.NextShardIterator) dest.iterators.set(sh.id, page.NextShardIterator);
      else {
        dest.iterators.delete(sh.id);
        dest.done.add(sh.id);
      }
    }
  }

  let copying = false;
  const poll = setInterval(() => {
    if (copying || stopped) return;
    copying = true;
    (async () => {
      for (const d of list) {
        if (d.status === "ACTIVE" || d.status === "UPDATING" || d.status === "ENABLING") {
          await copyOnce(d).catch((e: unknown) => {
            copyErrors.push(`${d.table}: ${(e as Error).name}: ${(e as Error).message}`);
            if (copyErrors.length > 20) copyErrors.shift();
          });
        }
      }
    })().finally(() => {
      copying = false;
    });
  }, opts.pollMs ?? 100);

  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      "content-length": Buffer.byteLength(text),
      "x-amzn-requestid": randomUUID(),
    });
    res.end(text);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers["x-amz-target"] ?? "");
    const op = target.startsWith("DynamoDB_20120810.") ? target.slice("DynamoDB_20120810.".length) : "";
    const fn = ops[op];
    if (fn) {
      try {
        send(res, 200, await fn(JSON.parse(body.toString("utf8") || "{}") as Record<string, unknown>));
      } catch (e) {
        if (e instanceof ApiError) send(res, e.status, { __type: `${NS}#${e.code}`, message: e.message });
        else send(res, 500, { __type: `${NS}#InternalServerError`, message: String(e) });
      }
      return;
    }
    const fwd = request(
      {
        host: ddbUrl.hostname,
        port: ddbUrl.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: ddbUrl.host },
      },
      (back) => {
        res.writeHead(back.statusCode ?? 500, back.headers);
        back.pipe(res);
      },
    );
    fwd.on("error", (e) => send(res, 500, { __type: `${NS}#InternalServerError`, message: String(e) }));
    fwd.end(body);
  }

  const server: Server = createServer((q, s) => {
    handle(q, s).catch((e) => send(s, 500, { message: String(e) }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    destinations: () =>
      list.map((d) => ({ table: d.table, streamArn: d.streamArn, status: d.status, precision: d.precision })),
    failNextEnable(description) {
      failNext = description;
    },
    replicated: () => copied,
    errors: () => [...copyErrors],
    async stop() {
      stopped = true;
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
      while (copying) await new Promise((r) => setTimeout(r, 10));
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      ddb.destroy();
      streams.destroy();
      kinesis.destroy();
    },
  };
}

/** What the Kinesis end-to-end tests run against: the emulator, the stand-in, and the CLI's environment. */
export interface KinesisRig {
  k: KinesisEmulator;
  standin: DestinationStandin;
  /** DynamoDB Local, behind the stand-in. */
  ddbLocal: string;
  /** The CLI's environment: DynamoDB through the stand-in, Kinesis through AWS_ENDPOINT_URL_KINESIS. */
  env: Record<string, string>;
}

/** DynamoDB Local behind a destination stand-in, kinesalite beside it; `extraEnv` joins the CLI's environment. */
export async function startKinesisRig(
  opts: Omit<DestinationStandinOptions, "ddbEndpoint" | "kinesisEndpoint"> = {},
  extraEnv: Record<string, string> = {},
): Promise<KinesisRig> {
  const ddbLocal = await ddbEndpoint();
  const k = await kinesisEmulator();
  const standin = await startDestinationStandin({
    ...opts,
    ddbEndpoint: ddbLocal,
    kinesisEndpoint: k.endpoint,
  });
  const env = cliEnv(standin.endpoint, { AWS_ENDPOINT_URL_KINESIS: k.endpoint, ...extraEnv });
  return { k, standin, ddbLocal, env };
}

/** The Kinesis rig and a CloudWatch + Lambda stand-in the CLI asks, as `lag`'s Kinesis tests use them. */
export interface KinesisLagRig extends KinesisRig {
  aws: AwsStandin;
}

/**
 * A {@link KinesisLagRig} started before the file's tests and stopped after them. Its fields are set
 * once the file's `before` hook has run: read them inside tests, not at the top level.
 */
export function kinesisLagRig(): KinesisLagRig {
  const rig = {} as KinesisLagRig;
  before(async () => {
    rig.aws = await startAwsStandin();
    Object.assign(
      rig,
      await startKinesisRig(
        { transitionMs: 50 },
        { AWS_ENDPOINT_URL_CLOUDWATCH: rig.aws.endpoint, AWS_ENDPOINT_URL_LAMBDA: rig.aws.endpoint },
      ),
    );
  });
  after(async () => {
    await rig.standin?.stop();
    await rig.aws?.stop();
  });
  return rig;
}
