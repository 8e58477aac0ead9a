/** Human rendering of stream control results, descriptions and shard listings. */
import { isClosed, type Lineage, layoutTree, type ShardInfo } from "../core/lineage.js";
import { sanitize } from "./sanitize.js";
import type { Style } from "./style.js";
import { renderTable } from "./table.js";

/** JSON shape of one shard (documented in the README). */
export interface ShardJson {
  shardId: string;
  parentShardId: string | null;
  status: "open" | "closed";
  startingSequenceNumber: string | null;
  endingSequenceNumber: string | null;
}

/** Converts a shard to its documented JSON shape. */
export function shardJson(s: ShardInfo): ShardJson {
  return {
    shardId: s.shardId,
    parentShardId: s.parentShardId ?? null,
    status: isClosed(s) ? "closed" : "open",
    startingSequenceNumber: s.startingSequenceNumber ?? null,
    endingSequenceNumber: s.endingSequenceNumber ?? null,
  };
}

function status(s: ShardInfo, style: Style): string {
  return isClosed(s) ? style.gray("closed") : style.green("open");
}

/** The shard table: id, parent, status, sequence numbers. */
export function renderShardTable(shards: ShardInfo[], style: Style): string {
  return renderTable(
    ["SHARD", "PARENT", "STATUS", "STARTING SEQUENCE", "ENDING SEQUENCE"],
    shards.map((s) => [
      sanitize(s.shardId),
      s.parentShardId ? sanitize(s.parentShardId) : "-",
      status(s, style),
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
      return parts.join("  ");
    })
    .join("\n");
}

/** `key: value` lines with aligned keys. */
export function renderFields(fields: Array<[string, string]>, style: Style): string {
  const w = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${style.bold(`${k}:`.padEnd(w + 1))} ${v}`).join("\n");
}
