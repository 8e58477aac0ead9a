// Shared by the tail stand-in tests (test/integration/tail-*-standin.test.ts): reading tail's NDJSON,
// the exactly-once and parents-first assertions, and a stand-in whose DescribeStream rate is checked.
import assert from "node:assert/strict";
import { runCli } from "./cli.js";
import { cliEnv } from "./ddb.js";
import {
  type StreamsStandin,
  type StreamsStandinOptions,
  startStreamsStandin,
} from "./standins/streams-server.js";

export interface Line {
  type: string;
  shardId: string;
  sequenceNumber: string;
  afterSequenceNumber?: string | null;
  reason?: string;
  eventName?: string;
  ttl?: boolean;
}

export function parse(stdout: string): Line[] {
  return stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Line);
}

export function recordsOf(lines: Line[]): Line[] {
  return lines.filter((l) => l.type === "record");
}

/** Every expected record exactly once, each shard's records in order, and nothing else. */
export function assertExactlyOnce(lines: Line[], expected: Record<string, string[]>): void {
  const got: Record<string, string[]> = {};
  for (const l of recordsOf(lines)) {
    const list = got[l.shardId] ?? [];
    list.push(l.sequenceNumber);
    got[l.shardId] = list;
  }
  const want: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(expected)) if (v.length > 0) want[k] = v;
  assert.deepEqual(got, want);
}

/** Every record of `parent` comes before any record of `child`. */
export function assertParentFirst(lines: Line[], parent: string, child: string): void {
  const recs = recordsOf(lines);
  const lastParent = recs.map((l) => l.shardId).lastIndexOf(parent);
  const firstChild = recs.findIndex((l) => l.shardId === child);
  assert.ok(lastParent >= 0, `records of ${parent}`);
  assert.ok(firstChild >= 0, `records of ${child}`);
  assert.ok(
    lastParent < firstChild,
    `${parent} (last at ${lastParent}) before ${child} (first at ${firstChild})`,
  );
}

export async function withStandin(
  opts: StreamsStandinOptions,
  fn: (s: StreamsStandin) => Promise<void>,
): Promise<void> {
  const s = await startStreamsStandin({ describeRateLimit: 10, ...opts });
  try {
    await fn(s);
    assert.ok(
      s.stats.maxDescribeStreamPerSecond <= 10,
      `DescribeStream peaked at ${s.stats.maxDescribeStreamPerSecond}/s`,
    );
    assert.equal(s.stats.describeRateViolations, 0);
  } finally {
    await s.stop();
  }
}

export function tail(s: StreamsStandin, args: string[], timeoutMs = 120_000) {
  return runCli(["tail", "Orders", "--json", ...args], { env: cliEnv(s.endpoint), timeoutMs });
}

export function byId(topo: { ids: Record<string, string>; sequences: Record<string, string[]> }) {
  const out: Record<string, string[]> = {};
  for (const [name, id] of Object.entries(topo.ids)) out[id] = topo.sequences[name] ?? [];
  return out;
}
