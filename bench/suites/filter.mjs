// 4. Filter matching: 1,000,000 DynamoDB stream records (Lambda shape, NDJSON) × a FilterCriteria of
// five patterns (prefix, anything-but, exists, equals, $or).
// - in process (bench/filter-compare.mjs): dynastream's matcher against the npm package
//   @coorpacademy/serverless-offline-eventbridge's `matchesPattern`, JSON.parse of every line included
//   for both; target ≥ 3× the package;
// - whole process: `dynastream filter-test --criteria <file> --records <file>` with summary output
//   (when the build has filter-test); target ≥ 0.6× a bare JSON.parse-each-line loop over the same
//   file (bench/parse-limit.mjs, in process, measured in every round next to the runs: this machine's
//   speed drifts by 1.5× within minutes; the ratio is the median of the rounds' ratios) and ≥ 3× the
//   package.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FILTER_PATTERNS, filterRecords, writeLines } from "../data.mjs";
import { cli, median, plainEnv, ROOT, SNAPSHOT, timed } from "../lib.mjs";
import { hasCommand } from "./startup.mjs";

export async function run({ log, records = 1_000_000, rounds = 3 }) {
  const dir = mkdtempSync(join(tmpdir(), "dynastream-bench-filter-"));
  try {
    const file = join(dir, "records.ndjson");
    const patternsFile = join(dir, "patterns.json");
    const criteriaFile = join(dir, "criteria.json");
    const gen = filterRecords(42);
    const bytes = await writeLines(file, records, (i) => JSON.stringify(gen(i)));
    writeFileSync(patternsFile, JSON.stringify(FILTER_PATTERNS));
    writeFileSync(criteriaFile, JSON.stringify({ Filters: FILTER_PATTERNS.map((Pattern) => ({ Pattern })) }));
    log?.(`filter: ${records} records, ${Math.round(bytes / records)} bytes/line`);

    const rows = [];
    const raw = { records, bytesPerLine: bytes / records };

    // ---- in process: ours vs the npm package ----
    const c = await timed(
      process.execPath,
      [
        "--max-old-space-size=4096",
        join(ROOT, "bench", "filter-compare.mjs"),
        join(SNAPSHOT, "dist"),
        file,
        patternsFile,
        String(rounds),
        String(Math.min(records, 200_000)),
      ],
      { stdout: "pipe", timeoutMs: 600_000 },
    );
    if (c.code !== 0) throw new Error(`filter-compare failed: ${c.stderr.slice(0, 500)}`);
    const cmp = JSON.parse(c.stdout);
    raw.inProcess = cmp;
    const ours = median(cmp.ours.map((x) => x.rate));
    const theirs = median(cmp.library.map((x) => x.rate));
    const parse = median(cmp.parseOnly.map((x) => x.rate));
    const agree = cmp.disagreements === 0;
    rows.push({
      measurement: "filter (in process): JSON.parse only, per line (this machine's parse limit)",
      value: parse,
      unit: "rec/s",
      cpuRate: median(cmp.parseOnly.map((x) => x.cpuRate)),
    });
    rows.push({
      measurement:
        "filter (in process): @coorpacademy/serverless-offline-eventbridge matchesPattern + JSON.parse (reference)",
      value: theirs,
      unit: "rec/s",
      cpuRate: median(cmp.library.map((x) => x.cpuRate)),
      note: `timed on the first ${cmp.libraryRecords.toLocaleString("en-US")} records (${cmp.library[0].matched} matched)`,
    });
    rows.push({
      measurement: `filter (in process): dynastream matcher + JSON.parse, ${records.toLocaleString("en-US")} records × 5 patterns`,
      value: ours,
      unit: "rec/s",
      reference: theirs,
      referenceName: "npm package",
      ratio: ours / theirs,
      cpuRate: median(cmp.ours.map((x) => x.cpuRate)),
      target: "≥ 3× package",
      met: ours / theirs >= 3,
      note:
        `${cmp.ours[0].matched} matched; ${agree ? "same answers as the package" : `${cmp.disagreements} disagreements with the package`} ` +
        `on ${cmp.sampleChecked.toLocaleString("en-US")} records`,
    });

    // ---- whole process: filter-test ----
    if (hasCommand("filter-test")) {
      const devNull = openSync("/dev/null", "w");
      const variants = [
        { name: "--summary", args: ["--summary"], stdout: "pipe" },
        { name: "--json > /dev/null", args: ["--json"], stdout: devNull },
      ];
      const runs = new Map(variants.map((v) => [v.name, []]));
      const refs = [];
      const errors = [];
      try {
        for (let r = 0; r < rounds; r++) {
          const limit = await timed(
            process.execPath,
            ["--max-old-space-size=4096", join(ROOT, "bench", "parse-limit.mjs"), file, "1", "parse"],
            { stdout: "pipe", timeoutMs: 600_000 },
          );
          if (limit.code !== 0) throw new Error(`parse-limit failed: ${limit.stderr.slice(0, 500)}`);
          const ref = JSON.parse(limit.stdout).parse;
          refs.push(ref);
          for (const v of variants) {
            const t = await cli(["filter-test", "--criteria", criteriaFile, "--records", file, ...v.args], {
              env: plainEnv(),
              stdout: v.stdout,
              timeoutMs: 600_000,
            });
            if (t.code !== 0 && t.code !== 1)
              errors.push(`${v.name}: exit ${t.code}: ${t.stderr.trim().slice(0, 300)}`);
            else runs.get(v.name).push({ ...t, ratio: records / (t.wallMs / 1000) / ref });
            log?.(`filter: filter-test ${v.name} round ${r + 1}/${rounds}: ${Math.round(t.wallMs)} ms`);
          }
        }
      } finally {
        closeSync(devNull);
      }
      const reference = median(refs);
      raw.cliParseReference = refs;
      raw.cli = {};
      for (const v of variants) {
        const list = runs.get(v.name);
        raw.cli[v.name] = list.map((t) => ({
          wallMs: t.wallMs,
          cpuMs: t.cpuMs,
          maxRssKB: t.maxRssKB,
          code: t.code,
          ratio: t.ratio,
        }));
        const wall = median(list.map((t) => t.wallMs));
        const rate = records / (wall / 1000);
        const ratio = median(list.map((t) => t.ratio));
        const summary = v.name === "--summary";
        rows.push({
          measurement: `filter: dynastream filter-test --criteria --records ${v.name} (${records.toLocaleString("en-US")} records)`,
          value: rate,
          unit: "rec/s",
          reference,
          referenceName: "JSON.parse loop, measured in each round",
          ratio,
          cpuRate: records / (median(list.map((t) => t.cpuMs)) / 1000),
          ...(summary
            ? {
                target: "≥ 0.6× JSON.parse loop, ≥ 3× package",
                met: ratio >= 0.6 && rate / theirs >= 3,
              }
            : {}),
          note: `${(rate / theirs).toFixed(2)}× the npm package; median ${Math.round(wall)} ms wall, ${Math.round(median(list.map((t) => t.cpuMs)))} ms CPU, peak RSS ${Math.round(median(list.map((t) => t.maxRssKB)) / 1024)} MB${errors.length ? `; ${errors.join("; ")}` : ""}`,
        });
      }
    } else {
      rows.push({
        measurement: "filter: dynastream filter-test (whole process)",
        note: "not measured: this build has no filter-test command",
        target: "≥ 0.6× JSON.parse loop",
      });
    }
    return { rows, raw };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
