import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assembleKclConsumer, judgeKcl, kclWarnings } from "../../../src/core/lag/kcl.js";
import {
  type KclLease,
  type KclShardLag,
  kclNoDataReason,
  orphanShardLags,
  parseCheckpoint,
  planKclProbes,
  probedShardLag,
  unprobedShardLag,
} from "../../../src/core/lag/kcl-probes.js";
import {
  assembleLambdaConsumer,
  countsAsReader,
  eventWarnings,
  isProblemResult,
  judgeLambda,
  type MappingInfo,
  type MappingSettings,
  mappingWarnings,
  sumEvents,
} from "../../../src/core/lag/lambda.js";
import { addStreamWarnings, readersWarning } from "../../../src/core/lag/report.js";
import {
  type LagWindow,
  latestPoint,
  risesAcrossWindow,
  type SeriesPoint,
  sortSeries,
  sparkline,
  windowMax,
} from "../../../src/core/lag/series.js";
import {
  combineVerdict,
  DEFAULT_THRESHOLDS,
  lagExitCode,
  overallStatus,
  RETENTION_DANGER_MS,
} from "../../../src/core/lag/verdict.js";
import type { ShardInfo } from "../../../src/core/lineage.js";

// An injected clock: every rule is judged at NOW, over the 15 minutes before it, in 1-minute periods.
const NOW = Date.parse("2026-11-25T12:00:00Z");
const MIN = 60_000;
const WINDOW: LagWindow = { startMs: NOW - 15 * MIN, endMs: NOW, periodMs: MIN };
const TH = DEFAULT_THRESHOLDS;

/** Points at the start of the minutes `minutesAgo` before NOW. */
function series(...pairs: Array<[minutesAgo: number, ms: number]>): SeriesPoint[] {
  return pairs.map(([ago, ms]) => ({ t: NOW - ago * MIN, ms }));
}

const enabled = { state: "Enabled", lastProcessingResult: "OK" };

describe("series helpers", () => {
  test("sortSeries orders by time, merges duplicates keeping the larger age, drops non-finite", () => {
    const s = sortSeries([
      { t: 3, ms: 30 },
      { t: 1, ms: 10 },
      { t: 3, ms: 50 },
      { t: 2, ms: Number.NaN },
    ]);
    assert.deepEqual(s, [
      { t: 1, ms: 10 },
      { t: 3, ms: 50 },
    ]);
  });

  test("latestPoint and windowMax; undefined for an empty series", () => {
    const s = series([10, 500], [2, 200], [5, 900]);
    assert.deepEqual(latestPoint(s), { t: NOW - 2 * MIN, ms: 200 });
    assert.equal(windowMax(s), 900);
    assert.equal(latestPoint([]), undefined);
    assert.equal(windowMax([]), undefined);
  });

  test("risesAcrossWindow: three or more strictly rising points spanning half the window", () => {
    assert.equal(risesAcrossWindow(series([14, 100], [8, 200], [1, 300]), WINDOW), true);
    assert.equal(risesAcrossWindow(series([14, 100], [1, 300]), WINDOW), false, "two points are no trend");
    assert.equal(risesAcrossWindow(series([14, 100], [8, 100], [1, 300]), WINDOW), false, "flat step");
    assert.equal(risesAcrossWindow(series([14, 100], [8, 400], [1, 300]), WINDOW), false, "fell once");
    assert.equal(risesAcrossWindow(series([4, 100], [3, 200], [2, 300]), WINDOW), false, "only 2 minutes");
    // order of the input does not matter
    assert.equal(risesAcrossWindow(series([1, 300], [14, 100], [8, 200]), WINDOW), true);
  });

  test("sparkline: one cell per period, heights from 0 to the window max, gaps as dots", () => {
    const w: LagWindow = { startMs: NOW - 4 * MIN, endMs: NOW, periodMs: MIN };
    assert.equal(sparkline(series([4, 0], [3, 350], [1, 700]), w), "▁▅·█");
    assert.equal(sparkline([], w), "");
    assert.equal(sparkline(series([4, 0], [3, 0]), w), "▁▁··", "all zero stays at the bottom");
    // 15 periods into at most 5 cells: groups of 3, the max of each group
    const s = series([15, 100], [14, 200], [13, 300], [3, 900]);
    assert.equal(sparkline(s, WINDOW, 5), "▃···█");
  });
});

