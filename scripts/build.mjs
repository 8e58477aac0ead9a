#!/usr/bin/env node
// `npm run build` (also `prepack`, so that `npm pack`/`npm publish` ship a fresh build): bundles src/cli.ts and everything it imports, except the AWS SDK,
// into one CommonJS file, dist/cli.cjs (+ dist/cli.cjs.map), with esbuild. One file compiles and
// loads faster than a tree of ES modules (no ESM loader, no module graph), and bin/dynastream.cjs
// can keep V8's compiled code for it between runs (see there). The same program is also bundled with
// fewer commands (CLI_BUNDLES below), for the command lines that need no other: smaller files to read
// and load. Type checking is `npm run typecheck`.
// `node scripts/build.mjs --outdir <dir>` writes the bundle elsewhere (the benchmark's snapshot).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");

/**
 * The first line of each bundle: the version and a hash of the build's bundles, which with the
 * bundle's name name the launcher's code cache (V8 itself would accept a cache made for another
 * bundle of the same length).
 */
const BUILD_ID_PLACEHOLDER = "0".repeat(16);
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version ?? "0.0.0";
const BUILD_ID_LINE = `// dynastream ${VERSION} build `;

/**
 * Each CLI bundle holds its CommonJS module wrapper: run as a script (bin/dynastream.cjs compiles it
 * with V8's code cache), it gives the module function for the launcher to call; loaded by require()
 * (Node ≥ 22.1, or no cache), it calls it with require()'s own arguments (`this` is then
 * module.exports). Wrapping the text at run time (Module.wrap) would make V8 copy it whole: ~0.4 ms
 * of start-up for dist/cli-filter-test.cjs.
 */
export const WRAPPER_START =
  "(function (run) { return this === globalThis ? run : run.call(this, exports, require, module, __filename, __dirname); }).call(this, function (exports, require, module, __filename, __dirname) {";
const WRAPPER_END = "});";

/**
 * commander requires node:child_process at load time, for executable subcommands, which dynastream
 * does not have; loading it costs start-up time. This gives commander a stand-in that loads the real
 * module on first use.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: "child_process", namespace: "lazy-child-process" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-child-process" }, () => ({
      contents:
        'let cp; const load = () => (cp ??= require("node:child_process"));\n' +
        "module.exports = new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });\n",
      loader: "js",
    }));
  },
};

/**
 * The CLI's bundles, each the whole program (src/cli.ts) with the commands listed (all of them for
 * dist/cli.cjs): bin/dynastream.cjs loads dist/cli-<name>.cjs for a command line that names that
 * command and no other, dist/cli-help.cjs for one that names none (--help, usage errors), and
 * dist/cli.cjs otherwise. A command line that names one command never needs another's code (the
 * program loads only the commands it names: src/cli/program.ts), and start-up is mostly reading and
 * loading the bundle: filter-test's is under half the size of dist/cli.cjs, help's a sixth. The
 * commands that call AWS spend their start-up loading the SDK and have none of their own.
 */
export const CLI_BUNDLES = { cli: undefined, "cli-filter-test": ["filter-test"], "cli-help": [] };

/**
 * Leaves out of a bundle the command modules (src/commands/<name>.ts, loaded by src/commands/index.ts)
 * not in `keep`: what stands for one throws when loaded, which the launcher's choice of bundle rules
 * out (a bug otherwise: "internal error", exit 70, rather than another command's behaviour).
 */
