// 3. Rendering offline: `dynastream tail --input <file>` over 200,000 MODIFY records (~500 bytes by
// DynamoDB's count, nested maps and lists, Lambda shape, one per line), NDJSON and pretty (no colour),
// stdout to /dev/null. Whole process, input parsing included. Targets: NDJSON and pretty each ≥ 0.5×
// the throughput of a bare JSON.parse + JSON.stringify loop over the same lines (bench/parse-limit.mjs,
// in process, measured in every round next to the runs; the ratio is the median of the rounds' ratios).
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modifyRecord, writeLines } from "../data.mjs";
import { cli, median, plainEnv, ROOT, timed } from "../lib.mjs";

export async function run({ log, records = 200_000, rounds = 3 }) {
  const dir = mkdtempSync(join(tmpdir(), "dynastream-bench-render-"));
  const file = join(dir, "modify.ndjson");
  const devNull = openSync("/dev/null", "w");
  try {
    const bytes = await writeLines(file, records, (i) => JSON.stringify(modifyRecord(i)));
    const sizeBytes = modifyRecord(1).dynamodb.SizeBytes;
    log?.(`render: ${records} records, ${Math.round(bytes / records)} bytes/line of input`);
    const variants = [
      { name: "NDJSON (--output json)", args: ["--output", "json"] },
      { name: "pretty (--no-color)", args: ["--output", "pretty", "--no-color"] },
    ];
    const times = new Map(
      variants.map((v) => [v.name, { wall: [], cpu: [], rss: [], ratio: [], errors: [] }]),
    );
    // V8's own speed on the same input, in process (the reference of the targets), measured in every
    // round next to the runs it is compared with: this machine's speed drifts by 1.5x within minutes.
    const refs = [];
    for (let r = 0; r < rounds; r++) {
      const limit = await timed(process.execPath, [join(ROOT, "bench", "parse-limit.mjs"), file, "1"], {
        stdout: "pipe",
        timeoutMs: 300_000,
      });
      const lim = limit.code === 0 ? JSON.parse(limit.stdout) : {};
      refs.push(lim);
      for (const v of variants) {
        const t = await cli(["tail", "--input", file, ...v.args], {
          env: plainEnv(),
          stdout: devNull,
          timeoutMs: 300_000,
        });
        const m = times.get(v.name);
        if (t.code !== 0) m.errors.push(`exit ${t.code}: ${t.stderr.trim().slice(0, 200)}`);
        else {
          m.wall.push(t.wallMs);
          m.cpu.push(t.cpuMs);
          m.rss.push(t.maxRssKB);
          m.ratio.push(records / (t.wallMs / 1000) / lim.parseStringify);
        }
      }
      log?.(`render: round ${r + 1}/${rounds}`);
    }
    const lim = {
      parse: median(refs.map((x) => x.parse)),
      parseStringify: median(refs.map((x) => x.parseStringify)),
    };
    const rows = [
      {
        measurement: "render (in process, reference): JSON.parse of each input line alone",
        value: lim.parse,
        unit: "rec/s",
      },
      {
        measurement: "render (in process, reference): JSON.parse + JSON.stringify of each line",
        value: lim.parseStringify,
        unit: "rec/s",
      },
    ];
    rows.push(
      ...variants.map((v) => {
        const m = times.get(v.name);
        const rate = records / (median(m.wall) / 1000);
        const ref = lim.parseStringify;
        const ratio = median(m.ratio);
        return {
          measurement: `render: tail --input, ${records.toLocaleString("en-US")} MODIFY records → ${v.name}`,
          value: rate,
          unit: "rec/s",
          reference: ref,
          referenceName: "JSON.parse + JSON.stringify loop",
          ratio,
          cpuRate: records / (median(m.cpu) / 1000),
          target: "≥ 0.5× JSON.parse + JSON.stringify loop",
          met: ratio >= 0.5,
          note: `median ${Math.round(median(m.wall))} ms wall, ${Math.round(median(m.cpu))} ms CPU, peak RSS ${Math.round(median(m.rss) / 1024)} MB${m.errors.length ? `; ${m.errors.join("; ")}` : ""}`,
        };
      }),
    );
    return {
      rows,
      raw: {
        records,
        inputBytesPerLine: bytes / records,
        dynamodbSizeBytes: sizeBytes,
        parseLimit: lim,
        runs: Object.fromEntries(times),
      },
    };
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
}
