// Micro-benchmark of the filter engine: JSON.parse + match of DynamoDB stream records (Lambda event
// shape, one NDJSON line each, ~500 bytes, nested M/L/SS attributes) against 5 filters mixing
// prefix, anything-but, exists, equals and $or. Run: npx tsx bench/filter-micro.ts [records]
import { compileCriteria } from "../src/core/filter/index.js";

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

// Deterministic pseudo-random numbers (mulberry32), so runs are comparable.
let seed = 42;
function rnd(n: number): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
}
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

const EVENT_NAMES = ["INSERT", "MODIFY", "MODIFY", "REMOVE"] as const;
const STATUSES = ["pending", "paid", "shipped", "cancelled", "delivered"];
const TIERS = ["bronze", "silver", "gold", "platinum"];

function item(isNew: boolean): Record<string, unknown> {
  const img: Record<string, unknown> = {
    status: { S: pick(STATUSES) },
    customer: { M: { tier: { S: pick(TIERS) } } },
  };
  if (isNew) {
    img.priority = { N: String(rnd(5)) };
    img.tags = { SS: ["web", pick(["promo", "gift", "b2b"])] };
    if (rnd(10) === 0) img.refund = { M: { reason: { S: "damaged" } } };
  }
  return img;
}

function record(i: number): string {
  const eventName = pick(EVENT_NAMES);
  const keys = { pk: { S: `ORDER#${String(i).padStart(7, "0")}` } };
  const dynamodb: Record<string, unknown> = {
    ApproximateCreationDateTime: 1764086400 + i,
    Keys: keys,
    SequenceNumber: String(100000000000000000000n + BigInt(i)),
    SizeBytes: 180 + rnd(200),
    StreamViewType: "NEW_AND_OLD_IMAGES",
  };
  if (eventName !== "REMOVE") dynamodb.NewImage = item(true);
  if (eventName !== "INSERT") dynamodb.OldImage = item(false);
  return JSON.stringify({
    eventID: (i * 2654435761).toString(16).padStart(32, "0").slice(-32),
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "eu-west-1",
    dynamodb,
    eventSourceARN: "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2026-01-01T00:00:00.000",
  });
}

const FILTERS = [
  // prefix
  '{"dynamodb":{"Keys":{"pk":{"S":[{"prefix":"ORDER#00099"}]}}}}',
  // anything-but (+ equals on eventName)
  '{"eventName":["MODIFY"],"dynamodb":{"NewImage":{"status":{"S":[{"anything-but":["pending","paid","shipped","delivered"]}]}}}}',
  // exists
  '{"dynamodb":{"NewImage":{"refund":{"M":{"reason":{"S":[{"exists":true}]}}}}}}',
  // equals
  '{"eventName":["REMOVE"],"dynamodb":{"OldImage":{"customer":{"M":{"tier":{"S":["platinum"]}}}}}}',
  // $or
  '{"$or":[{"dynamodb":{"NewImage":{"priority":{"N":["0"]},"tags":{"SS":["gift"]}}}},{"dynamodb":{"NewImage":{"customer":{"M":{"tier":{"S":["gold"]}}}},"OldImage":{"status":{"S":["cancelled"]}}}}]}',
];

const compiled = compileCriteria(FILTERS);
if (!compiled.ok) {
  console.error(JSON.stringify(compiled.errors, null, 2));
  process.exit(1);
}
const criteria = compiled.criteria;

const lines: string[] = [];
let bytes = 0;
for (let i = 0; i < N; i++) {
  const l = record(i);
  lines.push(l);
  bytes += l.length;
}
const parsed = lines.map((l) => JSON.parse(l) as unknown);

function run(
  label: string,
  body: () => number,
): { label: string; best: number; median: number; sink: number } {
  const rates: number[] = [];
  let sink = 0;
  body(); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    sink += body();
    const dt = performance.now() - t0;
    rates.push((N / dt) * 1000);
  }
  rates.sort((a, b) => a - b);
  return { label, best: rates[rates.length - 1]!, median: rates[Math.floor(rates.length / 2)]!, sink };
}

const counts = new Array<number>(FILTERS.length + 1).fill(0);
for (const e of parsed) counts[criteria.match(e) + 1]!++;

const results = [
  run("JSON.parse only (baseline)", () => {
    let n = 0;
    for (let i = 0; i < N; i++) if (JSON.parse(lines[i]!) !== null) n++;
    return n;
  }),
  run("JSON.parse + match (5 filters)", () => {
    let n = 0;
    for (let i = 0; i < N; i++) if (criteria.match(JSON.parse(lines[i]!)) !== -1) n++;
    return n;
  }),
  run("match only (pre-parsed)", () => {
    let n = 0;
    for (let i = 0; i < N; i++) if (criteria.match(parsed[i]) !== -1) n++;
    return n;
  }),
];

const fmt = (x: number) => Math.round(x).toLocaleString("en-US").padStart(11);
console.log(
  `filter-micro: ${N.toLocaleString("en-US")} records, average ${Math.round(bytes / N)} bytes/line, node ${process.version}`,
);
console.log(`matches per filter: ${counts.slice(1).join(", ")}; filtered out: ${counts[0]}`);
for (const r of results)
  console.log(`${r.label.padEnd(32)} best ${fmt(r.best)} rec/s   median ${fmt(r.median)} rec/s`);
const parse = results[0]!;
const both = results[1]!;
const matchOnly = results[2]!;
console.log(
  `matching cost: ${((1e6 / matchOnly.median) * 1000).toFixed(0)} ns/record (median); ` +
    `parse+match reaches ${((both.median / parse.median) * 100).toFixed(0)}% of parse-only throughput`,
);
