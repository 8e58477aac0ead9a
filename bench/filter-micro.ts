// Micro-benchmark of the filter engine, in process: JSON.parse + match of the filter suite's records
// (Lambda event shape, one NDJSON line each) against its 5 patterns mixing prefix, anything-but,
// exists, equals and $or. Run: npx tsx bench/filter-micro.ts [records]
import { compileCriteria } from "../src/core/filter/index.js";
// @ts-expect-error: plain ESM module without types
import { FILTER_PATTERNS, filterRecords } from "./data.mjs";

const N = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

// The records and patterns of the filter suite (bench/suites/filter.mjs).
const gen = filterRecords(42) as (i: number) => unknown;
const FILTERS = FILTER_PATTERNS as string[];

const compiled = compileCriteria(FILTERS);
if (!compiled.ok) {
  console.error(JSON.stringify(compiled.errors, null, 2));
  process.exit(1);
}
const criteria = compiled.criteria;

const lines: string[] = [];
let bytes = 0;
for (let i = 0; i < N; i++) {
  const l = JSON.stringify(gen(i));
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
