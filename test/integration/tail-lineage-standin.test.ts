// `dynastream tail` (the built binary) against the DynamoDB Streams stand-in, lineage and discovery:
// splits, merges, orphans, generations, >100 shards, late children, --until-end's snapshot. Every test
// asserts that each record came out exactly once and in per-shard order, and that DescribeStream stayed
// under 10 calls/s (the faults are in tail-faults-standin.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { startCli } from "../helpers/cli.js";
import { cliEnv } from "../helpers/ddb.js";
import type { StreamsStandin } from "../helpers/standins/streams-server.js";
import type { ShardSpec } from "../helpers/standins/streams-topology.js";
import { buildTopology, topologies } from "../helpers/standins/streams-topology.js";
import {
  assertExactlyOnce,
  assertParentFirst,
  byId,
  parse,
  tail,
  withStandin,
} from "../helpers/tail-standin.js";

/**
 * `tail --from trim-horizon --until-end` over `spec`: a closed `root` split into `childA` and
 * `childB`, with `recordsPerShard` records each; with `newerInChildB`, also a record an hour newer
 * than the snapshot in childB (cut by the time bound, with the rest of childB). Asserts exit 0, every
 * other record exactly once, and root before both children.
 */
async function exportSplit(
  s: StreamsStandin,
  spec: ShardSpec[],
  opts: { recordsPerShard: number; newerInChildB?: boolean },
) {
  const st = s.addStream({ tableName: "Orders" });
  const topo = buildTopology(s, st.arn, spec, { recordsPerShard: opts.recordsPerShard });
  if (opts.newerInChildB) {
    st.putRecords(topo.id("childB"), [
      { dynamodb: { ApproximateCreationDateTime: Math.floor(Date.now() / 1000) + 3600 } },
    ]);
  }
  const r = await tail(s, ["--from", "trim-horizon", "--until-end"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = parse(r.stdout);
  assertExactlyOnce(lines, byId(topo));
  assertParentFirst(lines, topo.id("root"), topo.id("childA"));
  assertParentFirst(lines, topo.id("root"), topo.id("childB"));
  return { r, lines, topo };
}

test("split: the parent is read to its end before either child; every record once, in order", async () => {
  await withStandin({}, async (s) => {
    const { r } = await exportSplit(s, topologies.split(), { recordsPerShard: 5 });
    assert.match(r.stderr, /tailing Orders \(3 shards, 2 open\) from TRIM_HORIZON until caught up/);
    assert.match(r.stderr, /15 records from 3 shards, 0 gaps: caught up/);
  });
});

test("merge into one child: the child follows the parent it names; every record once", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.merge(), { recordsPerShard: 4 });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = parse(r.stdout);
    assertExactlyOnce(lines, byId(topo));
    assertParentFirst(lines, topo.id("parentA"), topo.id("child"));
  });
});

test("orphan: a child whose parent was trimmed away is read as a root", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.orphan(), { recordsPerShard: 3 });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end"]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), { [topo.id("orphan")]: topo.sequences.orphan ?? [] });
  });
});

test("three generations with mixed sequence-number lengths: parents first at every level", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.generations(3, 2), {
      recordsPerShard: 3,
      mixedSequenceLengths: true,
    });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end", "--concurrency", "2"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = parse(r.stdout);
    assertExactlyOnce(lines, byId(topo));
    for (const parent of topo.names) {
      for (const child of topo.childrenOf(parent)) assertParentFirst(lines, topo.id(parent), topo.id(child));
    }
  });
});

test("250 shards (3 DescribeStream pages): every shard read, DescribeStream ≤ 10/s", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.wide(250), { recordsPerShard: 2 });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end"]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), byId(topo));
    assert.match(r.stderr, /500 records from 250 shards/);
    assert.equal(s.stats.calls.GetShardIterator, 250);
  });
});

test("150 closed shards without children: child look-ups are coalesced into listings, ≤ 10/s", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const spec: ShardSpec[] = Array.from({ length: 150 }, (_, i) => ({
      name: `c${i}`,
      closed: true,
      records: 1,
    }));
    const topo = buildTopology(s, st.arn, spec);
    const r = await tail(s, ["--from", "trim-horizon", "--idle-timeout", "8s"]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), byId(topo));
    const describes = s.stats.calls.DescribeStream ?? 0;
    assert.ok(describes < 100, `DescribeStream calls: ${describes} for 150 ended shards`);
  });
});

