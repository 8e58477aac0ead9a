// A stand-in DynamoDB Streams server for tests: speaks the real AWS JSON 1.0 wire protocol on
// 127.0.0.1 so the real `@aws-sdk/client-dynamodb-streams` (and `client-dynamodb` for DescribeTable)
// can be pointed at it. Unlike DynamoDB Local it can script shard lineage (splits, merges, orphans,
// many shards), trimming, iterator expiry, child-visibility lag and faults. See
// /work/shared/reference/streams-api-and-lag.md §1, §2, §3, §7.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import {
  type FaultHandle,
  FaultQueue,
  type FaultSpec,
  type FaultTarget,
  type StandinOp,
} from "./streams-faults.js";
import {
  ApiError,
  type AttributeDefinition,
  errors,
  isObject,
  type KeySchemaElement,
  type RecordInput,
  type ShardState,
  type StreamStatus,
  StreamsModel,
  type StreamViewType,
} from "./streams-model.js";

export type { FaultHandle, FaultKind, FaultSpec, StandinOp } from "./streams-faults.js";
export type {
  AttributeDefinition,
  EventName,
  KeySchemaElement,
  RecordInput,
  ShardState,
  StreamStatus,
  StreamViewType,
  WireAttributeValue,
  WireItem,
  WireRecord,
} from "./streams-model.js";

/** Options of `startStreamsStandin`. */
export interface StreamsStandinOptions {
  /** Region in ARNs and `awsRegion` (default us-east-1). */
  region?: string;
  /** Account id in ARNs (default 123456789012). */
  accountId?: string;
  /** Clock in epoch ms (default Date.now): record times, iterator expiry, rate windows, child visibility. */
  clock?: () => number;
  /** Iterator lifetime in ms (default 15 min); older iterators → ExpiredIteratorException. */
  iteratorTtlMs?: number;
  /** Children of a shard are listed only this many ms after the parent closes (default 0: immediately). */
  childVisibilityDelayMs?: number;
  /**
   * Children of a shard are listed only this many ms after a GetRecords first answered the parent's
   * end (default: unset). DynamoDB lists children up to seconds late; this makes "late" certain
   * whatever the machine's speed: no listing before the parent was read can show them.
   */
  childListedAfterParentReadMs?: number;
  /** Ignore DescribeStream `ShardFilter` and list everything, like DynamoDB Local (default false). */
  ignoreShardFilter?: boolean;
  /** Also return LastEvaluatedShardId / LastEvaluatedStreamArn on the final non-empty page (default false). */
  lastEvaluatedOnFinalPage?: boolean;
  /** Allowed DescribeStream calls per second; calls above it are counted in `stats.describeRateViolations`. */
  describeRateLimit?: number;
  /** When set, DescribeStream calls above `describeRateLimit` are answered with this error. */
  enforceDescribeRateLimit?: "LimitExceededException" | "ThrottlingException";
  /** Keep at most this many request-log entries (default 10000, oldest dropped). */
  maxLogEntries?: number;
}

/** One answered (or faulted) request. */
export interface RequestLogEntry {
  /** 1-based request number. */
  n: number;
  /** Clock time the request arrived (ms). */
  at: number;
  op: StandinOp | "Unknown";
  streamArn?: string;
  shardId?: string;
  /** GetShardIterator's iterator type. */
  iteratorType?: string;
  /** HTTP status answered; 0 for reset / hang. */
  status: number;
  /** Short error code, when an error was answered. */
  error?: string;
  /** Fault kind, when a fault fired. */
  fault?: string;
  /** GetRecords: number of records returned. */
  records?: number;
  /** GetRecords: whether a NextShardIterator was returned. */
  hasNext?: boolean;
}

/** Counters of what clients did. A snapshot: later calls do not change it. */
export interface StandinStats {
  /** Requests per operation (including faulted ones). */
  calls: Record<string, number>;
  totalCalls: number;
  /** GetRecords requests per shard id (from the iterator). */
  getRecordsByShard: Record<string, number>;
  /** GetShardIterator requests per shard id. */
  getShardIteratorByShard: Record<string, number>;
  /** Highest number of DescribeStream requests within any 1-second window. */
  maxDescribeStreamPerSecond: number;
  /** DescribeStream requests that exceeded `describeRateLimit`. */
  describeRateViolations: number;
  /** Faults fired, total and per kind. */
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  /** Request log, oldest first (bounded by `maxLogEntries`). */
  log: RequestLogEntry[];
}

