/**
 * `tail --checkpoint <file>`: the file format, its validation, and the per-shard bookkeeping. Pure:
 * reading and writing the file (atomically, mode 0600) is in src/io/checkpoint-file.ts.
 *
 * ```json
 * {"version":1,"streamArn":"arn:aws:dynamodb:…/stream/…","skipBefore":null,
 *  "updatedAt":"2026-01-31T12:00:00.000Z",
 *  "shards":{"shardId-…-a":{"sequenceNumber":"4900…"},"shardId-…-b":{"sequenceNumber":"4901…","done":true}}}
 * ```
 * - `shards[id].sequenceNumber`: the last record of that shard written to stdout; a restart resumes
 *   AFTER it (AFTER_SEQUENCE_NUMBER).
 * - `shards[id].done`: the shard was read to its end; a restart does not read it again but reads its
 *   children from TRIM_HORIZON.
 * - `skipBefore`: shards without an entry are read from TRIM_HORIZON, skipping records created
 *   before this time (the start of the first run for `--from latest`, the `--from` time, or null for
 *   `--from trim-horizon`): nothing after the first run's start is lost.
 */
import { isPlainObject } from "../attr.js";
import { compareSequence, isSequenceNumber } from "../sequence.js";

/** One shard's entry. */
export interface CheckpointShard {
  sequenceNumber?: string;
  done?: boolean;
}

/** The checkpoint file's content. */
export interface CheckpointData {
  version: 1;
  streamArn: string;
  /** ISO-8601, or null: see the module comment. */
  skipBefore: string | null;
  updatedAt: string;
  shards: Record<string, CheckpointShard>;
}

/** Result of {@link parseCheckpoint}. `empty`: the file holds nothing yet (treated as absent). */
export type ParsedCheckpoint =
  | { ok: true; data: CheckpointData }
  | { ok: true; empty: true }
  | { ok: false; error: string; wrongStream?: string };

/**
 * Parses and validates checkpoint text. With `expectedStreamArn`, a checkpoint of another stream is
 * an error (with `wrongStream` set to the file's stream): a re-enabled stream has a new ARN, and its
 * sequence numbers mean nothing in the old one.
 */
export function parseCheckpoint(text: string, expectedStreamArn?: string): ParsedCheckpoint {
  if (text.trim() === "") return { ok: true, empty: true };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!isPlainObject(v)) return { ok: false, error: "not a dynastream checkpoint (expected a JSON object)" };
  if (v.version !== 1) {
    return {
      ok: false,
      error: `not a dynastream checkpoint (version ${JSON.stringify(v.version ?? null)}, expected 1)`,
    };
  }
  if (typeof v.streamArn !== "string" || v.streamArn === "") {
    return { ok: false, error: "not a dynastream checkpoint (no streamArn)" };
  }
  let skipBefore: string | null = null;
  if (v.skipBefore !== undefined && v.skipBefore !== null) {
    if (typeof v.skipBefore !== "string" || Number.isNaN(Date.parse(v.skipBefore))) {
      return { ok: false, error: "skipBefore must be an ISO-8601 time or null" };
    }
    skipBefore = v.skipBefore;
  }
  if (!isPlainObject(v.shards)) return { ok: false, error: "shards must be an object" };
  const shards: Record<string, CheckpointShard> = {};
  for (const [id, entry] of Object.entries(v.shards)) {
    if (id === "" || id.length > 128) return { ok: false, error: `invalid shard id ${JSON.stringify(id)}` };
    if (!isPlainObject(entry)) return { ok: false, error: `shards.${id} must be an object` };
    const out: CheckpointShard = {};
    if (entry.sequenceNumber !== undefined && entry.sequenceNumber !== null) {
      if (typeof entry.sequenceNumber !== "string" || !isSequenceNumber(entry.sequenceNumber)) {
        return { ok: false, error: `shards.${id}.sequenceNumber must be a string of 1 to 129 digits` };
      }
      out.sequenceNumber = entry.sequenceNumber;
    }
    if (entry.done !== undefined && entry.done !== null) {
      if (typeof entry.done !== "boolean") return { ok: false, error: `shards.${id}.done must be a boolean` };
      if (entry.done) out.done = true;
    }
    shards[id] = out;
  }
  if (expectedStreamArn !== undefined && v.streamArn !== expectedStreamArn) {
    return {
      ok: false,
      error: `the checkpoint is for stream ${v.streamArn}, not ${expectedStreamArn}`,
      wrongStream: v.streamArn,
    };
  }
  const updatedAt = typeof v.updatedAt === "string" ? v.updatedAt : new Date(0).toISOString();
  return { ok: true, data: { version: 1, streamArn: v.streamArn, skipBefore, updatedAt, shards } };
}

