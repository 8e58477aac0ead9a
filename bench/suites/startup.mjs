// 1. Start-up: whole-process medians. Offline commands against `node -e 0` (target ≤ 1.5×; the ratio is
// the median of each round's ratio, 3× the rounds of the other suites); describe
// and shards against DynamoDB Local next to the AWS CLI's `aws dynamodbstreams describe-stream`
// (target ≤ 0.5×). Runs are interleaved (one of each per round) so that noise from other processes on
// the machine hits every command alike. Timed with the launcher's code cache warm (as after a first
// run), and the offline commands also without it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FILTER_PATTERNS, filterRecords } from "../data.mjs";
import {
  awsEnv,
  BIN,
  createStreamTable,
  dynamodbLocal,
  median,
  plainEnv,
  REGION,
  sdkClients,
  timed,
} from "../lib.mjs";

/** Whether the built CLI has a subcommand (filter-test lands separately). */
export function hasCommand(name) {
  const r = spawnSync(process.execPath, [BIN, name, "--help"], { encoding: "utf8", env: plainEnv() });
  return r.status === 0 && r.stdout.includes(`Usage: dynastream ${name}`);
}

/**
 * Median wall and CPU of interleaved runs of `commands` ({ name, cmd, args, env }), and each round's
 * wall time (NaN for a failed run), for ratios taken round by round.
 */
async function interleaved(commands, rounds, log) {
  const walls = new Map(commands.map((c) => [c.name, []]));
  const cpus = new Map(commands.map((c) => [c.name, []]));
  const byRound = new Map(commands.map((c) => [c.name, []]));
  const failures = new Map();
  for (const c of commands) await timed(c.cmd, c.args, { env: c.env }); // warm the file cache
  for (let r = 0; r < rounds; r++) {
    for (const c of commands) {
      const t = await timed(c.cmd, c.args, { env: c.env, stdout: "pipe" });
      if (t.code !== 0) {
        failures.set(c.name, `exit ${t.code}: ${t.stderr.trim().split("\n")[0]}`);
        byRound.get(c.name).push(Number.NaN);
        continue;
      }
      byRound.get(c.name).push(t.wallMs);
      walls.get(c.name).push(t.wallMs);
      cpus.get(c.name).push(t.cpuMs);
    }
    log?.(`startup: round ${r + 1}/${rounds}`);
  }
  const out = {};
  for (const c of commands) {
    out[c.name] = {
      wallMs: median(walls.get(c.name)),
      cpuMs: median(cpus.get(c.name)),
      runs: walls.get(c.name).length,
      byRound: byRound.get(c.name),
      ...(failures.has(c.name) ? { error: failures.get(c.name) } : {}),
    };
  }
  return out;
}

