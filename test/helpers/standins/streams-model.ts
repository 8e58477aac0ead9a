// In-memory state of the DynamoDB Streams stand-in: tables, streams, shards, records and iterators,
// plus the four Streams operations and DescribeTable as plain functions over JSON-ish input. The HTTP
// layer lives in streams-server.ts; this file knows nothing about sockets. Wire shapes follow
// /work/shared/reference/streams-api-and-lag.md §1–§3.
import { randomBytes } from "node:crypto";

/** Stream view type, as on the wire. */
export type StreamViewType = "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";
/** Stream status, as on the wire. */
export type StreamStatus = "ENABLING" | "ENABLED" | "DISABLING" | "DISABLED";
/** Record event name. */
export type EventName = "INSERT" | "MODIFY" | "REMOVE";
/** Shard iterator types accepted by GetShardIterator. */
export type ShardIteratorType = "TRIM_HORIZON" | "LATEST" | "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER";

/** A DynamoDB AttributeValue in its JSON wire form (`B`/`BS` are base64 strings). */
export type WireAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, WireAttributeValue> }
  | { L: WireAttributeValue[] }
  | { NULL: true }
  | { BOOL: boolean };

/** An item (Keys / NewImage / OldImage) in wire form. */
export type WireItem = Record<string, WireAttributeValue>;

/** One key attribute of a table, as in DescribeTable / DescribeStream. */
export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}

/** An attribute definition, as in DescribeTable. */
export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: "S" | "N" | "B";
}

/** A stream record exactly as the stand-in puts it on the wire (timestamps in epoch seconds). */
export interface WireRecord {
  eventID: string;
  eventName: EventName;
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: WireItem;
    NewImage?: WireItem;
    OldImage?: WireItem;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  userIdentity?: { PrincipalId: string; Type: string };
}

/**
 * What a test passes to `putRecords`. Everything is optional. Defaults: `eventName` INSERT, Keys
 * generated from the key schema (`item-<n>`), images generated from Keys for the parts the stream's
 * view type includes (user-supplied images are passed through untouched), `ApproximateCreationDateTime`
 * = clock rounded down to the second, a fresh 32-hex `eventID`, an increasing `SequenceNumber`.
 */
export interface RecordInput {
  eventID?: string;
  eventName?: EventName;
  eventVersion?: string;
  awsRegion?: string;
  /** Shortcut for a TTL delete: eventName REMOVE and `userIdentity {PrincipalId: dynamodb.amazonaws.com, Type: Service}`. */
  ttlDelete?: boolean;
  dynamodb?: {
    /** Epoch seconds (may be fractional) or a Date. */
    ApproximateCreationDateTime?: number | Date;
    Keys?: WireItem;
    NewImage?: WireItem;
    OldImage?: WireItem;
    /** Explicit sequence number (digits, 21–40); must be greater than the shard's last one. */
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: StreamViewType;
  };
  userIdentity?: { PrincipalId: string; Type: string };
}

/** An error answered to the client: HTTP status, full `__type` and message. */
export class ApiError extends Error {
  /** Short error code, e.g. `ExpiredIteratorException` (what the SDK puts in `err.name`). */
  readonly code: string;
  /** HTTP status to answer with. */
  readonly status: number;
  /** Full `__type` value for the JSON body. */
  readonly type: string;
  constructor(code: string, message: string, status = 400, namespace = DDB_NS) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.type = `${namespace}#${code}`;
  }
}

/** Namespace DynamoDB and DynamoDB Streams use in `__type`. */
export const DDB_NS = "com.amazonaws.dynamodb.v20120810";
const CORAL_VALIDATE_NS = "com.amazon.coral.validate";

