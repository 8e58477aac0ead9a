#!/usr/bin/env node
// Launcher. CommonJS, like the bundle it loads (dist/cli*.cjs, built by scripts/build.mjs): no ES
// module loader at start-up. `--version` prints without loading the CLI at all.
//
// The bundle: dist/cli-<command>.cjs, the program with that command only, when the command line names
// that command and no other and the build made one (filter-test); dist/cli-help.cjs, the program
// without any command's code, when it names none (--help, usage errors); else dist/cli.cjs, which has
// them all. The program loads the code of each command named anywhere on the command line (an
// option's value too: src/cli/program.ts), so the choice is by the same words, and any bundle of one
// build runs such a command line alike.
//
// Start-up is mostly V8 compiling the bundle. Node ≥ 22.1 keeps compiled code on disk itself
// (module.enableCompileCache). On older Node the bundle is compiled here with V8's code cache: one
// cache file per bundle and command (first word that is not an option; its --help apart), written
// when the run ends (exit 0 or 1) if the cache was missing or rejected, so it holds what that command
// compiled.
// Files live in $XDG_CACHE_HOME/dynastream or ~/.cache/dynastream; DYNASTREAM_NO_COMPILE_CACHE=1 or
// NODE_DISABLE_COMPILE_CACHE=1 turns the cache off. Any failure of the cache (no HOME, unwritable
// directory, a corrupt file) means plain compilation: never an error, a message or another exit code.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const argv = process.argv.slice(2);
const DIST = path.join(__dirname, "..", "dist");
/** The commands (src/commands/index.ts: test/unit/cli/launcher.test.ts checks that the lists agree). */
const COMMANDS = [
  "enable",
  "disable",
  "describe",
  "shards",
  "tail",
  "filter-test",
  "invoke",
  "lag",
  "dlq",
  "doctor",
  "completion",
];
/** Words with a code cache of their own (commander's `help` too); anything else shares "other". */
const CACHED = new Set([...COMMANDS, "help"]);

/** The name of the bundle to load (see the top of this file): "cli", "cli-help" or "cli-<command>". */
function bundleName() {
  let named;
  for (const a of argv) {
    if (a === named || !COMMANDS.includes(a)) continue;
    if (named !== undefined) return "cli";
    named = a;
  }
  const name = `cli-${named ?? "help"}`;
  return fs.existsSync(path.join(DIST, `${name}.cjs`)) ? name : "cli";
}

/** The bundle's exports ({ main, run }). */
function load() {
  const bundle = bundleName();
  const file = path.join(DIST, `${bundle}.cjs`);
  if (!fs.existsSync(file)) {
    // A clone where `npm install` ran but the build did not (the package from the registry has dist/).
    process.stderr.write(
      `error: dynastream is not built (${file} is missing)\nhint: run npm run build in ${path.dirname(__dirname)}\n`,
    );
    process.exit(70);
  }
  const env = process.env;
  const enabled = !env.DYNASTREAM_NO_COMPILE_CACHE && !env.NODE_DISABLE_COMPILE_CACHE;
  const dir = enabled ? cacheDir(env) : undefined;
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 1)) {
    if (enabled) {
      try {
        require("node:module").enableCompileCache(dir && path.join(dir, "node-compile-cache"));
      } catch {
        // no cache: compile as usual
      }
    }
    return require(file);
  }
  // The CommonJS Module class, without loading node:module (its public face costs start-up). Under
  // --enable-source-maps, require() reads the bundle's map: stack traces then name src/ lines.
  return dir && !process.sourceMapsEnabled
    ? loadWithCodeCache(module.constructor, dir, bundle, file)
    : require(file);
}

/** $XDG_CACHE_HOME/dynastream or $HOME/.cache/dynastream; undefined without either. */
function cacheDir(env) {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, "dynastream");
  const home = env.HOME;
  return home && path.isAbsolute(home) ? path.join(home, ".cache", "dynastream") : undefined;
}

