// The launcher's code cache (bin/dynastream.cjs): written per bundle and command on the first run,
// reused after, a damaged file replaced, and never a reason for a different output, message or exit
// code.
// Each test has its own XDG_CACHE_HOME; nothing is written to ~/.cache.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import module from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { type CliResult, runCli } from "../helpers/cli.js";

/** Node ≥ 22.1 keeps the compiled code itself (module.enableCompileCache); older Node uses ours. */
const OWN_CACHE = typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function";
const ownCache = { skip: OWN_CACHE ? false : "Node ≥ 22.1: the launcher uses module.enableCompileCache" };

const root = mkdtempSync(join(tmpdir(), "dynastream-code-cache-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const records = join(root, "records.ndjson");
writeFileSync(
  records,
  '{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"a"}}}}\n{"eventName":"MODIFY","dynamodb":{"Keys":{"pk":{"S":"b"}}}}\n',
);
const FILTER_TEST = ["filter-test", "--pattern", '{"eventName":["INSERT"]}', "--records", records];

/** A fresh XDG_CACHE_HOME. */
function freshHome(): string {
  const d = join(root, `xdg-${++dirs}`);
  mkdirSync(d);
  return d;
}

function run(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runCli(args, { env: { PATH: process.env.PATH ?? "", ...env } });
}

/** What the same command gives without any cache. */
async function reference(args: string[]): Promise<CliResult> {
  return run(args, { DYNASTREAM_NO_COMPILE_CACHE: "1" });
}

/** The cache files of `xdg` (file names). */
function cacheFiles(xdg: string): string[] {
  try {
    return readdirSync(join(xdg, "dynastream")).filter((n) => n.endsWith(".v8"));
  } catch {
    return [];
  }
}

function sameRun(a: CliResult, b: CliResult): void {
  assert.equal(a.code, b.code, a.stderr);
  assert.equal(a.stdout, b.stdout);
  assert.equal(a.stderr, b.stderr);
}

test(
  "the first run writes the command's cache (0600 in a 0700 directory); the next reuses it",
  ownCache,
  async () => {
    const xdg = freshHome();
    const ref = await reference(["--help"]);
    sameRun(await run(["--help"], { XDG_CACHE_HOME: xdg }), ref);
    const files = cacheFiles(xdg);
    assert.equal(files.length, 1, String(files));
    assert.match(
      files[0]!,
      new RegExp(
        `^cli-\\d+\\.\\d+\\.\\d+\\S*-[0-9a-f]{16}-${process.version}-${process.arch}-cli-help\\.help\\.v8$`,
      ),
    );
    const file = join(xdg, "dynastream", files[0]!);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(xdg, "dynastream")).mode & 0o777, 0o700);
    const before = statSync(file);

    sameRun(await run(["--help"], { XDG_CACHE_HOME: xdg }), ref);
    const again = statSync(file);
    assert.equal(again.ino, before.ino, "an accepted cache is not written again");
    assert.equal(again.mtimeMs, before.mtimeMs);
  },
);

test(
  "each command has a cache of its own; runs with a cache print what runs without one print",
  ownCache,
  async () => {
    const xdg = freshHome();
    for (let i = 0; i < 2; i++) {
      sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: xdg }), await reference(FILTER_TEST));
      sameRun(
        await run(["shards", "--help"], { XDG_CACHE_HOME: xdg }),
        await reference(["shards", "--help"]),
      );
    }
    assert.deepEqual(
      cacheFiles(xdg)
        .map((n) => n.split(`-${process.arch}-`)[1])
        .sort(),
      ["cli-filter-test.filter-test.v8", "cli.shards-help.v8"],
    );
  },
);

