/**
 * Micro-benchmark of the tail renderers: 200,000 MODIFY records (~500 bytes of images each, nested
 * maps and lists, a long decimal, a binary, a set) → NDJSON lines and pretty lines (no colour).
 * Run: `npx tsx bench/render-micro.ts [count]`. Prints records/s; no assertions (see STYLE: never timed
 * assertions in tests).
 */
import type { AttributeMap, AttributeValue } from "../src/core/attr.js";
import { dynamodbJsonMap } from "../src/core/attr.js";
import type { StreamRecord } from "../src/core/record.js";
import { toLambdaRecord } from "../src/core/record.js";
import { recordJsonLine } from "../src/render/record-json.js";
import { renderPretty } from "../src/render/record-pretty.js";
import { plainStyle } from "../src/render/style.js";

const COUNT = Number(process.argv[2] ?? 200_000);
const ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000";
const SHARD = "shardId-00000001704067200000-a1b2c3d4";
const STATUSES = ["pending", "paid", "packed", "shipped", "delivered"];

function image(i: number, v: number): AttributeMap {
  return {
    orderId: { S: `order-${i}` },
    sk: { N: String(i % 7) },
    status: { S: STATUSES[(i + v) % STATUSES.length] as string },
    total: { N: `${1000 + i}.${v === 0 ? "123456789012345678" : "5"}` },
    customer: {
      M: {
        name: { S: `Customer ${i % 1000}` },
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
    checksum: { B: new Uint8Array([i & 255, (i >> 8) & 255, v, 1, 2, 3, 4, 5]) },
    updatedAt: { S: `2024-01-01T12:${String(i % 60).padStart(2, "0")}:05Z` },
    ...(v === 0 ? { coupon: { S: "WELCOME10" } } : { note: { S: "leave at door" } }),
  };
}

/** Roughly DynamoDB's item-size accounting: names + values (numbers ~1 byte per 2 digits). */
function itemSize(m: AttributeMap): number {
  let n = 0;
  for (const [k, v] of Object.entries(m)) n += Buffer.byteLength(k) + valueSize(v);
  return n;
}
function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return Buffer.byteLength(v.S);
  if (v.N !== undefined) return Math.ceil(v.N.replace(/[^0-9]/g, "").length / 2) + 1;
  if (v.B !== undefined) return typeof v.B === "string" ? 0 : v.B.byteLength;
  if (v.SS !== undefined) return v.SS.reduce((a, s) => a + Buffer.byteLength(s), 0);
  if (v.M !== undefined) return 3 + itemSize(v.M) + Object.keys(v.M).length;
  if (v.L !== undefined) return 3 + v.L.reduce((a, x) => a + 1 + valueSize(x), 0);
  return 1;
}

function record(i: number): StreamRecord {
  return {
    eventID: `ev-${i.toString(16).padStart(32, "0")}`,
    eventName: "MODIFY",
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "us-east-1",
    dynamodb: {
      ApproximateCreationDateTime: new Date(1704110405000 + i * 1000),
      Keys: { orderId: { S: `order-${i}` }, sk: { N: String(i % 7) } },
      OldImage: image(i, 0),
      NewImage: image(i, 1),
      SequenceNumber: String(100000000000000000000n + BigInt(i)),
      SizeBytes: 0,
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}

const PAGE = 1000; // GetRecords returns at most 1000 records: tail renders a page, then drops it

function page(start: number): StreamRecord[] {
  const out: StreamRecord[] = [];
  for (let i = start; i < Math.min(start + PAGE, COUNT); i++) {
    const r = record(i);
    const d = r.dynamodb;
    if (d?.Keys && d.OldImage && d.NewImage) {
      d.SizeBytes = itemSize(d.Keys) + itemSize(d.OldImage) + itemSize(d.NewImage);
    }
    out.push(r);
  }
  return out;
}

/**
 * Renders COUNT records page by page (pages built outside the timed part, as they would arrive from
 * GetRecords), after a warm-up page. Reports wall-clock and CPU-time rates: on a shared machine the
 * CPU-time figure is the one to compare.
 */
function time<T>(label: string, prepare: (recs: StreamRecord[]) => T[], render: (x: T) => string): void {
  let sink = 0;
  for (const x of prepare(page(0))) sink += render(x).length;
  let wall = 0;
  let cpuUs = 0;
  let bytes = 0;
  for (let start = 0; start < COUNT; start += PAGE) {
    const items = prepare(page(start));
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (const x of items) bytes += render(x).length + 1;
    wall += performance.now() - t0;
    const c = process.cpuUsage(c0);
    cpuUs += c.user + c.system;
  }
  const cpuMs = cpuUs / 1000;
  const rate = (ms: number): string =>
    Math.round((COUNT / ms) * 1000)
      .toLocaleString("en-US")
      .padStart(9);
  console.log(
    `${label.padEnd(34)} ${rate(wall)} records/s wall, ${rate(cpuMs)} per CPU-second  ` +
      `(${wall.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, avg ${(bytes / COUNT).toFixed(0)} chars/line)`,
  );
  if (sink < 0) console.log(sink);
}

const sample = page(0)[0]?.dynamodb;
const ddbJson =
  (sample?.OldImage ? dynamodbJsonMap(sample.OldImage).length : 0) +
  (sample?.NewImage ? dynamodbJsonMap(sample.NewImage).length : 0);
console.log(
  `node ${process.version}, ${COUNT.toLocaleString("en-US")} MODIFY records of ~${sample?.SizeBytes} bytes ` +
    `(DynamoDB size of keys + old + new; ${ddbJson} chars of DynamoDB JSON for the two images)`,
);

const same = (recs: StreamRecord[]): StreamRecord[] => recs;
const ctx = { streamArn: ARN, shardId: SHARD };
time("ndjson --output json", same, (r) => recordJsonLine(r, ctx));
time("ndjson --output dynamodb-json", same, (r) => recordJsonLine(r, ctx, "dynamodb-json"));
const pctx = { style: plainStyle, full: false, table: "Orders", shardId: SHARD, today: "2024-01-01" };
time("pretty (no colour)", same, (r) => renderPretty(r, pctx));
// Reference for this machine's speed, not an output format: V8's native JSON.stringify of the
// Lambda-shaped record object alone (no plain images, no diff, not lossless for unmarshalled data).
time(
  "reference: JSON.stringify(record)",
  (recs) => recs.map((r) => toLambdaRecord(r, { streamArn: ARN })),
  (o) => JSON.stringify(o),
);