/** Builders for the errors the real service answers with. */
export const errors = {
  validation: (message: string) => new ApiError("ValidationException", message, 400, CORAL_VALIDATE_NS),
  notFound: (message: string) => new ApiError("ResourceNotFoundException", message),
  expired: (message = "Iterator expired. The iterator was created more than 15 minutes ago.") =>
    new ApiError("ExpiredIteratorException", message),
  trimmed: (message = "The operation attempted to read past the oldest stream record in a shard.") =>
    new ApiError("TrimmedDataAccessException", message),
  limitExceeded: (message = "Too many requests are being made to this shard.") =>
    new ApiError("LimitExceededException", message),
  throttling: (message = "Rate exceeded") =>
    new ApiError("ThrottlingException", message, 400, "com.amazon.coral.availability"),
  internal: (message = "Internal server error") => new ApiError("InternalServerError", message, 500),
  unavailable: (message = "The service is currently unavailable or busy.") =>
    new ApiError("ServiceUnavailable", message, 503),
};

/** Internal state of one shard. Exposed read-only through `StreamsStandin.getShard`. */
export interface ShardState {
  readonly shardId: string;
  readonly parentShardId: string | undefined;
  /** Extra wire field for merges (`AdjacentParentShardId`); the SDK's Shard model drops it. */
  readonly adjacentParentShardId: string | undefined;
  readonly createdAt: number;
  readonly startingSeq: bigint;
  /** Generated sequence numbers are `seqOrigin + <server-wide counter>`. */
  readonly seqOrigin: bigint;
  endingSeq: bigint | undefined;
  closedAt: number | undefined;
  /** When a GetRecords first answered this (closed) shard's end: read to its end by someone. */
  readToEndAt: number | undefined;
  /** Listed only this many ms after its parent was read to its end (overrides the setting). */
  readonly listedAfterParentReadMs: number | undefined;
  /** Records in ascending sequence order (trimmed ones removed). */
  records: StoredRecord[];
  /** Positions below this are trimmed. */
  horizon: bigint;
  /** Last sequence number ever assigned in this shard (survives trimming). */
  lastSeq: bigint | undefined;
  /** Trimmed away entirely: not listed, GetShardIterator → ResourceNotFound. */
  removed: boolean;
}

/** A record as stored: its parsed sequence number plus the wire object. */
export interface StoredRecord {
  seq: bigint;
  wire: WireRecord;
}

/** Internal state of one stream. */
export interface StreamState {
  readonly arn: string;
  readonly label: string;
  readonly tableName: string;
  readonly viewType: StreamViewType;
  status: StreamStatus;
  readonly createdAt: number;
  readonly shards: ShardState[];
  readonly shardIndex: Map<string, ShardState>;
}

/** Internal state of one table. */
export interface TableState {
  readonly name: string;
  readonly keySchema: KeySchemaElement[];
  readonly attributeDefinitions: AttributeDefinition[];
  readonly createdAt: number;
  latestStreamArn: string | undefined;
}

/** Settings of the model that come from the stand-in options. */
export interface ModelSettings {
  region: string;
  accountId: string;
  clock: () => number;
  iteratorTtlMs: number;
  childVisibilityDelayMs: number;
  childListedAfterParentReadMs: number | undefined;
  ignoreShardFilter: boolean;
  lastEvaluatedOnFinalPage: boolean;
}

interface IteratorPayload {
  v: 1;
  /** server nonce */
  n: string;
  a: string;
  s: string;
  /** position: next record to read has seq >= p */
  p: string;
  /** issued at, epoch ms */
  t: number;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;
const SEQ_RE = /^\d{21,40}$/;

/** JSON value as read from a request body. */
type Json = unknown;

/** The whole in-memory world of the stand-in. */
export class StreamsModel {
  readonly tables = new Map<string, TableState>();
  readonly streams = new Map<string, StreamState>();
  private readonly settings: ModelSettings;
  private readonly nonce = randomBytes(4).toString("hex");
  private seqCounter = 1000n;
  private seqSteps = 0;
  private recordCounter = 0;
  private shardCounter = 0;
  private labelCounter = 0;

  constructor(settings: ModelSettings) {
    this.settings = settings;
  }

