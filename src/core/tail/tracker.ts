/**
 * Which shards `tail` reads, when, and from where: the lineage rules as a pure state machine. A
 * parent is read to its end before any of its children; a shard whose parent is not listed (trimmed
 * after 24 h) is a root; a child whose parent tail read starts at TRIM_HORIZON (every record in it is
 * newer than the parent's); shards of the first listing start as the start rules say
 * (streams-api-and-lag.md §2, Appendix A steps 2–5).
 */
import type { ShardInfo } from "../lineage.js";
import { isClosed } from "../lineage.js";
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
  /** `--until-end`: only the shards of the first listing are read; later listings add nothing. */
  frozen?: boolean | undefined;
}

const TERMINAL: ReadonlySet<ShardStatus> = new Set(["ended", "skipped", "bounded"]);

/** The lineage-aware shard schedule. Feed it listings, take ready shards, report finished ones. */
export class ShardTracker {
  private readonly entries = new Map<string, Entry>();
  private readonly childIndex = new Map<string, string[]>();
  private readonly ready: string[] = [];
  private listings = 0;

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
    for (const s of shards) {
      if (s.shardId === "") continue;
      const known = this.entries.get(s.shardId);
      if (known) {
        if (isClosed(s)) known.info = s;
        continue;
      }
      if (!initial && this.opts.frozen) continue;
      if (this.opts.only && !this.opts.only.has(s.shardId)) continue;
      const done = this.rules.done?.has(s.shardId) === true && !this.rules.explicit?.has(s.shardId);
      this.entries.set(s.shardId, { info: s, status: done ? "ended" : "waiting", initial });
      const p = s.parentShardId;
      if (p && p !== s.shardId) {
        const list = this.childIndex.get(p);
        if (list) list.push(s.shardId);
        else this.childIndex.set(p, [s.shardId]);
      }
      added.push(s.shardId);
    }
    // Settle only after the whole listing is in: a listing may name a child before its parent.
    for (const id of added) this.settle(id);
    return added;
  }

  /** Shards that became readable since the last call, in the order they became so; now `reading`. */
  takeReady(): ReadyShard[] {
    const out: ReadyShard[] = [];
    for (const id of this.ready.splice(0)) {
      const e = this.entries.get(id);
      if (e?.status !== "ready" || !e.position) continue;
      e.status = "reading";
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
    e.status = how;
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
    let n = 0;
    for (const e of this.entries.values()) if (!TERMINAL.has(e.status)) n++;
    return n;
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
    const parentId = e.info.parentShardId;
    const parent = parentId && parentId !== id ? this.entries.get(parentId) : undefined;
    if (parent) {
      switch (parent.status) {
        case "waiting":
        case "ready":
        case "reading":
          return; // wait for the parent to be read to its end
        case "bounded":
          e.status = "bounded";
          this.settleChildren(id);
          return;
        case "ended":
          this.makeReady(e, explicit ?? { type: "TRIM_HORIZON" });
          return;
        case "skipped":
          break; // start like a root
      }
    }
    if (explicit) {
      this.makeReady(e, explicit);
      return;
    }
    if (this.rules.mode === "latest" && e.initial) {
      if (isClosed(e.info)) {
        e.status = "skipped";
        this.settleChildren(id);
      } else {
        this.makeReady(e, { type: "LATEST" });
      }
      return;
    }
    this.makeReady(e, { type: "TRIM_HORIZON" });
  }

  private makeReady(e: Entry, position: IteratorPosition): void {
    e.status = "ready";
    e.position = position;
    this.ready.push(e.info.shardId);
  }
}
