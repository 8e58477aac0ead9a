// `dynastream tail` (the built binary) against the DynamoDB Streams stand-in, faults and bounds:
// expired iterators, throttling and 5xx, hung requests, pacing, a slow reader of stdout, trimmed data,
// shards that vanish, start positions, a stream disabled while tailing, --until. Every test asserts
// that each record came out exactly once and in per-shard order, and that DescribeStream stayed under
// 10 calls/s (lineage is in tail-lineage-standin.test.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli, startCli } from "../helpers/cli.js";
import { cliEnv } from "../helpers/ddb.js";
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

test("expired iterators are renewed after the last record read: nothing lost, nothing repeated", async () => {
  await withStandin({ iteratorTtlMs: 400 }, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const shard = st.addShard();
    const expected: Record<string, string[]> = { [shard]: st.putRecords(shard, [{}, {}, {}]) };
    // Also one injected expiry before anything was read: renewed at the original position.
    s.faults.inject({ op: "GetRecords", kind: "expired", times: 1 });
    const p = startCli(["tail", "Orders", "--json", "--from", "trim-horizon", "--count", "6"], {
      env: cliEnv(s.endpoint),
    });
    try {
      await p.waitForLines(3, 60_000);
      // Idle polls back off to 1 s, longer than the 400 ms iterator lifetime: iterators expire.
      for (
        let i = 0;
        i < 100 && !s.stats.log.some((e) => e.error === "ExpiredIteratorException" && !e.fault);
        i++
      ) {
        await new Promise((res) => setTimeout(res, 100));
      }
      (expected[shard] as string[]).push(...st.putRecords(shard, [{}, {}, {}]));
      const r = await p.done;
      assert.equal(r.code, 0, r.stderr);
      assertExactlyOnce(parse(r.stdout), expected);
      const expiries = s.stats.log.filter((e) => e.error === "ExpiredIteratorException");
      assert.ok(expiries.length >= 2, `expired iterators seen: ${expiries.length}`);
      const renewals = s.stats.log.filter((e) => e.iteratorType === "AFTER_SEQUENCE_NUMBER");
      assert.ok(renewals.length >= 1, "renewed with AFTER_SEQUENCE_NUMBER");
    } finally {
      p.child.kill("SIGKILL");
    }
  });
});

test("throttling, 5xx and connection resets are retried with backoff; every record once", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.split(), { recordsPerShard: 6 });
    s.faults.inject({ op: "GetRecords", kind: "throttle", times: 4 });
    s.faults.inject({ op: "GetShardIterator", kind: "throttling", times: 2 });
    s.faults.inject({ op: "DescribeStream", kind: "throttling", times: 2 });
    s.faults.inject({ op: "GetRecords", kind: "500", times: 3, skip: 2 });
    s.faults.inject({ op: "GetRecords", kind: "reset", times: 1, skip: 4 });
    s.faults.inject({ op: "GetShardIterator", kind: "503", times: 1, skip: 1 });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = parse(r.stdout);
    assertExactlyOnce(lines, byId(topo));
    assertParentFirst(lines, topo.id("root"), topo.id("childA"));
    assert.ok(s.stats.faultsInjected >= 10, `faults fired: ${s.stats.faultsInjected}`);
    assert.match(r.stderr, /more than 2 processes may be reading/);
  });
});

test("a hung request is abandoned after --timeout and retried; nothing lost", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.single(), { recordsPerShard: 4 });
    s.faults.inject({ op: "GetRecords", kind: "hang", times: 2 });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end", "--timeout", "1s"]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), byId(topo));
    assert.equal(s.stats.faultsByKind.hang, 2);
  });
});

test("a backlog is read page after page, never more than 5 GetRecords calls/s on a shard", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const shard = st.addShard();
    // ~100 KB records: the 1 MB response cap gives pages of ~10 records, so 20 pages.
    const big = { S: "x".repeat(100_000) };
    const seqs = st.putRecords(
      shard,
      Array.from({ length: 200 }, (_, i) => ({
        dynamodb: { Keys: { pk: { S: `k${i}` } }, NewImage: { pk: { S: `k${i}` }, blob: big } },
      })),
    );
    st.closeShard(shard);
    const r = await tail(s, ["--from", "trim-horizon", "--until-end"]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), { [shard]: seqs });
    const calls = s.stats.log.filter((e) => e.op === "GetRecords" && e.shardId === shard).map((e) => e.at);
    assert.ok(calls.length >= 15, `pages: ${calls.length}`);
    for (let i = 5; i < calls.length; i++) {
      const window = (calls[i] as number) - (calls[i - 5] as number);
      assert.ok(window >= 900, `6 GetRecords calls within ${window} ms`);
    }
  });
});

