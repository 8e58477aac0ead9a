// A clean install as a user gets it: `npm pack` ships only what runs, and the packed tarball,
// installed into a temporary prefix (dependencies from the npm cache when it has them), runs
// `dynastream --help`, `tail --input` on a sample and `doctor` against DynamoDB Local, on the Node
// that runs the tests (.ci/run runs them on each tested Node version).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "../helpers/cli.js";
import { cliEnv, createTable, ddbEndpoint } from "../helpers/ddb.js";
import { lambdaRecord } from "../helpers/records.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "dynastream-install-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const prefix = join(dir, "prefix");
/** npm run with the tests' Node first on PATH (npm's own `#!/usr/bin/env node` then runs on it too). */
const npmEnv = {
  ...process.env,
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
  npm_config_cache: process.env.npm_config_cache ?? join(process.env.HOME ?? dir, ".npm"),
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
};
let packed: { files: string[]; tarball: string };
let installLog = "";

before(() => {
  const pack = spawnSync("npm", ["pack", "--json", "--pack-destination", dir], {
    cwd: ROOT,
    env: npmEnv,
    encoding: "utf8",
  });
  assert.equal(pack.status, 0, pack.stderr);
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf("["))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  packed = { files: info[0]!.files.map((f) => f.path).sort(), tarball: join(dir, info[0]!.filename) };
  const install = spawnSync(
    "npm",
    [
      "install",
      "--global",
      "--prefix",
      prefix,
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      packed.tarball,
    ],
    { env: npmEnv, encoding: "utf8" },
  );
  installLog = install.stdout + install.stderr;
  assert.equal(install.status, 0, installLog);
});

/** Runs the installed `dynastream` (its bin link, on the tests' Node). */
function installed(args: string[], env: Record<string, string> = {}) {
  return runCli(args, {
    bin: join(prefix, "lib", "node_modules", "dynastream", "bin", "dynastream.cjs"),
    env,
  });
}

test("npm pack ships the launcher, the bundles and their maps, README and package.json: no src, tests, bench", () => {
  assert.deepEqual(packed.files, [
    "README.md",
    "bin/dynastream.cjs",
    "dist/cli-filter-test.cjs",
    "dist/cli-filter-test.cjs.map",
    "dist/cli-help.cjs",
    "dist/cli-help.cjs.map",
    "dist/cli.cjs",
    "dist/cli.cjs.map",
    "package.json",
  ]);
});

test("the install prints no warning, and links the bin", () => {
  assert.doesNotMatch(installLog, /npm warn/i, installLog);
  const link = spawnSync(join(prefix, "bin", "dynastream"), ["--version"], { env: npmEnv, encoding: "utf8" });
  assert.equal(link.status, 0, link.stderr);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(link.stdout.trim(), pkg.version);
});

test("the installed dynastream: --help, tail --input on a sample, doctor against DynamoDB Local", async () => {
  const help = await installed(["--help"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /dynastream doctor/);
  assert.match(help.stdout, /completion \[options\] \[shell\]/);

  const sample = join(dir, "event.json");
  writeFileSync(sample, JSON.stringify({ Records: [lambdaRecord()] }));
  const tail = await installed(["tail", "--input", sample, "--json"]);
  assert.equal(tail.code, 0, tail.stderr);
  const line = JSON.parse(tail.stdout.trim()) as { eventName: string; newImage: { status: string } };
  assert.equal(line.eventName, "MODIFY");
  assert.equal(line.newImage.status, "shipped");

  const endpoint = await ddbEndpoint();
  const table = await createTable(endpoint);
  const doctor = await installed(["doctor", table], cliEnv(endpoint));
  assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
  assert.match(doctor.stdout, /✓ dynamodb:GetRecords +allowed/);
});