describe("Lambda verdict rules (injected clock)", () => {
  test("ok: recent age under --warn", () => {
    const v = judgeLambda({ ...enabled, series: series([3, 800], [1, 1200]) }, TH, WINDOW, NOW);
    assert.deepEqual(v, { status: "ok", reasons: [] });
  });

  test("warn: latest age over --warn (default 1m), judged on the LATEST point, not the max", () => {
    const v = judgeLambda({ ...enabled, series: series([5, 1000], [1, 90_000]) }, TH, WINDOW, NOW);
    assert.equal(v.status, "warn");
    assert.match(v.reasons[0] ?? "", /age 1m30s is over the warn threshold 1m00s/);
    const recovered = judgeLambda({ ...enabled, series: series([5, 90_000], [1, 1000]) }, TH, WINDOW, NOW);
    assert.equal(recovered.status, "ok", "a past spike that recovered is ok");
  });

  test("warn: age rising across the whole window while under the thresholds", () => {
    const v = judgeLambda(
      { ...enabled, series: series([14, 1000], [10, 2000], [6, 3000], [1, 4000]) },
      TH,
      WINDOW,
      NOW,
    );
    assert.equal(v.status, "warn");
    assert.match(v.reasons.join("\n"), /rose across the whole window, from 1s to 4s/);
  });

  test("fail: latest age over --fail (default 10m)", () => {
    const v = judgeLambda({ ...enabled, series: series([1, 11 * MIN]) }, TH, WINDOW, NOW);
    assert.equal(v.status, "fail");
    assert.match(v.reasons[0] ?? "", /over the fail threshold 10m00s/);
  });

  test("thresholds are exclusive: exactly --warn / --fail is not over them", () => {
    assert.equal(judgeLambda({ ...enabled, series: series([1, MIN]) }, TH, WINDOW, NOW).status, "ok");
    assert.equal(judgeLambda({ ...enabled, series: series([1, 10 * MIN]) }, TH, WINDOW, NOW).status, "warn");
  });

  test("fail: within 25% of the 24 h retention, even when --fail is set higher", () => {
    const th = { ...TH, failMs: 23 * 3600_000 };
    const v = judgeLambda({ ...enabled, series: series([1, RETENTION_DANGER_MS]) }, th, WINDOW, NOW);
    assert.equal(v.status, "fail");
    assert.match(v.reasons[0] ?? "", /within 25% of the 24 h stream retention/);
    const below = judgeLambda({ ...enabled, series: series([1, RETENTION_DANGER_MS - 1]) }, th, WINDOW, NOW);
    assert.equal(below.status, "warn");
  });

  test("fail: mapping not Enabled, whatever the age, with the transition reason", () => {
    for (const state of ["Disabled", "Creating", "Updating", undefined]) {
      const v = judgeLambda(
        { state, stateTransitionReason: "User action", lastProcessingResult: "OK", series: series([1, 10]) },
        TH,
        WINDOW,
        NOW,
      );
      assert.equal(v.status, "fail", String(state));
      assert.match(v.reasons[0] ?? "", /not Enabled/);
    }
    const idle = judgeLambda({ state: "Disabled", lastProcessingResult: "OK", series: [] }, TH, WINDOW, NOW);
    assert.equal(idle.status, "fail", "not Enabled beats no-data");
  });

  test("fail: LastProcessingResult reports a problem", () => {
    assert.equal(isProblemResult("PROBLEM: Function call failed"), true);
    assert.equal(isProblemResult("problem: throttled"), true);
    assert.equal(isProblemResult("OK"), false);
    assert.equal(isProblemResult("No records processed"), false);
    assert.equal(isProblemResult(undefined), false);
    const v = judgeLambda(
      { state: "Enabled", lastProcessingResult: "PROBLEM: Function call failed", series: series([1, 10]) },
      TH,
      WINDOW,
      NOW,
    );
    assert.equal(v.status, "fail");
    assert.deepEqual(v.reasons, ["last processing result: PROBLEM: Function call failed"]);
  });

  test("no-data: an idle mapping has no IteratorAge datapoints; never judged as 0", () => {
    const v = judgeLambda({ ...enabled, series: [] }, TH, WINDOW, NOW);
    assert.equal(v.status, "no-data");
    assert.match(v.reasons[0] ?? "", /no IteratorAge datapoints in the window \(idle\)/);
  });

  test("--fail-on-no-data turns no-data into fail", () => {
    const v = judgeLambda({ ...enabled, series: [] }, { ...TH, failOnNoData: true }, WINDOW, NOW);
    assert.equal(v.status, "fail");
    assert.match(v.reasons[0] ?? "", /--fail-on-no-data/);
  });

  test("custom thresholds", () => {
    const th = { warnMs: 5_000, failMs: 30_000, failOnNoData: false };
    assert.equal(judgeLambda({ ...enabled, series: series([1, 6_000]) }, th, WINDOW, NOW).status, "warn");
    assert.equal(judgeLambda({ ...enabled, series: series([1, 31_000]) }, th, WINDOW, NOW).status, "fail");
  });

  test("a stale latest datapoint is mentioned when the verdict is not ok", () => {
    const v = judgeLambda({ ...enabled, series: series([12, 11 * MIN]) }, TH, WINDOW, NOW);
    assert.equal(v.status, "fail");
    assert.match(v.reasons.join("\n"), /latest datapoint is 12m00s old/);
  });

  test("combineVerdict: fail beats no-data beats warn", () => {
    assert.equal(combineVerdict(["x"], ["y"], "idle", TH).status, "fail");
    assert.equal(combineVerdict([], ["y"], "idle", TH).status, "no-data");
    assert.equal(combineVerdict([], ["y"], undefined, TH).status, "warn");
    assert.equal(combineVerdict([], [], undefined, TH).status, "ok");
  });

  test("overallStatus is the worst; exit code 1 only for fail", () => {
    assert.equal(overallStatus([]), "ok");
    assert.equal(overallStatus(["ok", "no-data"]), "no-data");
    assert.equal(overallStatus(["no-data", "warn", "ok"]), "warn");
    assert.equal(overallStatus(["warn", "fail", "no-data"]), "fail");
    assert.equal(lagExitCode("fail"), 1);
    assert.equal(lagExitCode("warn"), 0);
    assert.equal(lagExitCode("no-data"), 0);
  });
});

