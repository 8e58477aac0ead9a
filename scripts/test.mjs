#!/usr/bin/env node
// The test command (`npm test`): builds the CLI (scripts/build.mjs; the e2e tests run the built
// binary), starts one DynamoDB Local for the whole run, runs every test/**/*.test.ts with Node's test runner, and stops
// DynamoDB Local afterwards. Arguments narrow the run to folders or files: `npm test -- test/unit`.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { startDynamoDBLocal } from "./dynamodb-local.mjs";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const targets = args.length > 0 ? args : ["test"];

function collect(p, out) {
  const st = statSync(p);
  if (st.isDirectory()) {
    for (const e of readdirSync(p).sort())
      if (e !== "node_modules" && e !== "fixtures") collect(join(p, e), out);
  } else if (p.endsWith(".test.ts")) out.push(relative(root, p));
  return out;
}
const files = targets.flatMap((t) => collect(resolve(root, t), []));
if (files.length === 0) {
  console.error(`no test files under ${targets.join(", ")}`);
  process.exit(2);
}

const build = spawnSync(process.execPath, [join(root, "scripts", "build.mjs")], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) process.exit(build.status ?? 1);

const needsDdb = files.some((f) => !f.startsWith("test/unit"));
let ddb;
if (needsDdb && !process.env.DYNASTREAM_TEST_DDB_ENDPOINT) {
  ddb = await startDynamoDBLocal({ log: (m) => console.error(m) });
  console.error(`DynamoDB Local started on ${ddb.endpoint}`);
}
const env = { ...process.env, ...(ddb ? { DYNASTREAM_TEST_DDB_ENDPOINT: ddb.endpoint } : {}) };
const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=2", "--test-timeout=180000", ...files],
  { cwd: root, env, stdio: "inherit" },
);
const stop = () => ddb?.stop();
process.on("SIGINT", () => {
  child.kill("SIGINT");
});
child.on("exit", (code, signal) => {
  stop();
  process.exit(code ?? (signal ? 130 : 1));
});
