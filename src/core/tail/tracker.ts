/**
 * Which shards `tail` reads, when, and from where: the lineage rules as a pure state machine. A
 * parent is read to its end before any of its children; a shard whose parent is not listed (trimmed
 * after 24 h) is a root; a child whose parent tail read starts at TRIM_HORIZON (every record in it is
 * newer than the parent's); shards of the first listing start as the start rules say
 * (streams-api-and-lag.md §2, Appendix A steps 2–5).
 *
 * `--until-end` (frozen) reads the first listing, plus the children of every shard that was closed in
 * it: such children already exist and may hold records written before the snapshot, yet DynamoDB can
 * list them seconds late (eventual consistency), a split's children one by one (the reader's
 * discovery looks them up, then lists the stream once more). A child found that way that is closed
 * too is followed the same way, since it may have been closed at the snapshot already. Every other
 * later shard was created after the snapshot and holds only newer records: it is not read.
 */
import type { ShardInfo } from "../lineage.js";
import { isClosed, parentsOf } from "../lineage.js";
import type { IteratorPosition, StartRules } from "./plan.js";

/**
 * - `waiting`: its parent has not been read to its end yet
 * - `ready`: can be read now (returned by {@link ShardTracker.takeReady} once)
 * - `reading`: handed out, not finished
 * - `ended`: read to its end (or by an earlier run, per the checkpoint); its children can be read
 * - `skipped`: never read (closed when tailing from LATEST); its children start as roots
 * - `bounded`: stopped at a bound (--until, --until-end); its children are not read either
 */
export type ShardStatus = "waiting" | "ready" | "reading" | "ended" | "skipped" | "bounded";

interface Entry {
  info: ShardInfo;
  status: ShardStatus;
  /** Listed in the first listing (start rules apply), rather than discovered later. */
  initial: boolean;
  /** Its children are read once it ends (always, but under `frozen` only when closed when first listed). */
  follow: boolean;
  position?: IteratorPosition;
}

/** A shard that can be read now, and where to start. */
export interface ReadyShard {
  shard: ShardInfo;
  position: IteratorPosition;
}

/** Options of {@link ShardTracker}. */
export interface TrackerOptions {
  /** `--shard`: only these shards are read (not their descendants). */
  only?: ReadonlySet<string> | undefined;
  /**
   * `--until-end`: the shards of the first listing are read, and later ones only when their parent
   * was closed when it was first listed (see the module comment).
   */
  frozen?: boolean | undefined;
}

const TERMINAL: ReadonlySet<ShardStatus> = new Set(["ended", "skipped", "bounded"]);

