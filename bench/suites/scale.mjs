// 5. Scale: the DynamoDB Streams stand-in (bench/scale-host.ts) serving N shards in three generations
// of lineage (N/4 roots → N/4 children → N/2 grandchildren): 1,000 shards × 100 records, then 1,000,
// 5,000 and 10,000 shards × 20 records. `tail --from trim-horizon --until-end --output json` must emit
// every record exactly once, each parent's records before its children's; DescribeStream never above
// 10 calls/s (the stand-in's counter); peak RSS ≤ 200 MB at 1,000 × 100 and ≤ 300 MB at 10,000 × 20.
// Reports wall time, calls and peak RSS at each size.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { awsEnv, cli, median, ROOT } from "../lib.mjs";

/** Starts the stand-in host; resolves to { topology, command(cmd) → JSON, stop() }. */
function startHost(roots, perShard) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "bench", "scale-host.ts"), String(roots), String(perShard)],
    { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] },
  );
  const lines = createInterface({ input: child.stdout });
  const waiting = [];
  lines.on("line", (l) => waiting.shift()?.(l));
  const next = () =>
    new Promise((resolve, reject) => {
      waiting.push(resolve);
      child.once("exit", (code) => reject(new Error(`scale host exited (${code})`)));
    });
  return next().then((first) => ({
    topology: JSON.parse(first),
    async command(cmd) {
      const p = next();
      child.stdin.write(`${cmd}\n`);
      return JSON.parse(await p);
    },
    stop() {
      child.stdin.end("stop\n");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    },
  }));
}

/** Checks tail's NDJSON against the topology: exactly once, per-shard order, parents first. */
function verify(stdout, topology) {
  const got = new Map();
  const first = new Map();
  const last = new Map();
  let index = 0;
  let start = 0;
  while (start < stdout.length) {
    let end = stdout.indexOf("\n", start);
    if (end < 0) end = stdout.length;
    const line = stdout.slice(start, end);
    start = end + 1;
    if (line === "") continue;
    const o = JSON.parse(line);
    if (o.type !== "record") continue;
    const list = got.get(o.shardId) ?? [];
    list.push(o.sequenceNumber);
    got.set(o.shardId, list);
    if (!first.has(o.shardId)) first.set(o.shardId, index);
    last.set(o.shardId, index);
    index++;
  }
  const problems = [];
  let expected = 0;
  for (const s of topology.shards) {
    expected += s.sequences.length;
    const g = got.get(s.id) ?? [];
    if (g.length !== s.sequences.length || g.some((x, i) => x !== s.sequences[i])) {
      problems.push(`shard ${s.id}: ${g.length} records of ${s.sequences.length}, or out of order`);
    }
    if (s.parent && s.sequences.length > 0 && (last.get(s.parent) ?? -1) > (first.get(s.id) ?? -1)) {
      problems.push(`shard ${s.id}: a record came before the last record of its parent ${s.parent}`);
    }
  }
  return { records: index, expected, problems };
}

/**
 * One stream size: starts its own host, runs `rounds` tails, returns the rows of that size.
 * `rssTarget` (MB) is the goal peak RSS of that size, if it has one.
 */