function onlyCommands(bundle, keep) {
  return {
    name: "only-commands",
    setup(build) {
      build.onResolve({ filter: /^\.\/[a-z-]+(\/index)?\.js$/ }, (args) => {
        const name = /^\.\/([a-z-]+)/.exec(args.path)[1];
        return /[\\/]src[\\/]commands[\\/]index\.ts$/.test(args.importer) && !keep.includes(name)
          ? { path: name, namespace: "left-out-command" }
          : undefined;
      });
      build.onLoad({ filter: /.*/, namespace: "left-out-command" }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`dist/${bundle}.cjs has no command ${args.path}: bin/dynastream.cjs loads dist/cli.cjs for it`)});\n`,
        loader: "js",
      }));
    },
  };
}

/**
 * `require("node:process")` (commander's, chalk's) is the global `process` that every module already
 * has; Node's own module costs ~0.5 ms of start-up to load, the first time.
 */
const globalProcess = {
  name: "global-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?process$/ }, () => ({
      path: "process",
      namespace: "global-process",
    }));
    build.onLoad({ filter: /.*/, namespace: "global-process" }, () => ({
      contents: "module.exports = process;\n",
      loader: "js",
    }));
  },
};

/** esbuild options of every bundle: one CommonJS file for Node 20, the AWS SDK left outside. */
const COMMON = {
  absWorkingDir: ROOT,
  write: false,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  // The SDK, and the HTTP/1.1 handler the Kinesis client is given (src/aws/clients.ts), stay outside.
  external: ["@aws-sdk/*", "@smithy/node-http-handler"],
};

/**
 * Builds the CLI's bundles (CLI_BUNDLES: dist/cli.cjs and the others, each with its map) under
 * `outDir`; returns the path of dist/cli.cjs. Each file is written beside and renamed into place: a
 * CLI run while another build is under way (tests in the same checkout) finds the old bundle or the
 * new one, never none or half of one. Whatever else is in `outDir` (the per-file output of tsc, which
 * earlier builds wrote) is removed.
 */
export async function buildCli(outDir = join(ROOT, "dist")) {
  const results = await Promise.all(
    Object.entries(CLI_BUNDLES).map(([name, commands]) =>
      build({
        ...COMMON,
        entryPoints: [join(ROOT, "src", "cli.ts")],
        outfile: join(outDir, `${name}.cjs`),
        // import() of the SDK becomes require(): one module system, node_modules resolved from dist/.
        supported: { "dynamic-import": false },
        sourcemap: true,
        // The bundles with fewer commands are there for start-up: without comments and indentation
        // they are a third smaller (stack traces then point into long lines: the map resolves them).
        minifyWhitespace: commands !== undefined,
        // The version is known now (src/cli.ts reads package.json only when run from source). Its
        // import.meta.url, if ever read, is the bundle's, made on first use (URL code costs start-up).
        define: {
          __DYNASTREAM_VERSION__: JSON.stringify(VERSION),
          "import.meta.url": "__dynastream_meta.url",
        },
        banner: {
          js: `${BUILD_ID_LINE}${BUILD_ID_PLACEHOLDER}\n${WRAPPER_START}\nconst __dynastream_meta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };`,
        },
        footer: { js: WRAPPER_END },
        plugins: [lazyChildProcess, globalProcess, ...(commands ? [onlyCommands(name, commands)] : [])],
        logLevel: "warning",
      }),
    ),
  );
  const files = results.flatMap((r) => r.outputFiles);
  const isBundle = (f) => f.path.endsWith(".cjs");
  // One build id for all the bundles (a hash of them all), in place of the placeholder (same length:
  // the source maps stay exact).
  const hash = createHash("sha256");
  for (const f of files.filter(isBundle)) hash.update(f.text);
  const id = hash.digest("hex").slice(0, BUILD_ID_PLACEHOLDER.length);
  mkdirSync(outDir, { recursive: true });
  const names = [];
  // The maps first: the bundles name them.
  for (const f of [...files].sort((a, b) => Number(isBundle(a)) - Number(isBundle(b)))) {
    const text = isBundle(f)
      ? f.text.replace(BUILD_ID_LINE + BUILD_ID_PLACEHOLDER, BUILD_ID_LINE + id)
      : f.text;
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, f.path);
    names.push(basename(f.path));
  }
  for (const name of readdirSync(outDir)) {
    if (!names.includes(name) && !name.endsWith(".tmp"))
      rmSync(join(outDir, name), { recursive: true, force: true });
  }
  return join(outDir, "cli.cjs");
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const i = process.argv.indexOf("--outdir");
  await buildCli(i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : join(ROOT, "dist"));
}