test("a damaged cache file is ignored and replaced", ownCache, async () => {
  const xdg = freshHome();
  const ref = await reference(FILTER_TEST);
  sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: xdg }), ref);
  const file = join(xdg, "dynastream", cacheFiles(xdg)[0]!);
  const good = readFileSync(file);
  // Bytes changed in the middle (V8's own checks read the header and the length only), then garbage,
  // then an empty file.
  const flipped = Buffer.from(good);
  for (let i = flipped.length >> 1; i < (flipped.length >> 1) + 64; i++) flipped[i]! ^= 0x5a;
  for (const bad of [flipped, randomBytes(good.length), Buffer.alloc(0)]) {
    writeFileSync(file, bad);
    const ino = statSync(file).ino;
    sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: xdg }), ref);
    assert.notEqual(statSync(file).ino, ino, "the damaged file is replaced");
    assert.notDeepEqual(readFileSync(file), bad);
  }
});

test("an unusable cache directory, or none, changes nothing", async () => {
  const ref = await reference(FILTER_TEST);
  // XDG_CACHE_HOME/dynastream is a file: no directory can be made there.
  const blocked = freshHome();
  writeFileSync(join(blocked, "dynastream"), "not a directory");
  sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: blocked }), ref);
  assert.equal(readFileSync(join(blocked, "dynastream"), "utf8"), "not a directory");
  // XDG_CACHE_HOME is a file.
  const file = join(freshHome(), "file");
  writeFileSync(file, "");
  sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: file }), ref);
  // Neither HOME nor XDG_CACHE_HOME (empty is unset).
  sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: "" }), ref);
  // A relative XDG_CACHE_HOME is ignored (the XDG rule); HOME is then used.
  const home = freshHome();
  sameRun(await run(["--help"], { XDG_CACHE_HOME: "relative", HOME: home }), await reference(["--help"]));
  if (OWN_CACHE) assert.equal(cacheFiles(join(home, ".cache")).length, 1);
});

test("Node ≥ 22.1: Node's own compile cache goes to the same folder (node-compile-cache), output unchanged", {
  skip: OWN_CACHE ? "Node < 22.1: the launcher keeps its own V8 code cache (tests above)" : false,
}, async () => {
  const xdg = freshHome();
  const ref = await reference(FILTER_TEST);
  sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: xdg }), ref);
  const dir = join(xdg, "dynastream", "node-compile-cache");
  const written = readdirSync(dir, { recursive: true });
  assert.ok(written.length > 0, "Node wrote its cache");
  assert.deepEqual(cacheFiles(xdg), [], "no V8 cache file of the launcher's own");
  sameRun(await run(FILTER_TEST, { XDG_CACHE_HOME: xdg }), ref); // read back
});

test("DYNASTREAM_NO_COMPILE_CACHE=1 and NODE_DISABLE_COMPILE_CACHE=1 turn the cache off", async () => {
  for (const off of ["DYNASTREAM_NO_COMPILE_CACHE", "NODE_DISABLE_COMPILE_CACHE"]) {
    const xdg = freshHome();
    sameRun(await run(["--help"], { XDG_CACHE_HOME: xdg, [off]: "1" }), await reference(["--help"]));
    assert.deepEqual(readdirSync(xdg), [], `${off}: nothing written`);
  }
});

test("usage errors keep their exit code and message; a failed run writes no cache", ownCache, async () => {
  const xdg = freshHome();
  for (const args of [["nope"], [], ["filter-test", "--pattern", "{", "--records", records]]) {
    const r = await run(args, { XDG_CACHE_HOME: xdg });
    sameRun(r, await reference(args));
    assert.equal(r.code, 2);
  }
  assert.deepEqual(cacheFiles(xdg), []);
});

test("--debug stack traces name the bundle; under --enable-source-maps, the sources", async () => {
  const args = ["filter-test", "--pattern", "{", "--records", records, "--debug"];
  const r = await run(args, { XDG_CACHE_HOME: freshHome() });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /\n {4}at .*[/\\]dist[/\\]cli-filter-test\.cjs:\d+:\d+/);
  const mapped = await run(args, { XDG_CACHE_HOME: freshHome(), NODE_OPTIONS: "--enable-source-maps" });
  assert.equal(mapped.code, 2);
  assert.match(mapped.stderr, /\n {4}at .*[/\\]src[/\\]commands[/\\]filter-test[/\\][a-z]+\.ts:\d+:\d+/);
});