async function measure({ log, roots, perShard, rounds, rssTarget }) {
  const host = await startHost(roots, perShard);
  const { topology } = host;
  const shards = topology.shards.length;
  const label = `${shards.toLocaleString("en-US")} shards × ${perShard} records`;
  log?.(`scale: stand-in with ${label}, on ${topology.endpoint}`);
  const runs = [];
  try {
    for (let r = 0; r < rounds; r++) {
      await host.command("reset");
      const t = await cli(["tail", "Orders", "--from", "trim-horizon", "--until-end", "--output", "json"], {
        env: awsEnv(topology.endpoint),
        stdout: "pipe",
        timeoutMs: 900_000,
      });
      const stats = await host.command("stats");
      const v = verify(t.stdout, topology);
      runs.push({
        code: t.code,
        wallMs: t.wallMs,
        cpuMs: t.cpuMs,
        maxRssKB: t.maxRssKB,
        records: v.records,
        expected: v.expected,
        problems: v.problems.slice(0, 5),
        problemCount: v.problems.length,
        getRecords: stats.calls.GetRecords ?? 0,
        getShardIterator: stats.calls.GetShardIterator ?? 0,
        describeStream: stats.calls.DescribeStream ?? 0,
        maxDescribePerSecond: stats.maxDescribeStreamPerSecond,
        describeRateViolations: stats.describeRateViolations,
        stderrTail: t.code === 0 ? undefined : t.stderr.trim().slice(-300),
      });
      log?.(
        `scale: ${label}, round ${r + 1}/${rounds}: ${Math.round(t.wallMs)} ms, ${v.records}/${v.expected} records, ` +
          `${v.problems.length} problems, RSS ${Math.round((t.maxRssKB ?? 0) / 1024)} MB, ` +
          `DescribeStream ${stats.calls.DescribeStream ?? 0} calls (max ${stats.maxDescribeStreamPerSecond}/s)`,
      );
    }
  } finally {
    host.stop();
  }
  const ok = runs.every((x) => x.code === 0 && x.problemCount === 0 && x.records === x.expected);
  const maxDescribe = Math.max(...runs.map((x) => x.maxDescribePerSecond));
  const peakRss = Math.max(...runs.map((x) => x.maxRssKB ?? Number.NaN)) / 1024;
  const wall = median(runs.map((x) => x.wallMs));
  const getRecords = median(runs.map((x) => x.getRecords));
  const total = shards * perShard;
  return {
    rows: [
      {
        measurement: `scale: ${label}, 3 generations: every record once, parents first`,
        value: ok ? "yes" : "NO",
        target: "exactly once, parents first",
        met: ok,
        note: ok ? undefined : runs.map((x) => x.problems.join("; ") || x.stderrTail).join(" | "),
      },
      {
        measurement: `scale: ${label}: wall time (tail --from trim-horizon --until-end)`,
        value: wall,
        unit: "ms",
        note: `${Math.round(total / (wall / 1000)).toLocaleString("en-US")} rec/s; ${getRecords} GetRecords calls, ${median(runs.map((x) => x.getShardIterator))} GetShardIterator, ${median(runs.map((x) => x.describeStream))} DescribeStream`,
      },
      {
        measurement: `scale: ${label}: DescribeStream peak calls in any 1 s`,
        value: maxDescribe,
        unit: "calls/s",
        target: "≤ 10/s",
        met: maxDescribe <= 10 && runs.every((x) => x.describeRateViolations === 0),
      },
      {
        measurement: `scale: ${label}: peak RSS of tail`,
        value: peakRss,
        unit: "MB",
        target: rssTarget === undefined ? undefined : `≤ ${rssTarget} MB`,
        met: rssTarget === undefined || !Number.isFinite(peakRss) ? undefined : peakRss <= rssTarget,
      },
    ],
    raw: { shards, perShard, runs },
  };
}

/**
 * The sizes measured: 1,000 shards × 100 records (the long-standing ≤ 200 MB goal), then 1,000, 5,000
 * and 10,000 shards × 20 records (≤ 300 MB at 10,000). `sizes` overrides them (e.g. the quick run).
 */
const SIZES = [
  { shards: 1000, perShard: 100, rssTarget: 200 },
  { shards: 1000, perShard: 20 },
  { shards: 5000, perShard: 20 },
  { shards: 10_000, perShard: 20, rssTarget: 300 },
];

export async function run({ log, sizes = SIZES, rounds = 1 }) {
  const rows = [];
  const raw = [];
  for (const size of sizes) {
    const r = await measure({ log, roots: Math.max(1, Math.round(size.shards / 4)), rounds, ...size });
    rows.push(...r.rows);
    raw.push(r.raw);
  }
  return { rows, raw };
}
