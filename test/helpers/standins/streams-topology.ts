// Shard-topology scripting for the DynamoDB Streams stand-in: declare shards by role name (root,
// children, merged parents, trimmed-away parents, wide fan-outs, generations) and build them with
// records in parent-before-child order.
import { createHash } from "node:crypto";
import type { RecordInput } from "./streams-model.js";
import type { StreamsStandin } from "./streams-server.js";

/** One shard of a topology, named by role. */
export interface ShardSpec {
  /** Role name, unique in the topology (e.g. "root", "childA"). */
  name: string;
  /** Parent: the name of an earlier spec, or a literal shard id. */
  parent?: string;
  /** Second parent of a merge: emitted as `AdjacentParentShardId` (DynamoDB Streams' model has no such field). */
  adjacentParent?: string;
  /** Records to put: a count (default `recordsPerShard`) or explicit inputs. */
  records?: number | RecordInput[];
  /** Close the shard after its records are written. */
  closed?: boolean;
  /** Trim the shard away after building (not listed; see `TrimSpec.removeShard`). */
  removed?: boolean;
  /** Sequence-number length for this shard (21..40). */
  sequenceDigits?: number;
  /** Explicit shard id (default: realistic and derived from the name). */
  shardId?: string;
  /** Listed only this many ms after its parent was read to its end (see `ShardDef`). */
  listedAfterParentReadMs?: number;
}

/** Options of `buildTopology`. */
export interface TopologyOptions {
  /** Records per shard when a spec gives no `records` (default 2). */
  recordsPerShard?: number;
  /** Alternate 21- and 26-digit sequence numbers between shards (default false). */
  mixedSequenceLengths?: boolean;
}

/** What `buildTopology` built. */
export interface BuiltTopology {
  streamArn: string;
  /** Names in creation order. */
  names: string[];
  /** name → shard id. */
  ids: Record<string, string>;
  /** name → sequence numbers of its records, in order. */
  sequences: Record<string, string[]>;
  /** Shard id of a name; throws on an unknown name. */
  id(name: string): string;
  /** Names of the specs whose parent is `name`. */
  childrenOf(name: string): string[];
}

/** A realistic, deterministic shard id for a role name: `shardId-<20 digits>-<8 hex>`. */
export function shardIdFor(name: string, index = 0): string {
  const ts = String(1_700_000_000_000 + index * 1000).padStart(20, "0");
  const hex = createHash("sha1").update(name).digest("hex").slice(0, 8);
  return `shardId-${ts}-${hex}`;
}

/**
 * Create the shards of `spec` in `streamArn` in order, put their records, close the closed ones and
 * finally trim away the removed ones. Parents must come before their children in `spec`.
 */
export function buildTopology(
  standin: StreamsStandin,
  streamArn: string,
  spec: ShardSpec[],
  opts: TopologyOptions = {},
): BuiltTopology {
  const perShard = opts.recordsPerShard ?? 2;
  const ids: Record<string, string> = {};
  const sequences: Record<string, string[]> = {};
  const names: string[] = [];
  const resolve = (ref: string | undefined): string | undefined =>
    ref === undefined ? undefined : (ids[ref] ?? ref);
  spec.forEach((s, i) => {
    if (ids[s.name] !== undefined) throw new Error(`topology: duplicate name ${s.name}`);
    if (s.parent !== undefined && ids[s.parent] === undefined && spec.some((o) => o.name === s.parent)) {
      throw new Error(`topology: parent ${s.parent} must come before ${s.name}`);
    }
    const digits = s.sequenceDigits ?? (opts.mixedSequenceLengths && i % 2 === 1 ? 26 : 21);
    const shardId = standin.addShard(streamArn, {
      shardId: s.shardId ?? shardIdFor(s.name, i),
      parentShardId: resolve(s.parent),
      adjacentParentShardId: resolve(s.adjacentParent),
      sequenceDigits: digits,
      listedAfterParentReadMs: s.listedAfterParentReadMs,
    });
    ids[s.name] = shardId;
    names.push(s.name);
    const records =
      typeof s.records === "object"
        ? s.records
        : Array.from({ length: s.records ?? perShard }, (): RecordInput => ({}));
    sequences[s.name] = records.length > 0 ? standin.putRecords(streamArn, shardId, records) : [];
    if (s.closed) standin.closeShard(streamArn, shardId);
  });
  for (const s of spec) {
    const id = ids[s.name];
    if (s.removed && id !== undefined) standin.trim(streamArn, id, { removeShard: true });
  }
  return {
    streamArn,
    names,
    ids,
    sequences,
    id: (name) => {
      const id = ids[name];
      if (id === undefined) throw new Error(`topology: unknown shard name ${name}`);
      return id;
    },
    childrenOf: (name) => spec.filter((s) => s.parent === name).map((s) => s.name),
  };
}

/** Ready-made topologies (pass to `buildTopology`). */
export const topologies = {
  /** One open shard. */
  single: (): ShardSpec[] => [{ name: "root" }],
  /** `root` (closed) split into `childA` and `childB` (open). */
  split: (): ShardSpec[] => [
    { name: "root", closed: true },
    { name: "childA", parent: "root" },
    { name: "childB", parent: "root" },
  ],
  /** `parentA` and `parentB` (closed) merged into `child` (ParentShardId parentA, adjacent parentB). */
  merge: (): ShardSpec[] => [
    { name: "parentA", closed: true },
    { name: "parentB", closed: true },
    { name: "child", parent: "parentA", adjacentParent: "parentB" },
  ],
  /** `gone` (closed, then trimmed away: not listed) and its still-listed child `orphan` (open). */
  orphan: (): ShardSpec[] => [
    { name: "gone", closed: true, removed: true },
    { name: "orphan", parent: "gone" },
  ],
  /** `n` open root shards `s0`..`s<n-1>` (default 250: three DescribeStream pages of 100). */
  wide: (n = 250): ShardSpec[] => Array.from({ length: n }, (_, i) => ({ name: `s${i}` })),
  /**
   * `depth` generations with `fanout` children each: `g0` → `g1.0`, `g1.1` → `g2.0`..`g2.3` …;
   * every shard but the last generation is closed.
   */
  generations: (depth = 3, fanout = 2): ShardSpec[] => {
    const out: ShardSpec[] = [{ name: "g0", closed: depth > 1 }];
    let prev = ["g0"];
    for (let g = 1; g < depth; g++) {
      const next: string[] = [];
      prev.forEach((p, pi) => {
        for (let c = 0; c < fanout; c++) {
          const name = `g${g}.${pi * fanout + c}`;
          out.push({ name, parent: p, closed: g < depth - 1 });
          next.push(name);
        }
      });
      prev = next;
    }
    return out;
  },
};