test("a reader of stdout that stops: shards stop fetching (calls in flight count); then every record once", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    // 200 closed shards of 50 records: one GetRecords each brings its 50 (10,000 in all, ~7 MB of
    // NDJSON: far more than the pipe holds).
    const spec: ShardSpec[] = Array.from({ length: 200 }, (_, i) => ({ name: `c${i}`, closed: true }));
    const topo = buildTopology(s, st.arn, spec, { recordsPerShard: 50 });
    let lastGetRecords = 0;
    const unsubscribe = s.onRequest((e) => {
      if (e.op === "GetRecords") lastGetRecords = Date.now();
    });
    const p = startCli(["tail", "Orders", "--json", "--from", "trim-horizon", "--until-end"], {
      env: cliEnv(s.endpoint),
    });
    try {
      p.child.stdout?.pause(); // nobody reads stdout: tail blocks on its writes
      // Wait until tail has started reading, then until no GetRecords came for 1.5 s. (A slow machine
      // can only make this count lower: never a false failure.)
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        if ((s.stats.calls.GetRecords ?? 0) >= 5 && Date.now() - lastGetRecords >= 1500) break;
      }
      const fetched = Object.keys(s.stats.getRecordsByShard).length * 50;
      // The read-ahead is 1,000 records here (at least one full page; 4 pages of 50 are fewer), calls
      // in flight included; the consumer holds one batch (~the read-ahead) blocked on its write. Without
      // a bound on calls in flight every shard would have been read (10,000 records).
      assert.ok(fetched <= 3000, `${fetched} records fetched while stdout was not read`);
      p.child.stdout?.resume();
      const r = await p.done;
      assert.equal(r.code, 0, r.stderr);
      assertExactlyOnce(parse(r.stdout), byId(topo));
    } finally {
      unsubscribe();
      p.child.kill("SIGKILL");
    }
  });
});

test("persistent 5xx ends with exit 5 and a clear message", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    buildTopology(s, st.arn, topologies.single());
    s.faults.inject({ op: "GetRecords", kind: "500", times: Number.POSITIVE_INFINITY });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end"], 300_000);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /error: AWS error for shard/);
  });
});

test("trimmed data: a gap line (JSON and stderr), reading continues at TRIM_HORIZON, exit 6", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const shard = st.addShard();
    const first = st.putRecords(shard, [{}, {}, {}]);
    const p = startCli(["tail", "Orders", "--json", "--from", "trim-horizon", "--count", "4"], {
      env: cliEnv(s.endpoint),
    });
    try {
      await p.waitForLines(3, 60_000);
      const more = st.putRecords(shard, [{}, {}, {}]);
      // Trim r3 and r4 (and everything before) in the same tick: tail's position (after r2) is gone.
      st.trim(shard, { beforeSequence: more[2] as string });
      const r = await p.done;
      assert.equal(r.code, 6, r.stderr);
      const lines = parse(r.stdout);
      assertExactlyOnce(lines, { [shard]: [...first, more[2] as string] });
      const gaps = lines.filter((l) => l.type === "gap");
      assert.equal(gaps.length, 1);
      assert.equal(gaps[0]?.shardId, shard);
      assert.equal(gaps[0]?.afterSequenceNumber, first[2]);
      assert.equal(gaps[0]?.reason, "trimmed");
      const gapIndex = lines.findIndex((l) => l.type === "gap");
      assert.equal(gapIndex, 3, "the gap line sits between the records it separates");
      assert.match(r.stderr, /warning: records lost in shard .* after sequence number/);
      assert.match(r.stderr, /error: 1 gap: records were trimmed/);
    } finally {
      p.child.kill("SIGKILL");
    }
  });
});

