// `shards` and `describe` against the stand-in streams server: lineage that DynamoDB Local cannot
// produce (splits, closed parents, a trimmed parent, >100 shards for pagination, DescribeStream rate).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { runCli } from "../helpers/cli.js";
import { cliEnv } from "../helpers/ddb.js";
import { type StreamsStandin, startStreamsStandin } from "../helpers/standins/streams-server.js";
import { buildTopology, topologies } from "../helpers/standins/streams-topology.js";

let standin: StreamsStandin;
before(async () => {
  standin = await startStreamsStandin({ describeRateLimit: 10 });
});
after(async () => {
  await standin.stop();
});

test("shards --tree draws splits, a trimmed parent's orphan, and three generations", async () => {
  const s = standin.addStream({ tableName: "Lineage" });
  const t = buildTopology(standin, s.arn, [
    { name: "root", closed: true },
    { name: "a", parent: "root", closed: true },
    { name: "b", parent: "root" },
    { name: "a1", parent: "a" },
    { name: "a2", parent: "a" },
    { name: "gone", closed: true, removed: true },
    { name: "orphan", parent: "gone" },
  ]);
  const r = await runCli(["shards", "Lineage", "--tree"], { env: cliEnv(standin.endpoint) });
  assert.equal(r.code, 0, r.stderr);
  const id = (n: string): string => t.id(n);
  const expected = [
    `${id("root")}  closed`,
    `├─ ${id("a")}  closed`,
    `│  ├─ ${id("a1")}  open`,
    `│  └─ ${id("a2")}  open`,
    `└─ ${id("b")}  open`,
    `${id("orphan")}  open  (parent ${id("gone")} no longer listed)`,
  ];
  // roots are ordered by starting sequence number: root was created first
  assert.deepEqual(r.stdout.trimEnd().split("\n"), expected);
  assert.match(r.stderr, /6 shards: 4 open, 2 closed/);

  const open = await runCli(["shards", s.arn, "--open", "--json"], { env: cliEnv(standin.endpoint) });
  assert.equal(open.code, 0, open.stderr);
  const j = JSON.parse(open.stdout) as {
    streamArn: string;
    shards: Array<{ shardId: string; status: string; parentShardId: string | null }>;
  };
  assert.equal(j.streamArn, s.arn);
  assert.deepEqual(j.shards.map((x) => x.shardId).sort(), [id("a1"), id("a2"), id("b"), id("orphan")].sort());
  assert.ok(j.shards.every((x) => x.status === "open"));
  assert.equal(j.shards.find((x) => x.shardId === id("a1"))?.parentShardId, id("a"));
});

test("more than 100 shards: every page is read, within 10 DescribeStream calls per second", async () => {
  const s = standin.addStream({ tableName: "Wide" });
  const t = buildTopology(standin, s.arn, topologies.wide(250), {
    recordsPerShard: 0,
    mixedSequenceLengths: true,
  });
  standin.resetStats();
  const r = await runCli(["shards", s.arn, "--json"], { env: cliEnv(standin.endpoint) });
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { shards: Array<{ shardId: string }> };
  assert.equal(j.shards.length, 250);
  assert.equal(new Set(j.shards.map((x) => x.shardId)).size, 250);
  assert.deepEqual(new Set(j.shards.map((x) => x.shardId)), new Set(Object.values(t.ids)));
  const stats = standin.stats;
  assert.equal(stats.calls.DescribeStream, 3, "three pages of at most 100");
  assert.ok(stats.maxDescribeStreamPerSecond <= 10);
  assert.equal(stats.describeRateViolations, 0);

  const d = await runCli(["describe", s.arn, "--json"], { env: cliEnv(standin.endpoint) });
  assert.equal(d.code, 0, d.stderr);
  assert.deepEqual((JSON.parse(d.stdout) as { shards: unknown }).shards, {
    open: 250,
    closed: 0,
    total: 250,
  });
});

test("DescribeStream throttling is retried, not fatal", async () => {
  const s = standin.addStream({ tableName: "Throttled" });
  buildTopology(standin, s.arn, topologies.split());
  const fault = standin.faults.inject({ op: "DescribeStream", times: 4, kind: "throttling" });
  const r = await runCli(["shards", s.arn, "--json"], { env: cliEnv(standin.endpoint) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { shards: unknown[] }).shards.length, 3);
  assert.equal(fault.remaining(), 0);
});

test("an unknown stream ARN is not found (exit 3)", async () => {
  const r = await runCli(
    ["shards", "arn:aws:dynamodb:us-east-1:123456789012:table/Nope/stream/2026-01-01T00:00:00.000"],
    {
      env: cliEnv(standin.endpoint),
    },
  );
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /error: stream .* not found/);
});