/** Checkpoint text (one line of JSON and a newline). */
export function serializeCheckpoint(data: CheckpointData): string {
  return `${JSON.stringify(data)}\n`;
}

/**
 * Merges two checkpoints of the same stream: per shard the later sequence number (compared as
 * BigInt) and `done` if either says so; `skipBefore` of `base` (the first run's).
 */
export function mergeCheckpoint(base: CheckpointData, other: CheckpointData): CheckpointData {
  const shards: Record<string, CheckpointShard> = {};
  for (const [id, e] of Object.entries(base.shards)) shards[id] = { ...e };
  for (const [id, e] of Object.entries(other.shards)) shards[id] = mergeShard(shards[id], e);
  return {
    version: 1,
    streamArn: base.streamArn,
    skipBefore: base.skipBefore,
    updatedAt: later(base.updatedAt, other.updatedAt),
    shards,
  };
}

function later(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function mergeShard(a: CheckpointShard | undefined, b: CheckpointShard): CheckpointShard {
  if (!a) return { ...b };
  const out: CheckpointShard = {};
  const sa = a.sequenceNumber;
  const sb = b.sequenceNumber;
  const seq = sa === undefined ? sb : sb === undefined ? sa : compareSequence(sa, sb) >= 0 ? sa : sb;
  if (seq !== undefined) out.sequenceNumber = seq;
  if (a.done || b.done) out.done = true;
  return out;
}

/**
 * The live checkpoint of a run: records written to stdout advance their shard, shards read to their
 * end are marked done; `dirty` says whether there is something new to save.
 */
export class CheckpointState {
  private data: CheckpointData;
  private changed = false;

  constructor(data: CheckpointData) {
    this.data = { ...data, shards: { ...data.shards } };
  }

  /** A fresh checkpoint for a stream. */
  static create(streamArn: string, skipBeforeMs: number | undefined, nowMs: number): CheckpointState {
    return new CheckpointState({
      version: 1,
      streamArn,
      skipBefore: skipBeforeMs === undefined ? null : new Date(skipBeforeMs).toISOString(),
      updatedAt: new Date(nowMs).toISOString(),
      shards: {},
    });
  }

  /** Whether something changed since the last {@link CheckpointState.take}. */
  get dirty(): boolean {
    return this.changed;
  }

  /** The entries as they stand. */
  get shards(): Readonly<Record<string, Readonly<CheckpointShard>>> {
    return this.data.shards;
  }

  get streamArn(): string {
    return this.data.streamArn;
  }

  /** `skipBefore` as epoch ms. */
  get skipBeforeMs(): number | undefined {
    return this.data.skipBefore === null ? undefined : Date.parse(this.data.skipBefore);
  }

  /** Records that the record `sequenceNumber` of `shardId` was written (never moves backwards). */
  advance(shardId: string, sequenceNumber: string): void {
    const cur = this.data.shards[shardId];
    if (cur?.sequenceNumber !== undefined && compareSequence(cur.sequenceNumber, sequenceNumber) >= 0) return;
    this.data.shards[shardId] = { ...cur, sequenceNumber };
    this.changed = true;
  }

  /** Records that `shardId` was read to its end. */
  markDone(shardId: string): void {
    const cur = this.data.shards[shardId];
    if (cur?.done) return;
    this.data.shards[shardId] = { ...cur, done: true };
    this.changed = true;
  }

  /** Marks the checkpoint as needing a save (a new file is written even before any record). */
  touch(): void {
    this.changed = true;
  }

  /** Drops entries of finished shards the stream no longer lists (trimmed after 24 h). */
  prune(listed: ReadonlySet<string>): void {
    for (const [id, e] of Object.entries(this.data.shards)) {
      if (e.done && !listed.has(id)) {
        delete this.data.shards[id];
        this.changed = true;
      }
    }
  }

  /** The content to save now; clears `dirty`. */
  take(nowMs: number): CheckpointData {
    this.changed = false;
    this.data.updatedAt = new Date(nowMs).toISOString();
    return { ...this.data, shards: { ...this.data.shards } };
  }

  /** Explicit start positions and finished shards, for the start rules of a resumed run. */
  startPositions(): {
    explicit: Map<string, { type: "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string }>;
    done: Set<string>;
  } {
    const explicit = new Map<string, { type: "AFTER_SEQUENCE_NUMBER"; sequenceNumber: string }>();
    const done = new Set<string>();
    for (const [id, e] of Object.entries(this.data.shards)) {
      if (e.done) done.add(id);
      else if (e.sequenceNumber !== undefined) {
        explicit.set(id, { type: "AFTER_SEQUENCE_NUMBER", sequenceNumber: e.sequenceNumber });
      }
    }
    return { explicit, done };
  }
}