const SETTINGS: MappingSettings = {
  batchSize: 100,
  maximumBatchingWindowSeconds: 0,
  parallelizationFactor: 1,
  startingPosition: "LATEST",
  maximumRetryAttempts: -1,
  maximumRecordAgeSeconds: -1,
  bisectBatchOnFunctionError: false,
  onFailureDestination: null,
  filterCount: 0,
  eventCountMetrics: false,
  reportBatchItemFailures: false,
  tumblingWindowSeconds: 0,
};

describe("configuration warnings", () => {
  test("infinite retries with no on-failure destination: a poison record stalls the shard", () => {
    assert.match(mappingWarnings(SETTINGS)[0] ?? "", /stall its shard for up to a day/);
    assert.match(
      mappingWarnings({ ...SETTINGS, maximumRecordAgeSeconds: 3600 })[0] ?? "",
      /up to 1h00m, then its batch is dropped/,
    );
    assert.deepEqual(
      mappingWarnings({ ...SETTINGS, onFailureDestination: "arn:aws:sqs:us-east-1:1:dlq" }),
      [],
    );
    assert.deepEqual(mappingWarnings({ ...SETTINGS, maximumRetryAttempts: 3 }), []);
  });

  test("readers per shard: more than two (each mapping counts), more than one on a global table", () => {
    assert.equal(readersWarning(2, 0, false), undefined);
    assert.match(readersWarning(3, 0, false) ?? "", /^3 readers per shard \(3 Lambda mappings\)/);
    assert.match(
      readersWarning(2, 1, false) ?? "",
      /3 readers per shard \(2 Lambda mappings, 1 KCL application\)/,
    );
    assert.equal(readersWarning(1, 0, true), undefined);
    assert.match(readersWarning(2, 0, true) ?? "", /global table/);
    // A Kinesis shard serves 5 GetRecords calls/s to its shared-throughput readers in all.
    assert.equal(readersWarning(4, 1, false, true), undefined);
    assert.match(
      readersWarning(4, 2, false, true) ?? "",
      /^6 readers per shard \(4 Lambda mappings, 2 KCL applications\) share its 5 GetRecords calls and 2 MB per second: .*enhanced fan-out/,
    );
    assert.equal(countsAsReader("Enabled"), true);
    assert.equal(countsAsReader("Updating"), true);
    assert.equal(countsAsReader("Disabled"), false);
  });

  test("event counts: sums, null when no datapoints, warnings for dropped and failed events", () => {
    const e = sumEvents({ polled: [1, 2, 3], dropped: [0, 4], failedInvoke: [] });
    assert.equal(e.polled, 6);
    assert.equal(e.dropped, 4);
    assert.equal(e.failedInvoke, null);
    assert.equal(e.invoked, null);
    const w = eventWarnings(e);
    assert.equal(w.length, 1);
    assert.match(w[0] ?? "", /4 events dropped/);
    assert.deepEqual(eventWarnings(null), []);
  });
});