  // ---------------------------------------------------------------- test-side mutations

  addTable(def: {
    tableName: string;
    keySchema?: KeySchemaElement[];
    attributeDefinitions?: AttributeDefinition[];
  }): TableState {
    const existing = this.tables.get(def.tableName);
    if (existing) return existing;
    const keySchema = def.keySchema ?? [{ AttributeName: "pk", KeyType: "HASH" }];
    const attributeDefinitions =
      def.attributeDefinitions ??
      keySchema.map((k): AttributeDefinition => ({ AttributeName: k.AttributeName, AttributeType: "S" }));
    const table: TableState = {
      name: def.tableName,
      keySchema,
      attributeDefinitions,
      createdAt: this.settings.clock(),
      latestStreamArn: undefined,
    };
    this.tables.set(def.tableName, table);
    return table;
  }

  addStream(def: {
    tableName: string;
    label?: string;
    viewType?: StreamViewType;
    status?: StreamStatus;
    keySchema?: KeySchemaElement[];
    attributeDefinitions?: AttributeDefinition[];
  }): StreamState {
    const table = this.addTable(def);
    const now = this.settings.clock();
    const label = def.label ?? this.makeLabel(now);
    const arn = `arn:aws:dynamodb:${this.settings.region}:${this.settings.accountId}:table/${def.tableName}/stream/${label}`;
    if (this.streams.has(arn)) throw new Error(`stand-in: stream ${arn} already exists`);
    const stream: StreamState = {
      arn,
      label,
      tableName: def.tableName,
      viewType: def.viewType ?? "NEW_AND_OLD_IMAGES",
      status: def.status ?? "ENABLED",
      createdAt: now,
      shards: [],
      shardIndex: new Map(),
    };
    this.streams.set(arn, stream);
    table.latestStreamArn = arn;
    return stream;
  }

  addShard(
    arn: string,
    def: {
      shardId?: string;
      parentShardId?: string;
      adjacentParentShardId?: string;
      closed?: boolean;
      sequenceDigits?: number;
      sequenceBase?: string | bigint;
      startingSequenceNumber?: string;
      listedAfterParentReadMs?: number;
    } = {},
  ): ShardState {
    const stream = this.mustStream(arn);
    const shardId = def.shardId ?? this.makeShardId();
    if (stream.shardIndex.has(shardId))
      throw new Error(`stand-in: shard ${shardId} already exists in ${arn}`);
    const digits = def.sequenceDigits ?? 21;
    if (!Number.isInteger(digits) || digits < 21 || digits > 40) {
      throw new Error(`stand-in: sequenceDigits must be 21..40, got ${digits}`);
    }
    // Default: 10^(digits-1) + a server-wide counter, so numbers are non-contiguous per shard and
    // roughly time-ordered across shards. An explicit base makes this shard's numbers start just above it.
    const seqOrigin =
      def.sequenceBase !== undefined ? BigInt(def.sequenceBase) - this.seqCounter : 10n ** BigInt(digits - 1);
    let startingSeq: bigint;
    if (def.startingSequenceNumber !== undefined) {
      if (!SEQ_RE.test(def.startingSequenceNumber)) {
        throw new Error(`stand-in: bad startingSequenceNumber ${def.startingSequenceNumber}`);
      }
      startingSeq = BigInt(def.startingSequenceNumber);
    } else {
      startingSeq = seqOrigin + this.nextSeqOffset();
    }
    const shard: ShardState = {
      shardId,
      parentShardId: def.parentShardId,
      adjacentParentShardId: def.adjacentParentShardId,
      createdAt: this.settings.clock(),
      startingSeq,
      seqOrigin,
      endingSeq: undefined,
      closedAt: undefined,
      readToEndAt: undefined,
      listedAfterParentReadMs: def.listedAfterParentReadMs,
      records: [],
      horizon: startingSeq,
      lastSeq: undefined,
      removed: false,
    };
    stream.shards.push(shard);
    stream.shardIndex.set(shardId, shard);
    if (def.closed) this.closeShard(arn, shardId);
    return shard;
  }

