// Deterministic test data of the benchmark suite: Lambda-shaped DynamoDB stream records as NDJSON
// lines (rendering and filtering), the items written to DynamoDB Local (drain, latency), and the
// FilterCriteria of the filter benchmark.
import { createWriteStream, readFileSync } from "node:fs";

export const STREAM_ARN =
  "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";

/** Deterministic pseudo-random numbers (mulberry32), so runs are comparable. */
export function random(seed = 42) {
  let s = seed;
  return (n) => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const STATUSES = ["pending", "paid", "packed", "shipped", "delivered"];

function b64(bytes) {
  return Buffer.from(bytes).toString("base64");
}

/** An order image (DynamoDB JSON) with nested maps, a list of maps, a set, a binary, a long decimal. */
function orderImage(i, v) {
  return {
    orderId: { S: `order-${i}` },
    sk: { N: String(i % 7) },
    status: { S: STATUSES[(i + v) % STATUSES.length] },
    total: { N: `${1000 + i}.${v === 0 ? "123456789012345678" : "5"}` },
    customer: {
      M: {
        name: { S: `Customer ${i % 1000}` },
        email: { S: `customer${i % 1000}@example.com` },
        address: { M: { city: { S: v === 0 ? "Oslo" : "Bergen" }, zip: { S: "0150" } } },
      },
    },
    items: {
      L: [
        { M: { sku: { S: "SKU-1" }, qty: { N: "1" } } },
        { M: { sku: { S: "SKU-2" }, qty: { N: String(1 + v) } } },
      ],
    },
    tags: { SS: v === 0 ? ["gift", "priority"] : ["gift"] },
    checksum: { B: b64([i & 255, (i >> 8) & 255, v, 1, 2, 3, 4, 5]) },
    updatedAt: { S: `2024-01-01T12:${String(i % 60).padStart(2, "0")}:05Z` },
    ...(v === 0 ? { coupon: { S: "WELCOME10" } } : { note: { S: "leave at the door, ring twice" } }),
  };
}

/** Roughly DynamoDB's item-size accounting: attribute names + values. */
function itemSize(m) {
  let n = 0;
  for (const [k, v] of Object.entries(m)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}
function valueSize(v) {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[^0-9]/g, "").length / 2) + 1;
  if (v.B !== undefined) return Buffer.from(v.B, "base64").byteLength;
  if (v.SS !== undefined) return v.SS.reduce((a, s) => a + Buffer.byteLength(s), 0);
  if (v.M !== undefined) return 3 + itemSize(v.M) + Object.keys(v.M).length;
  if (v.L !== undefined) return 3 + v.L.reduce((a, x) => a + 1 + valueSize(x), 0);
  return 1;
}

/** The i-th MODIFY record of the rendering benchmark, Lambda shape (~500 bytes by DynamoDB's count). */
export function modifyRecord(i) {
  const keys = { orderId: { S: `order-${i}` }, sk: { N: String(i % 7) } };
  const oldImage = orderImage(i, 0);
  const newImage = orderImage(i, 1);
  return {
    eventID: `${i.toString(16).padStart(32, "0")}`,
    eventName: "MODIFY",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: 1704110405 + Math.floor(i / 100),
      Keys: keys,
      NewImage: newImage,
      OldImage: oldImage,
      SequenceNumber: String(100000000000000000000n + BigInt(i)),
      SizeBytes: itemSize(keys) + itemSize(oldImage) + itemSize(newImage),
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
    eventSourceARN: STREAM_ARN,
  };
}

const EVENT_NAMES = ["INSERT", "MODIFY", "MODIFY", "REMOVE"];
const ORDER_STATUSES = ["pending", "paid", "shipped", "cancelled", "delivered"];
const TIERS = ["bronze", "silver", "gold", "platinum"];

/** A generator of the filter benchmark's records (Lambda shape; INSERT/MODIFY/REMOVE mixed). */
export function filterRecords(seed = 42) {
  const rnd = random(seed);
  const pick = (xs) => xs[rnd(xs.length)];
  const image = (isNew) => {
    const img = { status: { S: pick(ORDER_STATUSES) }, customer: { M: { tier: { S: pick(TIERS) } } } };
    if (isNew) {
      img.priority = { N: String(rnd(5)) };
      img.tags = { SS: ["web", pick(["promo", "gift", "b2b"])] };
      if (rnd(10) === 0) img.refund = { M: { reason: { S: "damaged" } } };
    }
    return img;
  };
  return (i) => {
    const eventName = pick(EVENT_NAMES);
    const dynamodb = {
      ApproximateCreationDateTime: 1764086400 + Math.floor(i / 100),
      Keys: { pk: { S: `ORDER#${String(i).padStart(7, "0")}` } },
      SequenceNumber: String(100000000000000000000n + BigInt(i)),
      SizeBytes: 180 + rnd(200),
      StreamViewType: "NEW_AND_OLD_IMAGES",
    };
    if (eventName !== "REMOVE") dynamodb.NewImage = image(true);
    if (eventName !== "INSERT") dynamodb.OldImage = image(false);
    return {
      eventID: ((i * 2654435761) % 2 ** 53).toString(16).padStart(32, "0").slice(-32),
      eventName,
      eventVersion: "1.1",
      eventSource: "aws:dynamodb",
      awsRegion: "eu-west-1",
      dynamodb,
      eventSourceARN: "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
    };
  };
}

/** The filter benchmark's FilterCriteria: five patterns mixing prefix, anything-but, exists, equals, $or. */
export const FILTER_PATTERNS = [
  // prefix
  '{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"ORDER#00099"}]}}}}',
  // anything-but (with equals on eventName)
  '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":[{"anything-but":["pending","paid","shipped","delivered"]}]}}}}',
  // exists
  '{"dynamodb":{"NewImage":{"refund":{"M":{"reason":{"S":[{"exists":true}]}}}}}}',
  // equals
  '{"eventName":["REMOVE"],"dynamodb":{"OldImage":{"customer":{"M":{"tier":{"S":["platinum"]}}}}}}',
  // $or
  '{"$or":[{"dynamodb":{"NewImage":{"priority":{"N":["0"]},"tags":{"SS":["gift"]}}}},{"dynamodb":{"NewImage":{"customer":{"M":{"tier":{"S":["gold"]}}}},"OldImage":{"status":{"S":["cancelled"]}}}}]}',
];

/** Writes `count` NDJSON lines `line(i)` to `path`; resolves to the bytes written. */
export async function writeLines(path, count, line) {
  const out = createWriteStream(path);
  let bytes = 0;
  let chunk = "";
  for (let i = 0; i < count; i++) {
    chunk += `${line(i)}\n`;
    if (chunk.length >= 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await new Promise((r) => out.once("drain", r));
      chunk = "";
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.write(chunk);
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  return bytes;
}

/**
 * The non-empty lines of an NDJSON file and its size in bytes, each line decoded on its own: a large
 * file is longer than the longest string V8 can hold.
 */
export function readLines(path) {
  const buf = readFileSync(path);
  const lines = [];
  for (let start = 0; start < buf.length; ) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    if (end > start) lines.push(buf.toString("utf8", start, end));
    start = end + 1;
  }
  return { lines, bytes: buf.length };
}

/** An item of the drain benchmark (~200 bytes, nested). */
export function drainItem(i) {
  return {
    pk: { S: `item-${String(i).padStart(6, "0")}` },
    n: { N: String(i) },
    status: { S: STATUSES[i % STATUSES.length] },
    note: { S: "x".repeat(80) },
    m: { M: { a: { S: "b" }, l: { L: [{ N: "1" }, { S: "two" }] } } },
  };
}
