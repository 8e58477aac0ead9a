/**
 * Micro-benchmark of the tail renderers, in process: the render suite's 200,000 MODIFY records
 * (bench/data.mjs: ~500 bytes by DynamoDB's count, nested maps and lists, a long decimal, a binary, a
 * set) → NDJSON lines and pretty lines (no colour).
 * Run: `npx tsx bench/render-micro.ts [count]`. Prints records/s; no assertions (see STYLE: never timed
 * assertions in tests).
 */
import { dynamodbJsonMap } from "../src/core/attr.js";
import { toLambdaRecord } from "../src/core/lambda-record.js";
import { normalizeInput } from "../src/core/normalize-record.js";
import type { StreamRecord } from "../src/core/record.js";
import { recordJsonLine } from "../src/render/record-json.js";
import { renderPretty } from "../src/render/record-pretty.js";
import { plainStyle } from "../src/render/style.js";
// @ts-expect-error: plain ESM module without types
import { modifyRecord, STREAM_ARN } from "./data.mjs";

const COUNT = Number(process.argv[2] ?? 200_000);
const ARN = STREAM_ARN as string;
const SHARD = "shardId-00000001704067200000-a1b2c3d4";

/** The render suite's i-th record (bench/data.mjs, Lambda shape) as `tail --input` reads it. */
function record(i: number): StreamRecord {
  const r = normalizeInput((modifyRecord as (i: number) => unknown)(i));
  if (!r.ok) throw new Error(r.error);
  return r.records[0] as StreamRecord;
}

const PAGE = 1000; // GetRecords returns at most 1000 records: tail renders a page, then drops it

function page(start: number): StreamRecord[] {
  const out: StreamRecord[] = [];
  for (let i = start; i < Math.min(start + PAGE, COUNT); i++) out.push(record(i));
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