  putRecords(arn: string, shardId: string, inputs: RecordInput[]): string[] {
    const stream = this.mustStream(arn);
    const shard = this.mustShard(stream, shardId);
    if (shard.endingSeq !== undefined) throw new Error(`stand-in: shard ${shardId} is closed`);
    if (shard.removed) throw new Error(`stand-in: shard ${shardId} was removed`);
    const table = this.tables.get(stream.tableName);
    const keySchema = table?.keySchema ?? [{ AttributeName: "pk", KeyType: "HASH" }];
    const out: string[] = [];
    for (const input of inputs) {
      const floor = shard.lastSeq ?? shard.startingSeq - 1n;
      let seq: bigint;
      const explicit = input.dynamodb?.SequenceNumber;
      if (explicit !== undefined) {
        if (!SEQ_RE.test(explicit)) throw new Error(`stand-in: bad SequenceNumber ${explicit}`);
        seq = BigInt(explicit);
        if (seq <= floor || seq < shard.startingSeq) {
          throw new Error(`stand-in: SequenceNumber ${explicit} does not increase in shard ${shardId}`);
        }
      } else {
        seq = shard.seqOrigin + this.nextSeqOffset();
        if (seq <= floor) seq = floor + 1n + BigInt(this.seqSteps % 5);
      }
      const wire = this.buildRecord(stream, keySchema, input, seq);
      shard.records.push({ seq, wire });
      shard.lastSeq = seq;
      out.push(wire.dynamodb.SequenceNumber);
    }
    return out;
  }

  closeShard(arn: string, shardId: string): void {
    const stream = this.mustStream(arn);
    const shard = this.mustShard(stream, shardId);
    if (shard.endingSeq !== undefined) return;
    shard.endingSeq = shard.lastSeq ?? shard.startingSeq;
    shard.closedAt = this.settings.clock();
  }

  trim(
    arn: string,
    shardId: string,
    how: { beforeSequence?: string; count?: number; removeShard?: boolean },
  ): void {
    const stream = this.mustStream(arn);
    const shard = this.mustShard(stream, shardId);
    if (how.removeShard) {
      shard.removed = true;
      shard.records = [];
      shard.horizon = (shard.lastSeq ?? shard.startingSeq) + 1n;
      return;
    }
    let horizon = shard.horizon;
    if (how.beforeSequence !== undefined) {
      if (!SEQ_RE.test(how.beforeSequence))
        throw new Error(`stand-in: bad beforeSequence ${how.beforeSequence}`);
      const b = BigInt(how.beforeSequence);
      if (b > horizon) horizon = b;
    }
    if (how.count !== undefined && how.count > 0) {
      const next = shard.records[how.count];
      const b = next ? next.seq : (shard.lastSeq ?? shard.startingSeq) + 1n;
      if (b > horizon) horizon = b;
    }
    shard.horizon = horizon;
    shard.records = shard.records.filter((r) => r.seq >= horizon);
  }

  setStreamStatus(arn: string, status: StreamStatus, closeOpenShards: boolean): void {
    const stream = this.mustStream(arn);
    stream.status = status;
    if (closeOpenShards) {
      for (const s of stream.shards) if (!s.removed) this.closeShard(arn, s.shardId);
    }
  }

  mustStream(arn: string): StreamState {
    const s = this.streams.get(arn);
    if (!s) throw new Error(`stand-in: unknown stream ${arn}`);
    return s;
  }

  mustShard(stream: StreamState, shardId: string): ShardState {
    const s = stream.shardIndex.get(shardId);
    if (!s) throw new Error(`stand-in: unknown shard ${shardId} in ${stream.arn}`);
    return s;
  }

  // ---------------------------------------------------------------- helpers

  private nextSeqOffset(): bigint {
    // Non-contiguous but strictly increasing, shared by all shards (like the real service).
    this.seqSteps++;
    this.seqCounter += 10n + BigInt((this.seqSteps * 7) % 13);
    return this.seqCounter;
  }