test("LATEST on 120 open shards: records written after the start, from every shard, nothing older", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.wide(120), { recordsPerShard: 1 });
    const p = startCli(["tail", "Orders", "--json", "--count", "120"], { env: cliEnv(s.endpoint) });
    try {
      // The start line is printed once every LATEST iterator is in place: writes after it are read.
      await p.waitForStderr(/tailing Orders \(120 open shards\) from LATEST/, 60_000);
      assert.equal(s.stats.calls.GetShardIterator, 120);
      const expected: Record<string, string[]> = {};
      for (const name of topo.names) {
        const id = topo.id(name);
        expected[id] = s.putRecords(st.arn, id, [{ eventName: "MODIFY" }]);
      }
      const r = await p.done;
      assert.equal(r.code, 0, r.stderr);
      assertExactlyOnce(parse(r.stdout), expected);
    } finally {
      p.child.kill("SIGKILL");
    }
  });
});

test("children that appear late (after their parent closes) are found by CHILD_SHARDS retries", async () => {
  await withStandin({ childVisibilityDelayMs: 1500 }, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const root = st.addShard();
    const expected: Record<string, string[]> = { [root]: st.putRecords(root, [{}, {}, {}]) };
    const p = startCli(["tail", "Orders", "--json", "--from", "trim-horizon", "--count", "9"], {
      env: cliEnv(s.endpoint),
    });
    try {
      await p.waitForLines(3, 60_000);
      const a = st.addShard({ parentShardId: root });
      const b = st.addShard({ parentShardId: root });
      expected[a] = st.putRecords(a, [{}, {}, {}]);
      expected[b] = st.putRecords(b, [{}, {}, {}]);
      // The children are listed only 1.5 s after the root closes, and the first 3 CHILD_SHARDS
      // look-ups see nothing whatever the timing: tail has to retry.
      s.faults.inject({ op: "DescribeStream", kind: "empty", shardId: root, times: 3 });
      st.closeShard(root);
      const r = await p.done;
      assert.equal(r.code, 0, r.stderr);
      const lines = parse(r.stdout);
      assertExactlyOnce(lines, expected);
      assertParentFirst(lines, root, a);
      const childLookups = s.stats.log.filter((e) => e.op === "DescribeStream" && e.shardId === root);
      assert.ok(childLookups.length >= 4, `CHILD_SHARDS look-ups retried (${childLookups.length})`);
    } finally {
      p.child.kill("SIGKILL");
    }
  });
});

test("--until-end reads the children of shards closed at the snapshot, listed only after their parent was read", async () => {
  // Children of a closed shard already exist and hold records older than the snapshot, but DynamoDB
  // can list them seconds late. Here each child is listed only 1.5 s after its parent was read to its
  // end: never in tail's first listing. childA is closed too: its own child is listed late as well.
  await withStandin({ childListedAfterParentReadMs: 1500 }, async (s) => {
    const { r, lines, topo } = await exportSplit(
      s,
      [
        { name: "root", closed: true },
        { name: "childA", parent: "root", closed: true },
        { name: "childB", parent: "root" },
        { name: "grandchild", parent: "childA" },
      ],
      { recordsPerShard: 3, newerInChildB: true },
    );
    assertParentFirst(lines, topo.id("childA"), topo.id("grandchild"));
    assert.match(r.stderr, /tailing Orders \(1 shard, 0 open\) from TRIM_HORIZON until caught up/);
    assert.match(r.stderr, /12 records from 4 shards, 0 gaps: caught up/);
  });
});

test("--until-end reads both children of a split listed one by one: the second after the first was found", async () => {
  // childA is listed 0.5 s after root was read to its end, childB 2.5 s after: the CHILD_SHARDS
  // look-up finds childA (within about 1.6 s) and ends there. childB existed at the snapshot and holds
  // older records; tail's final listing, once the look-up span has passed, finds it.
  await withStandin({}, async (s) => {
    const { r } = await exportSplit(
      s,
      [
        { name: "root", closed: true },
        { name: "childA", parent: "root", listedAfterParentReadMs: 500 },
        { name: "childB", parent: "root", listedAfterParentReadMs: 2500 },
      ],
      { recordsPerShard: 3, newerInChildB: true },
    );
    assert.match(r.stderr, /9 records from 3 shards, 0 gaps: caught up/);
  });
});

test("DynamoDB Local behaviour: ShardFilter ignored; children still matched by ParentShardId", async () => {
  await withStandin({ ignoreShardFilter: true }, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, [
      { name: "root", closed: true },
      { name: "other", closed: true },
      { name: "child", parent: "root" },
    ] satisfies ShardSpec[]);
    const r = await tail(s, ["--from", "trim-horizon", "--idle-timeout", "4s"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = parse(r.stdout);
    assertExactlyOnce(lines, byId(topo));
    assertParentFirst(lines, topo.id("root"), topo.id("child"));
  });
});