/** Definition of a stream for `addStream`. */
export interface StreamDef {
  tableName: string;
  /** Stream label (default: ISO time of the clock, unique). */
  label?: string;
  viewType?: StreamViewType;
  status?: StreamStatus;
  /** Table key schema (default `pk` HASH); applied when the table is first created. */
  keySchema?: KeySchemaElement[];
  /** Default: every key attribute as `S`. */
  attributeDefinitions?: AttributeDefinition[];
}

/** Definition of a shard for `addShard`. */
export interface ShardDef {
  /** Default: a realistic `shardId-<20 digits>-<8 hex>`. */
  shardId?: string;
  parentShardId?: string;
  /** For merges: emitted as `AdjacentParentShardId` (the SDK's model drops it). */
  adjacentParentShardId?: string;
  /** Close immediately (an empty closed shard). */
  closed?: boolean;
  /** Length of generated sequence numbers, 21..40 (default 21). */
  sequenceDigits?: number;
  /**
   * Generated sequence numbers of this shard start just above this value and grow in non-contiguous
   * steps of 10–22 (overrides sequenceDigits). E.g. "999999999999999999950" crosses from 21 to 22 digits
   * after a few records, to catch string comparisons.
   */
  sequenceBase?: string | bigint;
  /** Explicit StartingSequenceNumber (digits, 21..40). */
  startingSequenceNumber?: string;
  /**
   * Listed only this many ms after a GetRecords first answered the parent's end (overrides
   * `childListedAfterParentReadMs` for this shard): the children of one split listed one by one.
   */
  listedAfterParentReadMs?: number;
}

/** How to trim a shard. */
export interface TrimSpec {
  /** Drop records with a sequence number below this; positions below it become trimmed. */
  beforeSequence?: string;
  /** Drop the oldest `count` records. */
  count?: number;
  /** Trim the whole shard away: no longer listed; GetShardIterator → ResourceNotFoundException,
   *  GetRecords with an old iterator → TrimmedDataAccessException. */
  removeShard?: boolean;
}

/** A stream plus bound helpers. */
export interface StreamHandle {
  arn: string;
  label: string;
  tableName: string;
  addShard(def?: ShardDef): string;
  putRecords(shardId: string, records: RecordInput[]): string[];
  closeShard(shardId: string): void;
  trim(shardId: string, how: TrimSpec): void;
  setStatus(status: StreamStatus, opts?: { closeOpenShards?: boolean }): void;
}

/** A running stand-in. */
export interface StreamsStandin {
  /** `http://127.0.0.1:<port>`; use as `endpoint` of both the Streams and the DynamoDB client. */
  endpoint: string;
  port: number;
  /** Register a table without a stream (DescribeTable answers it; no LatestStreamArn). */
  addTable(def: {
    tableName: string;
    keySchema?: KeySchemaElement[];
    attributeDefinitions?: AttributeDefinition[];
  }): void;
  /** Create a stream (and its table if new); it becomes the table's LatestStreamArn. */
  addStream(def: StreamDef): StreamHandle;
  /** Add a shard (listed in creation order); returns its id. */
  addShard(streamArn: string, def?: ShardDef): string;
  /** Append records to an open shard; returns their sequence numbers. */
  putRecords(streamArn: string, shardId: string, records: RecordInput[]): string[];
  /** Close a shard: sets EndingSequenceNumber (last record's, or the starting one when empty). */
  closeShard(streamArn: string, shardId: string): void;
  /** Trim records or a whole shard. */
  trim(streamArn: string, shardId: string, how: TrimSpec): void;
  /** Change the stream status. `closeOpenShards` defaults to true for DISABLING/DISABLED. */
  setStreamStatus(streamArn: string, status: StreamStatus, opts?: { closeOpenShards?: boolean }): void;
  /** Inspect a shard's internal state (read-only use). */
  getShard(streamArn: string, shardId: string): ShardState;
  /** Shard ids of a stream in creation order (including removed / not-yet-visible ones). */
  shardIds(streamArn: string): string[];
  /** Fault injection. */
  faults: {
    inject(spec: FaultSpec): FaultHandle;
    clear(): void;
    pending(): number;
  };
  /** Snapshot of the counters. */
  readonly stats: StandinStats;
  /** Zero the counters and the log. */
  resetStats(): void;
  /** Called after each request is answered (or faulted); returns an unsubscribe function. */
  onRequest(listener: (entry: RequestLogEntry) => void): () => void;
  /** Close the server, destroy all sockets (including hung requests), cancel delayed answers. */
  stop(): Promise<void>;
}

