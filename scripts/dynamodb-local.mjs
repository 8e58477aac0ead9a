#!/usr/bin/env node
// DynamoDB Local harness: fetches the official emulator once into .cache/ (from the npm package
// amplify-dynamodb-simulator, which ships it in emulator/), then starts it on a free port.
// Used by the test runner, the demo and the benchmarks. Run directly to start one by hand:
//   node scripts/dynamodb-local.mjs [--port N]
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PACKAGE = "amplify-dynamodb-simulator@2.9.30";
export const EMULATOR_DIR = join(ROOT, ".cache", "dynamodb-local");
const JAR = join(EMULATOR_DIR, "DynamoDBLocal.jar");

/** Fails with a clear message when no Java runtime is on PATH. */
export function checkJava() {
  const r = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      "DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found on PATH.\n" +
        "hint: install one, e.g. `apt-get install -y default-jre-headless`",
    );
  }
}

/** Makes sure the emulator is unpacked in .cache/dynamodb-local; fetches it with `npm pack` once. */
export function ensureEmulator({ log = (m) => process.stderr.write(`${m}\n`) } = {}) {
  if (existsSync(JAR)) return EMULATOR_DIR;
  mkdirSync(dirname(EMULATOR_DIR), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "dynastream-ddbl-"));
  try {
    log(`fetching DynamoDB Local (${PACKAGE}, emulator/ only) into .cache/ ...`);
    const pack = spawnSync("npm", ["pack", PACKAGE, "--silent", "--pack-destination", work], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (pack.status !== 0) throw new Error(`npm pack ${PACKAGE} failed: ${pack.stderr || pack.stdout}`);
    const tgz = readdirSync(work).find((f) => f.endsWith(".tgz"));
    if (!tgz) throw new Error(`npm pack ${PACKAGE} produced no tarball`);
    const unpack = join(work, "unpacked");
    mkdirSync(unpack);
    const tar = spawnSync("tar", ["xzf", join(work, tgz), "-C", unpack, "package/emulator"], {
      encoding: "utf8",
    });
    if (tar.status !== 0) throw new Error(`unpacking ${tgz} failed: ${tar.stderr}`);
    const staged = join(unpack, "package", "emulator");
    if (existsSync(EMULATOR_DIR)) {
      if (existsSync(JAR)) return EMULATOR_DIR; // another process won the race
      rmSync(EMULATOR_DIR, { recursive: true, force: true });
    }
    try {
      renameSync(staged, EMULATOR_DIR);
    } catch (e) {
      if (!existsSync(JAR)) throw e;
    }
    return EMULATOR_DIR;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Asks the kernel for a free TCP port on loopback. */
export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

async function ping(endpoint) {
  try {
    const r = await fetch(endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amz-target": "DynamoDB_20120810.ListTables",
        authorization:
          "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
      },
      body: "{}",
      signal: AbortSignal.timeout(2000),
    });
    return r.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts DynamoDB Local in memory on a free port (or `port`) and waits until it answers.
 * Returns { endpoint, port, process, stop() }; stop() is idempotent and also runs at exit.
 */
export async function startDynamoDBLocal({ port, log, timeoutMs = 90_000 } = {}) {
  checkJava();
  const dir = ensureEmulator({ log });
  const p = port ?? (await freePort());
  const child = spawn(
    "java",
    [
      `-Djava.library.path=${join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      JAR,
      "-inMemory",
      "-disableTelemetry",
      "-port",
      String(p),
    ],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  let exited = false;
  child.on("exit", () => {
    exited = true;
  });
  const endpoint = `http://127.0.0.1:${p}`;
  const stop = () => {
    if (!exited) child.kill("SIGKILL");
    process.off("exit", stop);
  };
  process.on("exit", stop);
  const deadline = Date.now() + timeoutMs;
  while (!(await ping(endpoint))) {
    if (exited) throw new Error(`DynamoDB Local exited before it answered: ${stderr.trim()}`);
    if (Date.now() > deadline) {
      stop();
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { endpoint, port: p, process: child, stop };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf("--port");
  const port = i > 0 ? Number(process.argv[i + 1]) : 8000;
  const ddb = await startDynamoDBLocal({ port });
  process.stderr.write(
    `DynamoDB Local on ${ddb.endpoint} (in memory). Use:\n  export AWS_ENDPOINT_URL=${ddb.endpoint} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local\nCtrl-C stops it.\n`,
  );
  process.on("SIGINT", () => {
    ddb.stop();
    process.exit(0);
  });
  process.on("SIGTERM", () => {
    ddb.stop();
    process.exit(0);
  });
}
