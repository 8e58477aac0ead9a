// Shared helpers of the benchmark suite (bench/run.mjs): timing child processes (wall, CPU, peak RSS),
// medians and percentiles, the machine's description, DynamoDB Local (started once per run) and the
// AWS SDK set-up the suites share. Plain ESM so `npm run bench` needs no build step of its own.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, tmpdir, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { drainItem } from "./data.mjs";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/**
 * The suites time a private build (`scripts/build.mjs --outdir .cache/bench/dist`, with copies of
 * bin/ and package.json beside it), so other builds of dist/ in the same checkout cannot change the
 * binary in the middle of a run.
 */
export const SNAPSHOT = process.env.DYNASTREAM_BENCH_BUILD
  ? resolve(process.env.DYNASTREAM_BENCH_BUILD)
  : join(ROOT, ".cache", "bench");
/**
 * DYNASTREAM_BENCH_BUILD=<dir>: time another build instead (a directory holding bin/, dist/ and
 * package.json, e.g. a worktree of an older commit after `npm run build`): for "before" figures.
 * Nothing is built then. Builds before the bundle have bin/dynastream.js and dist/cli.js.
 */
export const OTHER_BUILD = process.env.DYNASTREAM_BENCH_BUILD !== undefined;
export const BIN =
  OTHER_BUILD && !existsSync(join(SNAPSHOT, "bin", "dynastream.cjs"))
    ? join(SNAPSHOT, "bin", "dynastream.js")
    : join(SNAPSHOT, "bin", "dynastream.cjs");
/**
 * The launcher's code cache (bin/dynastream.cjs) for the runs of the suite: its own directory, so
 * that runs of other builds in this checkout cannot replace it mid-run. Runs are timed warm (each
 * suite's first run writes it); the start-up suite also times runs without it.
 */
const CODE_CACHE = join(ROOT, ".cache", "bench-code-cache");

/**
 * Builds the snapshot the suites run; returns false when the build failed. Besides the bundle, the
 * filter matcher alone (dist/core/filter/index.js, ES module) for bench/filter-compare.mjs.
 */
export function buildSnapshot() {
  const dist = join(SNAPSHOT, "dist");
  const b = spawnSync(process.execPath, [join(ROOT, "scripts", "build.mjs"), "--outdir", dist], {
    cwd: ROOT,
    stdio: "inherit",
  });
  if (b.status !== 0) return false;
  try {
    const esbuild = createRequire(import.meta.url)("esbuild");
    for (const entry of [["core", "filter", "index"]]) {
      if (!existsSync(join(ROOT, "src", ...entry.slice(0, -1), `${entry.at(-1)}.ts`))) continue;
      esbuild.buildSync({
        entryPoints: [join(ROOT, "src", ...entry.slice(0, -1), `${entry.at(-1)}.ts`)],
        outfile: join(dist, ...entry.slice(0, -1), `${entry.at(-1)}.js`),
        bundle: true,
        format: "esm",
        platform: "node",
        target: "node20",
        logLevel: "warning",
      });
    }
  } catch {
    return false; // esbuild printed why
  }
  rmSync(join(SNAPSHOT, "bin"), { recursive: true, force: true });
  mkdirSync(join(SNAPSHOT, "bin"), { recursive: true });
  copyFileSync(join(ROOT, "bin", "dynastream.cjs"), join(SNAPSHOT, "bin", "dynastream.cjs"));
  copyFileSync(join(ROOT, "package.json"), join(SNAPSHOT, "package.json"));
  return true;
}

/** Whether a snapshot exists (for --no-build). */
export function hasSnapshot() {
  return (
    existsSync(BIN) &&
    (existsSync(join(SNAPSHOT, "dist", "cli.cjs")) || existsSync(join(SNAPSHOT, "dist", "cli.js")))
  );
}
export const REGION = "us-east-1";
export const CREDENTIALS = { accessKeyId: "dynastreambench", secretAccessKey: "dynastreambench" };

const GNU_TIME = "/usr/bin/time";
/** Whether GNU time is available to report a child's CPU time and peak RSS. */
export const HAS_GNU_TIME =
  existsSync(GNU_TIME) && spawnSync(GNU_TIME, ["-f", "%M", "true"], { encoding: "utf8" }).status === 0;