const STREAMS_PREFIX = "DynamoDBStreams_20120810.";
const DDB_PREFIX = "DynamoDB_20120810.";
const STREAMS_OPS: ReadonlySet<string> = new Set([
  "ListStreams",
  "DescribeStream",
  "GetShardIterator",
  "GetRecords",
]);
const MAX_BODY = 5 * 1024 * 1024;

/**
 * Start a stand-in on 127.0.0.1, port 0. Shard iterators are opaque base64url tokens carrying
 * stream, shard, position and issue time; they are valid only on the stand-in that issued them
 * (others answer ValidationException "Invalid ShardIterator").
 *
 * @example
 * const standin = await startStreamsStandin();
 * const s = standin.addStream({ tableName: "Orders" });
 * const root = s.addShard();
 * s.putRecords(root, [{ eventName: "INSERT" }, {}]);
 * const client = new DynamoDBStreamsClient({ endpoint: standin.endpoint, region: "us-east-1",
 *   credentials: { accessKeyId: "x", secretAccessKey: "x" } });
 * // ... client.send(new DescribeStreamCommand({ StreamArn: s.arn }))
 * await standin.stop();
 */
export async function startStreamsStandin(opts: StreamsStandinOptions = {}): Promise<StreamsStandin> {
  const clock = opts.clock ?? Date.now;
  const model = new StreamsModel({
    region: opts.region ?? "us-east-1",
    accountId: opts.accountId ?? "123456789012",
    clock,
    iteratorTtlMs: opts.iteratorTtlMs ?? 15 * 60 * 1000,
    childVisibilityDelayMs: opts.childVisibilityDelayMs ?? 0,
    childListedAfterParentReadMs: opts.childListedAfterParentReadMs,
    ignoreShardFilter: opts.ignoreShardFilter ?? false,
    lastEvaluatedOnFinalPage: opts.lastEvaluatedOnFinalPage ?? false,
  });
  const faults = new FaultQueue();
  const maxLog = opts.maxLogEntries ?? 10_000;
  const sockets = new Set<Socket>();
  const timers = new Map<NodeJS.Timeout, () => void>();
  const listeners = new Set<(e: RequestLogEntry) => void>();
  let stopped = false;

  let stats = freshStats();
  let describeTimes: number[] = [];
  let requestNo = 0;

  function freshStats(): StandinStats {
    return {
      calls: {},
      totalCalls: 0,
      getRecordsByShard: {},
      getShardIteratorByShard: {},
      maxDescribeStreamPerSecond: 0,
      describeRateViolations: 0,
      faultsInjected: 0,
      faultsByKind: {},
      log: [],
    };
  }

  function record(entry: RequestLogEntry): void {
    stats.log.push(entry);
    if (stats.log.length > maxLog) stats.log.splice(0, stats.log.length - maxLog);
    for (const l of listeners) {
      try {
        l(entry);
      } catch {
        // a failing listener must not break the server
      }
    }
  }

  /** Count a DescribeStream call; true when it exceeds the configured rate. */
  function countDescribe(now: number): boolean {
    describeTimes = describeTimes.filter((t) => now - t < 1000);
    describeTimes.push(now);
    if (describeTimes.length > stats.maxDescribeStreamPerSecond) {
      stats.maxDescribeStreamPerSecond = describeTimes.length;
    }
    if (opts.describeRateLimit !== undefined && describeTimes.length > opts.describeRateLimit) {
      stats.describeRateViolations++;
      return true;
    }
    return false;
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/x-amz-json-1.0",
      "content-length": Buffer.byteLength(text, "utf8"),
      "x-amzn-requestid": randomUUID(),
    });
    res.end(text);
  }

  function sendError(res: ServerResponse, err: ApiError): void {
    send(res, err.status, { __type: err.type, message: err.message });
  }

  function faultError(spec: FaultSpec): ApiError | undefined {
    const m = spec.message;
    switch (spec.kind) {
      case "throttle":
        return errors.limitExceeded(m);
      case "throttling":
        return errors.throttling(m);
      case "500":
        return errors.internal(m);
      case "503":
        return errors.unavailable(m);
      case "expired":
        return errors.expired(m);
      case "trimmed":
        return errors.trimmed(m);
      case "notfound":
        return errors.notFound(m ?? "Requested resource not found");
      case "validation":
        return errors.validation(m ?? "Invalid request");
      case "accessDenied":
        return new ApiError(
          "AccessDeniedException",
          m ??
            `User: arn:aws:iam::123456789012:user/standin is not authorized to perform: dynamodb:${spec.op === "*" ? "DescribeTable" : spec.op} because no identity-based policy allows the action`,
          400,
          "com.amazon.coral.service",
        );
      default:
        return undefined;
    }
  }

  function answer(op: StandinOp, body: Record<string, unknown>, empty: boolean): Record<string, unknown> {
    switch (op) {
      case "ListStreams":
        return empty ? { Streams: [] } : model.listStreams(body);
      case "DescribeStream": {
        const out = model.describeStream(body);
        if (empty && isObject(out.StreamDescription)) {
          out.StreamDescription.Shards = [];
          delete out.StreamDescription.LastEvaluatedShardId;
        }
        return out;
      }
      case "GetShardIterator":
        return model.getShardIterator(body);
      case "GetRecords":
        return empty ? model.emptyPage(body) : model.getRecords(body);
      case "DescribeTable":
        return model.describeTable(body);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = clock();
    const n = ++requestNo;
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      req.socket.destroy();
      return;
    }
    const target = String(req.headers["x-amz-target"] ?? "");
    let op: StandinOp | undefined;
    if (target.startsWith(STREAMS_PREFIX) && STREAMS_OPS.has(target.slice(STREAMS_PREFIX.length))) {
      op = target.slice(STREAMS_PREFIX.length) as StandinOp;
    } else if (target === `${DDB_PREFIX}DescribeTable`) {
      op = "DescribeTable";
    }
    stats.totalCalls++;
    if (req.method !== "POST" || op === undefined) {
      const name = op === undefined ? target || "Unknown" : op;
      stats.calls[name] = (stats.calls[name] ?? 0) + 1;
      const err = new ApiError(
        "UnknownOperationException",
        `Unknown operation ${target}`,
        400,
        "com.amazon.coral.service",
      );
      sendError(res, err);
      record({ n, at, op: "Unknown", status: 400, error: err.code });
      return;
    }
    stats.calls[op] = (stats.calls[op] ?? 0) + 1;

    let body: Record<string, unknown>;
    try {
      const parsed: unknown = raw.length === 0 ? {} : JSON.parse(raw);
      if (!isObject(parsed)) throw new Error("not an object");
      body = parsed;
    } catch {
      const err = new ApiError("SerializationException", "Request body is not valid JSON");
      sendError(res, err);
      record({ n, at, op, status: 400, error: err.code });
      return;
    }

    const entry: RequestLogEntry = { n, at, op, status: 0 };
    const ft = faultTarget(op, body);
    if (ft.streamArn !== undefined) entry.streamArn = ft.streamArn;
    if (ft.shardId !== undefined) entry.shardId = ft.shardId;
    if (op === "GetShardIterator" && typeof body.ShardIteratorType === "string") {
      entry.iteratorType = body.ShardIteratorType;
    }
    if (op === "GetRecords" && ft.shardId !== undefined) {
      stats.getRecordsByShard[ft.shardId] = (stats.getRecordsByShard[ft.shardId] ?? 0) + 1;
    }
    if (op === "GetShardIterator" && ft.shardId !== undefined) {
      stats.getShardIteratorByShard[ft.shardId] = (stats.getShardIteratorByShard[ft.shardId] ?? 0) + 1;
    }
    const overRate = op === "DescribeStream" ? countDescribe(at) : false;

    const fault = faults.take(ft);
    if (fault) {
      stats.faultsInjected++;
      stats.faultsByKind[fault.kind] = (stats.faultsByKind[fault.kind] ?? 0) + 1;
      entry.fault = fault.kind;
      if (fault.kind === "hang") {
        record(entry);
        return; // never answered; stop() destroys the socket
      }
      if (fault.kind === "stall") {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "content-length": 4096 });
        res.write('{"Records":[{"eventID":"');
        record(entry);
        return; // never finished; stop() destroys the socket
      }
      if (fault.kind === "reset") {
        const partial = '{"Records":[{"eventID":"';
        res.writeHead(200, {
          "content-type": "application/x-amz-json-1.0",
          "content-length": 4096,
        });
        res.write(partial, () => res.socket?.destroy());
        record(entry);
        return;
      }
      if (fault.kind === "delay") {
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, fault.delayMs ?? 1000);
          timers.set(t, resolve);
        });
        if (stopped || res.destroyed) return;
      }
      const err = faultError(fault);
      if (err) {
        sendError(res, err);
        entry.status = err.status;
        entry.error = err.code;
        record(entry);
        return;
      }
    }
    if (overRate && opts.enforceDescribeRateLimit) {
      const err =
        opts.enforceDescribeRateLimit === "ThrottlingException"
          ? errors.throttling()
          : errors.limitExceeded("Rate exceeded for DescribeStream");
      sendError(res, err);
      entry.status = err.status;
      entry.error = err.code;
      record(entry);
      return;
    }
    try {
      const out = answer(op, body, fault?.kind === "empty");
      if (op === "GetRecords") {
        entry.records = Array.isArray(out.Records) ? out.Records.length : 0;
        entry.hasNext = out.NextShardIterator !== undefined;
      }
      send(res, 200, out);
      entry.status = 200;
    } catch (e) {
      const err = e instanceof ApiError ? e : errors.internal(e instanceof Error ? e.message : String(e));
      sendError(res, err);
      entry.status = err.status;
      entry.error = err.code;
    }
    record(entry);
  }

  function faultTarget(op: StandinOp, body: Record<string, unknown>): FaultTarget {
    let shardId: string | undefined;
    let streamArn: string | undefined = typeof body.StreamArn === "string" ? body.StreamArn : undefined;
    if (op === "GetShardIterator" && typeof body.ShardId === "string") shardId = body.ShardId;
    if (
      op === "DescribeStream" &&
      isObject(body.ShardFilter) &&
      typeof body.ShardFilter.ShardId === "string"
    ) {
      shardId = body.ShardFilter.ShardId;
    }
    if (op === "GetRecords" && typeof body.ShardIterator === "string") {
      const d = model.decodeIterator(body.ShardIterator);
      if (d) {
        shardId = d.shardId;
        streamArn = d.arn;
      }
    }
    if (op === "DescribeTable" && typeof body.TableName === "string") {
      streamArn = model.tables.get(body.TableName)?.latestStreamArn;
    }
    return { op, shardId, streamArn };
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.socket?.destroy();
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  const closeOpenDefault = (status: StreamStatus) => status === "DISABLED" || status === "DISABLING";

  const standin: StreamsStandin = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    addTable: (def) => {
      model.addTable(def);
    },
    addStream: (def) => {
      const s = model.addStream(def);
      return {
        arn: s.arn,
        label: s.label,
        tableName: s.tableName,
        addShard: (d) => model.addShard(s.arn, d).shardId,
        putRecords: (shardId, records) => model.putRecords(s.arn, shardId, records),
        closeShard: (shardId) => model.closeShard(s.arn, shardId),
        trim: (shardId, how) => model.trim(s.arn, shardId, how),
        setStatus: (status, o) =>
          model.setStreamStatus(s.arn, status, o?.closeOpenShards ?? closeOpenDefault(status)),
      };
    },
    addShard: (arn, def) => model.addShard(arn, def).shardId,
    putRecords: (arn, shardId, records) => model.putRecords(arn, shardId, records),
    closeShard: (arn, shardId) => model.closeShard(arn, shardId),
    trim: (arn, shardId, how) => model.trim(arn, shardId, how),
    setStreamStatus: (arn, status, o) =>
      model.setStreamStatus(arn, status, o?.closeOpenShards ?? closeOpenDefault(status)),
    getShard: (arn, shardId) => model.mustShard(model.mustStream(arn), shardId),
    shardIds: (arn) => model.mustStream(arn).shards.map((s) => s.shardId),
    faults: {
      inject: (spec) => faults.inject(spec),
      clear: () => faults.clear(),
      pending: () => faults.pending(),
    },
    get stats(): StandinStats {
      return structuredClone(stats);
    },
    resetStats: () => {
      stats = freshStats();
      describeTimes = [];
    },
    onRequest: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      for (const [t, wake] of timers) {
        clearTimeout(t);
        wake();
      }
      timers.clear();
      listeners.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closed;
    },
  };
  return standin;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("request body too large"));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
    req.on("aborted", () => reject(new Error("aborted")));
  });
}
