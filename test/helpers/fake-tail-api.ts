/**
 * A small in-memory stream behind the live reader's narrow interface (src/aws/tail/api.ts), for unit
 * tests: shards with records, children listed only from a given time, iterators that expire, and
 * errors injected by call. It answers at once (no I/O); time is whatever clock the test injects.
 */
import type { RecordsPage } from "../../src/aws/tail/get-records.js";
import type { ShardInfo } from "../../src/core/lineage.js";
import type { StreamRecord } from "../../src/core/record.js";
import type { IteratorPosition } from "../../src/core/tail/plan.js";
import { AwsError } from "../../src/errors.js";

/** The calls of the interface. */
export type FakeOp = "listShards" | "childShards" | "shardIterator" | "records";

/** One call as the fake saw it. */
export interface FakeCall {
  op: FakeOp;
  at: number;
  shardId?: string;
  position?: string;
}

interface FakeShard {
  info: ShardInfo;
  records: StreamRecord[];
  /** Listed (full listing and child look-ups) from this time on. */
  listedFrom: number;
}

interface Fault {
  op: FakeOp;
  shardId: string | undefined;
  make: () => Error;
  times: number;
}

/** An SDK-like error: what the reader branches on is its `name`. */
export function sdkError(name: string, status = 400): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

/** A stream record created at `ms` with sequence number `seq`. */
export function record(seq: string, ms: number): StreamRecord {
  return {
    eventID: `e${seq}`,
    eventName: "INSERT",
    dynamodb: { SequenceNumber: seq, ApproximateCreationDateTime: new Date(ms) },
  };
}

/** The fake stream. Iterators are `shardId|index|issuedAt`. */
export class FakeTailApi {
  readonly calls: FakeCall[] = [];
  status = "ENABLED";
  viewType = "NEW_AND_OLD_IMAGES";
  /** Iterator lifetime (ms). */
  iteratorTtlMs = 15 * 60_000;
  readonly #shards = new Map<string, FakeShard>();
  #faults: Fault[] = [];
  #seq = 1000;

  constructor(private readonly now: () => number) {}

  /** Adds a shard with `records` records created at `createdMs` (or the given records). */
  addShard(
    shardId: string,
    opts: {
      parent?: string;
      closed?: boolean;
      records?: number | StreamRecord[];
      createdMs?: number;
      listedFrom?: number;
    } = {},
  ): StreamRecord[] {
    const created = opts.createdMs ?? this.now();
    const records =
      typeof opts.records === "object"
        ? opts.records
        : Array.from({ length: opts.records ?? 0 }, () =>
            record(String(++this.#seq).padStart(21, "0"), created),
          );
    const info: ShardInfo = {
      shardId,
      parentShardId: opts.parent,
      startingSequenceNumber: "1",
      endingSequenceNumber: opts.closed ? "9".repeat(21) : undefined,
    };
    this.#shards.set(shardId, { info, records: [...records], listedFrom: opts.listedFrom ?? this.now() });
    return records;
  }

  /** Appends records to an open shard. */
  put(shardId: string, records: StreamRecord[]): void {
    this.#shard(shardId).records.push(...records);
  }

  /** Closes a shard (it ends once read). */
  close(shardId: string): void {
    const s = this.#shard(shardId);
    s.info = { ...s.info, endingSequenceNumber: "9".repeat(21) };
  }

  /** The next `times` calls of `op` (about `shardId`, if given) fail with `make()`. */
  fail(op: FakeOp, make: () => Error, times = 1, shardId?: string): void {
    this.#faults.push({ op, shardId, make, times });
  }

  /** Calls of one operation (about one shard, if given). */
  callsOf(op: FakeOp, shardId?: string): FakeCall[] {
    return this.calls.filter((c) => c.op === op && (shardId === undefined || c.shardId === shardId));
  }

  async listShards(): Promise<{ shards: ShardInfo[]; status: string; viewType: string }> {
    this.#enter("listShards", undefined);
    const shards = [...this.#shards.values()].filter((s) => s.listedFrom <= this.now()).map((s) => s.info);
    return { shards, status: this.status, viewType: this.viewType };
  }

  async childShards(parentShardId: string): Promise<{ children: ShardInfo[]; status: string }> {
    this.#enter("childShards", parentShardId);
    const children = [...this.#shards.values()]
      .filter((s) => s.listedFrom <= this.now() && s.info.parentShardId === parentShardId)
      .map((s) => s.info);
    return { children, status: this.status };
  }

  async shardIterator(shardId: string, position: IteratorPosition): Promise<string | undefined> {
    const text = "sequenceNumber" in position ? `${position.type} ${position.sequenceNumber}` : position.type;
    this.#enter("shardIterator", shardId, text);
    const s = this.#shards.get(shardId);
    if (!s) throw sdkError("ResourceNotFoundException");
    const seqs = s.records.map((r) => r.dynamodb?.SequenceNumber);
    let index: number;
    if (position.type === "TRIM_HORIZON") index = 0;
    else if (position.type === "LATEST") index = s.records.length;
    else if (position.type === "AT_TIMESTAMP") throw sdkError("InvalidArgumentException");
    else {
      const at = seqs.indexOf(position.sequenceNumber);
      if (at < 0) throw sdkError("TrimmedDataAccessException");
      index = position.type === "AT_SEQUENCE_NUMBER" ? at : at + 1;
    }
    return `${shardId}|${index}|${this.now()}`;
  }

  async records(iterator: string, limit: number): Promise<RecordsPage> {
    const [shardId = "", index = "0", issued = "0"] = iterator.split("|");
    this.#enter("records", shardId);
    if (this.now() - Number(issued) > this.iteratorTtlMs) throw sdkError("ExpiredIteratorException");
    const s = this.#shards.get(shardId);
    if (!s) throw sdkError("ResourceNotFoundException");
    const from = Number(index);
    const page = s.records.slice(from, from + limit);
    const next = from + page.length;
    const ended = s.info.endingSequenceNumber !== undefined && next >= s.records.length;
    return { Records: page, NextShardIterator: ended ? undefined : `${shardId}|${next}|${this.now()}` };
  }

  #shard(shardId: string): FakeShard {
    const s = this.#shards.get(shardId);
    if (!s) throw new Error(`fake: no shard ${shardId}`);
    return s;
  }

  #enter(op: FakeOp, shardId: string | undefined, position?: string): void {
    this.calls.push({
      op,
      at: this.now(),
      ...(shardId ? { shardId } : {}),
      ...(position ? { position } : {}),
    });
    const f = this.#faults.find(
      (x) => x.op === op && x.times > 0 && (x.shardId === undefined || x.shardId === shardId),
    );
    if (!f) return;
    f.times--;
    this.#faults = this.#faults.filter((x) => x.times > 0);
    throw f.make();
  }
}

/** A listing error the reader retries (what the SDK-backed listing throws for throttling or 5xx). */
export function listingError(): Error {
  return new AwsError("AWS error for stream: ThrottlingException");
}
