import { compareSequence } from "./sequence.js";

/** A shard as DescribeStream (DynamoDB Streams) or ListShards (Kinesis) lists it, flattened. */
export interface ShardInfo {
  shardId: string;
  parentShardId?: string | undefined;
  /**
   * Kinesis only: the second parent of a shard made by MergeShards. DynamoDB Streams shards have one
   * parent. https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Shard.html
   */
  adjacentParentShardId?: string | undefined;
  /** Kinesis only: the range of partition-key hashes the shard takes (decimal strings, up to 2^128 − 1). */
  hashKeyRange?: { startingHashKey: string; endingHashKey: string } | undefined;
  startingSequenceNumber?: string | undefined;
  endingSequenceNumber?: string | undefined;
}

/** A shard's parents: its `ParentShardId`, and for a Kinesis merge its `AdjacentParentShardId`. */
export function parentsOf(s: ShardInfo): string[] {
  const out: string[] = [];
  for (const p of [s.parentShardId, s.adjacentParentShardId]) {
    if (p && p !== s.shardId && !out.includes(p)) out.push(p);
  }
  return out;
}

/**
 * The lineage of a stream's shards: a forest whose roots are shards without a listed parent. A
 * Kinesis merge's child is a child of both its parents (a graph, not a tree).
 */
export interface Lineage {
  byId: Map<string, ShardInfo>;
  /** Shards whose parents are absent, or no longer listed (trimmed): they can be read at once. */
  roots: ShardInfo[];
  /** Children of each listed shard, oldest first (a merge's child under both parents). */
  children: Map<string, ShardInfo[]>;
  /** Roots whose parent(s) are no longer listed (trimmed after the retention period). */
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
    const parents = parentsOf(s);
    const listed = parents.filter((p) => byId.has(p));
    for (const p of listed) {
      const list = children.get(p);
      if (list) list.push(s);
      else children.set(p, [s]);
    }
    if (listed.length === 0) {
      roots.push(s);
      if (parents.length > 0) orphans.push(s);
    }
  }
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  return { byId, roots, children, orphans };
}

/**
 * Shards in an order that puts every parent before its children (depth-first from the roots); a
 * merge's child comes after both of its listed parents.
 */
export function parentsFirst(lineage: Lineage): ShardInfo[] {
  const out: ShardInfo[] = [];
  const seen = new Set<string>();
  const visit = (s: ShardInfo, force: boolean): void => {
    if (seen.has(s.shardId)) return;
    if (!force && parentsOf(s).some((p) => lineage.byId.has(p) && !seen.has(p))) return; // its other parent visits it
    seen.add(s.shardId);
    out.push(s);
    for (const c of lineage.children.get(s.shardId) ?? []) visit(c, false);
  };
  for (const r of lineage.roots) visit(r, false);
  // A cycle (never seen from AWS, but a listing is outside data) would leave shards unvisited.
  for (const s of lineage.byId.values()) visit(s, true);
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
  /** A merge's child, drawn under one parent: its other listed parent. */
  alsoChildOf?: string;
}

/** Lays out the lineage as tree lines (`├─ `, `└─ `), roots first, each subtree in order. */
export function layoutTree(lineage: Lineage): TreeLine[] {
  const out: TreeLine[] = [];
  const orphanIds = new Set(lineage.orphans.map((o) => o.shardId));
  const seen = new Set<string>();
  const walk = (s: ShardInfo, indent: string, last: boolean, depth: number, parent?: string): void => {
    if (seen.has(s.shardId)) return;
    seen.add(s.shardId);
    const prefix = depth === 0 ? "" : `${indent}${last ? "└─ " : "├─ "}`;
    const line: TreeLine = { prefix, shard: s, depth, orphan: orphanIds.has(s.shardId) };
    const other = parentsOf(s).find((p) => p !== parent && lineage.byId.has(p));
    if (parent !== undefined && other !== undefined) line.alsoChildOf = other;
    out.push(line);
    // A merge's child is drawn once, under the parent reached first.
    const kids = (lineage.children.get(s.shardId) ?? []).filter((k) => !seen.has(k.shardId));
    const nextIndent = depth === 0 ? "" : `${indent}${last ? "   " : "│  "}`;
    kids.forEach((k, i) => {
      walk(k, nextIndent, i === kids.length - 1, depth + 1, s.shardId);
    });
  };
  for (const r of lineage.roots) walk(r, "", true, 0);
  for (const s of lineage.byId.values()) walk(s, "", true, 0);
  return out;
}
