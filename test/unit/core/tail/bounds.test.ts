import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import {
  childLookupDelayMs,
  emptyPollDelayMs,
  MAX_EMPTY_POLL_MS,
  MIN_GET_RECORDS_INTERVAL_MS,
  pacingDelayMs,
  retryDelayMs,
} from "../../../../src/core/tail/backoff.js";
import {
  CAUGHT_UP_EMPTY_PAGES,
  isBounded,
  isCaughtUp,
  isPastBound,
  isPastUntil,
  recordLimitMs,
  UNTIL_END_SLACK_MS,
} from "../../../../src/core/tail/bounds.js";
import {
  isBeforeStart,
  parseFrom,
  skipBeforeFor,
  timestampPrecisionMs,
} from "../../../../src/core/tail/plan.js";

const T = Date.parse("2026-01-31T12:00:00.500Z");

describe("until-end snapshot and --until bookkeeping", () => {
  it("unbounded reads never stop on their own", () => {
    assert.equal(isBounded({}), false);
    assert.equal(recordLimitMs({}), undefined);
    assert.equal(isPastBound(T + 1e9, {}), false);
    assert.equal(isCaughtUp(100, T, {}), false);
  });

  it("--until-end: records written after the snapshot (plus slack for rounding and clocks) end the shard", () => {
    const b = { snapshotMs: T };
    assert.equal(isBounded(b), true);
    assert.equal(isPastBound(T, b), false);
    assert.equal(isPastBound(T + UNTIL_END_SLACK_MS, b), false);
    assert.equal(isPastBound(T + UNTIL_END_SLACK_MS + 1, b), true);
    assert.equal(isPastBound(undefined, b), false, "a record without a time never ends a shard");
  });

  it("--until-end: an open shard is caught up after consecutive empty pages", () => {
    const b = { snapshotMs: T };
    assert.equal(isCaughtUp(CAUGHT_UP_EMPTY_PAGES - 1, T, b), false);
    assert.equal(isCaughtUp(CAUGHT_UP_EMPTY_PAGES, T, b), true);
  });

  it("--until: empty pages only end a shard once the clock has passed the end time", () => {
    const b = { untilMs: T };
    assert.equal(isCaughtUp(5, T - 1, b), false);
    assert.equal(isCaughtUp(5, T, b), true);
    assert.equal(isPastUntil(T - 1, b), false);
    assert.equal(isPastUntil(T, b), true);
    assert.equal(isPastBound(T + 1, b), true);
  });

  it("both bounds: the earlier wins", () => {
    assert.equal(recordLimitMs({ snapshotMs: T, untilMs: T - 10_000 }), T - 10_000);
    assert.equal(recordLimitMs({ snapshotMs: T, untilMs: T + 10_000 }), T + UNTIL_END_SLACK_MS);
  });
});

describe("start positions by time", () => {
  it("parses --from forms", () => {
    assert.deepEqual(parseFrom("latest", T), { kind: "latest" });
    assert.deepEqual(parseFrom("TRIM_HORIZON", T), { kind: "trim-horizon" });
    assert.deepEqual(parseFrom("trim-horizon", T), { kind: "trim-horizon" });
    assert.deepEqual(parseFrom("15m", T), { kind: "time", ms: T - 900_000, text: "15m" });
    assert.deepEqual(parseFrom("2026-01-31T10:00:00Z", T), {
      kind: "time",
      ms: Date.parse("2026-01-31T10:00:00Z"),
      text: "2026-01-31T10:00:00Z",
    });
    assert.equal(parseFrom("yesterday", T), undefined);
    assert.equal(parseFrom("", T), undefined);
  });

  it("skips records older than the start, comparing at the second (times are rounded down)", () => {
    const skip = skipBeforeFor(T); // 12:00:00.000
    assert.equal(skip, Date.parse("2026-01-31T12:00:00Z"));
    assert.equal(isBeforeStart(skip, skip), false, "a record of the same second is kept");
    assert.equal(isBeforeStart(skip - 1000, skip), true);
    assert.equal(isBeforeStart(undefined, skip), false);
    assert.equal(isBeforeStart(0, undefined), false);
  });

  it("DynamoDB Local truncates times to the minute: its start times are floored to the minute", () => {
    const local = "arn:aws:dynamodb:ddblocal:000000000000:table/T/stream/2026-01-01T00:00:00.000";
    const aws = "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2026-01-01T00:00:00.000";
    assert.equal(timestampPrecisionMs(local), 60_000);
    assert.equal(timestampPrecisionMs(aws), 1000);
    assert.equal(skipBeforeFor(T, 60_000), Date.parse("2026-01-31T12:00:00Z"));
    assert.equal(skipBeforeFor(T + 59_000, 60_000), Date.parse("2026-01-31T12:00:00Z"));
  });
});

describe("backoff schedules", () => {
  const lo = (): number => 0;
  const hi = (): number => 0.999999;

  it("retries back off exponentially with equal jitter, capped at 10 s", () => {
    assert.equal(retryDelayMs(0, lo), 100);
    assert.equal(retryDelayMs(0, hi), 200);
    assert.equal(retryDelayMs(3, lo), 800);
    assert.equal(retryDelayMs(30, hi), 10_000);
    for (let a = 0; a < 12; a++) assert.ok(retryDelayMs(a + 1, lo) >= retryDelayMs(a, lo));
  });

  it("empty polls back off to about a second, never more", () => {
    assert.equal(emptyPollDelayMs(0, lo), 0);
    assert.equal(emptyPollDelayMs(1, lo), 225);
    assert.equal(emptyPollDelayMs(2, hi), 550);
    for (let n = 1; n < 50; n++) assert.ok(emptyPollDelayMs(n, hi) <= MAX_EMPTY_POLL_MS);
    assert.equal(emptyPollDelayMs(10, lo), 900);
  });

  it("child look-ups retry from 50 ms to 1 s with ±20 % jitter", () => {
    assert.equal(childLookupDelayMs(0, lo), 40);
    assert.equal(childLookupDelayMs(0, hi), 60);
    assert.equal(childLookupDelayMs(20, lo), 800);
    assert.equal(childLookupDelayMs(20, hi), 1200);
  });

  it("GetRecords on one shard is paced to at most 5 calls per second", () => {
    assert.equal(MIN_GET_RECORDS_INTERVAL_MS, 200);
    assert.equal(pacingDelayMs(undefined, 1000), 0);
    assert.equal(pacingDelayMs(1000, 1050), 150);
    assert.equal(pacingDelayMs(1000, 1300), 0);
  });
});
