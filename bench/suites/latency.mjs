// 6. Live latency on DynamoDB Local: `dynastream tail <table> --output json` (from LATEST) runs while
// 200 PutItems are written at ~20/s; for each, the time from the PutItem's response to its line on
// tail's stdout. Targets: p50 ≤ 0.5 s, p99 ≤ 1.5 s.
import { spawn } from "node:child_process";
import { awsEnv, BIN, createStreamTable, dynamodbLocal, median, percentile, sdkClients } from "../lib.mjs";

export async function run({ log, writes = 200, perSecond = 20 }) {
  const ddb = await dynamodbLocal(log);
  const clients = await sdkClients(ddb.endpoint);
  const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
  const table = `bench-latency-${Date.now().toString(36)}`;
  await createStreamTable(clients.ddb, table);
  // A first item so the stream has a shard before tail starts.
  await clients.ddb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "warm-up" } } }));

  const child = spawn(process.execPath, [BIN, "tail", table, "--output", "json"], {
    env: awsEnv(ddb.endpoint),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const seen = new Map();
  let stderr = "";
  let buf = "";
  child.stdout.setEncoding("utf8").on("data", (d) => {
    const now = performance.now();
    buf += d;
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf("\n");
      try {
        const o = JSON.parse(line);
        const pk = o.keys?.pk;
        if (typeof pk === "string" && !seen.has(pk)) seen.set(pk, now);
      } catch {
        // not a record line
      }
    }
  });
  child.stderr.setEncoding("utf8").on("data", (d) => {
    stderr += d;
  });
  const exited = new Promise((resolve) => child.on("close", resolve));
  const sent = new Map();
  try {
    const t0 = Date.now();
    while (!/tailing /.test(stderr)) {
      if (child.exitCode !== null) throw new Error(`tail exited: ${stderr}`);
      if (Date.now() - t0 > 30_000) throw new Error(`tail did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // tail prints "tailing" once its LATEST iterators are in place: writes from now on are its to show.
    await new Promise((r) => setTimeout(r, 500));
    const interval = 1000 / perSecond;
    const start = performance.now();
    const inflight = [];
    for (let i = 0; i < writes; i++) {
      const due = start + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const pk = `lat-${String(i).padStart(4, "0")}`;
      inflight.push(
        clients.ddb
          .send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, n: { N: String(i) } } }))
          .then(() => sent.set(pk, performance.now())),
      );
    }
    await Promise.all(inflight);
    const deadline = Date.now() + 15_000;
    while (seen.size < writes + 0 && Date.now() < deadline) {
      if ([...sent.keys()].every((k) => seen.has(k))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill("SIGINT");
    setTimeout(() => child.kill("SIGKILL"), 3000).unref();
    await exited;
    clients.ddb.destroy();
    clients.streams.destroy();
  }
  const lat = [];
  let missing = 0;
  for (const [pk, at] of sent) {
    const got = seen.get(pk);
    if (got === undefined) missing++;
    else lat.push(got - at);
  }
  const p50 = percentile(lat, 50);
  const p99 = percentile(lat, 99);
  log?.(
    `latency: ${lat.length} of ${sent.size} writes seen, p50 ${Math.round(p50)} ms, p99 ${Math.round(p99)} ms`,
  );
  const note = missing > 0 ? `${missing} of ${writes} writes never appeared` : undefined;
  return {
    rows: [
      {
        measurement: `latency: PutItem response → tail line, p50 of ${writes} writes at ${perSecond}/s`,
        value: p50,
        unit: "ms",
        target: "≤ 500 ms",
        met: missing === 0 && p50 <= 500,
        note,
      },
      {
        measurement: "latency: p99",
        value: p99,
        unit: "ms",
        target: "≤ 1,500 ms",
        met: missing === 0 && p99 <= 1500,
        note: `min ${Math.round(Math.min(...lat))} ms, median ${Math.round(median(lat))} ms, max ${Math.round(Math.max(...lat))} ms`,
      },
    ],
    raw: { writes, perSecond, missing, latenciesMs: lat.map((x) => Math.round(x)) },
  };
}
