// The physical reference of the rendering and filtering benchmarks (run by bench/suites/render.mjs and
// bench/suites/filter.mjs in its own process, next to the runs it is compared with): how fast V8 alone
// gets through the same input, in process, without dynastream: JSON.parse of each line, and
// JSON.parse + JSON.stringify of each line (a lower bound for any tool that reads the records and
// writes them out again). Prints `{"parse":rec/s,"parseStringify":rec/s}` (medians of the rounds);
// with `parse` as third argument only the first is measured.
// Usage: node bench/parse-limit.mjs <records.ndjson> [rounds (default 3)] [parse]
import { readLines } from "./data.mjs";

const { lines } = readLines(process.argv[2]);
const n = lines.length;

const rounds = Number(process.argv[3] ?? 3);
const parseOnly = process.argv[4] === "parse";

function rate(fn) {
  const rates = [];
  fn(); // warm-up
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    fn();
    rates.push((n / (performance.now() - t0)) * 1000);
  }
  return rates.sort((a, b) => a - b)[Math.floor(rates.length / 2)];
}

let sink = 0;
const parse = rate(() => {
  for (let i = 0; i < n; i++) if (JSON.parse(lines[i]) !== null) sink++;
});
const parseStringify = parseOnly
  ? undefined
  : rate(() => {
      for (let i = 0; i < n; i++) sink += JSON.stringify(JSON.parse(lines[i])).length;
    });
process.stdout.write(`${JSON.stringify({ records: n, parse, parseStringify, sink: sink > 0 })}\n`);
