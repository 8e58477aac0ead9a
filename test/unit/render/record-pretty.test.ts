import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import type { _Record } from "@aws-sdk/client-dynamodb-streams";
import type { AttributeMap } from "../../../src/core/attr.js";
import type { StreamRecord } from "../../../src/core/record.js";
import type { PrettyContext } from "../../../src/render/record-pretty.js";
import {
  formatDay,
  formatPath,
  formatValue,
  renderGapPretty,
  renderPretty,
} from "../../../src/render/record-pretty.js";
import { loadAnsiStyle, plainStyle } from "../../../src/render/style.js";

const ansiStyle = await loadAnsiStyle();

const T = new Date("2024-01-01T12:00:05Z");
const SHARD = "shardId-00000001704067200000-a1b2c3d4";
const ctx: PrettyContext = {
  style: plainStyle,
  full: false,
  table: "Orders",
  shardId: SHARD,
  today: "2024-01-01",
};
const KEYS: AttributeMap = { orderId: { S: "order-123" }, sk: { N: "2" } };

/** Joins snapshot lines (keeps the expected output readable in the test). */
const lines = (...l: string[]): string => l.join("\n");

const insert: StreamRecord = {
  eventName: "INSERT",
  dynamodb: {
    ApproximateCreationDateTime: T,
    Keys: KEYS,
    NewImage: {
      orderId: { S: "order-123" },
      sk: { N: "2" },
      total: { N: "12345678901234567890.123456789" },
      paid: { BOOL: false },
      note: { NULL: true },
      tags: { SS: ["gift", "rush"] },
      sizes: { NS: ["1", "2.5"] },
      blob: { B: new Uint8Array([0, 1, 255]) },
      address: { M: { city: { S: "Oslo" }, "zip code": { S: "0150" } } },
      items: { L: [{ M: { sku: { S: "A-1" }, qty: { N: "1" } } }, { S: "x" }] },
    },
  },
};

const qty = (n: string): { M: AttributeMap } => ({ M: { qty: { N: n } } });
const modify: StreamRecord = {
  eventName: "MODIFY",
  dynamodb: {
    ApproximateCreationDateTime: T,
    Keys: KEYS,
    OldImage: {
      orderId: { S: "order-123" },
      status: { S: "pending" },
      coupon: { S: "X1" },
      address: { M: { city: { S: "Oslo" } } },
      items: { L: [qty("1"), qty("1"), qty("1")] },
      tags: { SS: ["a", "b"] },
    },
    NewImage: {
      orderId: { S: "order-123" },
      status: { S: "shipped" },
      note: { S: "gift" },
      address: { M: { city: { S: "Bergen" } } },
      items: { L: [qty("1"), qty("1"), qty("3"), { S: "extra" }] },
      tags: { SS: ["a", "c"] },
    },
  },
};

const remove: StreamRecord = {
  eventName: "REMOVE",
  dynamodb: {
    ApproximateCreationDateTime: T,
    Keys: { orderId: { S: "order-123" } },
    OldImage: { orderId: { S: "order-123" }, status: { S: "shipped" } },
  },
};