  private makeLabel(now: number): string {
    // Real labels look like 2015-05-11T21:21:33.291; add ms to keep them unique.
    const t = new Date(now + this.labelCounter++);
    return t.toISOString().replace("Z", "");
  }

  private makeShardId(): string {
    const n = ++this.shardCounter;
    const ts = String(this.settings.clock() + n).padStart(20, "0");
    return `shardId-${ts}-${randomBytes(4).toString("hex")}`;
  }

  private buildRecord(
    stream: StreamState,
    keySchema: KeySchemaElement[],
    input: RecordInput,
    seq: bigint,
  ): WireRecord {
    const n = ++this.recordCounter;
    const table = this.tables.get(stream.tableName);
    const d = input.dynamodb ?? {};
    const eventName: EventName = input.ttlDelete ? "REMOVE" : (input.eventName ?? "INSERT");
    const keys = d.Keys ?? defaultKeys(keySchema, table?.attributeDefinitions ?? [], n);
    const viewType = d.StreamViewType ?? stream.viewType;
    const wantNew = viewType === "NEW_IMAGE" || viewType === "NEW_AND_OLD_IMAGES";
    const wantOld = viewType === "OLD_IMAGE" || viewType === "NEW_AND_OLD_IMAGES";
    let newImage = d.NewImage;
    let oldImage = d.OldImage;
    if (newImage === undefined && wantNew && eventName !== "REMOVE") {
      newImage = { ...keys, n: { N: String(n) } };
    }
    if (oldImage === undefined && wantOld && eventName !== "INSERT") {
      oldImage = { ...keys, n: { N: String(n - 1) } };
    }
    const created = d.ApproximateCreationDateTime;
    const createdSec =
      created instanceof Date
        ? created.getTime() / 1000
        : (created ?? Math.floor(this.settings.clock() / 1000));
    const dynamodb: WireRecord["dynamodb"] = {
      ApproximateCreationDateTime: createdSec,
      Keys: keys,
      SequenceNumber: seq.toString(),
      SizeBytes: 0,
      StreamViewType: viewType,
    };
    if (newImage !== undefined) dynamodb.NewImage = newImage;
    if (oldImage !== undefined) dynamodb.OldImage = oldImage;
    dynamodb.SizeBytes =
      d.SizeBytes ?? Buffer.byteLength(JSON.stringify([keys, newImage ?? null, oldImage ?? null]), "utf8");
    const rec: WireRecord = {
      eventID: input.eventID ?? randomBytes(16).toString("hex"),
      eventName,
      eventVersion: input.eventVersion ?? "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: input.awsRegion ?? this.settings.region,
      dynamodb,
    };
    const identity = input.ttlDelete
      ? { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" }
      : input.userIdentity;
    if (identity) rec.userIdentity = identity;
    return rec;
  }

  /** Is the shard listed by DescribeStream right now (not removed, child-visibility delay elapsed)? */
  isListed(stream: StreamState, shard: ShardState, now: number): boolean {
    if (shard.removed) return false;
    const afterRead = shard.listedAfterParentReadMs ?? this.settings.childListedAfterParentReadMs;
    if (afterRead !== undefined && shard.parentShardId !== undefined) {
      const parent = stream.shardIndex.get(shard.parentShardId);
      if (parent && !parent.removed)
        return parent.readToEndAt !== undefined && now >= parent.readToEndAt + afterRead;
    }
    const delay = this.settings.childVisibilityDelayMs;
    if (delay <= 0 || shard.parentShardId === undefined) return true;
    const parent = stream.shardIndex.get(shard.parentShardId);
    if (!parent || parent.removed) return true;
    if (parent.closedAt === undefined) return false;
    return now >= Math.max(parent.closedAt, shard.createdAt) + delay;
  }

  encodeIterator(arn: string, shardId: string, position: bigint): string {
    const payload: IteratorPayload = {
      v: 1,
      n: this.nonce,
      a: arn,
      s: shardId,
      p: position.toString(),
      t: this.settings.clock(),
    };
    return Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  }

  /** Decode an iterator; undefined when it is not one of ours. */
  decodeIterator(
    it: string,
  ): { arn: string; shardId: string; position: bigint; issuedAt: number } | undefined {
    if (it.length === 0 || it.length > 2048) return undefined;
    try {
      const raw: unknown = JSON.parse(Buffer.from(it, "base64url").toString("utf8"));
      if (!isObject(raw)) return undefined;
      const { v, n, a, s, p, t } = raw;
      if (v !== 1 || n !== this.nonce || typeof a !== "string" || typeof s !== "string") return undefined;
      if (typeof p !== "string" || !/^\d+$/.test(p) || typeof t !== "number") return undefined;
      return { arn: a, shardId: s, position: BigInt(p), issuedAt: t };
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- API operations

  listStreams(body: Record<string, Json>): Record<string, Json> {
    const tableName = optString(body, "TableName");
    const limit = optLimit(body, "Limit", 100);
    const start = optString(body, "ExclusiveStartStreamArn");
    let all = [...this.streams.values()];
    if (tableName !== undefined) all = all.filter((s) => s.tableName === tableName);
    let from = 0;
    if (start !== undefined) {
      const idx = all.findIndex((s) => s.arn === start);
      if (idx < 0) throw errors.validation(`ExclusiveStartStreamArn ${start} is not a known stream`);
      from = idx + 1;
    }
    const rest = all.slice(from);
    const page = rest.slice(0, limit);
    const out: Record<string, Json> = {
      Streams: page.map((s) => ({ StreamArn: s.arn, TableName: s.tableName, StreamLabel: s.label })),
    };
    const last = page.at(-1);
    if (last && (rest.length > limit || this.settings.lastEvaluatedOnFinalPage)) {
      out.LastEvaluatedStreamArn = last.arn;
    }
    return out;
  }

  describeStream(body: Record<string, Json>): Record<string, Json> {
    const arn = reqString(body, "StreamArn");
    const limit = optLimit(body, "Limit", 100);
    const start = optString(body, "ExclusiveStartShardId");
    const filter = body.ShardFilter;
    let childOf: string | undefined;
    if (filter !== undefined && filter !== null) {
      if (!isObject(filter)) throw errors.validation("ShardFilter must be an object");
      if (filter.Type !== "CHILD_SHARDS") {
        throw errors.validation("1 validation error detected: ShardFilter.Type must be CHILD_SHARDS");
      }
      if (typeof filter.ShardId !== "string" || filter.ShardId.length === 0) {
        throw errors.validation("ShardFilter.ShardId is required for CHILD_SHARDS");
      }
      childOf = filter.ShardId;
    }
    const stream = this.streams.get(arn);
    if (!stream) throw errors.notFound(`Requested resource not found: Stream: ${arn} not found`);
    const now = this.settings.clock();
    let from = 0;
    if (start !== undefined) {
      const idx = stream.shards.findIndex((s) => s.shardId === start);
      if (idx < 0) throw errors.validation(`ExclusiveStartShardId ${start} is not a shard of this stream`);
      from = idx + 1;
    }
    const rest = stream.shards.slice(from).filter((s) => {
      if (!this.isListed(stream, s, now)) return false;
      if (childOf !== undefined && !this.settings.ignoreShardFilter) return s.parentShardId === childOf;
      return true;
    });
    const page = rest.slice(0, limit);
    const table = this.tables.get(stream.tableName);
    const desc: Record<string, Json> = {
      StreamArn: stream.arn,
      StreamLabel: stream.label,
      StreamStatus: stream.status,
      StreamViewType: stream.viewType,
      CreationRequestDateTime: stream.createdAt / 1000,
      TableName: stream.tableName,
      KeySchema: table?.keySchema ?? [],
      Shards: page.map(shardWire),
    };
    const last = page.at(-1);
    if (last && (rest.length > limit || this.settings.lastEvaluatedOnFinalPage)) {
      desc.LastEvaluatedShardId = last.shardId;
    }
    return { StreamDescription: desc };
  }

  getShardIterator(body: Record<string, Json>): Record<string, Json> {
    const arn = reqString(body, "StreamArn");
    const shardId = reqString(body, "ShardId");
    const type = reqString(body, "ShardIteratorType");
    const seqStr = optString(body, "SequenceNumber");
    if (!["TRIM_HORIZON", "LATEST", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"].includes(type)) {
      throw errors.validation(
        `1 validation error detected: Value '${type}' at 'shardIteratorType' failed to satisfy constraint: ` +
          "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]",
      );
    }
    let seq: bigint | undefined;
    if (type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER") {
      if (seqStr === undefined || !SEQ_RE.test(seqStr)) throw errors.validation("Invalid SequenceNumber");
      seq = BigInt(seqStr);
    }
    const stream = this.streams.get(arn);
    if (!stream) throw errors.notFound(`Requested resource not found: Stream: ${arn} not found`);
    const shard = stream.shardIndex.get(shardId);
    if (!shard || shard.removed) throw errors.notFound("Requested resource not found: Shard does not exist");
    let position: bigint;
    switch (type) {
      case "TRIM_HORIZON":
        position = shard.horizon;
        break;
      case "LATEST":
        position = (shard.lastSeq ?? shard.startingSeq) + 1n;
        break;
      case "AT_SEQUENCE_NUMBER":
        position = seq as bigint;
        break;
      default:
        position = (seq as bigint) + 1n;
    }
    if (position < shard.horizon) {
      throw errors.trimmed(
        `The requested sequence number ${seqStr ?? ""} is beyond the trim horizon of shard ${shardId}`,
      );
    }
    return { ShardIterator: this.encodeIterator(arn, shardId, position) };
  }

  getRecords(body: Record<string, Json>): Record<string, Json> {
    const it = reqString(body, "ShardIterator");
    const limit = optLimit(body, "Limit", 1000);
    const decoded = this.decodeIterator(it);
    if (!decoded) throw errors.validation("Invalid ShardIterator");
    const now = this.settings.clock();
    if (now - decoded.issuedAt > this.settings.iteratorTtlMs) throw errors.expired();
    const stream = this.streams.get(decoded.arn);
    if (!stream) throw errors.notFound(`Requested resource not found: Stream: ${decoded.arn} not found`);
    const shard = stream.shardIndex.get(decoded.shardId);
    if (!shard) throw errors.notFound("Requested resource not found: Shard does not exist");
    if (shard.removed || decoded.position < shard.horizon) throw errors.trimmed();
    const recs = shard.records;
    let i = lowerBound(recs, decoded.position);
    const page: WireRecord[] = [];
    let bytes = 0;
    let next = decoded.position;
    while (i < recs.length && page.length < limit) {
      const r = recs[i];
      if (!r) break;
      const size = JSON.stringify(r.wire).length;
      if (page.length > 0 && bytes + size > MAX_RESPONSE_BYTES) break;
      page.push(r.wire);
      bytes += size;
      next = r.seq + 1n;
      i++;
    }
    const out: Record<string, Json> = { Records: page };
    const exhausted = i >= recs.length;
    if (!(shard.endingSeq !== undefined && exhausted)) {
      out.NextShardIterator = this.encodeIterator(stream.arn, shard.shardId, next);
    } else {
      shard.readToEndAt ??= now;
    }
    return out;
  }

  /** The same position again with a fresh issue time (for the "empty" fault). */
  emptyPage(body: Record<string, Json>): Record<string, Json> {
    const it = reqString(body, "ShardIterator");
    const decoded = this.decodeIterator(it);
    if (!decoded) throw errors.validation("Invalid ShardIterator");
    return {
      Records: [],
      NextShardIterator: this.encodeIterator(decoded.arn, decoded.shardId, decoded.position),
    };
  }

  describeTable(body: Record<string, Json>): Record<string, Json> {
    let name = reqString(body, "TableName");
    const m = /^arn:aws[\w-]*:dynamodb:[^:]*:[^:]*:table\/([^/]+)$/.exec(name);
    if (m?.[1]) name = m[1];
    const table = this.tables.get(name);
    if (!table) throw errors.notFound(`Requested resource not found: Table: ${name} not found`);
    const out: Record<string, Json> = {
      TableName: table.name,
      TableArn: `arn:aws:dynamodb:${this.settings.region}:${this.settings.accountId}:table/${table.name}`,
      TableId: "00000000-0000-4000-8000-000000000000",
      TableStatus: "ACTIVE",
      CreationDateTime: table.createdAt / 1000,
      KeySchema: table.keySchema,
      AttributeDefinitions: table.attributeDefinitions,
      ItemCount: 0,
      TableSizeBytes: 0,
      BillingModeSummary: { BillingMode: "PAY_PER_REQUEST" },
    };
    const latest = table.latestStreamArn ? this.streams.get(table.latestStreamArn) : undefined;
    if (latest) {
      const enabled = latest.status === "ENABLED" || latest.status === "ENABLING";
      out.StreamSpecification = enabled
        ? { StreamEnabled: true, StreamViewType: latest.viewType }
        : { StreamEnabled: false };
      out.LatestStreamArn = latest.arn;
      out.LatestStreamLabel = latest.label;
    }
    return { Table: out };
  }
}

function shardWire(s: ShardState): Record<string, Json> {
  const range: Record<string, string> = { StartingSequenceNumber: s.startingSeq.toString() };
  if (s.endingSeq !== undefined) range.EndingSequenceNumber = s.endingSeq.toString();
  const out: Record<string, Json> = { ShardId: s.shardId };
  if (s.parentShardId !== undefined) out.ParentShardId = s.parentShardId;
  if (s.adjacentParentShardId !== undefined) out.AdjacentParentShardId = s.adjacentParentShardId;
  out.SequenceNumberRange = range;
  return out;
}

function defaultKeys(keySchema: KeySchemaElement[], defs: AttributeDefinition[], n: number): WireItem {
  const out: WireItem = {};
  for (const k of keySchema) {
    const t = defs.find((d) => d.AttributeName === k.AttributeName)?.AttributeType ?? "S";
    const v = k.KeyType === "HASH" ? `item-${n}` : `sk-${n}`;
    if (t === "N") out[k.AttributeName] = { N: String(n) };
    else if (t === "B") out[k.AttributeName] = { B: Buffer.from(v, "utf8").toString("base64") };
    else out[k.AttributeName] = { S: v };
  }
  return out;
}

/** Index of the first record with seq >= position (binary search). */
function lowerBound(recs: StoredRecord[], position: bigint): number {
  let lo = 0;
  let hi = recs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const r = recs[mid];
    if (r !== undefined && r.seq < position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Narrow an unknown JSON value to a plain object. */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function optString(body: Record<string, Json>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw errors.validation(`${key} must be a string`);
  return v;
}

function reqString(body: Record<string, Json>, key: string): string {
  const v = optString(body, key);
  if (v === undefined || v.length === 0) {
    throw errors.validation(
      `1 validation error detected: Value null at '${key[0]?.toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return v;
}

function optLimit(body: Record<string, Json>, key: string, max: number): number {
  const v = body[key];
  if (v === undefined || v === null) return max;
  if (typeof v !== "number" || !Number.isInteger(v)) throw errors.validation(`${key} must be an integer`);
  if (v < 1) {
    throw errors.validation(
      `1 validation error detected: Value '${v}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    );
  }
  if (v > max) {
    throw errors.validation(
      `1 validation error detected: Value '${v}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${max}`,
    );
  }
  return v;
}
