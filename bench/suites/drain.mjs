// 2. Drain: a stream holding 50,000 records in DynamoDB Local, read whole by
// `dynastream tail --from trim-horizon --until-end --output json > /dev/null` and by a bare loop of the
// SDK's GetRecords that does nothing with the records (bench/sdk-drain.mjs: the backend's limit).
// Both are whole processes (node start, SDK load, listing included); runs interleaved; target ≥ 0.9×.
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { awsEnv, cli, drainTable, dynamodbLocal, median, ROOT, sdkClients, timed } from "../lib.mjs";

export async function run({ log, records = 50_000, rounds = 3 }) {
  const ddb = await dynamodbLocal(log);
  const clients = await sdkClients(ddb.endpoint);
  const { table, arn, writeMs: loadMs } = await drainTable(clients.ddb, records, (m) => log?.(`drain: ${m}`));
  clients.ddb.destroy();
  clients.streams.destroy();

  const env = awsEnv(ddb.endpoint);
  const devNull = openSync("/dev/null", "w");
  const sdk = [];
  const tail = [];
  const sdkCpu = [];
  const tailCpu = [];
  const tailRss = [];
  const errors = [];
  try {
    // One untimed pass of each: DynamoDB Local's JVM warms up on its first reads.
    await timed(process.execPath, [join(ROOT, "bench", "sdk-drain.mjs"), arn, String(records)], { env });
    for (let r = 0; r < rounds; r++) {
      const s = await timed(process.execPath, [join(ROOT, "bench", "sdk-drain.mjs"), arn, String(records)], {
        env,
        stdout: "pipe",
      });
      const got = s.code === 0 ? JSON.parse(s.stdout).records : undefined;
      if (got !== records) errors.push(`sdk loop: exit ${s.code}, ${got} records: ${s.stderr.slice(0, 200)}`);
      else {
        sdk.push(s.wallMs);
        sdkCpu.push(s.cpuMs);
      }
      const t = await cli(["tail", table, "--from", "trim-horizon", "--until-end", "--output", "json"], {
        env,
        stdout: devNull,
        timeoutMs: 300_000,
      });
      const m = /(\d+) records? from/.exec(t.stderr);
      if (t.code !== 0 || !m || Number(m[1]) !== records) {
        errors.push(`tail: exit ${t.code}: ${t.stderr.trim().slice(0, 300)}`);
      } else {
        tail.push(t.wallMs);
        tailCpu.push(t.cpuMs);
        tailRss.push(t.maxRssKB);
      }
      log?.(
        `drain: round ${r + 1}/${rounds}: sdk ${Math.round(s.wallMs)} ms, tail ${Math.round(t.wallMs)} ms`,
      );
    }
  } finally {
    closeSync(devNull);
  }
  const sdkRate = records / (median(sdk) / 1000);
  const tailRate = records / (median(tail) / 1000);
  const ratio = tailRate / sdkRate;
  return {
    rows: [
      {
        measurement: `drain: bare SDK GetRecords loop, ${records.toLocaleString("en-US")} records (reference)`,
        value: sdkRate,
        unit: "rec/s",
        cpuMs: median(sdkCpu),
        note: `median ${Math.round(median(sdk))} ms`,
      },
      {
        measurement: "drain: tail --from trim-horizon --until-end --output json > /dev/null",
        value: tailRate,
        unit: "rec/s",
        reference: sdkRate,
        referenceName: "SDK loop",
        ratio,
        target: "≥ 0.9× SDK loop",
        met: ratio >= 0.9,
        cpuMs: median(tailCpu),
        note: `median ${Math.round(median(tail))} ms, peak RSS ${Math.round(median(tailRss) / 1024)} MB${errors.length ? `; ${errors.join("; ")}` : ""}`,
      },
    ],
    raw: {
      records,
      loadMs,
      sdkMs: sdk,
      tailMs: tail,
      sdkCpuMs: sdkCpu,
      tailCpuMs: tailCpu,
      tailRssKB: tailRss,
      errors,
    },
  };
}
