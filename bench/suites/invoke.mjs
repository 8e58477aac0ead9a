// 7. Invoke: a stream of 50,000 records in DynamoDB Local delivered to a no-op handler by
// `dynastream invoke --from trim-horizon --until-end --batch-size 100`, against `tail --from
// trim-horizon --until-end --output json > /dev/null` over the same stream in the same run (issue
// #17: target ≥ 0.8×, the cost of the process boundary and of the event's JSON). Also the
// per-invocation overhead of a 1-record batch (p50/p99 of the time from sending the event to the
// answer, as invoke's --json reports it), over 300 invocations of a warm handler.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsEnv, cli, drainTable, dynamodbLocal, median, percentile, sdkClients } from "../lib.mjs";

export async function run({ log, records = 50_000, rounds = 3, single = 300 }) {
  const ddb = await dynamodbLocal(log);
  const clients = await sdkClients(ddb.endpoint);
  // The drain suite's records when it ran before in this run.
  const { table } = await drainTable(clients.ddb, records, (m) => log?.(`invoke: ${m}`));
  clients.ddb.destroy();
  clients.streams.destroy();
  const dir = mkdtempSync(join(tmpdir(), "dynastream-bench-invoke-"));
  const handler = join(dir, "noop.mjs");
  writeFileSync(handler, "export const handler = async () => {};\n");
  const env = awsEnv(ddb.endpoint);
  const devNull = openSync("/dev/null", "w");
  const tail = [];
  const invoke = [];
  const errors = [];
  let overhead = [];
  try {
    // One untimed pass: DynamoDB Local's JVM warms up on its first reads.
    await cli(["tail", table, "--from", "trim-horizon", "--until-end", "--output", "json"], {
      env,
      stdout: devNull,
    });
    for (let r = 0; r < rounds; r++) {
      const t = await cli(["tail", table, "--from", "trim-horizon", "--until-end", "--output", "json"], {
        env,
        stdout: devNull,
        timeoutMs: 300_000,
      });
      if (t.code === 0) tail.push(t.wallMs);
      else errors.push(`tail: exit ${t.code}: ${t.stderr.slice(0, 200)}`);
      const i = await cli(
        ["invoke", handler, table, "--from", "trim-horizon", "--until-end", "--batch-size", "100", "-q"],
        {
          env,
          stdout: devNull,
          timeoutMs: 600_000,
        },
      );
      if (i.code === 0) invoke.push(i.wallMs);
      else errors.push(`invoke: exit ${i.code}: ${i.stderr.slice(0, 200)}`);
      log?.(
        `invoke: round ${r + 1}/${rounds}: tail ${Math.round(t.wallMs)} ms, invoke ${Math.round(i.wallMs)} ms`,
      );
    }
    // Per-invocation overhead: 1-record batches from a file.
    const input = join(dir, "one.ndjson");
    const line = (n) =>
      JSON.stringify({
        eventName: "INSERT",
        dynamodb: {
          Keys: { pk: { S: `k${n}` } },
          NewImage: { pk: { S: `k${n}` } },
          SequenceNumber: String(1000 + n),
        },
      });
    writeFileSync(input, `${Array.from({ length: single }, (_, n) => line(n)).join("\n")}\n`);
    const o = await cli(["invoke", handler, "--input", input, "--batch-size", "1", "--json", "-q"], {
      env,
      stdout: "pipe",
    });
    const lines = o.stdout.split("\n").filter((l) => l.startsWith('{"type":"invoke"'));
    overhead = lines
      .map((l) => JSON.parse(l))
      .filter((l) => !l.cold)
      .map((l) => l.durationMs);
    if (o.code !== 0) errors.push(`invoke --input: exit ${o.code}: ${o.stderr.slice(0, 200)}`);
  } finally {
    closeSync(devNull);
    rmSync(dir, { recursive: true, force: true });
  }
  const tailRate = records / (median(tail) / 1000);
  const invokeRate = records / (median(invoke) / 1000);
  const ratio = invokeRate / tailRate;
  return {
    rows: [
      {
        measurement: `invoke: tail --until-end --output json > /dev/null, ${records.toLocaleString("en-US")} records (reference)`,
        value: tailRate,
        unit: "rec/s",
        note: `median ${Math.round(median(tail))} ms`,
      },
      {
        measurement: "invoke: no-op handler, --until-end --batch-size 100",
        value: invokeRate,
        unit: "rec/s",
        reference: tailRate,
        referenceName: "tail",
        ratio,
        target: "≥ 0.8× tail",
        met: ratio >= 0.8,
        note: `median ${Math.round(median(invoke))} ms${errors.length ? `; ${errors.join("; ")}` : ""}`,
      },
      {
        measurement: `invoke: per-invocation overhead, 1-record batch, warm (p50 / p99 of ${overhead.length})`,
        value: `${median(overhead) ?? "—"} / ${percentile(overhead, 99) ?? "—"} ms`,
      },
    ],
    raw: { records, tailMs: tail, invokeMs: invoke, overheadMs: overhead, errors },
  };
}
