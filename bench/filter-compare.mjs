// In-process comparison of the filter matchers (run by bench/suites/filter.mjs in its own process):
// dynastream's compiled FilterCriteria (core/filter of the benchmarked build) against `matchesPattern` of the npm package
// @coorpacademy/serverless-offline-eventbridge, on the same NDJSON records and the same patterns, each
// record parsed with JSON.parse inside the timed loop for both. Rounds alternate between the two.
// Prints one JSON object: rates per round, match counts, and how often the two disagreed.
// The package is about 6× slower: it is timed on the first `libraryRecords` records only (default
// 200,000), ours on all of them; rates are per record either way.
// Usage: node bench/filter-compare.mjs <dist-dir> <records.ndjson> <patterns.json> [rounds] [libraryRecords]
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { readLines } from "./data.mjs";

const [distDir, file, patternsFile, roundsText, libText] = process.argv.slice(2);
const rounds = Number(roundsText ?? 3);
const patterns = JSON.parse(readFileSync(patternsFile, "utf8"));
const { lines, bytes } = readLines(file);
const n = lines.length;
const libN = Math.min(n, Number(libText ?? 200_000));

// The matcher of the build being measured (bench/lib.mjs builds it into .cache/bench/dist).
const { compileCriteria } = await import(pathToFileURL(join(distDir, "core", "filter", "index.js")).href);
const compiled = compileCriteria(patterns, { dialect: "lambda" });
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
const criteria = compiled.criteria;

// The package's matcher lives in src/eventbridge.js (its main, src/index.js, is the Serverless plugin).
// It matches EventBridge events, where only `detail` holds nested fields: the record goes in as the
// event's detail and each pattern as the rule's detail pattern. Patterns are parsed once, up front.
const require = createRequire(import.meta.url);
const { matchesPattern } = require("@coorpacademy/serverless-offline-eventbridge/src/eventbridge.js");
const libPatterns = patterns.map((p) => ({ detail: JSON.parse(p) }));
const libMatch = (rec) => {
  const event = { detail: rec };
  for (const p of libPatterns) if (matchesPattern(p, event)) return true;
  return false;
};

function ours() {
  let matched = 0;
  for (let i = 0; i < n; i++) if (criteria.match(JSON.parse(lines[i])) >= 0) matched++;
  return matched;
}

function theirs() {
  let matched = 0;
  for (let i = 0; i < libN; i++) if (libMatch(JSON.parse(lines[i]))) matched++;
  return matched;
}

function parseOnly() {
  let k = 0;
  for (let i = 0; i < n; i++) if (JSON.parse(lines[i]) !== null) k++;
  return k;
}

// Agreement, on a sample (outside the timing).
let disagreements = 0;
const sample = Math.min(n, 100_000);
for (let i = 0; i < sample; i++) {
  const rec = JSON.parse(lines[i]);
  if (criteria.match(rec) >= 0 !== libMatch(rec)) disagreements++;
}

function time(fn, count = n) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const matched = fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return {
    records: count,
    rate: (count / ms) * 1000,
    cpuRate: (count / ((c.user + c.system) / 1000)) * 1000,
    ms,
    matched,
  };
}

// Warm-up on a slice, then alternate.
for (let i = 0; i < Math.min(n, 20_000); i++) {
  const rec = JSON.parse(lines[i]);
  criteria.match(rec);
  libMatch(rec);
}
const result = {
  records: n,
  libraryRecords: libN,
  bytesPerLine: bytes / n,
  ours: [],
  library: [],
  parseOnly: [],
};
for (let r = 0; r < rounds; r++) {
  result.parseOnly.push(time(parseOnly));
  result.ours.push(time(ours));
  result.library.push(time(theirs, libN));
}
result.sampleChecked = sample;
result.disagreements = disagreements;
process.stdout.write(`${JSON.stringify(result)}\n`);