test("a checkpoint-style start past the trim horizon is a gap too (GetShardIterator trimmed)", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const shard = st.addShard();
    const seqs = st.putRecords(shard, [{}, {}, {}, {}, {}]);
    st.trim(shard, { count: 3 });
    st.closeShard(shard);
    const r = await tail(s, ["--after-sequence", seqs[0] as string, "--shard", shard]);
    assert.equal(r.code, 6, r.stderr);
    const lines = parse(r.stdout);
    assertExactlyOnce(lines, { [shard]: seqs.slice(3) });
    assert.equal(lines[0]?.type, "gap");
    assert.equal(lines[0]?.afterSequenceNumber, seqs[0]);
    assert.match(r.stderr, /the selected shards were read to their end/);
  });
});

test("a shard that is not found any more ends that shard only", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, [{ name: "a" }, { name: "b" }], { recordsPerShard: 3 });
    s.faults.inject({ op: "GetRecords", kind: "notfound", shardId: topo.id("a"), times: 1 });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end"]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), { [topo.id("b")]: topo.sequences.b ?? [] });
  });
});

test("--shard restricts; an unknown --shard is exit 3", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, [{ name: "a" }, { name: "b" }], { recordsPerShard: 2 });
    const r = await tail(s, ["--from", "trim-horizon", "--until-end", "--shard", topo.id("b")]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), { [topo.id("b")]: topo.sequences.b ?? [] });
    const bad = await tail(s, ["--shard", "shardId-00000000000000000000-deadbeef"]);
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /shard shardId-00000000000000000000-deadbeef not found/);
  });
});

test("--at-sequence starts at that record, --after-sequence after it", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const shard = st.addShard();
    const seqs = st.putRecords(shard, [{}, {}, {}, {}]);
    st.closeShard(shard);
    const at = await tail(s, ["--at-sequence", seqs[1] as string, "--shard", shard]);
    assert.equal(at.code, 0, at.stderr);
    assertExactlyOnce(parse(at.stdout), { [shard]: seqs.slice(1) });
    const after = await tail(s, ["--after-sequence", seqs[1] as string, "--shard", shard]);
    assert.equal(after.code, 0, after.stderr);
    assertExactlyOnce(parse(after.stdout), { [shard]: seqs.slice(2) });
  });
});

test("a stream disabled while tailing ends cleanly after its remaining records", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, [{ name: "a" }, { name: "b" }], { recordsPerShard: 2 });
    const expected = byId(topo);
    const p = startCli(["tail", "Orders", "--json", "--from", "trim-horizon"], { env: cliEnv(s.endpoint) });
    try {
      await p.waitForLines(4, 60_000);
      (expected[topo.id("a")] as string[]).push(...st.putRecords(topo.id("a"), [{}, {}]));
      st.setStatus("DISABLED"); // closes both shards
      const r = await p.done;
      assert.equal(r.code, 0, r.stderr);
      assertExactlyOnce(parse(r.stdout), expected);
      assert.match(r.stderr, /the stream is disabled and all its records were read/);
    } finally {
      p.child.kill("SIGKILL");
    }
  });
});

test("a stream ARN of a disabled stream: a warning, its records, exit 0; from LATEST nothing to read", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const topo = buildTopology(s, st.arn, topologies.single(), { recordsPerShard: 3 });
    st.setStatus("DISABLED");
    const env = cliEnv(s.endpoint);
    const r = await runCli(["tail", st.arn, "--json", "--from", "trim-horizon"], { env, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), byId(topo));
    assert.match(r.stderr, /warning: the stream of Orders is DISABLED/);
    const latest = await runCli(["tail", st.arn, "--json"], { env, timeoutMs: 120_000 });
    assert.equal(latest.code, 0, latest.stderr);
    assert.equal(latest.stdout, "");
    assert.match(latest.stderr, /no open shard: use --from trim-horizon/);
  });
});

test("a record created after --until ends the shard; earlier ones are shown", async () => {
  await withStandin({}, async (s) => {
    const st = s.addStream({ tableName: "Orders" });
    const shard = st.addShard();
    const base = Math.floor(Date.now() / 1000) - 3600;
    const seqs = st.putRecords(
      shard,
      [0, 60, 120, 600, 660].map((d) => ({ dynamodb: { ApproximateCreationDateTime: base + d } })),
    );
    const until = new Date((base + 300) * 1000).toISOString();
    const from = new Date((base + 60) * 1000).toISOString();
    const r = await tail(s, ["--from", from, "--until", until]);
    assert.equal(r.code, 0, r.stderr);
    assertExactlyOnce(parse(r.stdout), { [shard]: seqs.slice(1, 3) });
    assert.match(r.stderr, /reached --until/);
  });
});
