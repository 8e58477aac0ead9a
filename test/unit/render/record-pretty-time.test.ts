// The pretty header's time is remembered between records (they mostly share their second): the
// remembered text must never leak into a record with another time, day or time zone.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { StreamRecord } from "../../../src/core/record.js";
import { renderHeader } from "../../../src/render/record-pretty.js";
import { plainStyle } from "../../../src/render/style.js";

const at = (seconds: number): StreamRecord => ({
  eventName: "INSERT",
  dynamodb: { ApproximateCreationDateTime: new Date(seconds * 1000), Keys: { pk: { S: "a" } } },
});
const T = 1704110405; // 2024-01-01T12:00:05Z

function header(rec: StreamRecord, tz: "utc" | "local", today?: string): string {
  return renderHeader(rec, { style: plainStyle, full: false, tz, today });
}

describe("pretty header time", () => {
  it("same time, then another day, another time, another zone, no time", () => {
    assert.equal(header(at(T), "utc", "2024-01-01"), "12:00:05Z INSERT pk=a");
    assert.equal(header(at(T), "utc", "2024-01-01"), "12:00:05Z INSERT pk=a");
    assert.equal(header(at(T), "utc", "2024-01-02"), "2024-01-01 12:00:05Z INSERT pk=a");
    assert.equal(header(at(T), "utc"), "2024-01-01 12:00:05Z INSERT pk=a");
    assert.equal(header(at(T + 1), "utc", "2024-01-01"), "12:00:06Z INSERT pk=a");
    const d = new Date(T * 1000);
    const p = (n: number): string => String(n).padStart(2, "0");
    const local = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    assert.equal(header(at(T), "local"), `${local} INSERT pk=a`);
    assert.equal(header(at(T), "local"), `${local} INSERT pk=a`);
    assert.equal(header(at(T), "utc", "2024-01-01"), "12:00:05Z INSERT pk=a");
    assert.equal(header({ eventName: "INSERT", dynamodb: {} }, "utc", "2024-01-01"), "--:--:-- INSERT");
  });
});
