#!/usr/bin/env node
// `npm run build` (also `prepare`): bundles src/cli.ts and everything it imports, except the AWS SDK,
// into one CommonJS file, dist/cli.cjs (+ dist/cli.cjs.map), with esbuild. One file compiles and
// loads faster than a tree of ES modules (no ESM loader, no module graph), and bin/dynastream.cjs
// can keep V8's compiled code for it between runs (see there). Type checking is `npm run typecheck`.
// `node scripts/build.mjs --outdir <dir>` writes the bundle elsewhere (the benchmark's snapshot).
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { build } from "esbuild";

const ROOT = resolve(import.meta.dirname, "..");

/**
 * The first line of the bundle: the version and a hash of the content, which name the launcher's
 * code cache (V8 itself would accept a cache made for another bundle of the same length).
 */
const BUILD_ID_PLACEHOLDER = "0".repeat(16);
const VERSION = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version ?? "0.0.0";
const BUILD_ID_LINE = `// dynastream ${VERSION} build `;

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

/** esbuild options of every bundle: one CommonJS file for Node 20, the AWS SDK left outside. */
const COMMON = {
  absWorkingDir: ROOT,
  write: false,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  external: ["@aws-sdk/*"],
};

/**
 * Builds dist/cli.cjs (and its map) under `outDir`; returns the path of the bundle. Each file is
 * written beside and renamed into place: a CLI run while another build is under way (tests in the
 * same checkout) finds the old bundle or the new one, never none or half of one. Whatever else is in
 * `outDir` (the per-file output of tsc, which earlier builds wrote) is removed.
 */
export async function buildCli(outDir = join(ROOT, "dist")) {
  const outfile = join(outDir, "cli.cjs");
  const result = await build({
    ...COMMON,
    entryPoints: [join(ROOT, "src", "cli.ts")],
    outfile,
    // import() of the SDK becomes require(): one module system, node_modules resolved from dist/.
    supported: { "dynamic-import": false },
    sourcemap: true,
    // The version is known now (src/cli.ts reads package.json only when run from source). Its
    // import.meta.url, if ever read, is dist/cli.cjs's, made on first use (URL code costs start-up).
    define: {
      __DYNASTREAM_VERSION__: JSON.stringify(VERSION),
      "import.meta.url": "__dynastream_meta.url",
    },
    banner: {
      js: `${BUILD_ID_LINE}${BUILD_ID_PLACEHOLDER}\nconst __dynastream_meta = { get url() { return require("node:url").pathToFileURL(__filename).href; } };`,
    },
    plugins: [lazyChildProcess],
    logLevel: "warning",
  });
  mkdirSync(outDir, { recursive: true });
  const names = [];
  // The map first: the bundle names it.
  for (const f of [...result.outputFiles].sort(
    (a, b) => Number(a.path === outfile) - Number(b.path === outfile),
  )) {
    let text = f.text;
    if (f.path === outfile) {
      // The build id replaces the placeholder in place (same length: the source map stays exact).
      const id = createHash("sha256").update(text).digest("hex").slice(0, BUILD_ID_PLACEHOLDER.length);
      text = text.replace(BUILD_ID_LINE + BUILD_ID_PLACEHOLDER, BUILD_ID_LINE + id);
    }
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, f.path);
    names.push(basename(f.path));
  }
  // The worker threads of `tail --input` and `filter-test --records` on large files
  // (src/io/parallel-chunks.ts): a bundle each, dist/input-worker.cjs and dist/filter-worker.cjs.
  const worker = await build({
    ...COMMON,
    entryPoints: {
      "input-worker": join(ROOT, "src", "io", "input-worker.ts"),
      "filter-worker": join(ROOT, "src", "io", "filter-worker.ts"),
    },
    outdir: outDir,
    outExtension: { ".js": ".cjs" },
    sourcemap: true,
    logLevel: "warning",
  });
  for (const f of worker.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.text);
    renameSync(tmp, f.path);
    names.push(basename(f.path));
  }
  for (const name of readdirSync(outDir)) {
    if (!names.includes(name) && !name.endsWith(".tmp"))
      rmSync(join(outDir, name), { recursive: true, force: true });
  }
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const i = process.argv.indexOf("--outdir");
  await buildCli(i > 0 && process.argv[i + 1] ? resolve(process.argv[i + 1]) : join(ROOT, "dist"));
}
