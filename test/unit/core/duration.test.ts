import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDuration, parseDuration, parseTimeOrAgo } from "../../../src/core/duration.js";

test("parseDuration accepts units, compounds and bare seconds", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("15m"), 900_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("1d"), 86_400_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1.5s"), 1500);
  assert.equal(parseDuration("90"), 90_000);
  assert.equal(parseDuration(" 2M "), 120_000);
});

test("parseDuration rejects garbage", () => {
  for (const bad of ["", "abc", "15x", "m", "-5m", "15m garbage", "1e3s"]) {
    assert.equal(parseDuration(bad), undefined, bad);
  }
});

test("parseTimeOrAgo reads ISO times (zone-less = UTC) and durations before now", () => {
  const now = Date.parse("2026-11-25T12:00:00Z");
  assert.equal(parseTimeOrAgo("2026-11-25T10:00:00Z", now), Date.parse("2026-11-25T10:00:00Z"));
  assert.equal(parseTimeOrAgo("2026-11-25T10:00:00", now), Date.parse("2026-11-25T10:00:00Z"));
  assert.equal(parseTimeOrAgo("2026-11-25T10:00:00+02:00", now), Date.parse("2026-11-25T08:00:00Z"));
  assert.equal(parseTimeOrAgo("2026-11-25", now), Date.parse("2026-11-25T00:00:00Z"));
  assert.equal(parseTimeOrAgo("15m", now), now - 900_000);
  assert.equal(parseTimeOrAgo("yesterday", now), undefined);
  assert.equal(parseTimeOrAgo("2026-13-45T99:00:00Z", now), undefined);
});

test("formatDuration is compact", () => {
  assert.equal(formatDuration(850), "850ms");
  assert.equal(formatDuration(12_000), "12s");
  assert.equal(formatDuration(245_000), "4m05s");
  assert.equal(formatDuration(3 * 3_600_000 + 12 * 60_000), "3h12m");
  assert.equal(formatDuration(2 * 86_400_000 + 4 * 3_600_000), "2d4h");
  assert.equal(formatDuration(-5000), "-5s");
});