/** Environment for a CLI run against `endpoint` (no real AWS configuration can leak in). */
export function awsEnv(endpoint, extra = {}) {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_CONFIG_FILE: "/nonexistent/dynastream-bench-config",
    AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/dynastream-bench-credentials",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    XDG_CACHE_HOME: CODE_CACHE,
    ...extra,
  };
}

/** Environment for runs that need no AWS at all. */
export function plainEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    XDG_CACHE_HOME: CODE_CACHE,
    ...extra,
  };
}

/** Every child process started by the suite, so an interrupted run can kill them all. */
const running = new Set();

/** Kills every child still running (on Ctrl-C or a failed suite). */
export function killChildren() {
  for (const c of running) {
    try {
      c.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  running.clear();
}

/**
 * Runs `cmd args` to completion and measures it: wall time (ms, from spawn to exit), CPU time
 * (user + system, ms) and peak RSS (KB) of the command itself when GNU time is available (otherwise
 * of a `--import` hook for node commands, else undefined). `stdout`: "ignore" (to /dev/null),
 * "pipe" (captured) or a file descriptor. Killed after `timeoutMs`.
 */
export function timed(cmd, args, opts = {}) {
  const { stdout = "ignore", input, timeoutMs = 120_000, cwd = ROOT } = opts;
  const env = { ...(opts.env ?? plainEnv()) };
  return new Promise((resolvePromise, reject) => {
    let file = cmd;
    let argv = args;
    let statsFile;
    if (HAS_GNU_TIME) {
      const dir = mkdtempSync(join(tmpdir(), "dynastream-bench-"));
      statsFile = join(dir, "time");
      file = GNU_TIME;
      argv = ["-q", "-o", statsFile, "-f", "%e %U %S %M", cmd, ...args];
    } else if (cmd === process.execPath) {
      const dir = mkdtempSync(join(tmpdir(), "dynastream-bench-"));
      statsFile = join(dir, "rusage");
      argv = ["--import", join(ROOT, "bench", "rusage-hook.mjs"), ...args];
      env.DYNASTREAM_BENCH_RUSAGE = statsFile;
    }
    const t0 = process.hrtime.bigint();
    const child = spawn(file, argv, {
      cwd,
      env,
      stdio: [input === undefined ? "ignore" : "pipe", stdout, "pipe"],
    });
    running.add(child);
    let out = "";
    let err = "";
    child.stdout?.setEncoding("utf8").on("data", (d) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
    });
    if (input !== undefined) child.stdin.end(input);
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      running.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      clearTimeout(timer);
      running.delete(child);
      let cpuMs;
      let maxRssKB;
      if (statsFile) {
        try {
          const text = readFileSync(statsFile, "utf8").trim();
          if (HAS_GNU_TIME) {
            const last = text.split("\n").pop() ?? "";
            const [, user, sys, rss] = last.split(" ").map(Number);
            cpuMs = (user + sys) * 1000;
            maxRssKB = rss;
          } else {
            const r = JSON.parse(text);
            cpuMs = (r.userCPUTime + r.systemCPUTime) / 1000;
            maxRssKB = r.maxRSS;
          }
        } catch {
          // the child died before reporting
        }
        rmSync(dirname(statsFile), { recursive: true, force: true });
      }
      resolvePromise({ code, signal, wallMs, cpuMs, maxRssKB, stdout: out, stderr: err });
    });
  });
}

/** Runs `dynastream ...args` (the built binary) with {@link timed}. */
export function cli(args, opts = {}) {
  return timed(process.execPath, [BIN, ...args], opts);
}

/** Median of numbers (undefined entries ignored). */
export function median(xs) {
  const v = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const m = Math.floor(v.length / 2);
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** The p-th percentile (0..100) by nearest rank. */
export function percentile(xs, p) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * v.length));
  return v[Math.min(v.length, rank) - 1];
}

/** What this machine is: for RESULTS.md and results.json. */
export function machine() {
  let model = cpus()[0]?.model ?? "unknown";
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m) model = m[1].trim();
  } catch {
    // not Linux
  }
  const nproc = spawnSync("nproc", [], { encoding: "utf8" });
  let load;
  try {
    load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    load = undefined;
  }
  const aws = spawnSync("aws", ["--version"], { encoding: "utf8" });
  const java = spawnSync("java", ["-version"], { encoding: "utf8" });
  return {
    nproc: nproc.status === 0 ? Number(nproc.stdout.trim()) : cpus().length,
    cpu: model,
    memoryGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: load,
    awsCli: aws.status === 0 ? (aws.stdout || aws.stderr).trim() : undefined,
    java: java.status === 0 ? (java.stderr.split("\n")[0] ?? "").trim() : undefined,
    gnuTime: HAS_GNU_TIME,
  };
}

