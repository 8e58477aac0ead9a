import { compareSequence } from "./sequence.js";

/** A shard as DescribeStream lists it, flattened. */
export interface ShardInfo {
  shardId: string;
  parentShardId?: string | undefined;
  startingSequenceNumber?: string | undefined;
  endingSequenceNumber?: string | undefined;
}

/** The lineage of a stream's shards: a forest whose roots are shards without a listed parent. */
export interface Lineage {
  byId: Map<string, ShardInfo>;
  /** Shards whose parent is absent, or no longer listed (trimmed): they can be read at once. */
  roots: ShardInfo[];
  /** Children of each listed shard, oldest first. */
  children: Map<string, ShardInfo[]>;
  /** Roots whose ParentShardId names a shard that is no longer listed (trimmed after 24 h). */
  orphans: ShardInfo[];
}

/** True when a shard is closed: it has an ending sequence number and will receive no more data. */
export function isClosed(s: ShardInfo): boolean {
  return s.endingSequenceNumber !== undefined && s.endingSequenceNumber !== "";
}

function byStart(a: ShardInfo, b: ShardInfo): number {
  if (a.startingSequenceNumber && b.startingSequenceNumber) {
    const c = compareSequence(a.startingSequenceNumber, b.startingSequenceNumber);
    if (c !== 0) return c;
  }
  return a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0;
}

/**
 * Builds the lineage from a shard listing. Listing order carries no meaning, so roots and children
 * are ordered by starting sequence number (as BigInt). Duplicate listings of one shard keep the
 * last (a closed shard's entry supersedes its open one in a re-listing).
 */
export function buildLineage(shards: readonly ShardInfo[]): Lineage {
  const byId = new Map<string, ShardInfo>();
  for (const s of shards) byId.set(s.shardId, s);
  const children = new Map<string, ShardInfo[]>();
  const roots: ShardInfo[] = [];
  const orphans: ShardInfo[] = [];
  for (const s of byId.values()) {
    const p = s.parentShardId;
    if (p && byId.has(p) && p !== s.shardId) {
      const list = children.get(p);
      if (list) list.push(s);
      else children.set(p, [s]);
    } else {
      roots.push(s);
      if (p && p !== s.shardId) orphans.push(s);
    }
  }
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  return { byId, roots, children, orphans };
}

/** Shards in an order that puts every parent before its children (depth-first from the roots). */
export function parentsFirst(lineage: Lineage): ShardInfo[] {
  const out: ShardInfo[] = [];
  const seen = new Set<string>();
  const visit = (s: ShardInfo): void => {
    if (seen.has(s.shardId)) return;
    seen.add(s.shardId);
    out.push(s);
    for (const c of lineage.children.get(s.shardId) ?? []) visit(c);
  };
  for (const r of lineage.roots) visit(r);
  // A cycle (never seen from AWS, but a listing is outside data) would leave shards unvisited.
  for (const s of lineage.byId.values()) visit(s);
  return out;
}

/** Counts of open and closed shards. */
export function shardCounts(shards: readonly ShardInfo[]): { open: number; closed: number; total: number } {
  let open = 0;
  for (const s of shards) if (!isClosed(s)) open++;
  return { open, closed: shards.length - open, total: shards.length };
}

/** One line of a drawn lineage tree. */
export interface TreeLine {
  prefix: string;
  shard: ShardInfo;
  depth: number;
  orphan: boolean;
}

/** Lays out the lineage as tree lines (`├─ `, `└─ `), roots first, each subtree in order. */
export function layoutTree(lineage: Lineage): TreeLine[] {
  const out: TreeLine[] = [];
  const orphanIds = new Set(lineage.orphans.map((o) => o.shardId));
  const seen = new Set<string>();
  const walk = (s: ShardInfo, indent: string, last: boolean, depth: number): void => {
    if (seen.has(s.shardId)) return;
    seen.add(s.shardId);
    const prefix = depth === 0 ? "" : `${indent}${last ? "└─ " : "├─ "}`;
    out.push({ prefix, shard: s, depth, orphan: orphanIds.has(s.shardId) });
    const kids = lineage.children.get(s.shardId) ?? [];
    const nextIndent = depth === 0 ? "" : `${indent}${last ? "   " : "│  "}`;
    kids.forEach((k, i) => {
      walk(k, nextIndent, i === kids.length - 1, depth + 1);
    });
  };
  for (const r of lineage.roots) walk(r, "", true, 0);
  for (const s of lineage.byId.values()) walk(s, "", true, 0);
  return out;
}