function info(over: Partial<MappingInfo> = {}): MappingInfo {
  return {
    streamArn: "arn:s1",
    uuid: "u1",
    functionName: "fn",
    functionArn: "arn:aws:lambda:us-east-1:123456789012:function:fn",
    state: "Enabled",
    stateTransitionReason: "User action",
    lastProcessingResult: "OK",
    settings: { ...SETTINGS, onFailureDestination: "arn:dlq" },
    ...over,
  };
}

describe("assembling consumers", () => {
  test("a Lambda consumer carries the verdict, sorted series, events and warnings", () => {
    const c = assembleLambdaConsumer(
      info({ settings: SETTINGS }),
      { series: series([1, 2000], [3, 1000]), complete: false },
      null,
      TH,
      WINDOW,
      NOW,
    );
    assert.equal(c.kind, "lambda");
    assert.equal(c.verdict.status, "ok");
    assert.deepEqual(
      c.iteratorAge.series.map((p) => p.ms),
      [1000, 2000],
    );
    assert.equal(c.warnings.length, 2);
    assert.match(c.warnings.join("\n"), /poison record/);
    assert.match(c.warnings.join("\n"), /partial IteratorAge data/);
  });

  test("stream warnings: readers per shard and IteratorAge shared by one function's mappings", () => {
    const mk = (uuid: string, fn: string, state = "Enabled") =>
      assembleLambdaConsumer(
        info({ uuid, functionName: fn, state }),
        { series: [], complete: true },
        null,
        TH,
        WINDOW,
        NOW,
      );
    const cs = [mk("a", "f1"), mk("b", "f1"), mk("c", "f2"), mk("d", "f3", "Disabled")];
    addStreamWarnings(cs, new Set());
    assert.match(cs[0]?.warnings.join("\n") ?? "", /3 readers per shard/);
    assert.match(cs[0]?.warnings.join("\n") ?? "", /other mapping b$/m);
    assert.doesNotMatch(cs[2]?.warnings.join("\n") ?? "", /other mapping/);
    const two = [mk("a", "f1"), mk("c", "f2")];
    addStreamWarnings(two, new Set());
    assert.deepEqual(two[0]?.warnings, []);
    const filtered = [mk("a", "f1")];
    addStreamWarnings(filtered, new Set(), new Map([["arn:s1", 3]]));
    assert.match(
      filtered[0]?.warnings.join("\n") ?? "",
      /3 readers per shard/,
      "mappings left out by --function still read",
    );
    const global = [mk("a", "f1"), mk("c", "f2")];
    addStreamWarnings(global, new Set(["arn:s1"]));
    assert.match(global[0]?.warnings.join("\n") ?? "", /global table/);
  });
});

