import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assembleKclConsumer } from "../../../src/core/lag/kcl.js";
import { assembleLambdaConsumer, type MappingInfo } from "../../../src/core/lag/lambda.js";
import type { LagReport } from "../../../src/core/lag/report.js";
import type { LagWindow } from "../../../src/core/lag/series.js";
import { DEFAULT_THRESHOLDS, overallStatus } from "../../../src/core/lag/verdict.js";
import { lagJson, renderLag } from "../../../src/render/lag.js";
import { loadAnsiStyle, plainStyle } from "../../../src/render/style.js";

const ansiStyle = await loadAnsiStyle();

const NOW = Date.parse("2026-11-25T12:00:00Z");
const MIN = 60_000;
const WINDOW: LagWindow = { startMs: NOW - 15 * MIN, endMs: NOW, periodMs: MIN };
const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000";

function info(over: Partial<MappingInfo> = {}): MappingInfo {
  return {
    streamArn: ARN,
    uuid: "11111111-2222-3333-4444-555555555555",
    functionName: "indexer",
    functionArn: "arn:aws:lambda:us-east-1:123456789012:function:indexer",
    state: "Enabled",
    stateTransitionReason: "User action",
    lastProcessingResult: "OK",
    settings: {
      batchSize: 100,
      maximumBatchingWindowSeconds: 0,
      parallelizationFactor: 1,
      startingPosition: "LATEST",
      maximumRetryAttempts: 2,
      maximumRecordAgeSeconds: -1,
      bisectBatchOnFunctionError: true,
      onFailureDestination: null,
      filterCount: 1,
      eventCountMetrics: false,
      reportBatchItemFailures: true,
      tumblingWindowSeconds: 0,
    },
    ...over,
  };
}

function report(consumers: LagReport["consumers"]): LagReport {
  return {
    streamArn: ARN,
    streamArns: [ARN],
    window: WINDOW,
    consumers,
    status: overallStatus(consumers.map((c) => c.verdict.status)),
    notes: [],
  };
}

const lambda = (over: Partial<MappingInfo> = {}, series = [{ t: NOW - 3 * MIN, ms: 2500 }]) =>
  assembleLambdaConsumer(info(over), { series, complete: true }, null, DEFAULT_THRESHOLDS, WINDOW, NOW);

describe("lag JSON", () => {
  test("the documented shape: window in ISO times, iteratorAge latest/max/series, status", () => {
    const j = lagJson(report([lambda()]));
    assert.deepEqual(j.window, {
      start: "2026-11-25T11:45:00.000Z",
      end: "2026-11-25T12:00:00.000Z",
      periodSeconds: 60,
    });
    assert.equal(j.status, "ok");
    const c = j.consumers[0];
    assert.equal(c?.kind, "lambda");
    assert.deepEqual(c?.iteratorAge, {
      latestMs: 2500,
      latestAt: "2026-11-25T11:57:00.000Z",
      maxMs: 2500,
      series: [{ t: "2026-11-25T11:57:00.000Z", ms: 2500 }],
    });
    assert.deepEqual(Object.keys(j), ["streamArn", "window", "consumers", "status"]);
  });

  test("a KCL consumer: the largest shard lag, measured at the probe time", () => {
    const k = assembleKclConsumer(
      {
        streamArn: ARN,
        leaseTable: "orders-app",
        probedAt: NOW,
        history: [],
        shards: [
          {
            shardId: "shardId-1",
            open: true,
            leaseOwner: "w",
            checkpoint: "000000000000000000001",
            state: "behind",
            lagMs: 5000,
            firstUnprocessedAt: NOW - 5000,
          },
        ],
      },
      DEFAULT_THRESHOLDS,
      WINDOW,
    );
    const c = lagJson(report([k])).consumers[0];
    assert.equal(c?.kind, "kcl");
    assert.deepEqual(c?.iteratorAge, {
      latestMs: 5000,
      latestAt: "2026-11-25T12:00:00.000Z",
      maxMs: 5000,
      series: [{ t: "2026-11-25T12:00:00.000Z", ms: 5000 }],
    });
    if (c?.kind === "kcl") assert.equal(c.shards[0]?.firstUnprocessedAt, "2026-11-25T11:59:55.000Z");
  });
});

describe("lag table", () => {
  test("columns, settings line, no colour with the plain style", () => {
    const out = renderLag(report([lambda()]), plainStyle);
    assert.match(out, /^FUNCTION +STATE +LAST RESULT +AGE NOW +MAX +TREND +STATUS$/m);
    assert.match(out, /^indexer +Enabled +OK +2s +2s +\S+ +ok$/m);
    assert.match(
      out,
      /settings: batch 100 · window 0s · parallelization 1 · from LATEST · retries 2 · max age ∞ · bisect on · on-failure none · filters 1 · ReportBatchItemFailures/,
    );
    assert.match(out, /^status: ok \(1 consumer: 1 ok\)$/m);
    assert.doesNotMatch(out, /\u001b/);
  });

  test("text from AWS cannot drive the terminal: control characters are escaped", () => {
    const evil = lambda({
      functionName: "fn\u001b[2J",
      lastProcessingResult: "PROBLEM: \u001b]0;owned\u0007",
    });
    const out = renderLag(report([evil]), ansiStyle);
    assert.doesNotMatch(out, /\u001b\[2J|\u001b\]0;/);
    assert.match(out, /fn\\x1b\[2J/);
    assert.match(out, /PROBLEM: \\x1b\]0;owned\\x07/);
  });

  test("no consumers: says so", () => {
    const out = renderLag(report([]), plainStyle);
    assert.match(out, /no consumers found/);
    assert.doesNotMatch(out, /FUNCTION/);
  });

  test("an idle mapping reads 'no data (idle)', never 0", () => {
    const out = renderLag(report([lambda({}, [])]), plainStyle);
    assert.match(out, /^indexer +Enabled +OK +no data \(idle\) +- +- +no-data$/m);
  });
});
