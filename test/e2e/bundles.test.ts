// The CLI's bundles (scripts/build.mjs): dist/cli.cjs with every command, dist/cli-filter-test.cjs and
// dist/cli-help.cjs with fewer, for start-up. The launcher picks one by the command names on the
// command line; each command line must run as it does with any other bundle, from an installed copy
// of the package (the files package.json lists) as from the checkout.
import assert from "node:assert/strict";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import module from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type CliResult, runCli } from "../helpers/cli.js";

/** Node ≥ 22.1 keeps the compiled code itself; the cache files (named by bundle) are ours only below. */
const OWN_CACHE = typeof (module as { enableCompileCache?: unknown }).enableCompileCache !== "function";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "dynastream-bundles-"));
after(() => rmSync(root, { recursive: true, force: true }));
const records = join(root, "records.ndjson");
writeFileSync(
  records,
  '{"eventName":"INSERT","dynamodb":{"Keys":{"pk":{"S":"a"}}}}\n{"eventName":"MODIFY","dynamodb":{"Keys":{"pk":{"S":"b"}}}}\n',
);
const FILTER_TEST = ["filter-test", "--pattern", '{"eventName":["INSERT"]}', "--records", records];

/** package.json's "files". */
const FILES = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { files: string[] }).files;

/** Copies the package as npm installs it (package.json and its "files") to a new node_modules/. */
function install(omit: string[] = []): string {
  const pkg = join(mkdtempSync(join(root, "install-")), "node_modules", "dynastream");
  for (const f of ["package.json", ...FILES]) {
    if (omit.includes(f)) continue;
    mkdirSync(dirname(join(pkg, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(pkg, f));
  }
  return join(pkg, "bin", "dynastream.cjs");
}

let homes = 0;
function freshHome(): string {
  const d = join(root, `xdg-${++homes}`);
  mkdirSync(d);
  return d;
}

function run(args: string[], env: Record<string, string>, bin?: string): Promise<CliResult> {
  return runCli(args, { env: { PATH: process.env.PATH ?? "", ...env }, ...(bin ? { bin } : {}) });
}

/** The cache files written under `xdg`, without the part that names the build: "<bundle>.<command>". */
function caches(xdg: string): string[] {
  try {
    return readdirSync(join(xdg, "dynastream"))
      .filter((n) => n.endsWith(".v8"))
      .map((n) => n.split(`-${process.arch}-`)[1]!.replace(/\.v8$/, ""))
      .sort();
  } catch {
    return [];
  }
}

/** Command lines, with the cache each one writes: its bundle, and the command that names the file. */
const LINES: { args: string[]; cache?: string }[] = [
  { args: ["--version"] },
  { args: ["--help"], cache: "cli-help.help" },
  { args: ["help"], cache: "cli-help.help" },
  { args: ["nope"] },
  { args: [] },
  { args: FILTER_TEST, cache: "cli-filter-test.filter-test" },
  { args: ["filter-test", "--help"], cache: "cli-filter-test.filter-test-help" },
  { args: ["help", "filter-test"], cache: "cli-filter-test.help" },
  { args: ["shards", "--help"], cache: "cli.shards-help" },
  { args: ["tail", "--help"], cache: "cli.tail-help" },
  // Two commands named (one as an option's value): the bundle with every command.
  { args: ["--profile", "filter-test", "tail", "--help"], cache: "cli.filter-test-help" },
  { args: ["filter-test", "--records", "lag", "--help"], cache: "cli.filter-test-help" },
];

test("every file the build writes is in package.json's files", () => {
  for (const name of readdirSync(join(ROOT, "dist")))
    assert.ok(FILES.includes(`dist/${name}`), `dist/${name} is not in package.json's files`);
});

test("installed, each command line runs its bundle, as the checkout does without a cache", async () => {
  const bin = install();
  const xdg = freshHome();
  for (const { args } of LINES) {
    const ref = await run(args, { DYNASTREAM_NO_COMPILE_CACHE: "1" });
    for (let i = 0; i < 2; i++) {
      const r = await run(args, { XDG_CACHE_HOME: xdg }, bin);
      assert.equal(r.code, ref.code, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, ref.stdout, args.join(" "));
      assert.equal(r.stderr, ref.stderr, args.join(" "));
    }
  }
  if (OWN_CACHE)
    assert.deepEqual(caches(xdg), [...new Set(LINES.flatMap((l) => (l.cache ? [l.cache] : [])))].sort());
});

test("a bundle the build did not make: dist/cli.cjs runs the command line", async () => {
  const bin = install(["dist/cli-filter-test.cjs", "dist/cli-help.cjs"]);
  const xdg = freshHome();
  for (const args of [FILTER_TEST, ["--help"]]) {
    const ref = await run(args, { DYNASTREAM_NO_COMPILE_CACHE: "1" });
    const r = await run(args, { XDG_CACHE_HOME: xdg }, bin);
    assert.equal(r.code, ref.code, r.stderr);
    assert.equal(r.stdout, ref.stdout);
    assert.equal(r.stderr, ref.stderr);
  }
  if (OWN_CACHE) assert.deepEqual(caches(xdg), ["cli.filter-test", "cli.help"]);
});

test("a checkout that was never built: one error line, the fix, exit 70, no stack trace", async () => {
  const bare = join(root, "unbuilt");
  mkdirSync(join(bare, "bin"), { recursive: true });
  copyFileSync(join(ROOT, "bin", "dynastream.cjs"), join(bare, "bin", "dynastream.cjs"));
  const r = await runCli(["tail", "--help"], { bin: join(bare, "bin", "dynastream.cjs") });
  assert.equal(r.code, 70, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(
    r.stderr,
    `error: dynastream is not built (${join(bare, "dist", "cli.cjs")} is missing)\nhint: run npm run build in ${bare}\n`,
  );
});
