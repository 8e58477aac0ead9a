/** Human rendering of stream control results, descriptions and shard listings. */
import { isClosed, type Lineage, layoutTree, type ShardInfo } from "../core/lineage.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** JSON shape of one shard (documented in the README); Kinesis shards add the last two fields. */
export interface ShardJson {
  shardId: string;
  parentShardId: string | null;
  status: "open" | "closed";
  startingSequenceNumber: string | null;
  endingSequenceNumber: string | null;
  adjacentParentShardId?: string | null;
  hashKeyRange?: { startingHashKey: string; endingHashKey: string };
}

/** Converts a shard to its documented JSON shape. */
export function shardJson(s: ShardInfo): ShardJson {
  const out: ShardJson = {
    shardId: s.shardId,
    parentShardId: s.parentShardId ?? null,
    status: isClosed(s) ? "closed" : "open",
    startingSequenceNumber: s.startingSequenceNumber ?? null,
    endingSequenceNumber: s.endingSequenceNumber ?? null,
  };
  if (s.hashKeyRange) {
    out.adjacentParentShardId = s.adjacentParentShardId ?? null;
    out.hashKeyRange = s.hashKeyRange;
  }
  return out;
}

function status(s: ShardInfo, style: Style): string {
  return isClosed(s) ? style.gray("closed") : style.green("open");
}

/** The shard table: id, parent(s), status, sequence numbers (and hash-key ranges for Kinesis). */
export function renderShardTable(shards: ShardInfo[], style: Style): string {
  const kinesis = shards.some((s) => s.hashKeyRange !== undefined);
  const parents = (s: ShardInfo): string =>
    [s.parentShardId, s.adjacentParentShardId]
      .filter((p): p is string => p !== undefined)
      .map(sanitize)
      .join(" + ") || "-";
  return renderTable(
    [
      "SHARD",
      kinesis ? "PARENTS" : "PARENT",
      "STATUS",
      ...(kinesis ? ["HASH KEYS"] : []),
      "STARTING SEQUENCE",
      "ENDING SEQUENCE",
    ],
    shards.map((s) => [
      sanitize(s.shardId),
      parents(s),
      status(s, style),
      ...(kinesis
        ? [s.hashKeyRange ? `${s.hashKeyRange.startingHashKey}–${s.hashKeyRange.endingHashKey}` : "-"]
        : []),
      s.startingSequenceNumber ?? "-",
      s.endingSequenceNumber ?? "-",
    ]),
    style,
  );
}

/** The lineage drawn as a tree; orphans (parent trimmed) are marked. */
export function renderShardTree(lineage: Lineage, style: Style): string {
  return layoutTree(lineage)
    .map((l) => {
      const parts = [style.gray(l.prefix) + sanitize(l.shard.shardId), status(l.shard, style)];
      if (l.orphan)
        parts.push(style.yellow(`(parent ${sanitize(l.shard.parentShardId ?? "")} no longer listed)`));
      if (l.alsoChildOf) parts.push(style.gray(`(merge: also child of ${sanitize(l.alsoChildOf)})`));
      return parts.join("  ");
    })
    .join("\n");
}

/** `key: value` lines with aligned keys. */
export function renderFields(fields: Array<[string, string]>, style: Style): string {
  const w = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${style.bold(`${k}:`.padEnd(w + 1))} ${v}`).join("\n");
}
