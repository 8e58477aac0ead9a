#!/usr/bin/env node
// `npm run bench [-- <suite>...] [--quick] [--no-build]`: the benchmark suite of issue #6. Builds the
// CLI into a private snapshot (.cache/bench: other builds of dist/ cannot change it mid-run), runs the suites (all by default:
// startup drain render filter scale latency invoke kinesis), prints a table and writes bench/results.json. Every
// figure is a median of several runs; ratios are against a reference measured in the same run. Not a
// test: it never fails on a missed target (exit 0), only when a suite could not run (exit 1).
// --quick: fewer rounds and smaller inputs, for trying the harness (not for reporting).
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSnapshot,
  fmtInt,
  fmtMs,
  fmtRatio,
  hasSnapshot,
  killChildren,
  machine,
  OTHER_BUILD,
  ROOT,
  SNAPSHOT,
  stopAll,
} from "./lib.mjs";

const SUITES = ["startup", "drain", "render", "filter", "scale", "latency", "invoke", "kinesis"];
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const build = !args.includes("--no-build");
const unknown = args.filter((a) => a.startsWith("-") && !["--quick", "--no-build"].includes(a));
const chosen = args.filter((a) => !a.startsWith("-"));
const bad = chosen.filter((s) => !SUITES.includes(s));
if (unknown.length > 0 || bad.length > 0) {
  console.error(`usage: npm run bench [-- ${SUITES.join("|")} ...] [--quick] [--no-build]`);
  process.exit(2);
}
const suites = chosen.length > 0 ? SUITES.filter((s) => chosen.includes(s)) : SUITES;

const QUICK = {
  startup: { rounds: 3 },
  drain: { records: 5_000, rounds: 1 },
  render: { records: 20_000, rounds: 1 },
  filter: { records: 100_000, rounds: 1 },
  scale: { sizes: [{ shards: 100, perShard: 10 }], rounds: 1 },
  latency: { writes: 40 },
  invoke: { records: 5_000, rounds: 1, single: 100 },
  kinesis: { records: 5_000, old: 20_000, rounds: 1 },
};

const log = (m) => process.stderr.write(`[bench] ${m}\n`);
let interrupted = false;
process.on("SIGINT", () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  log("interrupted: stopping everything started");
  stopAll().finally(() => process.exit(130));
});

if (OTHER_BUILD) {
  if (!hasSnapshot()) {
    console.error(
      `DYNASTREAM_BENCH_BUILD: no bin/dynastream.cjs and dist/cli.cjs (or .js) under ${SNAPSHOT}`,
    );
    process.exit(2);
  }
  log(`timing the build in ${SNAPSHOT}`);
} else if (build || !hasSnapshot()) {
  log("building the CLI into .cache/bench/dist (scripts/build.mjs)");
  if (!buildSnapshot()) process.exit(1);
}

// The commit of the build being timed: this checkout's, or that of DYNASTREAM_BENCH_BUILD.
const buildDir = OTHER_BUILD ? SNAPSHOT : ROOT;
const head = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: buildDir, encoding: "utf8" });
const dirty = spawnSync("git", ["status", "--porcelain", "--untracked-files=no", "src"], {
  cwd: buildDir,
  encoding: "utf8",
});
const results = {
  date: new Date().toISOString(),
  commit: head.status === 0 ? head.stdout.trim() + (dirty.stdout.trim() ? "+changes" : "") : undefined,
  machine: machine(),
  quick,
  suites: {},
};
log(
  `machine: ${results.machine.nproc} × ${results.machine.cpu}, node ${results.machine.node}, load ${results.machine.loadAverage}`,
);

const started = Date.now();
let failed = false;
try {
  for (const name of suites) {
    const t0 = Date.now();
    log(`suite ${name}`);
    try {
      const mod = await import(`./suites/${name}.mjs`);
      const r = await mod.run({ log, ...(quick ? QUICK[name] : {}) });
      results.suites[name] = { ...r, seconds: Math.round((Date.now() - t0) / 100) / 10 };
    } catch (e) {
      failed = true;
      log(`suite ${name} failed: ${e?.stack ?? e}`);
      results.suites[name] = { error: String(e?.message ?? e), rows: [] };
      killChildren();
    }
    log(`suite ${name}: ${Math.round((Date.now() - t0) / 1000)} s`);
  }
} finally {
  await stopAll();
}
results.seconds = Math.round((Date.now() - started) / 1000);

// ---- the table ----
function fmtValue(r) {
  if (typeof r.value === "string") return r.value;
  if (r.value === undefined) return "—";
  if (r.unit === "ms") return fmtMs(r.value);
  if (r.unit === "MB") return `${Math.round(r.value)} MB`;
  return `${fmtInt(r.value)} ${r.unit ?? ""}`.trim();
}
function fmtRef(r) {
  if (r.reference === undefined) return "";
  return r.unit === "ms" ? fmtMs(r.reference) : `${fmtInt(r.reference)} ${r.unit ?? ""}`.trim();
}
const table = [["measurement", "value", "reference", "ratio", "target", "met"]];
for (const name of suites) {
  const s = results.suites[name];
  if (s.error) table.push([`${name}: FAILED (${s.error.slice(0, 80)})`, "", "", "", "", ""]);
  for (const r of s.rows ?? []) {
    table.push([
      r.measurement,
      fmtValue(r),
      fmtRef(r),
      fmtRatio(r.ratio),
      r.target ?? "",
      r.met === undefined ? (r.target ? "?" : "") : r.met ? "yes" : "NO",
    ]);
  }
}
const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
const line = (row) =>
  row
    .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
    .join("  ")
    .trimEnd();
console.log(line(table[0]));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const row of table.slice(1)) console.log(line(row));
const notes = suites.flatMap((n) =>
  (results.suites[n].rows ?? []).filter((r) => r.note).map((r) => `- ${r.measurement}: ${r.note}`),
);
if (notes.length > 0) console.log(`\nnotes:\n${notes.join("\n")}`);
console.log(
  `\n${results.machine.nproc} × ${results.machine.cpu}, node ${results.machine.node}; load at start ${results.machine.loadAverage}; ${results.seconds} s` +
    (quick ? " (--quick: not for reporting)" : ""),
);

const out = join(ROOT, "bench", "results.json");
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
log(`wrote ${out}`);
process.exit(failed ? 1 : 0);
