/**
 * Host of the scale benchmark's stand-in (run by bench/suites/scale.mjs with `node --import tsx`): the
 * DynamoDB Streams stand-in serving one stream of 4 × roots shards in three generations of lineage
 * (closed roots → one closed child each → two open children each), recordsPerShard records each.
 * Prints one JSON line on stdout: endpoint, stream ARN, the shards (id, parent) and each shard's
 * sequence numbers. Then answers commands read from stdin, one per line: `stats` prints the stand-in's
 * counters (without the request log) as one JSON line; `stop` (or the end of stdin) stops it.
 * Usage: node --import tsx bench/scale-host.ts [roots] [recordsPerShard]
 */
import { createInterface } from "node:readline";
import { startStreamsStandin } from "../test/helpers/standins/streams-server.js";
import { buildTopology, type ShardSpec } from "../test/helpers/standins/streams-topology.js";

const roots = Number(process.argv[2] ?? 250);
const perShard = Number(process.argv[3] ?? 100);

const spec: ShardSpec[] = [];
for (let r = 0; r < roots; r++) spec.push({ name: `g0.${r}`, closed: true });
for (let r = 0; r < roots; r++) spec.push({ name: `g1.${r}`, parent: `g0.${r}`, closed: true });
for (let r = 0; r < roots; r++) {
  spec.push({ name: `g2.${2 * r}`, parent: `g1.${r}` });
  spec.push({ name: `g2.${2 * r + 1}`, parent: `g1.${r}` });
}

const standin = await startStreamsStandin({ describeRateLimit: 10, maxLogEntries: 100 });
const stream = standin.addStream({ tableName: "Orders" });
const topo = buildTopology(standin, stream.arn, spec, { recordsPerShard: perShard });
const parents = new Map(spec.map((s) => [s.name, s.parent]));
const shards = topo.names.map((name) => {
  const parent = parents.get(name);
  return {
    id: topo.id(name),
    parent: parent === undefined ? null : topo.id(parent),
    sequences: topo.sequences[name] ?? [],
  };
});
process.stdout.write(`${JSON.stringify({ endpoint: standin.endpoint, streamArn: stream.arn, shards })}\n`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await standin.stop();
  process.exit(0);
}

const rl = createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const cmd = line.trim();
  if (cmd === "stats") {
    const { log: _log, ...stats } = standin.stats;
    process.stdout.write(`${JSON.stringify(stats)}\n`);
  } else if (cmd === "reset") {
    standin.resetStats();
    process.stdout.write("{}\n");
  } else if (cmd === "stop") void stop();
});
rl.on("close", () => void stop());
process.on("SIGTERM", () => void stop());