describe("KCL", () => {
  const open: ShardInfo = { shardId: "shardId-open", startingSequenceNumber: "000000000000000000100" };
  const closed: ShardInfo = {
    shardId: "shardId-closed",
    startingSequenceNumber: "000000000000000000001",
    endingSequenceNumber: "000000000000000000050",
  };
  const child: ShardInfo = { shardId: "shardId-child", parentShardId: "shardId-open" };
  const lease = (
    shardId: string,
    checkpoint: string | undefined,
    owner: string | undefined = "w1",
  ): KclLease => ({
    leaseKey: shardId,
    shardId,
    checkpoint,
    leaseOwner: owner,
    parentShardIds: [],
  });

  test("parseCheckpoint: sequence numbers and the sentinels", () => {
    assert.deepEqual(parseCheckpoint("000000000000000000123"), {
      kind: "sequence",
      seq: "000000000000000000123",
    });
    for (const s of ["SHARD_END", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] as const) {
      assert.deepEqual(parseCheckpoint(s), { kind: s });
    }
    assert.deepEqual(parseCheckpoint(undefined), { kind: "none" });
    assert.deepEqual(parseCheckpoint("abc"), { kind: "invalid", raw: "abc" });
  });

  test("planKclProbes: AFTER the checkpoint, TRIM_HORIZON for not started and lease-less open shards", () => {
    const { plans, orphans } = planKclProbes(
      [open, closed, child, { shardId: "shardId-old", endingSequenceNumber: "9" }],
      [
        lease("shardId-open", "000000000000000000120"),
        lease("shardId-closed", "TRIM_HORIZON"),
        lease("shardId-gone", "000000000000000000007"),
      ],
    );
    const by = new Map(plans.map((p) => [p.shardId, p]));
    assert.deepEqual(by.get("shardId-open")?.probe, {
      type: "AFTER_SEQUENCE_NUMBER",
      seq: "000000000000000000120",
    });
    assert.deepEqual(by.get("shardId-closed")?.probe, { type: "TRIM_HORIZON" });
    assert.deepEqual(by.get("shardId-child")?.probe, { type: "TRIM_HORIZON" });
    assert.equal(by.get("shardId-child")?.lease, undefined);
    assert.equal(by.has("shardId-old"), false, "closed shards without a lease are not probed");
    assert.deepEqual(
      orphans.map((o) => o.shardId),
      ["shardId-gone"],
    );
  });

  test("sentinels need no probe: SHARD_END finished, LATEST not started (lag 0), AT_TIMESTAMP unknown", () => {
    const { plans } = planKclProbes(
      [open, closed, child],
      [
        lease("shardId-closed", "SHARD_END"),
        lease("shardId-open", "LATEST"),
        lease("shardId-child", "AT_TIMESTAMP"),
      ],
    );
    for (const p of plans) assert.equal(p.probe, undefined, p.shardId);
    const lags = new Map(plans.map((p) => [p.shardId, unprobedShardLag(p)]));
    assert.equal(lags.get("shardId-closed")?.state, "finished");
    assert.equal(lags.get("shardId-closed")?.lagMs, 0);
    assert.equal(lags.get("shardId-open")?.state, "not-started");
    assert.equal(lags.get("shardId-open")?.lagMs, 0);
    assert.equal(lags.get("shardId-child")?.state, "unknown");
    assert.equal(lags.get("shardId-child")?.lagMs, null);
  });

  test("probed lag = now − ApproximateCreationDateTime of the first unprocessed record; 0 when caught up", () => {
    const { plans } = planKclProbes([open, child], [lease("shardId-open", "000000000000000000120")]);
    const [p, c] = plans as [(typeof plans)[0], (typeof plans)[0]];
    const behind = probedShardLag(p, { kind: "record", createdAt: NOW - 3 * MIN }, NOW);
    assert.equal(behind.state, "behind");
    assert.equal(behind.lagMs, 3 * MIN);
    assert.equal(behind.firstUnprocessedAt, NOW - 3 * MIN);
    assert.equal(behind.leaseOwner, "w1");
    const caught = probedShardLag(p, { kind: "empty", shardEnded: false }, NOW);
    assert.equal(caught.state, "caught-up");
    assert.equal(caught.lagMs, 0);
    const future = probedShardLag(p, { kind: "record", createdAt: NOW + 30_000 }, NOW);
    assert.equal(future.lagMs, 0, "never negative");
    const noLease = probedShardLag(c, { kind: "record", createdAt: NOW - MIN }, NOW);
    assert.equal(noLease.state, "no-lease");
    assert.equal(noLease.lagMs, MIN);
    assert.equal(probedShardLag(c, { kind: "empty", shardEnded: false }, NOW).lagMs, 0);
  });

  test("Kinesis probes: MillisBehindLatest counts, an empty page behind the tip is behind, the record's age when larger", () => {
    const { plans } = planKclProbes([open, child], [lease("shardId-open", "000000000000000000120")]);
    const [p, c] = plans as [(typeof plans)[0], (typeof plans)[0]];
    const gap = probedShardLag(p, { kind: "empty", shardEnded: false, behindMs: 5 * MIN }, NOW);
    assert.equal(gap.state, "behind");
    assert.equal(gap.lagMs, 5 * MIN);
    assert.equal(gap.firstUnprocessedAt, null);
    const tip = probedShardLag(p, { kind: "empty", shardEnded: false, behindMs: 0 }, NOW);
    assert.equal(tip.state, "caught-up");
    // The page holding the last record is at the tip (0): the record's own age is the lag.
    const last = probedShardLag(p, { kind: "record", createdAt: NOW - MIN, behindMs: 0 }, NOW);
    assert.equal(last.lagMs, MIN);
    const more = probedShardLag(p, { kind: "record", createdAt: NOW - MIN, behindMs: 2 * MIN }, NOW);
    assert.equal(more.lagMs, 2 * MIN);
    assert.equal(
      probedShardLag(c, { kind: "empty", shardEnded: false, behindMs: MIN }, NOW).state,
      "no-lease",
    );
  });

  test("a Kinesis stream's own retention sets the 'about to be trimmed' level", () => {
    const s: KclShardLag = {
      shardId: "s",
      open: true,
      leaseOwner: "w",
      checkpoint: "1",
      state: "behind",
      lagMs: 20 * 3600_000,
      firstUnprocessedAt: null,
    };
    const th = { ...TH, failMs: 400 * 3600_000, warnMs: 400 * 3600_000 };
    const day = judgeKcl([s], th, WINDOW);
    assert.equal(day.status, "fail");
    assert.match(day.reasons[0] ?? "", /within 25% of the 24 h stream retention/);
    assert.equal(judgeKcl([s], th, WINDOW, [], 168 * 3600_000).status, "ok", "a week's retention");
    const week = judgeKcl([{ ...s, lagMs: 130 * 3600_000 }], th, WINDOW, [], 168 * 3600_000);
    assert.match(week.reasons[0] ?? "", /within 25% of the 168 h stream retention/);
  });

  test("a trimmed checkpoint is data lost: fail", () => {
    const { plans } = planKclProbes([open], [lease("shardId-open", "000000000000000000120")]);
    const t = probedShardLag(plans[0] as (typeof plans)[0], { kind: "trimmed" }, NOW);
    assert.equal(t.state, "trimmed");
    const v = judgeKcl([t], TH, WINDOW);
    assert.equal(v.status, "fail");
    assert.match(v.reasons[0] ?? "", /records lost on shardId-open/);
  });

  test("orphan leases: unfinished ones were lost, SHARD_END and LATEST are harmless", () => {
    const lost = orphanShardLags([
      lease("a", "000000000000000000007"),
      lease("b", "SHARD_END"),
      lease("c", "LATEST"),
    ]);
    assert.deepEqual(
      lost.map((l) => [l.shardId, l.state]),
      [["a", "lost"]],
    );
    assert.equal(judgeKcl(lost, TH, WINDOW).status, "fail");
  });

  test("kclNoDataReason: empty lease table, or no lease for this stream's shards", () => {
    assert.match(kclNoDataReason("L", [], [open]) ?? "", /has no leases/);
    assert.match(kclNoDataReason("L", [lease("x", "000000000000000000001")], [open]) ?? "", /another stream/);
    assert.equal(kclNoDataReason("L", [lease("x", "SHARD_END")], [open]), undefined);
    assert.equal(kclNoDataReason("L", [lease("shardId-open", "LATEST")], [open]), undefined);
    assert.match(
      kclNoDataReason("L", [], [open], ["0:a:1", "0:b:1"]) ?? "",
      /has no lease of this stream, only of 2 other streams \(0:a:1, 0:b:1\)/,
    );
  });

  test("judgeKcl: the largest shard lag against the thresholds; errors warn; nothing measurable is no-data", () => {
    const s = (state: KclShardLag["state"], lagMs: number | null): KclShardLag => ({
      shardId: `s-${state}-${lagMs}`,
      open: true,
      leaseOwner: "w",
      checkpoint: "1",
      state,
      lagMs,
      firstUnprocessedAt: null,
    });
    assert.equal(judgeKcl([s("caught-up", 0), s("behind", 30_000)], TH, WINDOW).status, "ok");
    assert.equal(judgeKcl([s("caught-up", 0), s("behind", 2 * MIN)], TH, WINDOW).status, "warn");
    assert.equal(judgeKcl([s("behind", 11 * MIN)], TH, WINDOW).status, "fail");
    assert.equal(
      judgeKcl([s("behind", RETENTION_DANGER_MS)], { ...TH, failMs: RETENTION_MS_PLUS }, WINDOW).status,
      "fail",
    );
    const err = judgeKcl([s("caught-up", 0), { ...s("error", null), message: "boom" }], TH, WINDOW);
    assert.equal(err.status, "warn");
    assert.match(err.reasons[0] ?? "", /could not probe .*boom/);
    assert.equal(judgeKcl([s("unknown", null)], TH, WINDOW).status, "no-data");
    assert.equal(judgeKcl([], { ...TH, failOnNoData: true }, WINDOW).status, "fail");
  });

  test("assembleKclConsumer: history from --watch feeds the rising rule; no-data reason wins", () => {
    const shards: KclShardLag[] = [
      {
        shardId: "s",
        open: true,
        leaseOwner: "w",
        checkpoint: "1",
        state: "behind",
        lagMs: 40_000,
        firstUnprocessedAt: NOW - 40_000,
      },
    ];
    const rising = assembleKclConsumer(
      {
        streamArn: "arn:s1",
        leaseTable: "L",
        probedAt: NOW,
        shards,
        history: series([20, 1], [14, 10_000], [7, 20_000]),
      },
      TH,
      WINDOW,
    );
    assert.deepEqual(
      rising.history.map((p) => p.ms),
      [10_000, 20_000, 40_000],
      "points before the window are dropped, this measurement is appended",
    );
    assert.equal(rising.verdict.status, "warn");
    assert.match(rising.verdict.reasons.join("\n"), /rose across the whole window/);
    const none = assembleKclConsumer(
      { streamArn: "arn:s1", leaseTable: "L", probedAt: NOW, shards: [], history: [], noDataReason: "empty" },
      TH,
      WINDOW,
    );
    assert.deepEqual(none.verdict, { status: "no-data", reasons: ["empty"] });
  });

  test("kclWarnings: lease-less open shards and unowned unfinished leases", () => {
    const w = kclWarnings([
      {
        shardId: "a",
        open: true,
        leaseOwner: null,
        checkpoint: null,
        state: "no-lease",
        lagMs: 0,
        firstUnprocessedAt: null,
      },
      {
        shardId: "b",
        open: true,
        leaseOwner: null,
        checkpoint: "5",
        state: "behind",
        lagMs: 1,
        firstUnprocessedAt: 1,
      },
      {
        shardId: "c",
        open: false,
        leaseOwner: null,
        checkpoint: "SHARD_END",
        state: "finished",
        lagMs: 0,
        firstUnprocessedAt: null,
      },
    ]);
    assert.equal(w.length, 2);
    assert.match(w[0] ?? "", /1 open shard has no lease yet: a/);
    assert.match(w[1] ?? "", /1 unfinished lease has no owner .*: b/);
  });
});

const RETENTION_MS_PLUS = 25 * 3600_000;