/**
 * Compiles and runs `file`, the bundle `bundle`, as require() would, with V8's code cache read from
 * and written to `dir`.
 */
function loadWithCodeCache(Module, dir, bundle, file) {
  const vm = require("node:vm");
  const source = fs.readFileSync(file, "utf8");
  // First line: "// dynastream <version> build <hash of the build's bundles>"; then the module
  // wrapper, which gives the module function when run as a script (scripts/build.mjs, WRAPPER_START).
  const head = /^\/\/ dynastream (\S+) build ([0-9a-f]+)\n\(function \(run\) \{/.exec(source.slice(0, 120));
  if (!head) return require(file);
  // The first run writes a command's cache, with what that run compiled: `<command> --help` has
  // one of its own, so that it does not stand for the command's real runs.
  const word = argv.find((a) => !a.startsWith("-"));
  const help = word !== undefined && argv.some((a) => a === "--help" || a === "-h") ? "-help" : "";
  const command = word === undefined ? "help" : (CACHED.has(word) ? word : "other") + help;
  const prefix = `cli-${head[1]}-${head[2]}-${process.version}-${process.arch}-`;
  const cacheFile = path.join(dir, `${prefix}${bundle}.${command}.v8`);

  let cached;
  try {
    cached = fs.readFileSync(cacheFile);
  } catch {
    // none yet (or unreadable): compile from source, write it at exit
  }
  verifyCodeCacheChecksums();
  const script = new vm.Script(source, { filename: file, cachedData: cached });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(DIST);
  const req = Module.createRequire(file);
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, file, DIST);
  mod.loaded = true;

  if (cached === undefined || script.cachedDataRejected) {
    process.once("exit", (code) => {
      if (code === 0 || code === 1) writeCache(script, dir, cacheFile, prefix);
    });
  }
  return mod.exports;
}

/**
 * V8 checks a code cache's version, flags and source length but, in release builds, not its content:
 * with --verify-snapshot-checksum it checksums it (when written and when read), so a damaged file is
 * rejected instead of run. node:v8 costs ~4 ms of start-up (it loads streams); the raw binding does
 * the same. Its one-time deprecation warning is muted (this runs on Node 20 to 22.0 only).
 */
function verifyCodeCacheChecksums() {
  const flag = "--verify-snapshot-checksum";
  const before = process.noDeprecation; // read-only (true) under --no-deprecation
  try {
    if (before !== true) process.noDeprecation = true;
    process.binding("v8").setFlagsFromString(flag);
  } catch {
    try {
      require("node:v8").setFlagsFromString(flag);
    } catch {
      // unverified, like any V8 code cache
    }
  } finally {
    if (before !== true) process.noDeprecation = before;
  }
}

/** Files of other builds (or left by a killed run) older than this are deleted when a cache is written. */
const STALE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Writes the code cache atomically (temp file + rename). Caches of other builds (other versions, other
 * Node, other installs used in turn) stay until they are a week old: they may still be in use.
 */
function writeCache(script, dir, file, prefix) {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(tmp, file);
    const old = Date.now() - STALE_MS;
    for (const name of fs.readdirSync(dir)) {
      if (!name.startsWith("cli-") || (name.startsWith(prefix) && name.endsWith(".v8"))) continue;
      const other = path.join(dir, name);
      if (fs.statSync(other).mtimeMs < old) fs.rmSync(other, { force: true });
    }
  } catch {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing to clean
    }
  }
}

if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
  // The same line as the program's own --version, without loading the CLI to print a constant.
  let version = "0.0.0";
  try {
    version =
      JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")).version ?? version;
  } catch {
    // unreadable package.json: as the program does
  }
  try {
    fs.writeSync(1, `${version}\n`); // creating process.stdout would cost more than the rest of the run
  } catch (e) {
    // A reader that left (EPIPE) is no error, as for every command; anything else: the usual way.
    if (e.code !== "EPIPE") process.stdout.write(`${version}\n`);
  }
} else {
  load().main(argv);
}