describe("renderPretty snapshots (colours off)", () => {
  it("INSERT shows the new item, every type losslessly", () => {
    assert.equal(
      renderPretty(insert, ctx),
      lines(
        "12:00:05Z INSERT Orders orderId=order-123 sk=2 shard:a1b2c3d4",
        '  orderId: "order-123"',
        "  sk: 2",
        "  total: 12345678901234567890.123456789",
        "  paid: false",
        "  note: null",
        '  tags: {"gift", "rush"}',
        "  sizes: {1, 2.5}",
        "  blob: <binary 3 bytes: AAH/>",
        '  address: {city: "Oslo", "zip code": "0150"}',
        '  items: [{sku: "A-1", qty: 1}, "x"]',
      ),
    );
  });

  it("MODIFY shows only what changed, with nested paths, added and removed", () => {
    assert.equal(
      renderPretty(modify, ctx),
      lines(
        "12:00:05Z MODIFY Orders orderId=order-123 sk=2 shard:a1b2c3d4",
        '  ~ status: "pending" → "shipped"',
        '  - coupon: "X1"',
        '  ~ address.city: "Oslo" → "Bergen"',
        "  ~ items[2].qty: 1 → 3",
        '  + items[3]: "extra"',
        '  ~ tags: {"a", "b"} → {"a", "c"}',
        '  + note: "gift"',
      ),
    );
  });

  it("REMOVE shows the old item", () => {
    assert.equal(
      renderPretty(remove, ctx),
      lines(
        "12:00:05Z REMOVE Orders orderId=order-123 shard:a1b2c3d4",
        '  orderId: "order-123"',
        '  status: "shipped"',
      ),
    );
  });

  it("a TTL REMOVE is marked, either identity casing", () => {
    const expected = lines(
      "12:00:05Z REMOVE Orders orderId=order-123 [ttl] shard:a1b2c3d4",
      '  orderId: "order-123"',
      '  status: "shipped"',
    );
    assert.equal(
      renderPretty(
        { ...remove, userIdentity: { PrincipalId: "dynamodb.amazonaws.com", Type: "Service" } },
        ctx,
      ),
      expected,
    );
    assert.equal(
      renderPretty(
        { ...remove, userIdentity: { principalId: "dynamodb.amazonaws.com", type: "Service" } },
        ctx,
      ),
      expected,
    );
  });

  it("KEYS_ONLY records are just the header; the date shows when not today", () => {
    const keysOnly = (eventName: string): StreamRecord => ({
      eventName,
      dynamodb: {
        ApproximateCreationDateTime: T,
        Keys: { orderId: { S: "order 1" } },
        StreamViewType: "KEYS_ONLY",
      },
    });
    assert.equal(
      renderPretty(keysOnly("REMOVE"), { style: plainStyle, full: false }),
      '2024-01-01 12:00:05Z REMOVE orderId="order 1"',
    );
    assert.equal(
      renderPretty(keysOnly("MODIFY"), { ...ctx, today: "2024-01-02" }),
      '2024-01-01 12:00:05Z MODIFY Orders orderId="order 1" shard:a1b2c3d4',
    );
  });

  it("MODIFY with one image (NEW_IMAGE view) shows that image after a note", () => {
    const rec: StreamRecord = {
      eventName: "MODIFY",
      dynamodb: { ApproximateCreationDateTime: T, Keys: KEYS, NewImage: KEYS },
    };
    assert.equal(
      renderPretty(rec, ctx),
      lines(
        "12:00:05Z MODIFY Orders orderId=order-123 sk=2 shard:a1b2c3d4",
        "  (no old image in this stream view: new item shown)",
        '  orderId: "order-123"',
        "  sk: 2",
      ),
    );
    const same: StreamRecord = {
      eventName: "MODIFY",
      dynamodb: { Keys: KEYS, NewImage: { n: { N: "1.0" } }, OldImage: { n: { N: "1" } } },
    };
    assert.equal(
      renderPretty(same, ctx),
      lines("--:--:-- MODIFY Orders orderId=order-123 sk=2 shard:a1b2c3d4", "  (no attribute changes)"),
    );
  });

  const long: StreamRecord = {
    eventName: "INSERT",
    dynamodb: {
      ApproximateCreationDateTime: T,
      Keys: { id: { S: "1" } },
      NewImage: {
        id: { S: "1" },
        text: { S: "x".repeat(100) },
        bin: { B: new Uint8Array(40) },
        m: { M: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, { N: String(i) }])) },
      },
    },
  };

  it("abbreviates long values", () => {
    assert.equal(
      renderPretty(long, ctx),
      lines(
        "12:00:05Z INSERT Orders id=1 shard:a1b2c3d4",
        '  id: "1"',
        `  text: "${"x".repeat(80)}"…(+20 chars)`,
        "  bin: <binary 40 bytes: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…>",
        "  m: {k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9, k10: 10, k11: 11, k12: 12, k13: 13, k14: 14, …(+15 more)}",
      ),
    );
  });

  it("shows everything with full", () => {
    const m = Array.from({ length: 30 }, (_, i) => `k${i}: ${i}`).join(", ");
    assert.equal(
      renderPretty(long, { ...ctx, full: true }),
      lines(
        "12:00:05Z INSERT Orders id=1 shard:a1b2c3d4",
        '  id: "1"',
        `  text: "${"x".repeat(100)}"`,
        `  bin: <binary 40 bytes: ${Buffer.alloc(40).toString("base64")}>`,
        `  m: {${m}}`,
      ),
    );
  });

  it("caps the number of attribute lines unless full", () => {
    const img: AttributeMap = Object.fromEntries(
      Array.from({ length: 45 }, (_, i) => [`a${i}`, { N: String(i) }]),
    );
    const rec: StreamRecord = {
      eventName: "INSERT",
      dynamodb: { ApproximateCreationDateTime: T, NewImage: img },
    };
    const out = renderPretty(rec, ctx).split("\n");
    assert.equal(out.length, 1 + 40 + 1);
    assert.equal(out.at(-1), "  …(+5 more attributes)");
    assert.equal(renderPretty(rec, { ...ctx, full: true }).split("\n").length, 46);
  });

  it("escapes control characters in values, names and keys", () => {
    const rec: StreamRecord = {
      eventName: "INSERT",
      dynamodb: {
        ApproximateCreationDateTime: T,
        Keys: { id: { S: "a\u001b[2Jb" } },
        NewImage: { id: { S: "a\u001b[2Jb" }, "we\u0007ird": { S: 'line1\nline2 "q" \\ \u009b' } },
      },
    };
    const out = renderPretty(rec, { ...ctx, table: "T\u001b]0;x\u0007" });
    assert.equal(
      out,
      lines(
        '12:00:05Z INSERT T\\x1b]0;x\\x07 id="a\\x1b[2Jb" shard:a1b2c3d4',
        '  id: "a\\x1b[2Jb"',
        '  "we\\x07ird": "line1\\nline2 \\"q\\" \\\\ \\x9b"',
      ),
    );
    assert.doesNotMatch(out, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it("colours the event name and sigils only through the injected style", () => {
    const out = renderPretty(modify, { ...ctx, style: ansiStyle });
    assert.ok(
      out.startsWith("\u001b[90m12:00:05Z\u001b[39m \u001b[33mMODIFY\u001b[39m \u001b[1mOrders\u001b[22m"),
    );
    assert.ok(out.includes('  \u001b[33m~\u001b[39m status: "pending" → "shipped"'));
    assert.ok(out.includes("  \u001b[31m-\u001b[39m coupon"));
    assert.ok(out.includes("  \u001b[32m+\u001b[39m note"));
    assert.ok(renderPretty(insert, { ...ctx, style: ansiStyle }).includes("\u001b[32mINSERT\u001b[39m"));
    assert.ok(renderPretty(remove, { ...ctx, style: ansiStyle }).includes("\u001b[31mREMOVE\u001b[39m"));
  });

  it("renders an SDK record as received", () => {
    const sdk: _Record = {
      eventName: "INSERT",
      dynamodb: {
        ApproximateCreationDateTime: T,
        Keys: { id: { B: new Uint8Array([1, 2]) } },
        NewImage: { id: { B: new Uint8Array([1, 2]) } },
      },
    };
    assert.equal(
      renderPretty(sdk, ctx),
      lines(
        "12:00:05Z INSERT Orders id=<binary 2 bytes: AQI=> shard:a1b2c3d4",
        "  id: <binary 2 bytes: AQI=>",
      ),
    );
  });
});

describe("formatValue / formatPath", () => {
  it("summarises long lists and sets", () => {
    const list = { L: Array.from({ length: 50 }, (_, i) => ({ N: String(i * 1000) })) };
    const text = formatValue(list);
    assert.match(text, /^\[0, 1000, 2000, .*, …\(\+\d+ more\)\]$/);
    assert.ok(text.length <= 140, text);
    assert.equal(formatValue(list, true).split(", ").length, 50);
    assert.match(
      formatValue({ SS: Array.from({ length: 40 }, (_, i) => `tag${i}`) }),
      /^\{"tag0", "tag1", .*…\(\+\d+ more\)\}$/,
    );
    assert.equal(formatValue({ M: {} }), "{}");
    assert.equal(formatValue({ L: [] }), "[]");
    assert.equal(formatValue({ B: "AQ==" }), "<binary 1 byte: AQ==>");
  });

  it("does not split a surrogate pair when cutting", () => {
    const s = "a".repeat(79) + "😀" + "b".repeat(10);
    assert.equal(formatValue({ S: s }), `"${"a".repeat(79)}"…(+12 chars)`);
  });

  it("writes paths with quoted odd keys", () => {
    assert.equal(formatPath(["address", "city"]), "address.city");
    assert.equal(formatPath(["items", 2, "qty"]), "items[2].qty");
    assert.equal(formatPath(["zip code", "x-y", 0]), '"zip code".x-y[0]');
    assert.equal(formatPath(["a", "b.c"]), 'a."b.c"');
  });
});

describe("renderGapPretty / formatDay", () => {
  it("renders a gap", () => {
    assert.equal(
      renderGapPretty(
        { shardId: SHARD, reason: "trimmed", afterSequenceNumber: "000000000000000000042", at: T },
        ctx,
      ),
      "12:00:05Z GAP trimmed shard:a1b2c3d4 after 000000000000000000042",
    );
  });
  it("formats a day for `today`", () => {
    assert.equal(formatDay(T.getTime()), "2024-01-01");
    assert.equal(formatDay(Date.parse("2024-01-01T23:59:59Z"), "utc"), "2024-01-01");
  });
});