export async function run({ log, rounds = 10 }) {
  const node = process.execPath;
  const dir = mkdtempSync(join(tmpdir(), "dynastream-bench-startup-"));
  const rows = [];
  const raw = {};
  try {
    // ---- offline commands vs node -e 0 ----
    const recordsFile = join(dir, "records.json");
    const gen = filterRecords(7);
    writeFileSync(
      recordsFile,
      `${Array.from({ length: 20 }, (_, i) => JSON.stringify(gen(i))).join("\n")}\n`,
    );
    const offline = [
      { name: "node -e 0", cmd: node, args: ["-e", "0"], env: plainEnv() },
      { name: "dynastream --version", cmd: node, args: [BIN, "--version"], env: plainEnv() },
      { name: "dynastream --help", cmd: node, args: [BIN, "--help"], env: plainEnv() },
    ];
    const filterTest = hasCommand("filter-test");
    if (filterTest) {
      offline.push({
        name: "dynastream filter-test (20 records)",
        cmd: node,
        args: [BIN, "filter-test", "--pattern", FILTER_PATTERNS[1], "--records", recordsFile],
        env: plainEnv(),
      });
    }
    // The same without the launcher's code cache (a first run, or DYNASTREAM_NO_COMPILE_CACHE=1):
    // for information, the target is for the usual (warm) runs.
    const noCache = plainEnv({ DYNASTREAM_NO_COMPILE_CACHE: "1" });
    for (const c of offline.filter((x) => x.name !== "node -e 0" && !x.name.includes("--version"))) {
      offline.push({ ...c, name: `${c.name}, no code cache`, env: noCache, informational: true });
    }
    // Three times the rounds of the rest: these runs are short, and their ratios to node's start are
    // taken round by round (each run against the `node -e 0` of its own round), then the median.
    const off = await interleaved(offline, rounds * 3, log);
    raw.offline = off;
    const base = off["node -e 0"];
    rows.push({
      measurement: "start-up: node -e 0 (reference)",
      value: base.wallMs,
      unit: "ms",
      cpuMs: base.cpuMs,
    });
    for (const c of offline.slice(1)) {
      const m = off[c.name];
      const paired = m.byRound.map((w, k) => w / base.byRound[k]).filter((x) => Number.isFinite(x));
      const ratio = paired.length > 0 ? median(paired) : m.wallMs / base.wallMs;
      rows.push({
        measurement: `start-up: ${c.name}`,
        value: m.wallMs,
        unit: "ms",
        reference: base.wallMs,
        referenceName: "node -e 0",
        ratio,
        cpuRatio: m.cpuMs / base.cpuMs,
        ...(c.informational ? {} : { target: "≤ 1.5× node", met: ratio <= 1.5 }),
        ...(m.error ? { note: m.error } : {}),
      });
    }
    if (!filterTest) {
      rows.push({
        measurement: "start-up: dynastream filter-test",
        note: "not measured: this build has no filter-test command",
        target: "≤ 1.5× node",
      });
    }

    // ---- AWS commands vs the AWS CLI ----
    const ddb = await dynamodbLocal(log);
    const clients = await sdkClients(ddb.endpoint);
    const table = `bench-startup-${Date.now().toString(36)}`;
    const arn = await createStreamTable(clients.ddb, table);
    clients.ddb.destroy();
    clients.streams.destroy();
    const env = awsEnv(ddb.endpoint);
    const awsCli = spawnSync("aws", ["--version"], { encoding: "utf8" });
    const awsCommands = [
      { name: "dynastream describe", cmd: node, args: [BIN, "describe", table], env },
      { name: "dynastream shards", cmd: node, args: [BIN, "shards", table], env },
    ];
    if (awsCli.status === 0) {
      awsCommands.unshift({
        name: "aws dynamodbstreams describe-stream",
        cmd: "aws",
        args: ["dynamodbstreams", "describe-stream", "--stream-arn", arn, "--region", REGION],
        env: { ...env, AWS_PAGER: "" },
      });
    }
    const onAws = await interleaved(awsCommands, rounds, log);
    raw.aws = onAws;
    const ref = onAws["aws dynamodbstreams describe-stream"];
    if (ref) {
      rows.push({
        measurement: "start-up: aws dynamodbstreams describe-stream (reference)",
        value: ref.wallMs,
        unit: "ms",
        cpuMs: ref.cpuMs,
        note: (awsCli.stdout || awsCli.stderr).trim().split(" ")[0],
      });
    }
    for (const c of awsCommands.filter((x) => x.cmd === node)) {
      const m = onAws[c.name];
      const ratio = ref ? m.wallMs / ref.wallMs : undefined;
      rows.push({
        measurement: `start-up: ${c.name} (DynamoDB Local)`,
        value: m.wallMs,
        unit: "ms",
        reference: ref?.wallMs,
        referenceName: "aws CLI",
        ratio,
        cpuRatio: ref ? m.cpuMs / ref.cpuMs : undefined,
        target: "≤ 0.5× aws CLI",
        met: ratio === undefined ? undefined : ratio <= 0.5,
        note: m.error ?? (ref ? undefined : "the AWS CLI is not installed on this machine: no reference"),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows, raw };
}