let ddb;

/** DynamoDB Local, started on first use and shared by every suite of the run; stopped by stopAll. */
export async function dynamodbLocal(log) {
  if (!ddb) {
    ddb = (async () => {
      const { startDynamoDBLocal } = await import("../scripts/dynamodb-local.mjs");
      const t0 = Date.now();
      const d = await startDynamoDBLocal({ log });
      log?.(`DynamoDB Local on ${d.endpoint} (started in ${Date.now() - t0} ms)`);
      return d;
    })();
  }
  return ddb;
}

/** SDK clients pointed at `endpoint`. */
export async function sdkClients(endpoint) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const { DynamoDBStreamsClient } = await import("@aws-sdk/client-dynamodb-streams");
  const cfg = { endpoint, region: REGION, credentials: CREDENTIALS };
  return { ddb: new DynamoDBClient(cfg), streams: new DynamoDBStreamsClient(cfg) };
}

/** Stops DynamoDB Local and every child process. */
export async function stopAll() {
  killChildren();
  if (ddb) {
    try {
      (await ddb).stop();
    } catch {
      // it never started
    }
    ddb = undefined;
  }
}

/** Creates a table with a NEW_AND_OLD_IMAGES stream (hash key pk S) and waits until it is ACTIVE. */
export async function createStreamTable(client, name) {
  const { CreateTableCommand, DescribeTableCommand } = await import("@aws-sdk/client-dynamodb");
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }),
  );
  for (;;) {
    const d = await client.send(new DescribeTableCommand({ TableName: name }));
    if (d.Table?.TableStatus === "ACTIVE") return d.Table.LatestStreamArn;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The drain items' tables of this run, by item count (see {@link drainTable}). */
const drainTables = new Map();

/**
 * A table with a NEW_AND_OLD_IMAGES stream holding `count` items `drainItem(i)`, written once per run
 * and read by every suite that asks (drain and invoke read the same records): DynamoDB Local writes
 * ever more slowly as its streams fill (50,000 items took 16 s into the first table of a run and
 * about 14 minutes into a second one after the other suites). `writeMs`: how long the writes took.
 */
export async function drainTable(client, count, log) {
  let t = drainTables.get(count);
  if (t === undefined) {
    const table = `bench-drain-${Date.now().toString(36)}`;
    const arn = await createStreamTable(client, table);
    const t0 = Date.now();
    await batchWrite(client, table, count, drainItem, 8);
    const writeMs = Date.now() - t0;
    log?.(`wrote ${count} items into ${table} in ${writeMs} ms (BatchWriteItem, 8 in flight)`);
    t = { table, arn, writeMs };
    drainTables.set(count, t);
  }
  return t;
}

/**
 * Writes `count` items with BatchWriteItem (25 per call, `parallel` calls in flight), retrying
 * unprocessed items. `item(i)` gives the i-th item (DynamoDB JSON map).
 */
export async function batchWrite(client, table, count, item, parallel = 8) {
  const { BatchWriteItemCommand } = await import("@aws-sdk/client-dynamodb");
  let next = 0;
  async function worker() {
    for (;;) {
      const start = next;
      if (start >= count) return;
      next = Math.min(count, start + 25);
      let requests = [];
      for (let i = start; i < next; i++) requests.push({ PutRequest: { Item: item(i) } });
      for (let attempt = 0; requests.length > 0; attempt++) {
        const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: requests } }));
        requests = out.UnprocessedItems?.[table] ?? [];
        if (requests.length > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      }
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
}

/** Formats a number with thousands separators (no decimals). */
export function fmtInt(n) {
  return n === undefined || !Number.isFinite(n) ? "—" : Math.round(n).toLocaleString("en-US");
}

/** Formats milliseconds as "123 ms" or "1.23 s". */
export function fmtMs(ms) {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** Formats a ratio as "1.23×". */
export function fmtRatio(r) {
  return r === undefined || !Number.isFinite(r) ? "—" : `${r.toFixed(2)}×`;
}