/** The lineage-aware shard schedule. Feed it listings, take ready shards, report finished ones. */
export class ShardTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly childIndex = new Map<string, string[]>();
  private readonly ready: string[] = [];
  private listings = 0;
  /** Shards waiting, ready or reading (kept as a count: asked after every shard that finishes). */
  private active = 0;

  constructor(
    private readonly rules: StartRules,
    private readonly opts: TrackerOptions = {},
  ) {}

  /**
   * Adds the shards of a listing (the first call is the first listing). Known shards get their
   * metadata refreshed (a shard listed open may since have closed). Returns the ids that were new.
   */
  add(shards: readonly ShardInfo[]): string[] {
    const initial = this.listings === 0;
    this.listings++;
    const added: string[] = [];
    let later: ShardInfo[] = [];
    for (const s of shards) {
      if (s.shardId === "") continue;
      const known = this.entries.get(s.shardId);
      if (known) {
        if (isClosed(s)) known.info = s;
        continue;
      }
      if (this.opts.only && !this.opts.only.has(s.shardId)) continue;
      if (!initial && this.opts.frozen) later.push(s);
      else this.track(s, initial, added);
    }
    // Frozen: a later shard is read when its parent is followed; a listing may name a child before its
    // parent, so admit in rounds until no more qualify.
    for (let admitted = true; admitted && later.length > 0; ) {
      const rest: ShardInfo[] = [];
      for (const s of later) {
        if (this.followed(parentsOf(s))) this.track(s, false, added);
        else rest.push(s);
      }
      admitted = rest.length < later.length;
      later = rest;
    }
    // Settle only after the whole listing is in: a listing may name a child before its parent.
    for (const id of added) this.settle(id);
    return added;
  }

  /** Whether the children of `shardId` are read once it ends. */
  followsChildren(shardId: string): boolean {
    return this.entries.get(shardId)?.follow === true;
  }

  /**
   * Shards already ended (per the checkpoint) whose children are read but not known yet: their
   * children are to be looked up.
   */
  endedWithoutChildren(): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (e.status === "ended" && e.follow && !this.hasChildren(e.info.shardId)) out.push(e.info.shardId);
    }
    return out;
  }

  /** Shards that became readable since the last call, in the order they became so; now `reading`. */
  takeReady(): ReadyShard[] {
    const out: ReadyShard[] = [];
    for (const id of this.ready.splice(0)) {
      const e = this.entries.get(id);
      if (e?.status !== "ready" || !e.position) continue;
      this.setStatus(e, "reading");
      out.push({ shard: e.info, position: e.position });
    }
    return out;
  }

  /**
   * Reports a shard finished: `ended` (read to its end, or gone: its children become readable) or
   * `bounded` (stopped at a bound: its descendants are not read).
   */
  finish(shardId: string, how: "ended" | "bounded"): void {
    const e = this.entries.get(shardId);
    if (!e || TERMINAL.has(e.status)) return;
    this.setStatus(e, how);
    this.settleChildren(shardId);
  }

  /** The status of a shard, undefined when it is not tracked. */
  status(shardId: string): ShardStatus | undefined {
    return this.entries.get(shardId)?.status;
  }

  /** Whether any tracked shard names `shardId` as its parent. */
  hasChildren(shardId: string): boolean {
    return (this.childIndex.get(shardId)?.length ?? 0) > 0;
  }

  /** Shards still to read or being read (waiting, ready, reading). */
  activeCount(): number {
    return this.active;
  }

  /** Every tracked shard id with its status. */
  snapshot(): Array<{ shardId: string; status: ShardStatus; open: boolean }> {
    return [...this.entries.values()].map((e) => ({
      shardId: e.info.shardId,
      status: e.status,
      open: !isClosed(e.info),
    }));
  }

  /** Number of tracked shards. */
  get size(): number {
    return this.entries.size;
  }

  /** Frozen: whether a later shard with these parents is read (not under a shard skipped at a LATEST start). */
  private followed(parentIds: string[]): boolean {
    return parentIds.some((id) => {
      const p = this.entries.get(id);
      return p?.follow === true && p.status !== "skipped";
    });
  }

  /** Where a child whose parents were read starts: TRIM_HORIZON, or the start time's seek (Kinesis). */
  private childStart(): IteratorPosition {
    const t = this.rules.atTimestampMs;
    return t === undefined ? { type: "TRIM_HORIZON" } : { type: "AT_TIMESTAMP", timestampMs: t };
  }

  /** Starts tracking a new shard (status `waiting`, or `ended` when the checkpoint says so). */
  private track(s: ShardInfo, initial: boolean, added: string[]): void {
    const done = this.rules.done?.has(s.shardId) === true && !this.rules.explicit?.has(s.shardId);
    const follow = !this.opts.frozen || isClosed(s);
    this.entries.set(s.shardId, { info: s, status: done ? "ended" : "waiting", initial, follow });
    if (!done) this.active++;
    // A Kinesis merge's child is indexed under both parents: it waits for both.
    for (const p of parentsOf(s)) {
      const list = this.childIndex.get(p);
      if (list) list.push(s.shardId);
      else this.childIndex.set(p, [s.shardId]);
    }
    added.push(s.shardId);
  }

  /** Changes a status, keeping the count of active shards. */
  private setStatus(e: Entry, status: ShardStatus): void {
    if (!TERMINAL.has(e.status) && TERMINAL.has(status)) this.active--;
    e.status = status;
  }

  private settleChildren(parentId: string): void {
    for (const c of this.childIndex.get(parentId) ?? []) this.settle(c);
  }

  private settle(id: string): void {
    const e = this.entries.get(id);
    if (e?.status !== "waiting") {
      if (e && TERMINAL.has(e.status)) this.settleChildren(id);
      return;
    }
    const explicit = this.rules.explicit?.get(id);
    const parents = parentsOf(e.info)
      .map((p) => this.entries.get(p))
      .filter((p): p is Entry => p !== undefined);
    if (parents.length > 0) {
      const has = (st: ShardStatus): boolean => parents.some((p) => p.status === st);
      if (has("waiting") || has("ready") || has("reading")) return; // wait for every parent's end
      if (has("bounded")) {
        this.setStatus(e, "bounded");
        this.settleChildren(id);
        return;
      }
      if (has("ended")) {
        this.makeReady(e, explicit ?? this.childStart());
        return;
      }
      // every parent skipped: start like a root
    }
    if (explicit) {
      this.makeReady(e, explicit);
      return;
    }
    if (this.rules.mode === "latest" && e.initial) {
      if (isClosed(e.info)) {
        this.setStatus(e, "skipped");
        this.settleChildren(id);
      } else {
        this.makeReady(e, { type: "LATEST" });
      }
      return;
    }
    this.makeReady(e, this.rules.atTimestampMs === undefined ? { type: "TRIM_HORIZON" } : this.childStart());
  }

  private makeReady(e: Entry, position: IteratorPosition): void {
    this.setStatus(e, "ready");
    e.position = position;
    this.ready.push(e.info.shardId);
  }
}
